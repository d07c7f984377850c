/**
 * DeepSpeed-MII's RESTful gateway: `POST /mii/{deployment}`, a Flask-RESTful
 * resource that calls `client.generate(**body)` and answers, once everything
 * is generated, with `jsonify([r.to_msg_dict() for r in result])`: one object
 * per prompt, keys sorted, compact, ASCII-escaped, newline-terminated. It
 * never streams.
 *
 * The deployment name is the served model id; any other is a URL Flask does
 * not know (its HTML 404: Flask-RESTful leaves unmatched URLs to Flask).
 * Errors raised by `generate` (unknown or bad arguments) become
 * Flask-RESTful's `{"message": "Internal Server Error"}` 500.
 *
 * @module
 */

import {
  asRecord,
  isInteger,
  pythonJsonString,
  randomHex,
  readJsonBody,
  type ServeContext,
  textResponse,
} from "./_engine.ts";
import { servesModel } from "./_options.ts";
import { tokenText } from "./_vocab.ts";

/** Keyword arguments `client.generate` accepts. */
const GENERATE_ARGS: ReadonlySet<string> = new Set([
  "prompts",
  "max_length",
  "max_new_tokens",
  "min_new_tokens",
  "ignore_eos",
  "top_p",
  "top_k",
  "temperature",
  "do_sample",
  "return_full_text",
  "stop",
]);

/** MII's default `max_length` (prompt plus generated tokens). */
const DEFAULT_MAX_LENGTH = 1024;

/** Werkzeug's 404 page, for a deployment the gateway does not serve. */
const NOT_FOUND_HTML = "<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n" +
  "<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the " +
  "URL manually please check your spelling and try again.</p>\n";

/** Flask-RESTful's error body: Python's `json.dumps` (default separators) and a newline. */
function restfulError(status: number, message: string): Response {
  return textResponse(
    status,
    `{"message": ${pythonJsonString(message)}}\n`,
    "application/json",
  );
}

function internalError(): Response {
  return restfulError(500, "Internal Server Error");
}

/** One prompt's outcome. */
interface Outcome {
  readonly prompt: string;
  readonly promptLength: number;
  readonly generated: number;
  readonly finish: "length" | "stop";
}

/** Serves `/mii/{deployment}` (the rest of the path, decoded). */
export async function miiGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  deployment: string,
): Promise<Response> {
  if (!servesModel(ctx.options, deployment)) {
    return textResponse(404, NOT_FOUND_HTML, "text/html; charset=utf-8");
  }
  if (request.method !== "POST") {
    const response = restfulError(405, "The method is not allowed for the requested URL.");
    response.headers.set("allow", "OPTIONS, POST");
    return response;
  }
  const mediaType = (request.headers.get("content-type") ?? "").split(";", 1)[0].trim();
  if (mediaType.toLowerCase() !== "application/json") {
    return restfulError(
      415,
      "Did not attempt to load JSON data because the request Content-Type was not " +
        "'application/json'.",
    );
  }
  const json = await readJsonBody(request);
  if (!json.ok) return restfulError(400, `Failed to decode JSON object: ${json.error}`);
  const body = asRecord(json.value);
  if (!body || Object.keys(body).some((key) => !GENERATE_ARGS.has(key))) return internalError();
  const {
    prompts,
    max_length: maxLength = DEFAULT_MAX_LENGTH,
    max_new_tokens: maxNewTokens = null,
    min_new_tokens: minNewTokens = 0,
    ignore_eos: ignoreEos = false,
    return_full_text: fullText = false,
  } = body;
  const list = typeof prompts === "string" ? [prompts] : prompts;
  if (
    !Array.isArray(list) || list.length === 0 || !list.every((p) => typeof p === "string") ||
    !isInteger(maxLength) || (maxNewTokens !== null && !isInteger(maxNewTokens)) ||
    !isInteger(minNewTokens) || typeof ignoreEos !== "boolean" || typeof fullText !== "boolean"
  ) {
    return internalError();
  }

  const outcomes: Outcome[] = [];
  for (const prompt of list as string[]) {
    const promptLength = ctx.countTokens(prompt);
    const limit = (maxNewTokens as number | null) ?? maxLength - promptLength;
    if (limit < 1) return internalError();
    let generated = ignoreEos ? limit : Math.min(limit, ctx.options.naturalLen);
    generated = Math.max(generated, Math.min(minNewTokens, limit));
    outcomes.push({
      prompt,
      promptLength,
      generated,
      finish: generated === limit ? "length" : "stop",
    });
  }
  // The prompts are generated side by side: the answer waits for the longest.
  const tokens = Math.max(...outcomes.map((o) => o.generated));
  return ctx.whole(request, arrival, {
    endpoint: "mii",
    id: randomHex(),
    tokens,
    promptTokens: outcomes.reduce((sum, o) => sum + o.promptLength, 0),
    recordedTokens: outcomes.reduce((sum, o) => sum + o.generated, 0),
    answer: () => {
      const items = outcomes.map((o) =>
        `{"finish_reason":"${o.finish}","generated_length":${o.generated},` +
        `"generated_text":${
          pythonJsonString((fullText ? o.prompt : "") + tokenText(0, o.generated))
        },` +
        `"prompt_length":${o.promptLength}}`
      );
      return textResponse(200, `[${items.join(",")}]\n`, "application/json");
    },
    failure: internalError,
  });
}
