/**
 * Timer-driven delivery on an absolute schedule.
 *
 * Deadlines are absolute `performance.now()` values computed from the
 * request's arrival, never "previous write + delay", so timer lateness does
 * not accumulate over a long response.
 *
 * @module
 */

/**
 * A deadline this close counts as reached. Deno rounds timer delays to whole
 * milliseconds, so a timer can fire up to about half a millisecond early; such
 * an early wake-up re-arms for the remainder instead of writing ahead of the
 * schedule.
 */
const EARLY_SLACK_MS = 0.05;

/**
 * Resolves `true` once `performance.now()` reaches `deadline`, or `false` as
 * soon as `signal` aborts (the timer is cleared, nothing is left pending).
 */
export function waitUntil(deadline: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve(false);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const check = () => {
      const remaining = deadline - performance.now();
      if (remaining > EARLY_SLACK_MS) {
        timer = setTimeout(check, remaining);
        return;
      }
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    check();
  });
}

/** What a paced stream writes and when. Chunks are built lazily, when due. */
export interface PacedPlan {
  /** Written as soon as the stream opens, unpaced (e.g. the chat role chunk). */
  readonly initial: Uint8Array | undefined;
  /** Number of paced chunks. */
  readonly count: number;
  /** Absolute `performance.now()` time at which chunk `index` is due. */
  dueAt(index: number): number;
  /** Bytes of chunk `index`. */
  chunk(index: number): Uint8Array;
  /** Written right after the last chunk (usage chunk and `[DONE]`), then the stream closes. */
  trailer(): Uint8Array;
}

/**
 * A response body that writes `plan`'s chunks at their deadlines.
 *
 * When `signal` aborts (the server is closing) the pending timer is cleared
 * and the stream errors, so the client sees a truncated response rather than
 * one that looks complete. Cancellation by the reader (Deno cancels the body
 * when the client disconnects) also clears the timer.
 * `onSettled` runs exactly once, when the stream stops for any reason.
 */
export function pacedStream(
  plan: PacedPlan,
  signal: AbortSignal,
  onSettled: () => void = () => {},
): ReadableStream<Uint8Array> {
  let controller: ReadableStreamDefaultController<Uint8Array>;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let next = 0;
  let stopped = false;

  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    signal.removeEventListener("abort", onAbort);
    onSettled();
  };
  const onAbort = () => {
    if (stopped) return;
    stop();
    try {
      controller.error(signal.reason);
    } catch {
      // The body was already cancelled by the reader; nothing left to end.
    }
  };
  const pump = () => {
    timer = undefined;
    const now = performance.now();
    while (next < plan.count) {
      const wait = plan.dueAt(next) - now;
      if (wait > EARLY_SLACK_MS) {
        timer = setTimeout(pump, wait);
        return;
      }
      // Chunks already overdue (the event loop was busy) go out back to back
      // rather than shifting the rest of the schedule.
      controller.enqueue(plan.chunk(next++));
    }
    controller.enqueue(plan.trailer());
    stop();
    controller.close();
  };

  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal.aborted) {
        stop();
        c.error(signal.reason);
        return;
      }
      signal.addEventListener("abort", onAbort, { once: true });
      if (plan.initial) c.enqueue(plan.initial);
      pump();
    },
    cancel() {
      stop();
    },
  });
}
