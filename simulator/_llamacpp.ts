/**
 * llama.cpp's `llama-server` native completion: `POST /completion` (also
 * `/completions`).
 *
 * Shapes follow `tools/server` (`server-task.cpp`): events `data: {json}\n\n`
 * with no `[DONE]`; each partial event carries its text and token ids with
 * the running `tokens_predicted`; a final `stop: true` event with the
 * counts, `stop_type` and `timings` follows the last token at once. Keys keep
 * llama.cpp's order (it uses `ordered_json`). `n_predict` defaults to -1
 * (until the end of sequence, or the context with `ignore_eos`). Like
 * llama.cpp's `json_value`, a field of the wrong type falls back to its
 * default. The prompt cache is not simulated: `prompt_n` is always the whole
 * prompt and `cache_n` 0. With `maxContext`, a longer prompt is cut as
 * llama.cpp cuts it (with its default `n_keep` 0): whole blocks of half the
 * context are dropped from its start until what is left fits, and the events
 * say `truncated: true`, counting only the tokens kept.
 *
 * `timings` are the schedule's: prompt processing lasts the TTFT, generation
 * the `(n - 1) · TPOT` between the first token and the last.
 *
 * @module
 */

import {
  asRecord,
  failureMessage,
  isInteger,
  jsonAnswer,
  randomHex,
  readJsonBody,
  type ServeContext,
  type StreamEncoder,
  utf8,
} from "./_engine.ts";
import { contextLength, type ResolvedOptions } from "./_options.ts";
import { tokenIdList, tokenText } from "./_vocab.ts";

/** llama.cpp's error body (`format_error_response`). */
function llamaError(status: number, message: string, type: string): Response {
  return jsonAnswer({ error: { code: status, message, type } }, status);
}

/** Everything about one request the events need. */
interface Completion {
  readonly prompt: string;
  readonly promptTokens: number;
  readonly tokens: number;
  readonly stopType: "limit" | "eos";
  /** The prompt was cut to the context. */
  readonly truncated: boolean;
}

/**
 * The prompt tokens llama.cpp keeps of `tokens` in a context of `context`
 * (`server_context::launch_slot_with_task`, `n_keep` 0): none dropped when
 * they fit, else blocks of ⌊context / 2⌋ dropped until fewer than two
 * blocks' worth are left.
 */
export function keptPromptTokens(tokens: number, context: number | null): number {
  if (context === null || tokens <= context) return tokens;
  const block = Math.max(1, Math.floor(context / 2));
  return tokens - Math.floor((tokens - block) / block) * block;
}

/** Serves `POST /completion` and `POST /completions`. */
export async function llamacppCompletion(
  ctx: ServeContext,
  request: Request,
  arrival: number,
): Promise<Response> {
  const json = await readJsonBody(request);
  if (!json.ok) {
    // nlohmann's parse error is no invalid_argument: llama.cpp answers 500.
    return llamaError(500, `[json.exception.parse_error.101] ${json.error}`, "server_error");
  }
  const body = asRecord(json.value) ?? {};
  const { prompt } = body;
  let promptText: string;
  let promptTokens: number;
  if (prompt === undefined) {
    return llamaError(400, '"prompt" must be provided', "invalid_request_error");
  } else if (typeof prompt === "string") {
    promptText = prompt;
    promptTokens = ctx.countTokens(prompt);
  } else if (Array.isArray(prompt) && prompt.length > 0 && prompt.every(isInteger)) {
    // One tokenized prompt.
    promptText = "";
    promptTokens = prompt.length;
  } else {
    return llamaError(
      400,
      '"prompt" must be a string or a list of tokens (several prompts are not simulated)',
      "invalid_request_error",
    );
  }
  const nPredict = isInteger(body.n_predict) ? body.n_predict : -1;
  if (nPredict === 0) {
    return llamaError(400, "n_predict 0 is not simulated", "invalid_request_error");
  }
  const ignoreEos = body.ignore_eos === true;
  const stream = body.stream === true;

  const { options } = ctx;
  const kept = keptPromptTokens(promptTokens, options.maxContext);
  // Negative n_predict: no limit but the context.
  const limit = nPredict > 0 ? nPredict : Math.max(1, contextLength(options) - kept);
  const tokens = ignoreEos ? limit : Math.min(limit, options.naturalLen);
  const completion: Completion = {
    prompt: promptText,
    promptTokens: kept,
    tokens,
    stopType: tokens === limit ? "limit" : "eos",
    truncated: kept < promptTokens,
  };
  const failure = { error: { code: 500, message: failureMessage(options), type: "server_error" } };
  const base = { endpoint: "llamacpp" as const, id: randomHex(), tokens, promptTokens: kept };
  if (stream) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new LlamaStream(completion, options, `data: ${JSON.stringify(failure)}\n\n`),
      headers: { "content-type": "text/event-stream" },
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () =>
      new Response(finalEvent(completion, options, tokenText(0, tokens), tokenIdList(0, tokens)), {
        headers: { "content-type": "application/json; charset=utf-8" },
      }),
    failure: () => jsonAnswer(failure, 500),
  });
}

/** The final result object (`stop: true`), with `content` and `tokens` as given. */
function finalEvent(
  completion: Completion,
  options: ResolvedOptions,
  content: string,
  ids: string,
): string {
  const n = completion.tokens;
  const p = completion.promptTokens;
  const promptMs = options.ttftMs;
  const predictedMs = (n - 1) * options.tpotMs;
  // JSON has no Infinity: a zero duration gives null, as nlohmann writes inf.
  const timings = {
    cache_n: 0,
    prompt_n: p,
    prompt_ms: promptMs,
    prompt_per_token_ms: promptMs / p,
    prompt_per_second: 1e3 / promptMs * p,
    predicted_n: n,
    predicted_ms: predictedMs,
    predicted_per_token_ms: predictedMs / n,
    predicted_per_second: 1e3 / predictedMs * n,
  };
  return `{"index":0,"content":${JSON.stringify(content)},"tokens":[${ids}],"id_slot":0,` +
    `"stop":true,"model":${JSON.stringify(options.model)},"tokens_predicted":${n},` +
    `"tokens_evaluated":${p},"prompt":${JSON.stringify(completion.prompt)},` +
    `"has_new_line":false,"truncated":${completion.truncated},` +
    `"stop_type":"${completion.stopType}",` +
    // The last token is never fed back, so the cache holds one fewer.
    `"stopping_word":"","tokens_cached":${p + n - 1},"timings":${JSON.stringify(timings)}}`;
}

/** Partial events with each chunk's text and ids, then the final event. */
class LlamaStream implements StreamEncoder {
  readonly initial = undefined;
  readonly #completion: Completion;
  readonly #options: ResolvedOptions;
  readonly #failure: string;

  constructor(completion: Completion, options: ResolvedOptions, failure: string) {
    this.#completion = completion;
    this.#options = options;
    this.#failure = failure;
  }

  chunk(start: number, count: number): Uint8Array {
    return utf8.encode(
      `data: {"index":0,"content":${JSON.stringify(tokenText(start, count))},` +
        `"tokens":[${tokenIdList(start, count)}],"stop":false,"id_slot":0,` +
        `"tokens_predicted":${start + count},` +
        `"tokens_evaluated":${this.#completion.promptTokens}}\n\n`,
    );
  }

  trailer(): Uint8Array {
    // In streaming mode the final event's content and tokens are empty: they
    // already went out in the partial events.
    return utf8.encode(`data: ${finalEvent(this.#completion, this.#options, "", "")}\n\n`);
  }

  failure(): Uint8Array {
    return utf8.encode(this.#failure);
  }
}
