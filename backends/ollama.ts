/**
 * `ollama`: Ollama's native generation API (`POST /api/generate`, default
 * port 11434).
 *
 * Body `{model, prompt, stream, raw: true, options: {num_predict}}`. `raw`
 * skips the model's prompt template, so the prompt's token count is the one
 * mib planned. With images, `images: [base64, ...]` instead of `raw`, so the
 * model's template places them. Ollama requires a model; when `--model` is not given, the first
 * of `GET /api/tags` (`models[0].name`) is used. Ollama has **no
 * `ignore_eos`** option, so `num_predict` is a maximum: the server may stop
 * earlier at end-of-sequence (`done_reason: "stop"`, noted on the request).
 *
 * Streamed as newline-delimited JSON (`application/x-ndjson`, one
 * `json.Marshal` + "\n" per object): `{"model", "created_at", "response":
 * <delta>, "done": false}` per piece of text, then a final
 * `{"done": true, "done_reason", "eval_count", "prompt_eval_count",
 * "eval_duration", ...}` with an empty `response`; `eval_count` and
 * `prompt_eval_count` are the server's token counts. A `thinking` delta
 * (newer versions, thinking models; not produced in raw mode) counts as
 * generated text too, recorded as reasoning. An error after the stream started is one line
 * `{"error": "..."}`. Unstreamed (`stream: false`) the answer is one object
 * with the whole `response` and the final fields.
 *
 * Sources: `ollama/ollama` `docs/api.md`, `server/routes.go` (`streamResponse`).
 *
 * @module
 */
import { ChunkBuilder, errorText, parseJson } from "./_chunks.ts";
import { recordReader } from "./_records.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import { GGML_SAMPLING, samplingBody } from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser } from "./types.ts";

/** `options`' sampling fields. */
const OLLAMA_SAMPLING = GGML_SAMPLING;

interface Line {
  response?: string;
  thinking?: string;
  done?: boolean;
  done_reason?: string;
  eval_count?: number;
  prompt_eval_count?: number;
  error?: unknown;
}

function read(line: Line, time: number, builder: ChunkBuilder): void {
  if (line.error !== undefined && line.error !== null) {
    builder.error(errorText(line.error));
    return;
  }
  // Thinking models' `thinking` comes first: reasoning text, generated all the same.
  const thinking = typeof line.thinking === "string" ? line.thinking : "";
  const text = thinking + (typeof line.response === "string" ? line.response : "");
  builder.text(time, text, undefined, thinking.length);
  if (line.done) {
    if (typeof line.eval_count === "number") builder.outputTokens(line.eval_count);
    if (typeof line.prompt_eval_count === "number") builder.promptTokens(line.prompt_eval_count);
    if (line.done_reason === "stop") {
      builder.note(
        "the server stopped before num_predict (done_reason stop; Ollama has no ignore_eos)",
      );
    }
    builder.complete();
  }
}

function parser(request: GenerationRequest): StreamParser {
  if (request.stream === false) {
    return wholeBodyParser((json, time, builder) => {
      if (json && typeof json === "object") read(json as Line, time, builder);
      else builder.error(`unexpected response: ${JSON.stringify(json).slice(0, 200)}`);
    });
  }
  const builder = new ChunkBuilder();
  const records = recordReader((record, time) => {
    const line = parseJson(record, builder);
    if (line && typeof line === "object") read(line as Line, time, builder);
  });
  return {
    feed: records.feed,
    finish() {
      records.end();
      return builder.finish();
    },
  };
}

/** The `ollama` backend. */
export const ollama: Backend = {
  name: "ollama",
  defaultEndpoint: "/api/generate",
  features: {
    bestOf: false,
    beamSearch: false,
    stream: "optional",
    model: "optional",
    images: true,
    sampling: OLLAMA_SAMPLING,
    structured: ["json"],
  },
  modelList: {
    path: "/api/tags",
    ids: (json) => {
      const models = (json as { models?: { name?: unknown }[] })?.models;
      return Array.isArray(models)
        ? models.map((m) => m?.name).filter((name) => typeof name === "string")
        : [];
    },
  },
  buildRequest: (request) => {
    const body: Record<string, unknown> = {};
    if (request.model !== undefined) body.model = request.model;
    body.prompt = request.prompt;
    body.stream = request.stream !== false;
    if (request.images?.length) {
      // Ollama's `images`, base64 without a data-URL prefix. Not raw: the
      // model's template places the images (raw prompts need their own tags).
      body.images = request.images.map((image) => image.base64);
    } else body.raw = true;
    body.options = {
      num_predict: request.maxTokens,
      ...samplingBody(request.sampling, OLLAMA_SAMPLING),
    };
    // Ollama's structured outputs: `format` is the JSON schema.
    if (request.structured?.kind === "json") body.format = request.structured.schema;
    return jsonRequest(body, request);
  },
  createParser: parser,
};
