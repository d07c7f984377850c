import assert from "node:assert/strict";
import { fakeResult } from "./_helpers.ts";
import {
  describeSample,
  percentile,
  type RequestResult,
  summarize,
  timePerOutputToken,
} from "../mod.ts";

Deno.test("percentile interpolates linearly between nearest ranks", () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([10], 99), 10);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) - 9.1) < 1e-12);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("describeSample: mean, population std, order statistics", () => {
  const s = describeSample([4, 2, 8, 6])!;
  assert.equal(s.mean, 5);
  assert.equal(s.std, Math.sqrt(5));
  assert.equal(s.min, 2);
  assert.equal(s.max, 8);
  assert.equal(s.median, 5);
  assert.equal(describeSample([]), undefined);
});

Deno.test("TPOT excludes the first token", () => {
  assert.equal(timePerOutputToken(1.1, 0.1, 11), 0.1);
  assert.equal(timePerOutputToken(1, 0.1, 1), undefined);
  assert.equal(timePerOutputToken(1, null, 5), undefined);
});

function result(partial: Partial<RequestResult>): RequestResult {
  return fakeResult({ itl: [0.02, 0.04], chunks: 3, sendOffset: 0.001, ...partial });
}

Deno.test("summary over a crafted run: failures excluded from timings, throughput over duration", () => {
  const results = [
    result({}),
    result({ index: 1, ttft: 0.3, latency: 0.5, outputLen: 6, chunks: 2, itl: [0.1] }),
    result({
      index: 2,
      success: false,
      error: "HTTP 500",
      ttft: null,
      itl: [],
      latency: 0.05,
      outputLen: 0,
    }),
  ];
  const s = summarize(results, 2);
  assert.equal(s.completed, 2);
  assert.equal(s.failed, 1);
  assert.equal(s.totalInputTokens, 20);
  assert.equal(s.totalOutputTokens, 9);
  assert.equal(s.requestThroughput, 1);
  assert.equal(s.outputThroughput, 4.5);
  assert.equal(s.totalTokenThroughput, 14.5);
  assert.ok(Math.abs(s.ttft!.mean - 200) < 1e-9);
  // TPOT: (0.2-0.1)/2 = 50 ms and (0.5-0.3)/5 = 40 ms
  assert.ok(Math.abs(s.tpot!.mean - 45) < 1e-9);
  assert.equal(s.itlPerChunk!.count, 3);
  assert.ok(Math.abs(s.itlPerChunk!.max - 100) < 1e-9);
  assert.equal(s.multiTokenChunkRequests, 1);
  assert.deepEqual(s.errors, [{ error: "HTTP 500", count: 1 }]);
  assert.equal(s.queue!.count, 3);
});
