import assert from "node:assert/strict";
import { formatLive, LIVE_WINDOW, LiveStats } from "./live_view.ts";
import { fakeResult } from "../tests/_helpers.ts";

Deno.test("formatLive: p50/p99 of TTFT and ITL, in flight, failures, tok/s; dashes before any value", () => {
  assert.equal(
    formatLive({
      ttft: { p50: 12.34, p99: 456.7 },
      itl: { p50: 5, p99: 9.12 },
      inFlight: 16,
      failed: 2,
      outputTokensPerSecond: 12345.6,
    }),
    "TTFT p50/p99 12.3/457 ms | ITL 5.0/9.1 ms | in flight 16 | failed 2 | 12,346 tok/s",
  );
  assert.equal(
    formatLive({ ttft: null, itl: null, inFlight: 0, failed: 0, outputTokensPerSecond: null }),
    "TTFT p50/p99 – ms | ITL – ms | in flight 0 | failed 0 | – tok/s",
  );
});

Deno.test("LiveStats: in flight = sent − finished, rings of the last values, the rate over the last ticks", () => {
  const live = new LiveStats();
  for (let i = 0; i < 3; i++) live.sent();
  assert.equal(live.snapshot(0).inFlight, 3);
  live.add(fakeResult({ success: true, ttft: 0.01, itl: [0.002, 0.004], outputLen: 30 }));
  live.add(fakeResult({ success: false, ttft: null, itl: [] }));
  const s = live.snapshot(1000);
  assert.equal(s.inFlight, 1);
  assert.equal(s.failed, 1);
  assert.deepEqual(s.ttft, { p50: 10, p99: 10 });
  assert.deepEqual(s.itl, { p50: 4, p99: 4 });
  assert.equal(s.outputTokensPerSecond, 30);
  // A response longer than the window keeps only its last gaps.
  live.add(fakeResult({ success: true, ttft: 0.02, itl: new Array(LIVE_WINDOW * 2).fill(0.001) }));
  assert.deepEqual(live.snapshot(2000).itl, { p50: 1, p99: 1 });
});
