/**
 * Waiting until a planned instant more precisely than `setTimeout` alone.
 *
 * Timers fire up to a millisecond or more late, so a timer only takes the
 * wait to about a millisecond before the deadline; the rest is spent yielding
 * macrotasks (a MessageChannel round trip, tens of µs), which lets network
 * reads run in between.
 *
 * @module
 */

/** Timer wake-up this long before the deadline, to absorb timer lateness. */
const TIMER_MARGIN_MS = 2;
/** Close enough: the cost of one more yield is larger than this. */
const DONE_WITHIN_MS = 0.02;

/** Waits for instants on the `performance.now()` clock; `close()` when done. */
export interface Pacer {
  /** Resolves at `deadline` (never before), or as soon as `signal` aborts. */
  until(deadline: number, signal?: AbortSignal): Promise<void>;
  /** Frees the message channel. */
  close(): void;
}

/** A pacer with its own message channel. */
export function createPacer(): Pacer {
  const channel = new MessageChannel();
  let wake: (() => void) | undefined;
  channel.port1.onmessage = () => {
    const resolve = wake;
    wake = undefined;
    resolve?.();
  };
  const yieldOnce = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
      channel.port2.postMessage(0);
    });
  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(id);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const id = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    });
  return {
    async until(deadline, signal) {
      let remaining = deadline - performance.now();
      if (remaining > TIMER_MARGIN_MS) {
        await sleep(remaining - TIMER_MARGIN_MS, signal);
        remaining = deadline - performance.now();
      }
      while (remaining > DONE_WITHIN_MS && !signal?.aborted) {
        await yieldOnce();
        remaining = deadline - performance.now();
      }
      // Within DONE_WITHIN_MS of the deadline: spin the last few µs so the
      // send is never early.
      while (performance.now() < deadline && !signal?.aborted) { /* µs */ }
    },
    close() {
      channel.port1.close();
      channel.port2.close();
    },
  };
}
