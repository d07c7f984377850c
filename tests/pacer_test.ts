import assert from "node:assert/strict";
import { createPacer } from "../runner/_pacer.ts";

Deno.test("pacer: never early, close to the deadline", async () => {
  const pacer = createPacer();
  try {
    // As the runner does: the clock thread is up before the first deadline.
    await pacer.start();
    const start = performance.now();
    const lags: number[] = [];
    for (let i = 1; i <= 40; i++) {
      const due = start + i * 2.5;
      await pacer.until(due);
      lags.push(performance.now() - due);
    }
    assert.ok(lags.every((lag) => lag >= 0), "never before the deadline");
    lags.sort((a, b) => a - b);
    // A sanity bound, not the precision target (deno task bench measures that):
    // a shared machine can stall a thread for milliseconds.
    assert.ok(lags[20] < 5, `median lag ${lags[20]} ms`);
  } finally {
    pacer.close();
  }
});

Deno.test("pacer: an abort ends the wait at once, and the next wait is not cut short", async () => {
  const pacer = createPacer();
  try {
    const controller = new AbortController();
    const t0 = performance.now();
    setTimeout(() => controller.abort(), 10);
    await pacer.until(t0 + 200, controller.signal);
    assert.ok(performance.now() - t0 < 150, "aborted wait returned early");
    // The aborted deadline's wake-up arrives later and must be ignored.
    const due = performance.now() + 300;
    await pacer.until(due);
    assert.ok(performance.now() >= due);
  } finally {
    pacer.close();
  }
});
