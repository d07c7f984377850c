/**
 * How requests reach the server. Two transports implement one interface:
 * `http1` (the default), mib's own HTTP/1.1 client on `Deno.connect`, and
 * `fetch`, the runtime's `fetch`. Both stamp every network read with
 * `performance.now()` as it resolves and hand the bytes on at once.
 *
 * `http1` exists because the numbers say so: on the same machine and load
 * (64 streams, one token every 5 ms), reading a streamed body through `fetch`
 * cost about 41 µs of client CPU per read, `node:http` about 13 µs, and a
 * `Deno.connect` socket read about 7 µs (see scripts/bench.ts).
 *
 * @module
 */
import { FetchTransport } from "./_fetch.ts";
import { Http1Transport } from "./_http1.ts";

/** Receives one response as it arrives. */
export interface ResponseHandler {
  /**
   * The response head arrived at `time` (`performance.now()` ms, the read's
   * stamp); `header` reads one of its headers by lower-case name.
   */
  head(
    status: number,
    reason: string,
    time: number,
    header?: (name: string) => string | undefined,
  ): void;
  /**
   * Body bytes (transfer coding removed) that arrived at `time`
   * (`performance.now()` ms). A view of a buffer that is reused: consume it
   * before returning.
   */
  body(bytes: Uint8Array, time: number): void;
}

/** One outgoing request. */
export interface OutgoingRequest {
  /** Path and query, e.g. `/v1/completions`. */
  path: string;
  /** Header names (lower case) and values. */
  headers: Record<string, string>;
  /** Serialised body. */
  body: Uint8Array<ArrayBuffer>;
}

/** Sends requests to one origin, reusing connections. */
export interface Transport {
  /**
   * Sends `request` and feeds the response to `handler`. Resolves with the
   * `performance.now()` at which the body ended; rejects on connection
   * errors, cut streams and aborts.
   */
  send(request: OutgoingRequest, handler: ResponseHandler, signal?: AbortSignal): Promise<number>;
  /** Closes idle connections. */
  close(): void;
}

/** The transports by name. */
export const TRANSPORTS = ["http1", "fetch"] as const;

/** A transport name. */
export type TransportName = typeof TRANSPORTS[number];

/**
 * A transport to the origin of `baseUrl` (`http://host:port` or `https://…`).
 * `connectTimeout` (seconds) bounds each new connection of the `http1`
 * transport; `fetch` leaves connecting to the runtime.
 *
 * @example
 * ```ts
 * const transport = createTransport("http1", "http://127.0.0.1:8000");
 * ```
 */
export function createTransport(
  name: TransportName,
  baseUrl: string,
  options: { connectTimeout?: number } = {},
): Transport {
  return name === "fetch"
    ? new FetchTransport(baseUrl)
    : new Http1Transport(baseUrl, options.connectTimeout);
}
