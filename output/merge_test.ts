import assert from "node:assert/strict";
import { loadHdrLibrary, Sample } from "../metrics/sample.ts";
import { describeSample } from "../metrics/stats.ts";
import type { Summary } from "../metrics/types.ts";
import { mergeRecords } from "./merge.ts";

Deno.test("mergeRecords: counts add up, the span runs from the earliest start to the latest end", async () => {
  const hdr = await loadHdrLibrary();
  const histograms = (values: number[]) => {
    const sample = new Sample();
    for (const v of values) sample.add(v);
    const encoded = sample.encode(hdr);
    return { ttft: encoded, tpot: encoded, itlPerChunk: encoded, e2el: encoded };
  };
  const run = (startSecond: number, duration: number, values: number[]) => ({
    file: `run-${startSecond}`,
    record: {
      startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, startSecond)),
      summary: {
        completed: values.length,
        failed: 1,
        duration,
        totalOutputTokens: 100,
        // The summary's exact statistics: the merge pools them rather than bucket middles.
        ttft: describeSample(values),
      } as Summary,
      histograms: histograms(values),
    },
  });
  // 0–10 s and 5–12 s overlap: the span is 12 s, not 17.
  const overlapping = await mergeRecords([run(0, 10, [10, 20]), run(5, 7, [30, 40, 50])]);
  assert.equal(overlapping["completed"], 5);
  assert.equal(overlapping["failed"], 2);
  assert.equal(overlapping["duration (s)"], 12);
  assert.equal(overlapping["output throughput (tok/s)"], 200 / 12);
  assert.ok(Math.abs(overlapping["median TTFT (ms)"]! - 30) <= 30 * 5e-4);
  assert.equal(overlapping["mean TTFT (ms)"], 30);
  // p99 of 10…50: rank 3.96, between 40 (a bucket middle) and 50 (the exact max).
  assert.ok(Math.abs(overlapping["p99 TTFT (ms)"]! - 49.6) <= 49.6 * 5e-4);
  // One after the other, with a 5 s pause: 0–10 s and 15–20 s span 20 s.
  const sequential = await mergeRecords([run(0, 10, [10]), run(15, 5, [20])]);
  assert.equal(sequential["duration (s)"], 20);
  assert.equal(sequential["request throughput (req/s)"], 2 / 20);
});
