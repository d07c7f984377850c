/**
 * How busy the client's event loop is while it measures.
 *
 * Every few milliseconds a macrotask is posted and the delay until it runs is
 * recorded. A network read that completes while the loop is busy is stamped
 * late by about the same amount, so this is the client's own contribution to
 * timing error. (A timer-based probe would mostly measure timer granularity.)
 *
 * @module
 */

/** Probe interval, ms. */
const PROBE_EVERY_MS = 10;

/** Collects event-loop lag samples until stopped. */
export interface LoopMonitor {
  /** Stops probing (once; later calls change nothing) and returns the samples, ms. */
  stop(): number[];
}

/** Starts probing the event loop. */
export function monitorEventLoop(): LoopMonitor {
  const samples: number[] = [];
  const channel = new MessageChannel();
  let posted = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  channel.port1.onmessage = () => {
    samples.push(performance.now() - posted);
    if (!stopped) timer = setTimeout(probe, PROBE_EVERY_MS);
  };
  const probe = () => {
    posted = performance.now();
    channel.port2.postMessage(0);
  };
  timer = setTimeout(probe, PROBE_EVERY_MS);
  return {
    stop() {
      if (!stopped) {
        stopped = true;
        clearTimeout(timer);
        channel.port1.close();
        channel.port2.close();
      }
      return samples;
    },
  };
}
