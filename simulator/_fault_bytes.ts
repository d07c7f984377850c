/**
 * What injected faults look like on the wire: the error answers of the
 * status faults (429 and 500 as JSON in the protocol's error shape, 503 as a
 * proxy's HTML page), and the malformed forms of an event (`junk`).
 *
 * @module
 */

import type { JunkVariant } from "./_faults.ts";
import type { RecordedEndpoint } from "./_record.ts";

/** Seconds every status fault asks the client to wait (`Retry-After`). */
export const RETRY_AFTER_SECONDS = 1;

/** The page a reverse proxy (nginx) answers when its upstream is down. */
const PROXY_503_PAGE =
  "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n" +
  "<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n" +
  "<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/** The message of each JSON status fault. */
const STATUS_MESSAGES = {
  "429": "Rate limit reached for requests: too many requests in flight (simulated fault)",
  "500": "Simulated internal server error (--faults 500)",
} as const;

/** The error object of a JSON status fault in the shape `endpoint`'s server answers with. */
function errorBody(status: "429" | "500", endpoint: RecordedEndpoint): unknown {
  const message = STATUS_MESSAGES[status];
  switch (endpoint) {
    case "tgi":
    case "tei-embed":
    case "tei-rerank":
      // TGI's (and TEI's) ErrorResponse; its 429 is "overloaded" (the queue is full).
      return { error: message, error_type: status === "429" ? "overloaded" : "generation" };
    case "ollama":
      return { error: message };
    default:
      // vLLM's ErrorResponse (OpenAI's shape, `code` the status); OpenAI's own 429 names its code.
      return {
        error: {
          message,
          type: status === "429" ? "RateLimitError" : "InternalServerError",
          param: null,
          code: status === "429" ? "rate_limit_exceeded" : 500,
        },
      };
  }
}

/** The answer of a status fault: JSON in `endpoint`'s error shape, or the proxy page for 503. */
export function statusFaultResponse(
  status: "429" | "500" | "503",
  endpoint: RecordedEndpoint,
): Response {
  const retry = String(RETRY_AFTER_SECONDS);
  if (status === "503") {
    return new Response(PROXY_503_PAGE, {
      status: 503,
      headers: { "content-type": "text/html", "retry-after": retry },
    });
  }
  return new Response(JSON.stringify(errorBody(status, endpoint)), {
    status: Number(status),
    headers: { "content-type": "application/json", "retry-after": retry },
  });
}

const OPEN_BRACE = 0x7b;
const LF = 0x0a;
const NUL = 0x00;

/**
 * Bytes that are not UTF-8 (lone continuation bytes, an overlong form) and
 * hold no line end or NUL, so that they stay inside one event's data.
 */
const BINARY = new Uint8Array([0xff, 0xfe, 0x01, 0x80, 0xc3, 0x28, 0x9f, 0x92, 0x7f, 0xc0, 0xaf]);

/** Members no protocol defines, put first in an event's object. */
const EXTRA_MEMBERS = new TextEncoder().encode(
  '"mib_unknown":{"nested":[1,"two",null,{"deep":true}],"note":"ignore me"},',
);

/**
 * The bounds of the first event's JSON in `bytes`: from its first `{` to the
 * end of its line (a newline or a NUL, the vLLM legacy delimiter), or
 * `undefined` when there is no object.
 */
function firstObject(bytes: Uint8Array): [number, number] | undefined {
  const start = bytes.indexOf(OPEN_BRACE);
  if (start < 0) return undefined;
  let end = start;
  while (end < bytes.length && bytes[end] !== LF && bytes[end] !== NUL) end++;
  return [start, end];
}

/** `bytes` with `[from, to)` replaced by `middle`. */
function splice(bytes: Uint8Array, from: number, to: number, middle: Uint8Array): Uint8Array {
  const out = new Uint8Array(from + middle.length + bytes.length - to);
  out.set(bytes.subarray(0, from));
  out.set(middle, from);
  out.set(bytes.subarray(to), from + middle.length);
  return out;
}

/**
 * One chunk (or whole body) made into junk of form `variant`, its framing
 * (the `data: ` prefix, line ends, other events) kept: `bad-json` keeps the
 * first half of its first object, `binary` replaces that object with
 * non-UTF-8 bytes, `extra-fields` adds unknown members to it. `split` changes
 * no byte (the pacing writes it a few bytes at a time); nor does any form of
 * a chunk holding no JSON object.
 */
export function junkBytes(variant: JunkVariant, bytes: Uint8Array): Uint8Array {
  const object = firstObject(bytes);
  if (object === undefined || variant === "split") return bytes;
  const [start, end] = object;
  switch (variant) {
    case "bad-json":
      return splice(
        bytes,
        start + Math.max(1, Math.floor((end - start) / 2)),
        end,
        new Uint8Array(),
      );
    case "binary":
      return splice(bytes, start, end, BINARY);
    case "extra-fields":
      return splice(bytes, start + 1, start + 1, EXTRA_MEMBERS);
  }
}

/** Bytes per write of a `split` event. */
const SPLIT_PIECE_BYTES = 7;

/** `bytes` in pieces of a few bytes each, for a `split` event. */
export function splitPieces(bytes: Uint8Array): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += SPLIT_PIECE_BYTES) {
    pieces.push(bytes.subarray(i, i + SPLIT_PIECE_BYTES));
  }
  return pieces;
}
