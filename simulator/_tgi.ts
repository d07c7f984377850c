/**
 * Hugging Face TGI's native API: `POST /generate_stream`, `POST /generate`
 * (chosen by body shape on the shared path: `inputs`) and `GET /info`.
 *
 * Shapes follow TGI's router (`router/src/server.rs`, `lib.rs`,
 * `validation.rs`) and axum's SSE writer: events are `data:` with no space,
 * one per token, no `[DONE]`; `top_tokens` is left out when empty (serde
 * `skip_serializing_if`). TGI has no `ignore_eos`, and the simulator keeps it
 * simple: a TGI request always generates exactly `max_new_tokens` (default
 * 100), finishing with `"length"`.
 *
 * @module
 */

import {
  asRecord,
  failureMessage,
  isInteger,
  jsonAnswer,
  type JsonBody,
  NO_BYTES,
  randomHex,
  type ServeContext,
  type StreamEncoder,
  textResponse,
  utf8,
} from "./_engine.ts";
import { CONTEXT_LENGTH } from "./_options.ts";
import { tokenId, tokenText, VOCAB } from "./_vocab.ts";

/** `max_new_tokens` when the request sets none (current TGI; very old releases used 20). */
const DEFAULT_MAX_NEW_TOKENS = 100;
/** TGI's `--max-best-of` default. */
const MAX_BEST_OF = 2;
/** TGI's `--max-stop-sequences` default. */
const MAX_STOP_SEQUENCES = 4;
/** The log-probability reported for every token (the simulator has no real ones). */
const LOGPROB = -0.1;

/** `GET /info`: the router's model and limit information. */
export function tgiInfo(ctx: ServeContext): Response {
  return jsonAnswer({
    model_id: ctx.options.model,
    model_sha: null,
    model_pipeline_tag: "text-generation",
    max_concurrent_requests: 128,
    max_best_of: MAX_BEST_OF,
    max_stop_sequences: MAX_STOP_SEQUENCES,
    max_input_tokens: CONTEXT_LENGTH - 1,
    max_total_tokens: CONTEXT_LENGTH,
    validation_workers: 2,
    max_client_batch_size: 4,
    router: "text-generation-router",
    version: "0.0.0-mib",
    sha: null,
    docker_label: null,
  });
}

/** A request after deserialization, reduced to what the simulator acts on. */
interface TgiRequest {
  readonly inputs: string;
  readonly maxNewTokens: number;
  readonly details: boolean;
  readonly decoderInputDetails: boolean;
  readonly bestOf: number | null;
  readonly sampling: boolean;
  readonly seed: number | null;
  readonly returnFullText: boolean;
  readonly stops: number;
}

/**
 * `POST /generate_stream` (`stream`) or `POST /generate`. Body errors are
 * axum's rejections (plain text); validation errors are TGI's
 * `{"error","error_type":"validation"}`, in-stream with HTTP 200 when
 * streaming (the stream is already open when TGI validates), else 422.
 */
export function tgiGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  body: JsonBody,
  stream: boolean,
): Response | Promise<Response> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";", 1)[0].trim();
  if (!/^application\/(.+\+)?json$/i.test(mediaType)) {
    return plain(415, "Expected request with `Content-Type: application/json`");
  }
  if (!body.ok) return plain(400, `Failed to parse the request body as JSON: ${body.error}`);
  const parsed = deserialize(body.value);
  if (typeof parsed === "string") {
    return plain(422, `Failed to deserialize the JSON body into the target type: ${parsed}`);
  }
  const invalid = validate(parsed, stream);
  if (invalid !== undefined) {
    const error = { error: invalid, error_type: "validation" };
    return stream
      ? textResponse(200, `data:${JSON.stringify(error)}\n\n`, "text/event-stream")
      : jsonAnswer(error, 422);
  }

  const tokens = parsed.maxNewTokens;
  const inputLength = ctx.countTokens(parsed.inputs);
  const prefix = parsed.returnFullText ? parsed.inputs : "";
  const failure = `Request failed during generation: ${failureMessage(ctx.options)}`;
  const base = { endpoint: "tgi" as const, id: randomHex(), tokens, promptTokens: inputLength };
  if (stream) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new TgiStream(prefix, parsed, inputLength, failure),
      headers: {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        "x-accel-buffering": "no",
        "x-compute-type": "gpu+optimized",
      },
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () => {
      const details = parsed.details || parsed.decoderInputDetails
        ? {
          finish_reason: "length",
          generated_tokens: tokens,
          seed: parsed.seed,
          prefill: [],
          tokens: Array.from({ length: tokens }, (_, i) => tokenObject(i)),
        }
        : undefined;
      const response = jsonAnswer({ generated_text: prefix + tokenText(0, tokens), details });
      response.headers.set("x-compute-type", "gpu+optimized");
      response.headers.set("x-prompt-tokens", String(inputLength));
      response.headers.set("x-generated-tokens", String(tokens));
      return response;
    },
    // TGI answers a generation error with 424 Failed Dependency.
    failure: () => jsonAnswer({ error: failure, error_type: "generation" }, 424),
  });
}

function plain(status: number, text: string): Response {
  return textResponse(status, text, "text/plain; charset=utf-8");
}

/** serde_json's description of a JSON value in its "invalid type" messages. */
function serdeType(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return `boolean \`${value}\``;
    case "number":
      return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
    case "string":
      return `string ${JSON.stringify(value)}`;
  }
  return Array.isArray(value) ? "sequence" : "map";
}

/** Reads `GenerateRequest` as serde would; a string is the deserialization error. */
function deserialize(value: unknown): TgiRequest | string {
  const body = asRecord(value);
  if (!body) return `invalid type: ${serdeType(value)}, expected struct GenerateRequest`;
  if (!("inputs" in body)) return "missing field `inputs`";
  if (typeof body.inputs !== "string") {
    return `inputs: invalid type: ${serdeType(body.inputs)}, expected a string`;
  }
  const raw = body.parameters ?? {};
  const params = asRecord(raw);
  if (!params) {
    return `parameters: invalid type: ${serdeType(raw)}, expected struct GenerateParameters`;
  }
  const problems: string[] = [];
  const unsigned = (key: string, max: number): number | null => {
    const v = params[key];
    if (v === undefined || v === null) return null;
    if (isInteger(v) && v >= 0 && v <= max) return v;
    problems.push(
      `parameters.${key}: invalid ${isInteger(v) ? "value" : "type"}: ${serdeType(v)}, ` +
        `expected ${max === 0xffffffff ? "u32" : "u64"}`,
    );
    return null;
  };
  const flag = (key: string, optional: boolean): boolean => {
    const v = params[key];
    if (v === undefined || (optional && v === null)) return false;
    if (typeof v === "boolean") return v;
    problems.push(`parameters.${key}: invalid type: ${serdeType(v)}, expected a boolean`);
    return false;
  };
  const number = (key: string): number | null => {
    const v = params[key];
    if (v === undefined || v === null) return null;
    if (typeof v === "number") return v;
    problems.push(`parameters.${key}: invalid type: ${serdeType(v)}, expected f32`);
    return null;
  };
  const maxNewTokens = unsigned("max_new_tokens", 0xffffffff);
  const bestOf = unsigned("best_of", Number.MAX_SAFE_INTEGER);
  const seed = unsigned("seed", Number.MAX_SAFE_INTEGER);
  const details = flag("details", false);
  const decoderInputDetails = flag("decoder_input_details", false);
  const doSample = flag("do_sample", false);
  const returnFullText = flag("return_full_text", true);
  const temperature = number("temperature");
  const topP = number("top_p");
  const topK = unsigned("top_k", 0xffffffff);
  const typicalP = number("typical_p");
  let stops = 0;
  if (params.stop !== undefined) {
    if (!Array.isArray(params.stop) || !params.stop.every((s) => typeof s === "string")) {
      problems.push(
        `parameters.stop: invalid type: ${serdeType(params.stop)}, expected a sequence of strings`,
      );
    } else {
      stops = params.stop.length;
    }
  }
  if (problems.length > 0) return problems[0];
  return {
    inputs: body.inputs,
    maxNewTokens: maxNewTokens ?? DEFAULT_MAX_NEW_TOKENS,
    details,
    decoderInputDetails,
    bestOf,
    // Like TGI: any non-default sampling parameter means sampling.
    sampling: doSample || (temperature !== null && temperature !== 1) || topK !== null ||
      (topP !== null && topP !== 1) || typicalP !== null,
    seed,
    returnFullText,
    stops,
  };
}

/** TGI's validation, in its order; the message of the first failure, if any. */
function validate(request: TgiRequest, stream: boolean): string | undefined {
  const bestOf = request.bestOf ?? 1;
  if (stream && bestOf !== 1) return "`best_of` != 1 is not supported when streaming tokens";
  if (stream && request.decoderInputDetails) {
    return "`decoder_input_details` == true is not supported when streaming tokens";
  }
  if (bestOf !== 1) {
    if (bestOf === 0 || bestOf > MAX_BEST_OF) {
      return `\`best_of\` must be > 0 and <= ${MAX_BEST_OF}. Given: ${bestOf}`;
    }
    if (!request.sampling) return "you must use sampling when `best_of` is > 1";
    if (request.seed !== null) return "`seed` must not be set when `best_of` > 1";
  }
  if (request.inputs === "") return "`inputs` cannot be empty";
  if (request.maxNewTokens === 0) return "`max_new_tokens` must be strictly positive";
  if (request.stops > MAX_STOP_SEQUENCES) {
    return `\`stop\` supports up to ${MAX_STOP_SEQUENCES} stop sequences. Given: ${request.stops}`;
  }
  return undefined;
}

/** Token `i` as TGI's `Token` object. */
function tokenObject(i: number): { id: number; text: string; logprob: number; special: boolean } {
  return { id: tokenId(i), text: VOCAB[i % VOCAB.length], logprob: LOGPROB, special: false };
}

/** One event per token; the last carries the full text and, if asked, the details. */
class TgiStream implements StreamEncoder {
  readonly initial = undefined;
  readonly #prefix: string;
  readonly #request: TgiRequest;
  readonly #inputLength: number;
  readonly #failure: string;

  constructor(prefix: string, request: TgiRequest, inputLength: number, failure: string) {
    this.#prefix = prefix;
    this.#request = request;
    this.#inputLength = inputLength;
    this.#failure = failure;
  }

  chunk(start: number, count: number, last: boolean): Uint8Array {
    let text = "";
    for (let i = start; i < start + count; i++) {
      const final = last && i === start + count - 1;
      // The index counts the router's stream messages from 1 (no prefill
      // message is sent without decoder_input_details).
      text += `data:{"index":${i + 1},"token":${JSON.stringify(tokenObject(i))},` +
        `"generated_text":${final ? JSON.stringify(this.#prefix + tokenText(0, i + 1)) : "null"},` +
        `"details":${final && this.#request.details ? this.#details(i + 1) : "null"}}\n\n`;
    }
    return utf8.encode(text);
  }

  #details(generated: number): string {
    return JSON.stringify({
      finish_reason: "length",
      generated_tokens: generated,
      seed: this.#request.seed,
      input_length: this.#inputLength,
    });
  }

  trailer(): Uint8Array {
    return NO_BYTES;
  }

  failure(): Uint8Array {
    return utf8.encode(
      `data:${JSON.stringify({ error: this.#failure, error_type: "generation" })}\n\n`,
    );
  }
}
