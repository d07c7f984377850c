/**
 * `llama.cpp`: llama.cpp's `llama-server` native completion API
 * (`POST /completion`, default port 8080).
 *
 * Body `{prompt, n_predict, stream, ignore_eos}`; streamed as SSE events
 * `data: {"content": <delta>, "stop": false, "tokens_predicted": k, ...}`
 * and a final event with `"stop": true`, `tokens_predicted`,
 * `tokens_evaluated` and `timings` (`predicted_n`, `prompt_n`, …). There is no
 * `[DONE]` on this endpoint; the final `stop: true` event marks completion.
 * Errors mid-stream come as `data: {"error": {...}}` (newer builds) or an
 * `error:` field line (older builds, which SSE parsing drops; the missing
 * final event then marks the response incomplete).
 *
 * @module
 */
import { type ChunkBuilder, errorText } from "./_chunks.ts";
import { openAiModels } from "./_openai.ts";
import { sseJsonParser } from "./_sse.ts";
import { wholeBodyParser } from "./_whole.ts";
import type { Backend, GenerationRequest, StreamParser, TokenizeEndpoint } from "./types.ts";

interface Event {
  content?: string;
  stop?: boolean;
  tokens_predicted?: number;
  tokens_evaluated?: number;
  timings?: { predicted_n?: number; prompt_n?: number };
  error?: unknown;
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
  const prompt = event.timings?.prompt_n ?? event.tokens_evaluated;
  if (event.stop) {
    if (typeof predicted === "number") builder.outputTokens(predicted);
    if (typeof prompt === "number") builder.promptTokens(prompt);
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
  features: { bestOf: false, beamSearch: false, stream: "optional", model: "optional" },
  modelList: openAiModels,
  tokenize,
  buildRequest: (request) => ({
    body: JSON.stringify({
      prompt: request.prompt,
      n_predict: request.maxTokens,
      ignore_eos: true,
      stream: request.stream !== false,
    }),
    headers: { "content-type": "application/json" },
  }),
  createParser: parser,
};
