/**
 * What kind of failure a failed request had.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";

/** Why a request failed; see {@link classifyFailure}. */
export type FailureKind =
  | "connect"
  | "timeout"
  | "http_status"
  | "stream_cut"
  | "parse"
  | "server_error"
  | "aborted"
  | "other";

/** Every failure kind, in the order reports list them. */
export const FAILURE_KINDS: readonly FailureKind[] = [
  "connect",
  "timeout",
  "http_status",
  "stream_cut",
  "parse",
  "server_error",
  "aborted",
  "other",
];

const PARSE =
  /unparsable|unexpected (response|record)|response without|protocol|malformed|not an HTTP/i;
const TIMEOUT = /timeout|timed out/i;
const CONNECT = /connect|refused|ECONN/i;

/**
 * The kind of a failed request's failure, the first that applies:
 * "aborted" (`error` starts with "aborted:": in flight when the run was
 * interrupted, and ended); "timeout" (`error` starts with "timeout:": a
 * request, stall or connect timeout ended it); "http_status" (`status` ≥ 400); "stream_cut" (`error` starts with "stream cut", which
 * the runner writes whenever the transport failed after the response head arrived,
 * or mentions "connection closed": the server closed the connection before or
 * while answering);
 * "parse" (`error` mentions unparsable, unexpected response/record, response without,
 * protocol, malformed or not an HTTP: unparsable or protocol errors); "server_error"
 * (`error` starts with "stream error:": an error the server reported in the stream);
 * "timeout" (mentions timeout or timed out); "connect" (mentions connect, refused or
 * ECONN, case-insensitive, which includes ConnectionRefused); else "other".
 *
 * @example
 * ```ts
 * classifyFailure({ error: "HTTP 503", status: 503 }); // "http_status"
 * ```
 */
export function classifyFailure(result: Pick<RequestResult, "error" | "status">): FailureKind {
  const error = result.error;
  if (error.startsWith("aborted:")) return "aborted";
  if (error.startsWith("timeout:")) return "timeout";
  if (result.status !== undefined && result.status >= 400) return "http_status";
  if (error.startsWith("stream cut") || /connection closed/i.test(error)) return "stream_cut";
  if (PARSE.test(error)) return "parse";
  if (error.startsWith("stream error:")) return "server_error";
  if (TIMEOUT.test(error)) return "timeout";
  if (CONNECT.test(error)) return "connect";
  return "other";
}
