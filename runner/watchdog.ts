/**
 * Timeouts of requests in flight, kept by one timer for the whole run rather
 * than one per request or per read: the per-chunk path only records when a
 * byte came (one assignment), and a periodic check ends what has waited too
 * long.
 *
 * @module
 */

/** The timeouts of a run, in seconds; `Infinity` for none. */
export interface Timeouts {
  /** The whole request: send → end of the response. */
  request: number;
  /** No byte for this long once the response has begun. */
  stall: number;
  /** A new connection (the `http1` transport). */
  connect?: number;
}

/** Why a request in flight was ended: the message its result records. */
export class RequestEnded extends Error {
  /** Always `"RequestEnded"`. */
  override name = "RequestEnded";
}

/** One request in flight, as the watchdog sees it. */
export class InFlight {
  /** Aborts the request; its reason is a {@linkcode RequestEnded}. */
  readonly controller: AbortController = new AbortController();
  /** `performance.now()` of the send. */
  readonly sentAt: number;
  /** `performance.now()` of the last byte of the response; 0 before any. */
  lastByte = 0;

  /** A request sent at `sentAt`. */
  constructor(sentAt: number) {
    this.sentAt = sentAt;
  }

  /** Ends the request with `message` (its recorded error), unless it already ended. */
  end(message: string): void {
    if (!this.controller.signal.aborted) this.controller.abort(new RequestEnded(message));
  }
}

/** The message of a request that outlived the request timeout. */
export const requestTimeoutMessage = (s: number) =>
  `timeout: no complete response within ${s} s (--request-timeout)`;

/** The message of a response that stalled. */
export const stallTimeoutMessage = (s: number) =>
  `timeout: no byte for ${s} s mid-stream (--stall-timeout)`;

/**
 * Watches `live` every tick (a quarter of the shortest timeout, between 20 ms
 * and 1 s) and ends each request past a timeout. Returns the function that
 * stops watching; nothing is watched when both timeouts are infinite.
 */
export function watchTimeouts(live: ReadonlySet<InFlight>, timeouts: Timeouts): () => void {
  const requestMs = timeouts.request * 1000;
  const stallMs = timeouts.stall * 1000;
  const shortest = Math.min(requestMs, stallMs);
  if (!Number.isFinite(shortest)) return () => {};
  const tick = Math.min(1000, Math.max(20, shortest / 4));
  const timer = setInterval(() => {
    const now = performance.now();
    for (const request of live) {
      if (now - request.sentAt > requestMs) request.end(requestTimeoutMessage(timeouts.request));
      else if (request.lastByte > 0 && now - request.lastByte > stallMs) {
        request.end(stallTimeoutMessage(timeouts.stall));
      }
    }
  }, tick);
  return () => clearInterval(timer);
}
