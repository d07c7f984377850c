/**
 * `POST /tokenize`, which four servers answer in four shapes, told apart by
 * the body's keys (the simulated model has no BOS, so "add special tokens"
 * changes nothing here):
 *
 * - llama.cpp (`tools/server`): `{"content": string, "with_pieces"?}` →
 *   `{"tokens": [ids]}` (or `[{"id", "piece"}]` with `with_pieces`); a body
 *   without `content` gets `{"tokens": []}`, as llama.cpp answers it.
 * - TGI (`router/src/server.rs`): `{"inputs": string}` → `[{"id", "text",
 *   "start", "stop"}]`, offsets in characters of the input.
 * - vLLM (`TokenizeCompletionRequest`): `{"model"?, "prompt": string,
 *   "add_special_tokens"?}` → `{"count", "max_model_len", "tokens",
 *   "token_strs": null}`.
 * - SGLang (`serving_tokenize.py`): `{"prompt": [strings]}` → `{"tokens":
 *   [[ids]], "count": [n], "max_model_len"}`; a single string answers as vLLM.
 *
 * @module
 */
import { asRecord, jsonAnswer, readJsonBody, type ServeContext } from "./_engine.ts";
import { errorResponse } from "./_openai.ts";
import { CONTEXT_LENGTH } from "./_options.ts";
import type { TokenCodec } from "./_tokenizer.ts";

/** Serves `POST /tokenize` in the shape of the server the body comes from. */
export async function tokenize(ctx: ServeContext, request: Request): Promise<Response> {
  const json = await readJsonBody(request);
  if (!json.ok) {
    // Every one of the four refuses a body that is not JSON; llama.cpp's words.
    return jsonAnswer({
      error: {
        code: 500,
        message: `[json.exception.parse_error.101] ${json.error}`,
        type: "server_error",
      },
    }, 500);
  }
  const body = asRecord(json.value) ?? {};
  const { tokens } = ctx;
  if ("inputs" in body) {
    if (typeof body.inputs !== "string") {
      return new Response(
        "Failed to deserialize the JSON body into the target type: inputs: invalid type: expected a string",
        { status: 422, headers: { "content-type": "text/plain; charset=utf-8" } },
      );
    }
    return jsonAnswer(tgiTokens(tokens, body.inputs));
  }
  if ("prompt" in body) {
    const { prompt } = body;
    if (Array.isArray(prompt) && prompt.every((p) => typeof p === "string")) {
      const ids = prompt.map((p) => tokens.encode(p));
      return jsonAnswer({
        tokens: ids,
        count: ids.map((i) => i.length),
        max_model_len: CONTEXT_LENGTH,
      });
    }
    if (typeof prompt !== "string") {
      return errorResponse(
        400,
        "BadRequestError",
        "prompt: Input should be a valid string",
        "prompt",
      );
    }
    const ids = tokens.encode(prompt);
    return jsonAnswer({
      count: ids.length,
      max_model_len: CONTEXT_LENGTH,
      tokens: ids,
      token_strs: null,
    });
  }
  const content = body.content;
  if (content === undefined) return jsonAnswer({ tokens: [] });
  if (typeof content !== "string") {
    return jsonAnswer({
      error: { code: 400, message: '"content" must be a string', type: "invalid_request_error" },
    }, 400);
  }
  const ids = tokens.encode(content);
  if (body.with_pieces !== true) return jsonAnswer({ tokens: ids });
  return jsonAnswer({ tokens: ids.map((id) => ({ id, piece: tokens.decode([id]) })) });
}

/**
 * TGI's tokens: each with the characters of the input it covers. A token
 * that ends inside a character shares that character's span with the
 * tokens that complete it, as offsets of a byte-level tokenizer do.
 */
function tgiTokens(tokens: TokenCodec, input: string) {
  const ids = tokens.encode(input);
  const out: { id: number; text: string; start: number; stop: number }[] = [];
  const chars = [...input];
  let at = 0;
  let pending: number[] = [];
  for (const id of ids) {
    pending.push(id);
    const text = tokens.decode(pending);
    if (text.endsWith("\ufffd") && pending.length < 4) continue;
    const stop = Math.min(chars.length, at + [...text].length);
    for (const done of pending) {
      out.push({ id: done, text: chars.slice(at, stop).join(""), start: at, stop });
    }
    at = stop;
    pending = [];
  }
  return out;
}
