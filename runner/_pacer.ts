/**
 * Waiting until a planned instant more precisely than `setTimeout`.
 *
 * Event-loop timers fire up to about 2 ms late here, which would round a
 * 2,000 requests/s schedule away. A worker thread sleeps on `Atomics.wait`
 * instead and posts a message a little before the deadline; the main thread
 * spins only the last ~0.15 ms. The main thread stays free for network reads
 * all the while, and the worker is only started by a run that has to wait.
 *
 * @module
 */

/** Below this, waiting costs more than it saves: spin. */
const SPIN_BELOW_MS = 0.2;

/** Waits for instants on the `performance.now()` clock; `close()` when done. */
export interface Pacer {
  /** Resolves at `deadline` (never before), or as soon as `signal` aborts. */
  until(deadline: number, signal?: AbortSignal): Promise<void>;
  /**
   * Starts the clock thread and resolves once it answers, so that a run's
   * first waits do not pay for starting it (tens of milliseconds).
   */
  start(): Promise<void>;
  /** Stops the clock thread. */
  close(): void;
}

/** A pacer whose clock thread starts on first use. */
export function createPacer(): Pacer {
  let worker: Worker | undefined;
  let wake: (() => void) | undefined;
  /** The deadline `wake` waits for: a late answer to an aborted wait must not wake a new one. */
  let waitingFor = NaN;
  const clock = () => {
    if (worker) return worker;
    worker = new Worker(new URL("./_pacer_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<number>) => {
      if (event.data !== waitingFor) return;
      const resolve = wake;
      wake = undefined;
      resolve?.();
    };
    return worker;
  };
  return {
    async until(deadline, signal) {
      if (deadline - performance.now() > SPIN_BELOW_MS && !signal?.aborted) {
        await new Promise<void>((resolve) => {
          const done = () => {
            signal?.removeEventListener("abort", done);
            resolve();
          };
          wake = done;
          waitingFor = performance.timeOrigin + deadline;
          signal?.addEventListener("abort", done, { once: true });
          clock().postMessage(waitingFor);
        });
      }
      // The last fraction of a millisecond: never send early.
      while (performance.now() < deadline && !signal?.aborted) { /* µs */ }
    },
    start() {
      return new Promise<void>((resolve) => {
        wake = resolve;
        // A deadline long past: the clock thread answers at once.
        waitingFor = 0;
        clock().postMessage(0);
      });
    },
    close() {
      worker?.terminate();
      worker = undefined;
    },
  };
}
