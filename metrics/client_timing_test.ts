import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import {
  achievedOverAsked,
  overlapTokenRate,
  peakInFlight,
  scheduleLags,
  tokenTimeErrors,
} from "./client_timing.ts";

const close = (actual: number[], expected: number[]) =>
  assert.deepEqual(actual.map((x) => Number(x.toFixed(6))), expected);

Deno.test("token-time error: offsets from each side's first chunk, matched by request id", () => {
  const results = [
    fakeResult({ index: 0, itl: [0.005, 0.007] }),
    // Not in the record (another run's id): left out.
    fakeResult({ index: 1, itl: [0.005] }),
    fakeResult({ index: 2, itl: [0.004], success: false }),
  ];
  const record = [
    // The server's clock is elsewhere entirely; only its offsets count.
    { id: "cal-0-0", writes: [1000, 1005, 1010] },
    { id: "other-1", writes: [0, 5] },
    { id: "cal-0-2", writes: [0, 5] },
  ];
  close(tokenTimeErrors(results, record, "cal-0-"), [0, 2]);
  // A client that saw more chunks than the server wrote is compared over the common ones.
  close(
    tokenTimeErrors(
      [fakeResult({ itl: [0.001, 0.001, 0.001] })],
      [{ id: "p0", writes: [0, 3] }],
      "p",
    ),
    [2],
  );
});

Deno.test("schedule lag, achieved/asked rate and peak in flight", () => {
  const results = [0, 1, 2, 3].map((i) =>
    fakeResult({ index: i, plannedOffset: i * 0.1, sendOffset: i * 0.11, latency: 0.25 })
  );
  close(scheduleLags(results), [0, 10, 20, 30]);
  // Planned over 0.3 s, sent over 0.33 s.
  assert.ok(Math.abs(achievedOverAsked(results) - 0.3 / 0.33) < 1e-9);
  assert.ok(Number.isNaN(achievedOverAsked(results.slice(0, 1))));
  // Sends at 0, 0.11, 0.22, 0.33, each 0.25 s long: three overlap at 0.22.
  assert.equal(peakInFlight(results), 3);
  // One ending exactly as the next starts does not overlap it.
  assert.equal(
    peakInFlight([
      fakeResult({ sendOffset: 0, latency: 1 }),
      fakeResult({ sendOffset: 1, latency: 1 }),
    ]),
    1,
  );
});

Deno.test("tokens/s while every stream streams, else over the whole span", () => {
  // Two streams of a chunk every 10 ms: first chunks at 0.01 and 0.05, last at 0.1 and 0.14.
  const stream = (send: number) =>
    fakeResult({ sendOffset: send, ttft: 0.01, itl: Array(9).fill(0.01), outputLen: 10 });
  const both = [stream(0), stream(0.04)];
  // From 0.05 to 0.1: chunks of the first at 0.05…0.1 (6) and of the second at 0.05…0.1 (6).
  assert.ok(Math.abs(overlapTokenRate(both) - 12 / 0.05) < 1e-6, String(overlapTokenRate(both)));
  // Never all at once: 20 tokens over 0 … 0.5 + latency.
  const apart = [stream(0), fakeResult({ ...stream(0.5), latency: 0.5 })];
  assert.ok(Math.abs(overlapTokenRate(apart) - 20 / 1) < 1e-6, String(overlapTokenRate(apart)));
  assert.equal(overlapTokenRate([]), 0);
});
