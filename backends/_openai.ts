/**
 * The OpenAI protocol shared by the OpenAI-compatible backends: streamed as
 * `data: {json}` events ending with `data: [DONE]`, or one JSON response.
 *
 * @module
 */
import { type ChunkBuilder, errorText } from "./_chunks.ts";
import { sseJsonParser } from "./_sse.ts";
import { readLlamaTimings } from "./_timings.ts";
import { wholeBodyParser } from "./_whole.ts";
import { OPENAI_SAMPLING, samplingBody } from "./sampling.ts";
import type { BackendFeatures, GenerationRequest, ModelList, StreamParser } from "./types.ts";

/** Pulls the generated text out of one choice of a chunk or response. */
export type ChoiceText = (choice: Record<string, unknown>) => string;

/** The text of a completions choice. */
export const completionText: ChoiceText = (choice) => String(choice.text ?? "");

/** `GET /v1/models`: the ids of `data`, in order. */
export const openAiModels: ModelList = {
  path: "/v1/models",
  ids: (json) => {
    const data = (json as { data?: { id?: unknown }[] })?.data;
    return Array.isArray(data) ? data.map((m) => m?.id).filter((id) => typeof id === "string") : [];
  },
};

/** What an OpenAI-compatible completions server accepts. */
export const openAiFeatures: BackendFeatures = {
  bestOf: true,
  beamSearch: false,
  stream: "optional",
  model: "optional",
  // OpenAI's own fields, and the extensions vLLM, SGLang, llama.cpp and lmdeploy read.
  sampling: OPENAI_SAMPLING,
  ignoreEos: true,
};

interface Usage {
  prompt_tokens?: number;
  completion_tokens?: number;
  /** vLLM (with prompt-token details on), OpenAI, newer llama.cpp. */
  prompt_tokens_details?: { cached_tokens?: unknown } | null;
  /** OpenAI, and servers copying it: the reasoning part of `completion_tokens`. */
  completion_tokens_details?: { reasoning_tokens?: unknown } | null;
}

/**
 * What comes with a usage object besides its counts: cached prompt tokens
 * (`prompt_tokens_details.cached_tokens`), and llama.cpp's `timings` (its
 * `cache_n` when usage has no cached count) and `truncated`, which llama.cpp
 * puts on the event that carries usage. Read only where usage is, so chunks
 * without it cost nothing more.
 */
function readUsageExtras(message: Record<string, unknown>, usage: Usage, builder: ChunkBuilder) {
  const cached = usage.prompt_tokens_details?.cached_tokens;
  if (typeof cached === "number") builder.promptCached(cached);
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === "number") builder.reasoningTokens(reasoning);
  if (message.timings !== undefined) readLlamaTimings(message.timings, builder);
  if (typeof message.truncated === "boolean") builder.truncated(message.truncated);
}

/**
 * The fields every OpenAI-style request shares: the model, the streaming
 * switch with usage reporting, the sampling options given, and `ignore_eos`
 * so the server generates exactly the asked length instead of stopping at
 * end-of-sequence (left out with `--no-ignore-eos`).
 */
export function openAiBody(
  request: GenerationRequest,
  fields: Record<string, unknown>,
  streamOptions: Record<string, unknown> = { include_usage: true },
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.model !== undefined) body.model = request.model;
  Object.assign(body, fields, samplingBody(request.sampling, OPENAI_SAMPLING));
  if (request.ignoreEos !== false) body.ignore_eos = true;
  body.stream = request.stream !== false;
  if (body.stream) body.stream_options = streamOptions;
  return body;
}

function readMessage(
  message: Record<string, unknown>,
  time: number,
  builder: ChunkBuilder,
  choiceText: ChoiceText,
  state: { tokensSoFar: number },
  choiceReasoning?: ChoiceText,
): void {
  if (message.error !== undefined && message.error !== null) {
    builder.error(errorText(message.error));
    return;
  }
  let text = "";
  let reasoningChars = 0;
  const choices = message.choices;
  if (Array.isArray(choices)) {
    for (const choice of choices) {
      if (choice && (choice.index ?? 0) === 0) {
        // The reasoning part leads the choice's text (see ChoiceText).
        if (choiceReasoning !== undefined && text === "") {
          reasoningChars = choiceReasoning(choice).length;
        }
        text += choiceText(choice);
      }
    }
  }
  const usage = message.usage as Usage | null | undefined;
  let tokens: number | undefined;
  if (usage && typeof usage.completion_tokens === "number") {
    tokens = usage.completion_tokens - state.tokensSoFar;
    state.tokensSoFar = usage.completion_tokens;
    builder.outputTokens(usage.completion_tokens);
    if (typeof usage.prompt_tokens === "number") builder.promptTokens(usage.prompt_tokens);
    readUsageExtras(message, usage, builder);
  }
  if (Array.isArray(choices) && choices.length > 0) {
    builder.text(time, text, tokens || undefined, reasoningChars);
  } else builder.event(time);
}

/**
 * A parser of an OpenAI-style response to `request`: SSE when streamed, one
 * JSON object otherwise. `choiceText` reads a streamed choice's text,
 * `wholeText` an unstreamed one's; `reasoning`, when given, reads the
 * reasoning part of each (which their text must begin with).
 */
export function openAiParser(
  request: GenerationRequest,
  choiceText: ChoiceText,
  wholeText: ChoiceText = choiceText,
  reasoning?: { streamed: ChoiceText; whole: ChoiceText },
): StreamParser {
  const state = { tokensSoFar: 0 };
  if (request.stream === false) {
    return wholeBodyParser((json, time, builder) => {
      if (json && typeof json === "object") {
        const message = json as Record<string, unknown>;
        readMessage(message, time, builder, wholeText, state, reasoning?.whole);
        builder.complete();
      }
    });
  }
  return sseJsonParser((message, time, builder) =>
    readMessage(message, time, builder, choiceText, state, reasoning?.streamed)
  );
}
