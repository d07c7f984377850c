import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import {
  type CalibrationStep,
  ceilingOf,
  judgeRateStep,
  judgeStreamStep,
  rateStepPlan,
  streamStepPlan,
} from "./calibration.ts";

Deno.test("a stream step spreads its sends over its first quarter and streams to about its end", () => {
  const long = streamStepPlan(64, 2);
  assert.equal(long.requests.length, 64);
  assert.equal(long.outputTokens, 256, "capped at 256");
  assert.equal(long.requests[0].offset, 0);
  assert.ok(long.requests.at(-1)!.offset < 0.5);
  assert.ok(long.requests.every((r) => r.request.maxTokens === 256));
  // 0.5 s: sends over 0.125 s, then 2 ms to the first token and 5 ms a token until 0.5 s.
  const short = streamStepPlan(8, 0.5);
  assert.equal(short.outputTokens, 75);
  assert.ok(0.125 + 0.002 + (short.outputTokens - 1) * 0.005 <= 0.5);
  const rate = rateStepPlan(500, 1);
  assert.ok(Math.abs(rate.length - 500) < 100, String(rate.length));
  assert.ok(rate.every((r) => r.offset < 1 && r.request.maxTokens === 2));
});

Deno.test("stream and rate steps pass only when every target holds", () => {
  const stream = (i: number, itl: number[]) =>
    fakeResult({ index: i, sendOffset: i * 0.001, latency: 1, itl });
  const record = [0, 1].map((i) => ({ id: `p${i}`, writes: [0, 5, 10] }));
  const ok = judgeStreamStep(
    2,
    3,
    [stream(0, [0.005, 0.005]), stream(1, [0.005, 0.006])],
    record,
    "p",
    5,
    [],
  );
  assert.equal(ok.passed, true, ok.missed ?? "");
  assert.equal(ok.peakInFlight, 2);
  const late = judgeStreamStep(
    2,
    3,
    [stream(0, [0.005, 0.005]), stream(1, [0.005, 0.02])],
    record,
    "p",
    5,
    [],
  );
  assert.equal(late.passed, false);
  assert.match(late.missed!, /token-time error p99 \d+\.\d\d ms > 5 ms/);
  // One stream never sent: a failure, and the two were never in flight together.
  const short = judgeStreamStep(2, 3, [stream(0, [0.005, 0.005])], record, "p", 5, []);
  assert.match(short.missed!, /^1 failed; only 1 in flight at once$/);

  const sends = (lag: number) =>
    [0, 1, 2].map((i) => fakeResult({ plannedOffset: i * 0.1, sendOffset: i * 0.1 + lag * i }));
  assert.equal(judgeRateStep(10, 3, sends(0.0002), []).passed, true);
  const behind = judgeRateStep(10, 3, sends(0.01), []);
  assert.match(
    behind.missed!,
    /schedule lag p99 .* > 1 ms; achieved\/asked rate 0\.909 outside 1 ± 0\.01/,
  );
});

Deno.test("the ceiling: the last pass below the first miss, per series", () => {
  const step = (kind: "streams" | "rate", load: number, passed: boolean) =>
    ({ kind, load, passed, tokensPerSecond: load * 200 }) as unknown as CalibrationStep;
  assert.deepEqual(
    ceilingOf([
      step("rate", 500, true),
      step("rate", 1000, false),
      step("streams", 64, true),
      step("streams", 128, true),
      step("streams", 256, false),
    ]),
    {
      streams: 128,
      tokensPerSecond: 25600,
      requestsPerSecond: 500,
      streamsMissedAt: 256,
      rateMissedAt: 1000,
    },
  );
  assert.deepEqual(ceilingOf([step("rate", 500, false), step("streams", 64, true)]), {
    streams: 64,
    tokensPerSecond: 12800,
    requestsPerSecond: 0,
    streamsMissedAt: null,
    rateMissedAt: 500,
  });
});
