/**
 * Ollama's native API: `POST /api/generate` and `GET /api/tags`.
 *
 * Shapes follow Ollama's `server/routes.go` and `api/types.go`: a stream
 * (the default) is `application/x-ndjson`, one `{"model","created_at",
 * "response","done":false}` line per token, then a `done: true` line with
 * `done_reason` and the counts and durations (nanoseconds; zero durations
 * left out, as Go's `omitempty` does). There is no `ignore_eos`:
 * `options.num_predict` > 0 generates exactly that many tokens (`"length"`),
 * otherwise the natural end comes at `naturalLen` (`"stop"`). An empty
 * prompt only "loads" the model. Errors are `{"error": "..."}`.
 *
 * Durations are the schedule's: prompt evaluation lasts the TTFT, evaluation
 * the `(n - 1) · TPOT` between the first token and the last, the total their
 * sum; `load_duration` is the time spent reading the request.
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
  textResponse,
  utf8,
} from "./_engine.ts";
import { tokenText } from "./_vocab.ts";
import type { ImageHeader } from "../images/header.ts";
import { imageTokens, readImage } from "./_images.ts";

/** gin's `c.JSON` content type. */
const JSON_TYPE = "application/json; charset=utf-8";

function ollamaError(status: number, message: string): Response {
  return jsonAnswer({ error: message }, status, JSON_TYPE);
}

/** `GET /api/tags`: the one served model. */
export async function ollamaTags(ctx: ServeContext): Promise<Response> {
  const model = ctx.options.model;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8.encode(model)));
  return jsonAnswer(
    {
      models: [{
        name: model,
        model,
        modified_at: new Date(ctx.created * 1000).toISOString(),
        size: 0,
        digest: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""),
        details: {
          parent_model: "",
          format: "gguf",
          family: "mib",
          families: ["mib"],
          parameter_size: "0B",
          quantization_level: "F16",
        },
      }],
    },
    200,
    JSON_TYPE,
  );
}

/** What the final line reports. */
interface Final {
  readonly model: string;
  readonly reason: "length" | "stop";
  readonly promptTokens: number;
  readonly tokens: number;
  readonly loadNs: number;
  readonly promptNs: number;
  readonly evalNs: number;
}

/** `json.Marshal` of a Go type error in a request body, as gin reports it. */
function typeError(field: string, value: unknown, goType: string): Response {
  const jsonType = Array.isArray(value) ? "array" : value === null ? "null" : typeof value;
  return ollamaError(
    400,
    `json: cannot unmarshal ${jsonType === "boolean" ? "bool" : jsonType} into Go struct field ` +
      `GenerateRequest.${field} of type ${goType}`,
  );
}

/** Serves `POST /api/generate`. */
export async function ollamaGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
): Promise<Response> {
  const json = await readJsonBody(request);
  if (!json.ok) return ollamaError(400, json.empty ? "missing request body" : json.error);
  const body = asRecord(json.value);
  if (!body) return typeError("", json.value, "api.GenerateRequest");
  const { model, prompt = "", stream = true, raw = false, options = {}, images = [] } = body;
  if (model !== undefined && typeof model !== "string") return typeError("model", model, "string");
  if (typeof prompt !== "string") return typeError("prompt", prompt, "string");
  if (stream !== null && typeof stream !== "boolean") return typeError("stream", stream, "bool");
  if (typeof raw !== "boolean") return typeError("raw", raw, "bool");
  if (!Array.isArray(images)) return typeError("images", images, "[]api.ImageData");
  const headers: ImageHeader[] = [];
  for (const image of images) {
    const header = readImage(image, false);
    if (typeof header === "string") return ollamaError(400, `images: ${header}`);
    headers.push(header);
  }
  const settings = asRecord(options);
  if (!settings) return typeError("options", options, "map[string]interface {}");
  if (!model) return ollamaError(400, "model is required");
  const served = ctx.options.model;
  if (!ctx.options.acceptAnyModel && model !== served && model !== `${served}:latest`) {
    return ollamaError(404, `model '${model}' not found`);
  }
  if (prompt === "") {
    // An empty prompt loads the model and answers at once, streaming or not.
    return jsonAnswer(
      {
        model,
        created_at: new Date().toISOString(),
        response: "",
        done: true,
        done_reason: "load",
      },
      200,
      JSON_TYPE,
    );
  }
  const numPredict = settings.num_predict ?? -1;
  if (!isInteger(numPredict)) {
    return ollamaError(400, `option "num_predict" must be of type integer`);
  }

  const { ttftMs, tpotMs, naturalLen } = ctx.options;
  const tokens = numPredict > 0 ? numPredict : naturalLen;
  const final: Final = {
    model,
    reason: numPredict > 0 ? "length" : "stop",
    promptTokens: ctx.countTokens(prompt) + imageTokens(headers),
    tokens,
    loadNs: Math.max(1, Math.round((performance.now() - arrival) * 1e6)),
    promptNs: Math.round(ttftMs * 1e6),
    evalNs: Math.round((tokens - 1) * tpotMs * 1e6),
  };
  const head = `{"model":${goJson(model)},"created_at":"`;
  const base = {
    endpoint: "ollama" as const,
    id: randomHex(),
    tokens,
    promptTokens: final.promptTokens,
    recorded: headers.length > 0
      ? { images: headers, promptTokens: final.promptTokens }
      : undefined,
  };
  if (stream !== false) {
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new OllamaStream(
        head,
        final,
        failureMessage(ctx.options),
        Math.min(ctx.options.reasoningTokens, tokens),
      ),
      headers: { "content-type": "application/x-ndjson" },
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () => textResponse(200, finalLine(head, final, tokenText(0, tokens)), JSON_TYPE),
    failure: () => ollamaError(500, failureMessage(ctx.options)),
  });
}

/** A JSON string as Go's `json.Marshal` writes it (HTML-safe escapes). */
function goJson(value: string): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** The `done: true` object (without its newline), with `response` as given. */
function finalLine(head: string, final: Final, response: string): string {
  const durations = (key: string, ns: number) => ns > 0 ? `,"${key}":${ns}` : "";
  return `${head}${new Date().toISOString()}","response":${goJson(response)},"done":true,` +
    `"done_reason":"${final.reason}"` +
    durations("total_duration", final.promptNs + final.evalNs) +
    durations("load_duration", final.loadNs) +
    `,"prompt_eval_count":${final.promptTokens}` +
    durations("prompt_eval_duration", final.promptNs) +
    `,"eval_count":${final.tokens}` +
    durations("eval_duration", final.evalNs) + "}";
}

/** One line per token, then the final line. */
class OllamaStream implements StreamEncoder {
  readonly initial = undefined;
  readonly #head: string;
  readonly #final: Final;
  readonly #failure: string;
  /** Leading tokens sent as `thinking` (a thinking model), with an empty `response`. */
  readonly #reasoning: number;

  constructor(head: string, final: Final, failure: string, reasoning = 0) {
    this.#head = head;
    this.#final = final;
    this.#failure = failure;
    this.#reasoning = reasoning;
  }

  chunk(start: number, count: number): Uint8Array {
    const createdAt = new Date().toISOString();
    let lines = "";
    for (let i = start; i < start + count; i++) {
      const text = goJson(tokenText(i, 1));
      lines += i < this.#reasoning
        ? `${this.#head}${createdAt}","response":"","thinking":${text},"done":false}\n`
        : `${this.#head}${createdAt}","response":${text},"done":false}\n`;
    }
    return utf8.encode(lines);
  }

  trailer(): Uint8Array {
    return utf8.encode(finalLine(this.#head, this.#final, "") + "\n");
  }

  failure(): Uint8Array {
    return utf8.encode(`${JSON.stringify({ error: this.#failure })}\n`);
  }
}
