/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * The pacer's clock thread. It sleeps with `Atomics.wait`, whose timeout is
 * kept to tens of microseconds by the OS (timers on the event loop are kept
 * to a millisecond or two), and wakes the main thread just before each
 * deadline.
 *
 * Messages in: `deadline` (epoch ms, `performance.timeOrigin + now`).
 * Messages out: the same deadline, sent `EARLY_MS` before it.
 *
 * @module
 */

/** Wake this early: about what a message to the main thread takes. */
const EARLY_MS = 0.15;

const cell = new Int32Array(new SharedArrayBuffer(4));

self.onmessage = (event: MessageEvent<number>) => {
  const deadline = event.data;
  for (;;) {
    const remaining = deadline - EARLY_MS - (performance.timeOrigin + performance.now());
    if (remaining <= 0) break;
    Atomics.wait(cell, 0, 0, remaining);
  }
  self.postMessage(deadline);
};
