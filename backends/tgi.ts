/**
 * `tgi`: Hugging Face Text Generation Inference, native API
 * (`POST /generate_stream`, or `POST /generate` unstreamed; launcher port
 * 3000, Docker image port 80).
 *
 * Body `{inputs, parameters: {max_new_tokens, details: true}}`. `details`
 * must be sent: it is a `#[serde(default)]` bool, so false when omitted, and
 * without it the last event carries no token counts. TGI's HTTP API has **no
 * `ignore_eos`** (the internal gRPC `ignore_eos_token` is not exposed), so mib
 * asks for `max_new_tokens` and the server may stop earlier at end-of-sequence
 * (`details.finish_reason: "eos_token"`, noted on the request). `best_of` is
 * rejected on streams ("`best_of` != 1 is not supported when streaming
 * tokens"), so it is sent only unstreamed, and with `do_sample: true` when
 * above 1, since TGI requires sampling for `best_of > 1`.
 *
 * Streamed as SSE `data:{json}` (no space after the colon; axum's
 * `Event::json_data`), one event per generated token:
 * `{"index", "token": {"id", "text", "logprob", "special"}, "generated_text": null, "details": null}`.
 * Special tokens (e.g. the EOS token) carry no text but are still events. The
 * last event also has `generated_text` (the whole text) and, with details,
 * `details.{finish_reason, generated_tokens, input_length}` (`input_length`
 * only in newer versions). There is no `[DONE]`: that last event marks
 * completion. Keep-alive is the comment `:` after 15 s idle. Errors come
 * in-stream, with HTTP 200, as `data:{"error": "...", "error_type": "..."}`.
 * Unstreamed `/generate` answers `{generated_text, details: {finish_reason,
 * generated_tokens, ...}}` (wrapped in an array on the compat route `POST /`).
 * Model id: `GET /info` → `model_id`; the request itself names no model.
 *
 * Sources: `huggingface/text-generation-inference` `docs/openapi.json`,
 * `router/src/lib.rs` (GenerateParameters), `router/src/server.rs`
 * (generate_stream, `From<InferError> for Event`), `router/src/validation.rs`,
 * `proto/v3/generate.proto`; `tokio-rs/axum` `axum/src/response/sse.rs`.
 *
 * @module
 */
import { ChunkBuilder, errorText, parseJson } from "./_chunks.ts";
import { sseReader } from "./_sse.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import {
  choiceRegex,
  samplingBody,
  type SamplingFields,
  type StructuredOutput,
} from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser, TokenizeEndpoint } from "./types.ts";

/** `parameters`' sampling fields (TGI has no min_p). */
const TGI_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  repetitionPenalty: "repetition_penalty",
  stop: "stop",
  seed: "seed",
};

/** TGI's `parameters.grammar`: JSON (the schema) or a regex; a choice is a regex of its alternatives. */
function grammar(structured: StructuredOutput): { type: "json" | "regex"; value: unknown } {
  switch (structured.kind) {
    case "json":
      return { type: "json", value: structured.schema };
    case "regex":
      return { type: "regex", value: structured.pattern };
    case "choice":
      return { type: "regex", value: choiceRegex(structured.choices) };
  }
}

interface Details {
  finish_reason?: string;
  generated_tokens?: number;
  input_length?: number;
}

interface Event {
  token?: { text?: string; special?: boolean };
  generated_text?: string | null;
  details?: Details | null;
  error?: unknown;
  error_type?: unknown;
}

const EOS_NOTE =
  "the server stopped at end-of-sequence before max_new_tokens (TGI has no ignore_eos)";

/** The error of an event, with its type when TGI gave one. */
function eventError(event: Event): string {
  const message = errorText(event.error);
  return typeof event.error_type === "string" ? `${message} (${event.error_type})` : message;
}

/** The end of a generation: counts, early-stop note, completion. */
function end(details: Details | null | undefined, builder: ChunkBuilder): void {
  if (details) {
    if (typeof details.generated_tokens === "number") {
      builder.outputTokens(details.generated_tokens);
    }
    if (typeof details.input_length === "number") builder.promptTokens(details.input_length);
    if (details.finish_reason === "eos_token") builder.note(EOS_NOTE);
  }
  builder.complete();
}

function readEvent(event: Event, time: number, builder: ChunkBuilder): void {
  if (event.error !== undefined && event.error !== null) {
    builder.error(eventError(event));
    return;
  }
  const token = event.token;
  if (token && !token.special) builder.text(time, String(token.text ?? ""), 1);
  else builder.event(time);
  const generated = event.generated_text;
  if ((generated !== undefined && generated !== null) || event.details) end(event.details, builder);
}

function readWhole(json: unknown, time: number, builder: ChunkBuilder): void {
  // The compat route `POST /` wraps the response in an array.
  const response = (Array.isArray(json) ? json[0] : json) as Event | undefined;
  if (!response || typeof response !== "object") {
    builder.error(`unexpected response: ${JSON.stringify(json).slice(0, 200)}`);
    return;
  }
  if (response.error !== undefined && response.error !== null) {
    builder.error(eventError(response));
    return;
  }
  if (typeof response.generated_text !== "string") {
    builder.error(`response without generated_text: ${JSON.stringify(json).slice(0, 200)}`);
    return;
  }
  const tokens = response.details?.generated_tokens;
  builder.text(time, response.generated_text, typeof tokens === "number" ? tokens : undefined);
  end(response.details, builder);
}

function parser(request: GenerationRequest): StreamParser {
  if (request.stream === false) return wholeBodyParser(readWhole);
  const builder = new ChunkBuilder();
  const sse = sseReader((data, time) => {
    const event = parseJson(data, builder);
    if (event && typeof event === "object") readEvent(event as Event, time, builder);
  });
  return {
    feed: sse.feed,
    finish() {
      sse.end();
      return builder.finish();
    },
  };
}

/**
 * TGI's `POST /tokenize {"inputs"}` → `[{"id", "text", "start", "stop"}…]`, one
 * text per call. TGI always adds the model's special tokens; those cover no
 * character of the text (`start === stop`), so only the others are counted.
 */
const tokenize: TokenizeEndpoint = {
  path: "/tokenize",
  maxTexts: 1,
  body: ([inputs]) => ({ inputs }),
  counts: (json) => {
    if (!Array.isArray(json)) return undefined;
    const spans = json as { start?: unknown; stop?: unknown }[];
    if (!spans.every((t) => typeof t?.start === "number" && typeof t.stop === "number")) {
      return undefined;
    }
    return [spans.filter((t) => (t.stop as number) > (t.start as number)).length];
  },
};

/** The `tgi` backend. */
export const tgi: Backend = {
  name: "tgi",
  defaultEndpoint: "/generate_stream",
  unstreamedEndpoint: "/generate",
  features: {
    bestOf: "unstreamed",
    beamSearch: false,
    stream: "optional",
    model: "optional",
    sampling: TGI_SAMPLING,
    structured: ["json", "regex", "choice"],
  },
  modelList: {
    path: "/info",
    ids: (json) => {
      const id = (json as { model_id?: unknown })?.model_id;
      return typeof id === "string" ? [id] : [];
    },
  },
  tokenize,
  buildRequest: (request) => {
    const parameters: Record<string, unknown> = {
      max_new_tokens: request.maxTokens,
      details: true,
      ...samplingBody(request.sampling, TGI_SAMPLING),
    };
    if (request.structured !== undefined) parameters.grammar = grammar(request.structured);
    if (request.stream === false && request.bestOf !== undefined) {
      parameters.best_of = request.bestOf;
      if (request.bestOf > 1) parameters.do_sample = true;
    }
    return jsonRequest({ inputs: request.prompt, parameters }, request);
  },
  createParser: parser,
};
