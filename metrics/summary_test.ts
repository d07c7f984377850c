import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import type { RequestResult } from "../runner/result.ts";
import { summarize } from "./summary.ts";
import { SAMPLE_NAMES, TIMING_METRICS } from "./types.ts";

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

Deno.test("the summary's timings are named as RunMetrics', one vocabulary for all", () => {
  const s = summarize([result({}), result({ index: 1, plannedOffset: -0.01 })], 1);
  for (const name of SAMPLE_NAMES) assert.ok(s[name] !== undefined, name);
  assert.deepEqual(SAMPLE_NAMES, ["ttft", "tpot", "itlPerChunk", "itlPerToken", "e2el", "queue"]);
  assert.equal(TIMING_METRICS.itlPerChunk.vllm, "itl");
  assert.equal(TIMING_METRICS.queue.console, "Schedule lag");
  // The JSON keys keep the order the run record always had.
  const keys = Object.keys(s);
  assert.deepEqual(keys.slice(keys.indexOf("ttft"), keys.indexOf("eventLoopLag") + 1), [
    ...SAMPLE_NAMES,
    "eventLoopLag",
  ]);
});
