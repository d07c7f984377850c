/**
 * SGLang's native `POST /generate` (also `PUT`), chosen by body shape on the
 * shared path: `text`, `input_ids` or `sampling_params`.
 *
 * Shapes follow SGLang's `http_server.py` and `tokenizer_manager.py`: events
 * `data: {json}\n\n` ending with `data: [DONE]\n\n`; `text` and `output_ids`
 * are everything generated so far (the default, without
 * `incremental_streaming_output`); `meta_info.completion_tokens` is
 * cumulative; one event per chunk, so `tokensPerChunk` > 1 behaves like
 * `stream_interval`. `finish_reason` is `{"type":"length","length":N}` or,
 * at the natural end, `{"type":"stop","matched":<eos id>}`. Semantic errors
 * are `{"error":{"message"}}` with 400 (`_create_error_response`); a body of
 * the wrong shape is FastAPI's 422 `{"detail":[…]}`.
 *
 * @module
 */

import {
  asRecord,
  failureMessage,
  isInteger,
  jsonAnswer,
  type JsonBody,
  randomHex,
  type ServeContext,
  type StreamEncoder,
  utf8,
} from "./_engine.ts";
import { DONE_EVENT } from "./_openai.ts";
import { EOS_TOKEN_ID, tokenIdList, tokenText } from "./_vocab.ts";

/** `SamplingParams.max_new_tokens` default. */
const DEFAULT_MAX_NEW_TOKENS = 128;

/** SGLang's `_create_error_response`. */
function sglangError(message: string, status = 400): Response {
  return jsonAnswer({ error: { message } }, status);
}

/** FastAPI's request-validation answer for one offending field. */
function unprocessable(type: string, loc: (string | number)[], msg: string, input: unknown) {
  return jsonAnswer({ detail: [{ type, loc: ["body", ...loc], msg, input }] }, 422);
}

/** What the events need to know about one request. */
interface Generation {
  readonly rid: string;
  readonly promptTokens: number;
  readonly tokens: number;
  /** `finish_reason` of the last event, as JSON. */
  readonly finish: string;
}

/** Serves a `/generate` body of SGLang's shape (or one no other shape claims). */
export function sglangGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  json: JsonBody,
): Response | Promise<Response> {
  if (!json.ok) {
    return unprocessable("json_invalid", [0], "JSON decode error", {});
  }
  const body = asRecord(json.value);
  if (!body) {
    return unprocessable("dataclass_type", [], "Input should be a dictionary", json.value);
  }
  const { text, input_ids: inputIds, stream = false, rid } = body;
  const params = body.sampling_params ?? {};
  const sampling = asRecord(params);
  if (!sampling) {
    return unprocessable(
      "dict_type",
      ["sampling_params"],
      "Input should be a valid dictionary",
      params,
    );
  }
  if (typeof stream !== "boolean") {
    return unprocessable("bool_type", ["stream"], "Input should be a valid boolean", stream);
  }
  if (rid !== undefined && rid !== null && typeof rid !== "string") {
    return unprocessable("string_type", ["rid"], "Input should be a valid string", rid);
  }
  const hasText = text !== undefined && text !== null;
  const hasIds = inputIds !== undefined && inputIds !== null;
  if (hasText === hasIds) {
    return sglangError(
      hasText
        ? "Either text or input_ids should be provided, not both."
        : "Either text, input_ids or input_embeds should be provided.",
    );
  }
  let promptTokens: number;
  if (typeof text === "string") {
    promptTokens = ctx.countTokens(text);
  } else if (Array.isArray(inputIds) && inputIds.length > 0 && inputIds.every(isInteger)) {
    promptTokens = inputIds.length;
  } else {
    return sglangError(
      "Batched or malformed prompts are not simulated: send one string or id list.",
    );
  }
  const maxNewTokens = sampling.max_new_tokens ?? DEFAULT_MAX_NEW_TOKENS;
  if (!isInteger(maxNewTokens) || maxNewTokens < 0) {
    return sglangError(`max_new_tokens must be at least 0, got ${JSON.stringify(maxNewTokens)}.`);
  }
  if (maxNewTokens === 0) return sglangError("max_new_tokens 0 is not simulated.");
  const ignoreEos = sampling.ignore_eos ?? false;
  if (typeof ignoreEos !== "boolean") {
    return sglangError(`ignore_eos must be a boolean, got ${JSON.stringify(ignoreEos)}.`);
  }

  const { options } = ctx;
  const tokens = ignoreEos ? maxNewTokens : Math.min(maxNewTokens, options.naturalLen);
  const generation: Generation = {
    rid: rid ?? randomHex(),
    promptTokens,
    tokens,
    finish: tokens === maxNewTokens
      ? `{"type":"length","length":${tokens}}`
      : `{"type":"stop","matched":${EOS_TOKEN_ID}}`,
  };
  const base = { endpoint: "sglang" as const, id: generation.rid, tokens, promptTokens };
  if (stream) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new SglangStream(generation, failureMessage(options)),
      headers: { "content-type": "text/event-stream; charset=utf-8" },
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () =>
      new Response(output(generation, tokenText(0, tokens), tokenIdList(0, tokens), tokens), {
        headers: { "content-type": "application/json" },
      }),
    failure: () => sglangError(failureMessage(options)),
  });
}

/** One output object after `completed` tokens (finished when all are). */
function output(generation: Generation, text: string, ids: string, completed: number): string {
  const finish = completed === generation.tokens ? generation.finish : "null";
  return `{"text":${JSON.stringify(text)},"output_ids":[${ids}],"meta_info":{` +
    `"id":${JSON.stringify(generation.rid)},"finish_reason":${finish},` +
    `"prompt_tokens":${generation.promptTokens},"completion_tokens":${completed},` +
    `"cached_tokens":0}}`;
}

/** One event per chunk with the cumulative text and ids, then `[DONE]`. */
class SglangStream implements StreamEncoder {
  readonly initial = undefined;
  readonly #generation: Generation;
  readonly #failure: string;
  #text = "";
  #ids = "";

  constructor(generation: Generation, failure: string) {
    this.#generation = generation;
    this.#failure = failure;
  }

  chunk(start: number, count: number): Uint8Array {
    // Each event repeats everything so far, so its cost grows with the text,
    // as SGLang's own events do.
    this.#text += tokenText(start, count);
    this.#ids += (start > 0 ? "," : "") + tokenIdList(start, count);
    const event = output(this.#generation, this.#text, this.#ids, start + count);
    return utf8.encode(`data: ${event}\n\n`);
  }

  trailer(): Uint8Array {
    return DONE_EVENT;
  }

  failure(): Uint8Array {
    return utf8.encode(
      `data: ${JSON.stringify({ error: { message: this.#failure } })}\n\ndata: [DONE]\n\n`,
    );
  }
}
