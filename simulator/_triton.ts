/**
 * NVIDIA Triton's generate extension as the TensorRT-LLM `ensemble` and
 * `tensorrt_llm_bls` models answer it, under `/v2/`:
 * `POST /v2/models/{model}[/versions/{v}]/generate` and `/generate_stream`,
 * plus the readiness and metadata routes clients probe first.
 *
 * Shapes follow Triton's `http_server.cc` (events `data: {json}\n\n`, no
 * `[DONE]`, errors `{"error": "..."}`) and the TensorRT-LLM backend: inputs
 * are top-level keys, one token per streamed response, `text_output` the new
 * text (ensemble) or everything so far (BLS with `accumulate_tokens`, the
 * `tritonCumulative` option). There is no `ignore_eos`: an `end_id` other
 * than -1 names an end token the simulated model never emits, so generation
 * runs to `max_tokens`; without one it stops at `naturalLen`, and
 * `min_length` keeps it going at least that far.
 *
 * @module
 */

import {
  asRecord,
  decodeSegment,
  failureMessage,
  isInteger,
  jsonAnswer,
  NO_BYTES,
  randomHex,
  readJsonBody,
  type ServeContext,
  type StreamEncoder,
  utf8,
} from "./_engine.ts";
import { servesModel } from "./_options.ts";
import { tokenText } from "./_vocab.ts";

/** Model names TensorRT-LLM deployments use, accepted besides the served model id. */
const ALIASES: ReadonlySet<string> = new Set(["ensemble", "tensorrt_llm_bls"]);

/** Inputs the example ensemble/BLS configurations require. */
const REQUIRED_INPUTS = ["text_input", "max_tokens"] as const;

/**
 * Serves a path under `/v2/`; `undefined` when no Triton route matches (the
 * server's 404 then applies).
 */
export function tritonRoute(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  pathname: string,
): Response | Promise<Response> | undefined {
  const parts = pathname.split("/");
  if (
    parts.length === 4 && parts[2] === "health" && (parts[3] === "live" || parts[3] === "ready")
  ) {
    return onlyGet(request) ?? new Response(null, { status: 200 });
  }
  if (parts[2] !== "models" || parts.length < 4 || parts[3] === "") return undefined;
  const name = decodeSegment(parts[3]);
  if (name === undefined) return undefined;
  let rest = parts.slice(4);
  let version: string | undefined;
  if (rest[0] === "versions") {
    if (rest.length < 2) return undefined;
    version = rest[1];
    rest = rest.slice(2);
  }
  const action = rest.join("/");
  if (
    action !== "" && action !== "ready" && action !== "generate" && action !== "generate_stream"
  ) {
    return undefined;
  }
  if (action === "" || action === "ready") {
    const wrong = onlyGet(request);
    if (wrong) return wrong;
  } else if (request.method !== "POST") {
    return tritonError(405, "Method Not Allowed");
  }
  if (!servesModel(ctx.options, name) && !ALIASES.has(name)) {
    return tritonError(400, `Request for unknown model: '${name}' is not found`);
  }
  if (version !== undefined && version !== "" && version !== "1") {
    return tritonError(400, `Request for unknown model: '${name}' version ${version} is not found`);
  }
  if (action === "ready") return new Response(null, { status: 200 });
  if (action === "") return jsonAnswer(metadata(name));
  return generate(ctx, request, arrival, name, action === "generate_stream");
}

function onlyGet(request: Request): Response | undefined {
  return request.method === "GET" || request.method === "HEAD"
    ? undefined
    : tritonError(405, "Method Not Allowed");
}

/** Triton's error body. */
function tritonError(status: number, message: string): Response {
  return jsonAnswer({ error: message }, status);
}

/** `GET /v2/models/{model}`: the ensemble's inputs and outputs. */
function metadata(name: string): unknown {
  const tensor = (tensorName: string, datatype: string) => ({
    name: tensorName,
    datatype,
    shape: [-1, 1],
  });
  return {
    name,
    versions: ["1"],
    platform: "ensemble",
    inputs: [
      tensor("text_input", "BYTES"),
      tensor("max_tokens", "INT32"),
      tensor("bad_words", "BYTES"),
      tensor("stop_words", "BYTES"),
      tensor("end_id", "INT32"),
      tensor("min_length", "INT32"),
      tensor("stream", "BOOL"),
    ],
    outputs: [{ name: "text_output", datatype: "BYTES", shape: [-1, -1] }],
  };
}

async function generate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  name: string,
  streamRoute: boolean,
): Promise<Response> {
  const json = await readJsonBody(request);
  if (!json.ok) {
    return tritonError(400, `failed to parse the request JSON buffer: ${json.error}`);
  }
  const body = asRecord(json.value);
  if (!body) return tritonError(400, "the request body must be a JSON object");
  const missing = REQUIRED_INPUTS.filter((input) => body[input] === undefined);
  if (missing.length > 0) {
    return tritonError(
      400,
      `[request id: <id_unknown>] missing required input(s) ` +
        `[${missing.map((input) => `'${input}'`).join(", ")}] for model '${name}'. ` +
        `Please provide all required input(s).`,
    );
  }
  const { text_input: text, max_tokens: maxTokens, end_id: endId, min_length: minLength } = body;
  if (typeof text !== "string") {
    return tritonError(400, "unable to parse 'text_input': expected a string");
  }
  if (!isInteger(maxTokens) || maxTokens < 1) {
    return tritonError(400, "unable to parse 'max_tokens': expected an integer >= 1");
  }
  for (const [key, value] of [["end_id", endId], ["min_length", minLength]] as const) {
    if (value !== undefined && !isInteger(value)) {
      return tritonError(400, `unable to parse '${key}': expected an integer`);
    }
  }
  for (const key of ["stream", "exclude_input_in_output"]) {
    if (body[key] !== undefined && typeof body[key] !== "boolean") {
      return tritonError(400, `unable to parse '${key}': expected a boolean`);
    }
  }
  if (body.id !== undefined && typeof body.id !== "string") {
    return tritonError(400, "unable to parse 'id': expected a string");
  }
  const streaming = body.stream === true;
  if (!streamRoute && streaming) {
    // Decoupled responses cannot be answered on the non-streaming route.
    return tritonError(
      400,
      "generate expects model to produce exactly 1 response, use generate stream",
    );
  }

  const { options } = ctx;
  const ignoresEos = endId !== undefined && endId !== -1;
  let tokens = ignoresEos ? maxTokens : Math.min(maxTokens, options.naturalLen);
  if (isInteger(minLength)) tokens = Math.max(tokens, Math.min(minLength, maxTokens));
  const requestId = body.id as string | undefined;
  // The response envelope up to `text_output`: Triton writes the model name
  // and version, then the request id when there was one.
  const head = `{"model_name":${JSON.stringify(name)},"model_version":"1"` +
    (requestId === undefined ? "" : `,"id":${JSON.stringify(requestId)}`) + `,"text_output":`;
  // Only a non-streaming model run echoes the prompt, unless told not to.
  const prefix = !streaming && body.exclude_input_in_output !== true ? text : "";
  const base = {
    endpoint: "triton" as const,
    id: requestId ?? randomHex(),
    tokens,
    promptTokens: ctx.weighPrompt(text),
  };

  if (streamRoute) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new TritonStream(
        head,
        streaming ? undefined : prefix,
        options.tritonCumulative,
        failureMessage(options),
      ),
      headers: { "content-type": "text/event-stream; charset=utf-8" },
      // Without `stream: true` the model answers once, with everything.
      tokensPerChunk: streaming ? undefined : tokens,
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () =>
      new Response(`${head}${JSON.stringify(prefix + tokenText(0, tokens))}}`, {
        headers: { "content-type": "application/json" },
      }),
    failure: () => tritonError(500, failureMessage(options)),
  });
}

/**
 * One event per token, or a single event with everything when the request did
 * not ask for streaming; `text_output` is each token's text, or with
 * `cumulative` the text generated so far.
 */
class TritonStream implements StreamEncoder {
  readonly initial = undefined;
  readonly #head: string;
  /** `undefined` when streaming token by token; else the echoed prompt of the single answer. */
  readonly #single: string | undefined;
  readonly #cumulative: boolean;
  readonly #failure: string;
  /** Text generated so far, for cumulative output. */
  #text = "";

  constructor(head: string, single: string | undefined, cumulative: boolean, failure: string) {
    this.#head = head;
    this.#single = single;
    this.#cumulative = cumulative;
    this.#failure = failure;
  }

  chunk(start: number, count: number): Uint8Array {
    if (this.#single !== undefined) {
      return utf8.encode(this.#event(this.#single + tokenText(start, count)));
    }
    let events = "";
    for (let i = start; i < start + count; i++) {
      const token = tokenText(i, 1);
      this.#text += token;
      events += this.#event(this.#cumulative ? this.#text : token);
    }
    return utf8.encode(events);
  }

  #event(output: string): string {
    return `data: ${this.#head}${JSON.stringify(output)}}\n\n`;
  }

  trailer(): Uint8Array {
    return NO_BYTES;
  }

  failure(): Uint8Array {
    return utf8.encode(`data: ${JSON.stringify({ error: this.#failure })}\n\n`);
  }
}
