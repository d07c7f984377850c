/**
 * `llama.cpp`: llama.cpp's `llama-server` native completion API
 * (`POST /completion`, default port 8080).
 *
 * Body `{prompt, n_predict, stream, ignore_eos}`; streamed as SSE events
 * `data: {"content": <delta>, "stop": false, "tokens_predicted": k, ...}`
 * and a final event with `"stop": true`, `tokens_predicted`,
 * `tokens_evaluated`, `truncated` and `timings` (`predicted_n`, `prompt_n`,
 * `cache_n`, `prompt_ms`, `predicted_ms`, …). There is no `[DONE]` on this
 * endpoint; the final `stop: true` event marks completion. The whole prompt's
 * count is `tokens_evaluated`: `timings.prompt_n` leaves out the tokens taken
 * from the prefix cache (`cache_n`), so it serves only, added to `cache_n`,
 * when `tokens_evaluated` is missing. `truncated: true` says the prompt was
 * cut to the slot's context (the request still succeeds).
 * Errors mid-stream come as `data: {"error": {...}}` (newer builds) or an
 * `error:` field line (older builds, which SSE parsing drops; the missing
 * final event then marks the response incomplete).
 *
 * @module
 */
import { type ChunkBuilder, errorText } from "./_chunks.ts";
import { openAiModels } from "./_openai.ts";
import { type LlamaTimings, readLlamaTimings } from "./_timings.ts";
import { sseJsonParser } from "./_sse.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import { choiceGrammar, GGML_SAMPLING, samplingBody } from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser, TokenizeEndpoint } from "./types.ts";

/** `/completion`'s sampling fields. */
const LLAMA_SAMPLING = GGML_SAMPLING;

/** The body of one `/completion` request. */
function completionBody(request: GenerationRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {
    prompt: request.prompt,
    n_predict: request.maxTokens,
    ...samplingBody(request.sampling, LLAMA_SAMPLING),
  };
  if (request.ignoreEos !== false) body.ignore_eos = true;
  body.stream = request.stream !== false;
  const structured = request.structured;
  // llama.cpp turns a JSON schema into a grammar itself; a choice is a GBNF grammar.
  if (structured?.kind === "json") body.json_schema = structured.schema;
  if (structured?.kind === "choice") body.grammar = choiceGrammar(structured.choices);
  return body;
}

interface Event {
  content?: string;
  stop?: boolean;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  truncated?: boolean;
  timings?: LlamaTimings & { predicted_n?: number };
  error?: unknown;
}

/** The whole prompt's count: `tokens_evaluated`, else `prompt_n + cache_n` of the timings. */
function wholePrompt(event: Event): number | undefined {
  if (typeof event.tokens_evaluated === "number") return event.tokens_evaluated;
  const { prompt_n: evaluated, cache_n: cached } = event.timings ?? {};
  if (typeof evaluated !== "number") return undefined;
  return evaluated + (typeof cached === "number" ? cached : 0);
}

function read(event: Event, time: number, builder: ChunkBuilder, state: { predicted: number }) {
  if (event.error !== undefined) {
    builder.error(errorText(event.error));
    return;
  }
  const predicted = event.timings?.predicted_n ?? event.tokens_predicted;
  let tokens: number | undefined;
  if (typeof predicted === "number") {
    if (predicted > state.predicted) tokens = predicted - state.predicted;
    state.predicted = Math.max(state.predicted, predicted);
  }
  builder.text(time, String(event.content ?? ""), event.stop ? undefined : tokens);
  if (event.stop) {
    // The final event only: the partial ones stay as cheap as before.
    if (typeof predicted === "number") builder.outputTokens(predicted);
    const prompt = wholePrompt(event);
    if (prompt !== undefined) builder.promptTokens(prompt);
    if (typeof event.truncated === "boolean") builder.truncated(event.truncated);
    readLlamaTimings(event.timings, builder);
    builder.complete();
  }
}

function parser(request: GenerationRequest): StreamParser {
  const state = { predicted: 0 };
  if (request.stream === false) {
    return wholeBodyParser((json, time, builder) => read(json as Event, time, builder, state));
  }
  return sseJsonParser((event, time, builder) => read(event as Event, time, builder, state));
}

/**
 * `POST /tokenize {"content"}` → `{"tokens": [ids]}`, one text per call; no
 * BOS, since `add_special` defaults to false.
 */
const tokenize: TokenizeEndpoint = {
  path: "/tokenize",
  maxTexts: 1,
  body: ([content]) => ({ content }),
  counts: (json) => {
    const tokens = (json as { tokens?: unknown } | null)?.tokens;
    return Array.isArray(tokens) ? [tokens.length] : undefined;
  },
};

/** The `llama.cpp` backend. */
export const llamaCpp: Backend = {
  name: "llama.cpp",
  defaultEndpoint: "/completion",
  features: {
    bestOf: false,
    beamSearch: false,
    stream: "optional",
    model: "optional",
    sampling: LLAMA_SAMPLING,
    ignoreEos: true,
    structured: ["json", "choice"],
  },
  modelList: openAiModels,
  tokenize,
  buildRequest: (request) => jsonRequest(completionBody(request), request),
  createParser: parser,
};
