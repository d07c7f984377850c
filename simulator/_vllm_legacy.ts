/**
 * vLLM's legacy demo server (`vllm/entrypoints/api_server.py`): `POST
 * /generate` with `prompt` (chosen by body shape on the shared path).
 *
 * The body is `prompt`, `stream`, and `SamplingParams` fields at the top
 * level (`max_tokens` default 16, `ignore_eos`, `n`, …). A stream is a
 * sequence of `json.dumps({"text": [prompt + text so far, …one per n]})`
 * records, each ended by `"\n"` (current) or `"\0"` (older; the
 * `legacyDelimiter` option), from a Starlette `StreamingResponse` without a
 * media type, so no content type is sent. The non-streamed answer is a
 * compact `JSONResponse`. Any bad field raises inside the handler, which
 * Starlette answers with a plain 500; an injected failure mid-stream cuts the
 * connection, as a crashing generator does.
 *
 * @module
 */

import {
  isInteger,
  NO_BYTES,
  pythonJsonString,
  randomHex,
  type ServeContext,
  type StreamEncoder,
  textResponse,
  utf8,
} from "./_engine.ts";
import { CONTEXT_LENGTH } from "./_options.ts";
import { tokenText } from "./_vocab.ts";

/**
 * Fields of `SamplingParams` across vLLM versions (old ones such as
 * `use_beam_search` included, so clients written for older servers work);
 * any other key makes `SamplingParams(**body)` raise.
 */
const SAMPLING_FIELDS: ReadonlySet<string> = new Set([
  "n",
  "best_of",
  "presence_penalty",
  "frequency_penalty",
  "repetition_penalty",
  "temperature",
  "top_p",
  "top_k",
  "min_p",
  "seed",
  "use_beam_search",
  "length_penalty",
  "early_stopping",
  "stop",
  "stop_token_ids",
  "bad_words",
  "include_stop_str_in_output",
  "ignore_eos",
  "max_tokens",
  "min_tokens",
  "logprobs",
  "prompt_logprobs",
  "detokenize",
  "skip_special_tokens",
  "spaces_between_special_tokens",
  "truncate_prompt_tokens",
  "output_kind",
  "guided_decoding",
  "structured_outputs",
  "logit_bias",
  "allowed_token_ids",
  "extra_args",
]);

/** Starlette's answer to an exception raised by the handler. */
function internalError(): Response {
  return textResponse(500, "Internal Server Error", "text/plain; charset=utf-8");
}

/** Python's truthiness of a JSON value, as `if stream:` sees it. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && value !== null) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Serves a `/generate` body that carries `prompt`. */
export function vllmLegacyGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  body: Record<string, unknown>,
): Response | Promise<Response> {
  const { prompt, stream, n = 1, max_tokens: maxTokens = 16, ignore_eos: ignoreEos = false } = body;
  for (const key of Object.keys(body)) {
    if (key !== "prompt" && key !== "stream" && !SAMPLING_FIELDS.has(key)) return internalError();
  }
  if (typeof prompt !== "string" || !isInteger(n) || n < 1 || typeof ignoreEos !== "boolean") {
    return internalError();
  }
  if (maxTokens !== null && (!isInteger(maxTokens) || maxTokens < 1)) return internalError();

  const { options } = ctx;
  // `max_tokens: null` means up to the context length.
  const limit = maxTokens ?? Math.max(1, CONTEXT_LENGTH - ctx.countTokens(prompt));
  const tokens = ignoreEos ? limit : Math.min(limit, options.naturalLen);
  const base = {
    endpoint: "vllm-legacy" as const,
    id: randomHex(),
    tokens,
    promptTokens: ctx.weighPrompt(prompt),
  };
  if (truthy(stream)) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new LegacyStream(prompt, n, options.legacyDelimiter === "nul" ? "\0" : "\n"),
      headers: {},
      sequences: n,
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    recordedTokens: tokens * n,
    answer: () => {
      const text = prompt + tokenText(0, tokens);
      return new Response(JSON.stringify({ text: Array.from({ length: n }, () => text) }), {
        headers: { "content-type": "application/json" },
      });
    },
    failure: internalError,
  });
}

/** Records of the prompt plus everything generated so far, `n` times over. */
class LegacyStream implements StreamEncoder {
  readonly initial = undefined;
  /** The opening quote and the escaped prompt, as `json.dumps` writes them. */
  readonly #open: string;
  readonly #sequences: number;
  readonly #delimiter: string;
  #text = "";

  constructor(prompt: string, sequences: number, delimiter: string) {
    this.#open = pythonJsonString(prompt).slice(0, -1);
    this.#sequences = sequences;
    this.#delimiter = delimiter;
  }

  chunk(start: number, count: number): Uint8Array {
    // The vocabulary is plain ASCII: nothing in it needs escaping.
    this.#text += tokenText(start, count);
    const item = `${this.#open}${this.#text}"`;
    let items = item;
    for (let i = 1; i < this.#sequences; i++) items += `, ${item}`;
    // json.dumps's default separators put a space after ':' and ','.
    return utf8.encode(`{"text": [${items}]}${this.#delimiter}`);
  }

  trailer(): Uint8Array {
    return NO_BYTES;
  }

  failure(): undefined {
    return undefined;
  }
}
