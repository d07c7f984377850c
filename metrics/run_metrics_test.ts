import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import type { RequestResult } from "../runner/result.ts";
import { computeRunMetrics } from "./run_metrics.ts";
import { classifyFailure } from "./failure.ts";
import { percentileKey } from "./stats.ts";
import type { MetricStats } from "./types.ts";

const result = fakeResult;

const close = (actual: number | undefined, expected: number, what: string) =>
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-9,
    `${what}: ${actual} ≠ ${expected}`,
  );

function sample(stats: MetricStats | null, expected: number[], what: string) {
  assert.ok(stats !== null, `${what}: no stats`);
  assert.equal(stats.count, expected.length, `${what}: count`);
  expected.sort((a, b) => a - b);
  const mean = expected.reduce((a, b) => a + b, 0) / expected.length;
  close(stats.mean, mean, `${what} mean`);
  close(stats.min, expected[0], `${what} min`);
  close(stats.max, expected[expected.length - 1], `${what} max`);
}

/** A: 3 one-token chunks. B: 6 tokens in 3 chunks, counts unknown. C: 5 tokens in 3 chunks. */
const A = result({ ttft: 0.5, itl: [0.25, 0.25], chunks: 3, outputLen: 3, latency: 1.0 });
const B = result({
  index: 1,
  sendOffset: 0.5,
  ttft: 0.5,
  itl: [0.5, 1.0],
  chunks: 3,
  outputLen: 6,
  latency: 2.0,
});
const C = result({
  index: 2,
  sendOffset: 1.0,
  ttft: 0.25,
  itl: [0.5, 0.5],
  chunks: 3,
  outputLen: 5,
  latency: 1.5,
});
/** One-token output. */
const D = result({ index: 3, sendOffset: 1.5, ttft: 0.2, chunks: 1, outputLen: 1, latency: 0.3 });
/** Empty output (0 tokens, no text chunk). */
const E = result({ index: 4, sendOffset: 2.0, ttft: null, chunks: 0, outputLen: 0, latency: 0.1 });
/** Unstreamed response. */
const F = result({
  index: 5,
  sendOffset: 2.5,
  ttft: null,
  streamed: false,
  chunks: 1,
  outputLen: 4,
  latency: 1.0,
});
/** A failed request with fast timings: must not enter any distribution or goodput. */
const G = result({
  index: 6,
  success: false,
  error: "TimeoutError: Signal timed out.",
  ttft: 0.01,
  itl: [0.01],
  chunks: 2,
  outputLen: 2,
  latency: 0.02,
});
const RUN = [A, B, C, D, E, F, G];
const C_TOKENS = [undefined, undefined, [1, 2, 2]];

Deno.test("distributions: TTFT, TPOT, ITL per chunk and per token, E2E (ms, successful only)", () => {
  const m = computeRunMetrics(RUN, { duration: 4, chunkTokens: C_TOKENS });
  assert.equal(m.total, 7);
  assert.equal(m.completed, 6);
  assert.equal(m.failed, 1);

  // TTFT: A 500, B 500, C 250, D 200 (E, F null).
  sample(m.ttft, [500, 500, 250, 200], "ttft");
  close(m.ttft!.median, 375, "ttft median");
  close(m.ttft!.std, Math.sqrt(19218.75), "ttft std");
  assert.deepEqual(Object.keys(m.ttft!.percentiles), ["p50", "p90", "p95", "p99"]);
  close(m.ttft!.percentiles.p50, 375, "ttft p50");
  close(m.ttft!.percentiles.p90, 500, "ttft p90");

  // TPOT: A (1−0.5)/2 = 250, B (2−0.5)/5 = 300, C (1.5−0.25)/4 = 312.5; D 1 token, E 0, F null ttft.
  sample(m.tpot, [250, 300, 312.5], "tpot");
  close(m.tpot!.median, 300, "tpot median");
  close(m.tpot!.percentiles.p90, 310, "tpot p90"); // rank 1.8: 300 + 0.8·12.5

  // ITL per chunk: one sample per gap.
  sample(m.itlPerChunk, [250, 250, 500, 1000, 500, 500], "itl per chunk");
  close(m.itlPerChunk!.median, 500, "itl per chunk median");

  // ITL per token: A 250 ×2; B estimated, 5 tokens over 2 gaps = 3 + 2: 500/3 ×3, 500 ×2;
  // C known [1, 2, 2]: 250 ×2, 250 ×2.
  const third = 500 / 3;
  sample(m.itlPerToken, [250, 250, third, third, third, 500, 500, 250, 250, 250, 250], "per token");
  close(m.itlPerToken!.mean, 3000 / 11, "per token mean");
  close(m.itlPerToken!.median, 250, "per token median");
  close(m.itlPerToken!.percentiles.p95, 500, "per token p95"); // rank 9.5
  assert.equal(m.perTokenItlEstimated, 1);

  // E2E: every successful request.
  sample(m.e2el, [1000, 2000, 1500, 300, 100, 1000], "e2el");
  close(m.e2el!.median, 1000, "e2el median");
  assert.equal(m.goodput, null);
  assert.equal(m.goodRequests, null);
});

Deno.test("ITL per token: multi-token chunks with and without chunkTokens", () => {
  const withoutCounts = computeRunMetrics([B, C], { duration: 4 });
  // C unknown too: 4 tokens over 2 gaps = 2 + 2: 250 ×4 (same values, but estimated).
  assert.equal(withoutCounts.perTokenItlEstimated, 2);
  assert.equal(withoutCounts.itlPerToken!.count, 9);
  close(withoutCounts.itlPerToken!.mean, (1500 + 1000) / 9, "estimated mean");

  // B's counts known as [1, 1, 4]: gap 500 → 1 × 500, gap 1000 → 4 × 250.
  const known = computeRunMetrics([B], { duration: 4, chunkTokens: [[1, 1, 4]] });
  assert.equal(known.perTokenItlEstimated, 0);
  sample(known.itlPerToken, [500, 250, 250, 250, 250], "known");
  // Per chunk is unchanged by token counts.
  sample(known.itlPerChunk, [500, 1000], "per chunk");

  // Partial counts (an undefined entry) are unknown: back to the estimate.
  const partial = computeRunMetrics([B], { duration: 4, chunkTokens: [[1, undefined, 4]] });
  assert.equal(partial.perTokenItlEstimated, 1);
  assert.equal(partial.itlPerToken!.count, 5);

  // Fewer tokens than gaps: one sample per gap, not estimated.
  const few = computeRunMetrics(
    [result({ ttft: 0.1, itl: [0.1, 0.1], chunks: 3, outputLen: 2, latency: 0.3 })],
    { duration: 1 },
  );
  assert.equal(few.perTokenItlEstimated, 0);
  assert.equal(few.itlPerToken!.count, 2);
});

Deno.test("empty, one-token and unstreamed outputs give no TPOT and no ITL", () => {
  const m = computeRunMetrics([D, E, F], { duration: 4 });
  assert.equal(m.tpot, null);
  assert.equal(m.itlPerChunk, null);
  assert.equal(m.itlPerToken, null);
  sample(m.ttft, [200], "ttft"); // only D: E and F have none
  sample(m.e2el, [300, 100, 1000], "e2el");
  assert.deepEqual(m.timeSeries.map((b) => b.outputTokens), [0, 1, 0, 4]); // D at 1.7, F at 3.5
  const none = computeRunMetrics([], { duration: 0 });
  assert.equal(none.ttft, null);
  assert.equal(none.e2el, null);
  assert.deepEqual(none.timeSeries, []);
  assert.equal(none.peakOutputTokensPerSecond, 0);
});

Deno.test("goodput: each SLO alone and together, over the duration", () => {
  const good = (goodput: { ttft?: number; tpot?: number; e2el?: number }) =>
    computeRunMetrics(RUN, { duration: 4, goodput });
  // TTFT ≤ 300: C 250, D 200 (E, F null fail; G failed).
  assert.equal(good({ ttft: 300 }).goodRequests, 2);
  assert.equal(good({ ttft: 300 }).goodput, 0.5);
  // TPOT ≤ 300: A 250, B 300 (≤), D and E (≤ 1 token count as 0); C 312.5 and F (null ttft) fail.
  assert.equal(good({ tpot: 300 }).goodRequests, 4);
  assert.equal(good({ tpot: 300 }).goodput, 1);
  // E2E ≤ 500: D 300, E 100.
  assert.equal(good({ e2el: 500 }).goodRequests, 2);
  assert.equal(good({ e2el: 1000 }).goodRequests, 4); // A, D, E, F
  // All three: TTFT ≤ 500 {A,B,C,D} ∩ TPOT ≤ 300 {A,B,D,E} ∩ E2E ≤ 1000 {A,D,E,F} = {A, D}.
  const all = good({ ttft: 500, tpot: 300, e2el: 1000 });
  assert.equal(all.goodRequests, 2);
  assert.equal(all.goodput, 0.5);
  assert.equal(good({}).goodput, null);
});

Deno.test("failures are counted by kind", () => {
  const cases: [Partial<RequestResult>, string][] = [
    [{ error: "TypeError: error sending request: Connection refused (os error 111)" }, "connect"],
    [{ error: "ConnectionRefused: connect failed" }, "connect"],
    [{ error: "Error: read ECONNRESET" }, "connect"],
    [{ error: "TimeoutError: Signal timed out." }, "timeout"],
    [{ error: "HTTP 503 Service Unavailable: busy", status: 503 }, "http_status"],
    [{ error: "stream cut after 3 chunks: TypeError: connection reset" }, "stream_cut"],
    [{ error: "stream error: unparsable response: {" }, "parse"],
    [{ error: "HttpProtocolError: malformed chunk size" }, "parse"],
    [{ error: "stream error: CUDA out of memory" }, "server_error"],
    [{ error: "stream ended without any generated text" }, "other"],
  ];
  for (const [partial, kind] of cases) {
    assert.equal(classifyFailure({ error: partial.error!, status: partial.status }), kind);
  }
  const m = computeRunMetrics(
    cases.map(([partial], index) => result({ ...partial, index, success: false })),
    { duration: 1 },
  );
  assert.deepEqual(m.failures, {
    connect: 3,
    timeout: 1,
    http_status: 1,
    stream_cut: 1,
    parse: 2,
    server_error: 1,
    aborted: 0,
    other: 1,
  });
  assert.equal(m.failed, 10);
  assert.equal(m.e2el, null);
});

Deno.test("percentile naming follows vLLM: p50, p99.9", () => {
  assert.equal(percentileKey(50), "p50");
  assert.equal(percentileKey(99), "p99");
  assert.equal(percentileKey(99.9), "p99.9");
  const m = computeRunMetrics(RUN, { duration: 4, percentiles: [25, 99.9] });
  // E2E sorted [100, 300, 1000, 1000, 1500, 2000]: p25 rank 1.25, p99.9 rank 4.995.
  assert.deepEqual(Object.keys(m.e2el!.percentiles), ["p25", "p99.9"]);
  close(m.e2el!.percentiles.p25, 475, "p25");
  close(m.e2el!.percentiles["p99.9"], 1997.5, "p99.9");
  close(m.e2el!.median, 1000, "median still given");
  assert.throws(() => computeRunMetrics(RUN, { duration: 4, percentiles: [101] }), RangeError);
});

Deno.test("time series, concurrency and peak output tokens/s on chosen offsets", () => {
  const results = [
    // [0.2, 1.2): chunks at 0.5 and 1.0, one token each.
    result({ sendOffset: 0.2, ttft: 0.3, itl: [0.5], chunks: 2, outputLen: 2, latency: 1.0 }),
    // [0.5, 2.0): 5 tokens unknown: 1 at 1.0, then 4 over 2 gaps: 2 at 1.25, 2 at 1.75.
    result({
      index: 1,
      sendOffset: 0.5,
      ttft: 0.5,
      itl: [0.25, 0.5],
      chunks: 3,
      outputLen: 5,
      latency: 1.5,
    }),
    // [1.0, 3.0): failed; its end lands exactly on a bucket boundary.
    result({
      index: 2,
      sendOffset: 1.0,
      success: false,
      error: "TimeoutError: Signal timed out.",
      ttft: null,
      chunks: 0,
      outputLen: 0,
      latency: 2.0,
    }),
    // [2.0, 3.5): unstreamed, 3 tokens at its end.
    result({
      index: 3,
      sendOffset: 2.0,
      streamed: false,
      ttft: null,
      outputLen: 3,
      latency: 1.5,
    }),
  ];
  const m = computeRunMetrics(results, { duration: 3.5 });
  assert.deepEqual(m.timeSeries, [
    { second: 0, sent: 2, completed: 0, failed: 0, inFlight: 2, outputTokens: 1 },
    { second: 1, sent: 1, completed: 1, failed: 0, inFlight: 2, outputTokens: 6 },
    { second: 2, sent: 1, completed: 1, failed: 0, inFlight: 2, outputTokens: 0 },
    { second: 3, sent: 0, completed: 1, failed: 1, inFlight: 0, outputTokens: 3 },
  ]);
  assert.equal(m.peakOutputTokensPerSecond, 6);
  close(m.meanConcurrency, 6 / 3.5, "mean concurrency"); // (1 + 1.5 + 2 + 1.5) / 3.5
  assert.equal(m.peakConcurrency, 3); // [1.0, 1.2): all but the last

  // Half-open intervals: [0, 1) then [1, 2) never overlap. Known counts place tokens.
  const chained = computeRunMetrics([
    result({ ttft: 0.5, itl: [0.25], chunks: 2, outputLen: 4, latency: 1 }),
    result({ index: 1, sendOffset: 1, ttft: 0.1, chunks: 1, outputLen: 2, latency: 1 }),
  ], { duration: 2, chunkTokens: [[3, 1], [2]] });
  assert.equal(chained.peakConcurrency, 1);
  close(chained.meanConcurrency, 1, "chained mean concurrency");
  // 3 tokens at 0.5, 1 at 0.75; 2 at 1.1.
  assert.deepEqual(chained.timeSeries.map((b) => b.outputTokens), [4, 2]);
  // An end exactly at t = 1 is still in flight at the end of second 0 (it completes in
  // second 1); the end at t = 2 = duration is clamped into the last bucket.
  assert.equal(chained.timeSeries.length, 2);
  assert.deepEqual(chained.timeSeries.map((b) => [b.inFlight, b.completed]), [[1, 0], [0, 2]]);
});

Deno.test("queue time and first-send → last-response duration", () => {
  const base = {
    error: "",
    text: "x",
    promptLen: 1,
    outputLen: 1,
    outputLenSource: "server" as const,
    ttft: 0.1,
    itl: [],
    chunks: 1,
    streamed: true,
    notes: [],
    success: true,
  };
  const m = computeRunMetrics([
    { ...base, index: 0, plannedOffset: 0.5, sendOffset: 0.501, latency: 1 },
    { ...base, index: 1, plannedOffset: 1, sendOffset: 1.003, latency: 2 },
  ], { duration: 3.003, percentiles: [50] });
  assert.ok(Math.abs(m.activeDuration - (3.003 - 0.501)) < 1e-9);
  assert.equal(m.queue!.count, 2);
  assert.ok(Math.abs(m.queue!.mean - 2) < 1e-9);
  assert.ok(Math.abs(m.queue!.max - 3) < 1e-9);
});
