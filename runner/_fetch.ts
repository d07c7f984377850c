/**
 * The `fetch` transport: the runtime's fetch, for servers behind proxies or
 * anything the HTTP/1.1 client does not speak.
 *
 * @module
 */
import type { OutgoingRequest, ResponseHandler, Transport } from "./transport.ts";

/** Sends requests with `fetch`; Deno pools and reuses its connections. */
export class FetchTransport implements Transport {
  readonly #base: string;

  /** A transport to `baseUrl`. */
  constructor(baseUrl: string) {
    this.#base = baseUrl.replace(/\/+$/, "");
  }

  /** See {@linkcode Transport.send}. */
  async send(
    request: OutgoingRequest,
    handler: ResponseHandler,
    signal?: AbortSignal,
  ): Promise<number> {
    const response = await fetch(this.#base + request.path, {
      method: "POST",
      headers: request.headers,
      body: request.body,
      signal,
    });
    handler.head(
      response.status,
      response.statusText,
      performance.now(),
      (name) => response.headers.get(name) ?? undefined,
    );
    if (response.body === null) return performance.now();
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      const time = performance.now();
      if (done) return time;
      handler.body(value, time);
    }
  }

  /** Nothing to close: the runtime owns the pool. */
  close(): void {}
}
