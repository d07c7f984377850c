import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import type { RequestResult } from "../runner/result.ts";
import { DEFAULT_EXACT_LIMIT, type HdrLibrary, loadHdrLibrary, Sample } from "./sample.ts";
import { describeSample, percentile, percentileKey } from "./stats.ts";
import type { MetricStats } from "./types.ts";
import { computeRunMetrics } from "./run_metrics.ts";
import { RunAccumulator } from "./run_accumulator.ts";

// ---------------------------------------------------------------- helpers

/** mulberry32: a tiny seeded generator of uniform numbers in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Log-normal values (ms, median 1 ms) kept in [0.01, 10,000] ms, plus both ends exactly. */
function logNormal(seed: number, n: number, sigma = 1.5, median = 1): number[] {
  const rnd = mulberry32(seed);
  const out = [0.01, 10_000];
  while (out.length < n) {
    // Box–Muller; 1 − u keeps the logarithm finite.
    const z = Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    out.push(Math.min(10_000, Math.max(0.01, median * Math.exp(sigma * z))));
  }
  return out;
}

/** Exponential values (ms) with the given mean. */
function exponential(seed: number, n: number, mean: number): number[] {
  const rnd = mulberry32(seed);
  return Array.from({ length: n }, () => 0.01 - mean * Math.log(1 - rnd()));
}

/** Fisher–Yates shuffle (a copy) with a seeded generator. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rnd = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

function sampleOf(values: readonly number[], options: ConstructorParameters<typeof Sample>[0]) {
  const s = new Sample(options);
  for (const v of values) s.add(v);
  return s;
}

/** Histogram precision promised for a value at a rank: 0.05 % of it, plus 1 ns of rounding. */
const PCT_REL = 5e-4;
const PCT_ABS = 1e-6;
const PERCENTILES = [0, 50, 90, 95, 99, 99.9, 100];

const relErr = (actual: number, expected: number) =>
  Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);

function assertNear(actual: number, expected: number, rel: number, abs: number, what: string) {
  assert.ok(
    Number.isFinite(actual) && Math.abs(actual - expected) <= rel * Math.abs(expected) + abs,
    `${what}: ${actual} vs ${expected} (relative error ${relErr(actual, expected)})`,
  );
}

/**
 * Asserts `stats` of a histogram-backed sample against the exact statistics of
 * `values`: count exact, mean and std within `momentRel`, min and max within
 * `endRel`, percentiles within 0.05 % (+1e-6 ms) — `endRel` for p0 and p100.
 * Returns the worst relative percentile error.
 */
function assertApprox(
  stats: MetricStats | null,
  values: readonly number[],
  percentiles: readonly number[],
  { momentRel = 1e-9, endRel = 0 }: { momentRel?: number; endRel?: number } = {},
): number {
  assert.ok(stats !== null, "no stats");
  const exact = describeSample(values, percentiles)!;
  assert.equal(stats.count, exact.count, "count");
  assertNear(stats.mean, exact.mean, momentRel, 0, "mean");
  assertNear(stats.std, exact.std, momentRel, 0, "std");
  assertNear(stats.min, exact.min, endRel, 0, "min");
  assertNear(stats.max, exact.max, endRel, 0, "max");
  assertNear(stats.median, exact.median, PCT_REL, PCT_ABS, "median");
  let worst = 0;
  for (const p of percentiles) {
    const key = percentileKey(p);
    const rel = p === 0 || p === 100 ? Math.max(endRel, PCT_REL) : PCT_REL;
    assertNear(stats.percentiles[key], exact.percentiles[key], rel, PCT_ABS, key);
    worst = Math.max(worst, relErr(stats.percentiles[key], exact.percentiles[key]));
  }
  assert.deepEqual(Object.keys(stats.percentiles), percentiles.map(percentileKey));
  return worst;
}

let hdrPromise: Promise<HdrLibrary> | undefined;
const hdr = () => (hdrPromise ??= loadHdrLibrary());

// ---------------------------------------------------------------- 1. exact mode

Deno.test("Sample: exact mode gives describeSample's numbers exactly", async () => {
  assert.equal(DEFAULT_EXACT_LIMIT, 1_000_000);
  const values = logNormal(1, 1_000);
  const asked = [50, 90, 95, 99, 99.9, 0, 100];
  const expected = describeSample(values, asked)!;

  const check = (s: Sample, what: string) => {
    assert.ok(s.exact, `${what}: exact`);
    assert.equal(s.count, values.length, `${what}: count`);
    const stats = s.stats(asked)!;
    assert.deepEqual(stats, {
      count: expected.count,
      mean: expected.mean,
      median: expected.median,
      std: expected.std,
      min: expected.min,
      max: expected.max,
      percentiles: expected.percentiles,
    }, what);
    assert.equal(stats.percentiles.p90, expected.p90);
    assert.equal(stats.percentiles.p99, expected.p99);
    assert.equal(stats.percentiles["p99.9"], percentile([...values].sort((a, b) => a - b), 99.9));
  };
  // Default limit, no hdr; a tiny limit without hdr (stays exact however large); under the limit with hdr.
  check(sampleOf(values, {}), "default");
  check(sampleOf(values, { exactLimit: 5 }), "limit 5 without hdr");
  check(sampleOf(values, { exactLimit: values.length, hdr: await hdr() }), "at the limit with hdr");

  // The documented example, an empty sample and no percentiles asked.
  assert.equal(sampleOf([20, 22, 25], {}).stats([99])!.percentiles.p99, 24.94);
  assert.equal(new Sample().stats([50]), null);
  assert.equal(new Sample().count, 0);
  assert.deepEqual(sampleOf([3, 1, 2], {}).stats()!.percentiles, {});
  const one = sampleOf([7.5], {}).stats([0, 50, 100])!;
  assert.deepEqual(one, {
    count: 1,
    mean: 7.5,
    median: 7.5,
    std: 0,
    min: 7.5,
    max: 7.5,
    percentiles: { p0: 7.5, p50: 7.5, p100: 7.5 },
  });
});

// ---------------------------------------------------------------- 2. histogram mode

Deno.test("Sample: histogram mode, 200,000 skewed values from 0.01 to 10,000 ms", async () => {
  const values = logNormal(2, 200_000);
  const s = sampleOf(values, { exactLimit: 1_000, hdr: await hdr() });
  assert.equal(s.exact, false);
  assert.equal(s.count, values.length);
  const stats = s.stats(PERCENTILES)!;
  assert.equal(stats.min, 0.01);
  assert.equal(stats.max, 10_000);
  assertApprox(stats, values, PERCENTILES);

  // Every percentile from 0 to 100 in steps of 0.1, asked at once.
  const dense = Array.from({ length: 1001 }, (_, i) => i / 10);
  const worst = assertApprox(s.stats(dense), values, dense);
  assert.ok(worst <= PCT_REL, `worst ${worst}`);

  // The sample goes on adding in histogram mode.
  const more = exponential(3, 10_000, 50);
  for (const v of more) s.add(v);
  assertApprox(s.stats(PERCENTILES), [...values, ...more], PERCENTILES);
});

Deno.test("Sample: histogram mode interpolates between two ranks for a small n", async () => {
  // Limit 3, 5 values: ranks p/100·4; p90 → rank 3.6 = 40 + 0.6·(50 − 40) = 46.
  const values = [50, 10.5, 40, 20.25, 30];
  const s = sampleOf(values, { exactLimit: 3, hdr: await hdr() });
  assert.equal(s.exact, false);
  const asked = [10, 25, 37.5, 50, 62.5, 90, 99, 0, 100];
  assertApprox(s.stats(asked), values, asked);
  const stats = s.stats(asked)!;
  assertNear(stats.percentiles.p90, 46, PCT_REL, 0, "p90");
  assertNear(stats.percentiles.p10, 10.5 + 0.4 * (20.25 - 10.5), PCT_REL, 0, "p10");
  assertNear(stats.percentiles["p62.5"], 30 + 0.5 * 10, PCT_REL, 0, "p62.5");
  assert.equal(stats.percentiles.p0, 10.5);
  assert.equal(stats.percentiles.p100, 50);
  assertNear(stats.percentiles.p99, 40 + 0.96 * (50 - 40), PCT_REL, 0, "p99"); // rank 3.96

  // A limit of 0 makes the first value a histogram already.
  const zero = sampleOf([12.5], { exactLimit: 0, hdr: await hdr() });
  assert.equal(zero.exact, false);
  assert.deepEqual(zero.stats([50, 99]), {
    count: 1,
    mean: 12.5,
    median: 12.5,
    std: 0,
    min: 12.5,
    max: 12.5,
    percentiles: { p50: 12.5, p99: 12.5 },
  });
});

// ---------------------------------------------------------------- 3. merge

Deno.test("Sample.merge: exact + exact is exactly the union", async () => {
  const a = exponential(4, 300, 20);
  const b = logNormal(5, 200);
  const asked = [50, 90, 99, 99.9];
  const union = [...a, ...b];
  const expected = describeSample(union, asked)!;
  for (const options of [{}, { hdr: await hdr() }]) {
    const s = sampleOf(a, options);
    const t = sampleOf(b, options);
    s.merge(t);
    assert.ok(s.exact);
    assert.equal(t.count, b.length, "the merged sample is unchanged");
    // Exact stats come from describeSample over the union: identical numbers.
    const { count, mean, median, std, min, max, percentiles } = expected;
    assert.deepEqual(s.stats(asked), { count, mean, median, std, min, max, percentiles });
  }
  // Union over the limit with hdr: becomes a histogram.
  const s = sampleOf(a, { exactLimit: 400, hdr: await hdr() });
  s.merge(sampleOf(b, {}));
  assert.equal(s.exact, false);
  assertApprox(s.stats(PERCENTILES), union, PERCENTILES);
  // Over the limit without hdr anywhere: stays exact.
  const noHdr = sampleOf(a, { exactLimit: 400 });
  noHdr.merge(sampleOf(b, { exactLimit: 400 }));
  assert.ok(noHdr.exact);
  assert.equal(noHdr.stats(asked)!.percentiles["p99.9"], expected.percentiles["p99.9"]);
});

Deno.test("Sample.merge: exact + histogram and histogram + histogram match the union", async () => {
  const lib = await hdr();
  const big = logNormal(6, 60_000);
  const other = exponential(7, 40_000, 300);
  const small = exponential(8, 500, 2);

  // Histogram into exact (this has no hdr: it takes other's).
  const exact = sampleOf(small, {});
  exact.merge(sampleOf(big, { exactLimit: 1_000, hdr: lib }));
  assert.equal(exact.exact, false);
  assertApprox(exact.stats(PERCENTILES), [...small, ...big], PERCENTILES);

  // Exact into histogram.
  const histogram = sampleOf(big, { exactLimit: 1_000, hdr: lib });
  histogram.merge(sampleOf(small, {}));
  assert.equal(histogram.exact, false);
  assertApprox(histogram.stats(PERCENTILES), [...big, ...small], PERCENTILES);

  // Histogram + histogram, then a third (exact) one.
  const h1 = sampleOf(big, { exactLimit: 1_000, hdr: lib });
  const h2 = sampleOf(other, { exactLimit: 1_000, hdr: lib });
  h1.merge(h2);
  assert.equal(h2.count, other.length);
  assertApprox(h1.stats(PERCENTILES), [...big, ...other], PERCENTILES);
  h1.merge(sampleOf(small, { exactLimit: 1_000, hdr: lib }));
  assertApprox(h1.stats(PERCENTILES), [...big, ...other, ...small], PERCENTILES);

  // Into an empty sample.
  const empty = new Sample();
  empty.merge(sampleOf(other, { exactLimit: 1_000, hdr: lib }));
  assertApprox(empty.stats(PERCENTILES), other, PERCENTILES);
});

Deno.test("Sample.merge: an empty sample changes nothing", async () => {
  const lib = await hdr();
  const values = logNormal(9, 5_000);
  for (const options of [{}, { exactLimit: 100, hdr: lib }]) {
    const s = sampleOf(values, options);
    const before = s.stats(PERCENTILES);
    const wasExact = s.exact;
    s.merge(new Sample());
    s.merge(new Sample({ exactLimit: 0, hdr: lib }));
    assert.equal(s.exact, wasExact);
    assert.equal(s.count, values.length);
    assert.deepEqual(s.stats(PERCENTILES), before);
  }
});

// ---------------------------------------------------------------- 4. encode / decode

Deno.test("Sample.encode/decode: the histogram travels, two clients merge", async () => {
  const lib = await hdr();
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;

  const a = logNormal(10, 80_000);
  const sa = sampleOf(a, { exactLimit: 1_000, hdr: lib });
  const encoded = sa.encode(lib);
  assert.ok(encoded.length > 0 && encoded.length % 4 === 0 && base64.test(encoded));
  const da = Sample.decode(lib, encoded);
  assert.equal(da.exact, false);
  assert.equal(da.count, a.length);
  // min and max are bucket ends: within 0.1 %; mean and std from bucket middles.
  assertApprox(da.stats(PERCENTILES), a, PERCENTILES, { momentRel: 1e-3, endRel: 1e-3 });
  // The decoded sample's percentiles match the live one's except at the ends.
  const live = sa.stats(PERCENTILES)!;
  const decoded = da.stats(PERCENTILES)!;
  for (const p of [50, 90, 95, 99, 99.9]) {
    assert.equal(decoded.percentiles[percentileKey(p)], live.percentiles[percentileKey(p)]);
  }

  // Client B: an exact sample of other values (encode builds a histogram).
  const b = exponential(11, 700, 40_000);
  const sb = sampleOf(b, {});
  assert.ok(sb.exact);
  const db = Sample.decode(lib, sb.encode(lib));
  assertApprox(db.stats(PERCENTILES), b, PERCENTILES, { momentRel: 1e-3, endRel: 1e-3 });

  // The coordinator merges the two decoded samples.
  da.merge(db);
  assert.equal(da.count, a.length + b.length);
  assertApprox(da.stats(PERCENTILES), [...a, ...b], PERCENTILES, {
    momentRel: 1e-3,
    endRel: 1e-3,
  });
  // Merging in the other order gives the same.
  const db2 = Sample.decode(lib, sb.encode(lib));
  db2.merge(Sample.decode(lib, encoded));
  assertApprox(db2.stats(PERCENTILES), [...a, ...b], PERCENTILES, {
    momentRel: 1e-3,
    endRel: 1e-3,
  });

  // An empty sample round-trips to an empty one.
  const none = Sample.decode(lib, new Sample().encode(lib));
  assert.equal(none.count, 0);
  assert.equal(none.stats([50]), null);
});

// ---------------------------------------------------------------- 5. values ≤ 0

Deno.test("Sample: zeros and negative values", async () => {
  const lib = await hdr();
  const values = [-5, 0, 0, -0.5, 3, 7, 0, 2.5, 0, 1];
  const asked = [0, 10, 25, 50, 75, 90, 100];
  const exact = describeSample(values, asked)!;

  // Exact mode: exactly describeSample.
  const e = sampleOf(values, {}).stats(asked)!;
  assert.deepEqual(e.percentiles, exact.percentiles);
  assert.equal(e.min, -5);

  // Histogram mode: count, moments and ends exact; percentiles within [min, max].
  for (const limit of [0, 3]) {
    const s = sampleOf(values, { exactLimit: limit, hdr: lib });
    assert.equal(s.exact, false);
    const stats = s.stats(asked)!;
    assert.equal(stats.count, values.length);
    assertNear(stats.mean, exact.mean, 1e-12, 0, "mean");
    assertNear(stats.std, exact.std, 1e-12, 0, "std");
    assert.equal(stats.min, -5);
    assert.equal(stats.max, 7);
    assert.equal(stats.percentiles.p0, -5);
    assert.equal(stats.percentiles.p100, 7);
    for (const [key, v] of Object.entries(stats.percentiles)) {
      assert.ok(v >= -5 && v <= 7 && Number.isFinite(v), `${key} = ${v}`);
    }
    // Positive ranks stay within the histogram's precision.
    assertNear(stats.percentiles.p90, exact.percentiles.p90, PCT_REL, PCT_ABS, "p90");
  }

  // Only negative values: every percentile clamped into [min, max].
  const negative = sampleOf([-3, -2, -1, -4, -2.5], { exactLimit: 2, hdr: lib });
  const n = negative.stats([0, 50, 99, 100])!;
  assert.equal(n.min, -4);
  assert.equal(n.max, -1);
  for (const v of [n.median, ...Object.values(n.percentiles)]) assert.ok(v >= -4 && v <= -1);

  // Only zeros.
  const zeros = sampleOf(new Array(20).fill(0), { exactLimit: 5, hdr: lib });
  assert.deepEqual(zeros.stats([50, 99]), {
    count: 20,
    mean: 0,
    median: 0,
    std: 0,
    min: 0,
    max: 0,
    percentiles: { p50: 0, p99: 0 },
  });
  // Round trip: no throw; negative values travel as 0.
  const decoded = Sample.decode(lib, sampleOf(values, { exactLimit: 3, hdr: lib }).encode(lib));
  assert.equal(decoded.count, values.length);
  assert.equal(decoded.stats([50])!.min, 0);
});

// ---------------------------------------------------------------- 6. RunAccumulator

const result = fakeResult;

const FAILURES: Partial<RequestResult>[] = [
  { error: "HTTP 503: Service Unavailable", status: 503 },
  { error: "HTTP 429: Too Many Requests", status: 429 },
  { error: "stream cut: connection closed before [DONE]" },
  { error: "TypeError: error sending request: Connection refused (os error 111)" },
  { error: "TimeoutError: Signal timed out." },
  { error: "unparsable SSE data: {oops" },
  { error: "stream error: overloaded" },
  { error: "something odd" },
];

/** ~50 crafted results: streamed (one- and multi-token chunks, counts known or not), unstreamed, failed. */
function craftedResults(seed: number, n: number): RequestResult[] {
  const rnd = mulberry32(seed);
  const out: RequestResult[] = [];
  let failed = 0;
  for (let index = 0; index < n; index++) {
    const plannedOffset = index * 0.2 + rnd() * 0.1;
    const sendOffset = plannedOffset + rnd() * 0.02 - (index % 9 === 0 ? 0.001 : 0);
    const kind = index % 10;
    if (kind === 7 || kind === 3) {
      const f = FAILURES[failed++ % FAILURES.length];
      out.push(result({
        index,
        success: false,
        ...f,
        ttft: rnd() < 0.5 ? null : 0.05,
        itl: rnd() < 0.5 ? [] : [0.01, 0.02],
        chunks: 0,
        outputLen: 0,
        latency: rnd() * 2,
        plannedOffset,
        sendOffset,
      }));
      continue;
    }
    if (kind === 5) {
      // Unstreamed: ttft null, no ITL.
      out.push(result({
        index,
        streamed: false,
        ttft: null,
        itl: [],
        chunks: 1,
        outputLen: 20 + Math.floor(rnd() * 100),
        latency: 0.5 + rnd() * 3,
        promptLen: 50 + index,
        plannedOffset,
        sendOffset,
      }));
      continue;
    }
    if (kind === 9) {
      // Streamed but no text chunk (0 tokens), or a one-token answer.
      const oneToken = index % 20 === 9;
      out.push(result({
        index,
        ttft: oneToken ? 0.05 + rnd() * 0.2 : null,
        itl: [],
        chunks: oneToken ? 1 : 0,
        outputLen: oneToken ? 1 : 0,
        latency: 0.1 + rnd() * 0.3,
        plannedOffset,
        sendOffset,
      }));
      continue;
    }
    // Streamed with gaps; multi-token chunks for some.
    const gaps = 1 + Math.floor(rnd() * 12);
    const chunkTokens = Array.from(
      { length: gaps + 1 },
      (_, c) => c === 0 ? 1 : kind % 2 === 0 ? 1 + Math.floor(rnd() * 4) : 1,
    );
    if (kind === 4 && gaps > 2) chunkTokens[2] = 0; // a chunk that carried no token
    const outputLen = chunkTokens.reduce((a, b) => a + b, 0);
    const ttft = 0.02 + rnd() * 0.5;
    const itl = Array.from({ length: gaps }, () => 0.001 + rnd() * 0.08);
    const latency = ttft + itl.reduce((a, b) => a + b, 0) + rnd() * 0.01;
    out.push(result({
      index,
      ttft,
      itl,
      chunks: gaps + 1,
      outputLen,
      latency,
      promptLen: 100 + Math.floor(rnd() * 900),
      // Counts known for some; unknown (estimated when multi-token) for the others.
      chunkTokens: kind === 2 || kind === 4 || kind === 1 ? chunkTokens : undefined,
      plannedOffset,
      sendOffset,
    }));
  }
  return out;
}

/** Deep equality where numbers may differ by 1e-9 relative (float sums in another order). */
function assertDeepClose(actual: unknown, expected: unknown, path = "metrics") {
  if (typeof expected === "number" && typeof actual === "number") {
    const ok = actual === expected ||
      Math.abs(actual - expected) <= 1e-9 * Math.max(Math.abs(actual), Math.abs(expected)) + 1e-12;
    assert.ok(ok, `${path}: ${actual} vs ${expected}`);
    return;
  }
  if (expected === null || typeof expected !== "object") {
    assert.equal(actual, expected, path);
    return;
  }
  assert.ok(actual !== null && typeof actual === "object", `${path}: not an object`);
  assert.equal(Array.isArray(actual), Array.isArray(expected), `${path}: array`);
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  assert.deepEqual(Object.keys(a), Object.keys(e), `${path}: keys`);
  for (const key of Object.keys(e)) assertDeepClose(a[key], e[key], `${path}.${key}`);
}

Deno.test("RunAccumulator: streaming in any order equals computeRunMetrics", () => {
  const results = craftedResults(12, 50);
  const duration = 10.6;
  const chunkTokens = results.map((r) => r.chunkTokens);
  assert.ok(results.some((r) => !r.success) && results.some((r) => !r.streamed));
  assert.ok(results.some((r) => r.chunkTokens?.some((k) => k > 1)));
  assert.ok(
    results.some((r) => r.success && r.streamed && !r.chunkTokens && r.outputLen > r.chunks),
  );

  for (const goodput of [undefined, { ttft: 300, tpot: 40, e2el: 1_000 }]) {
    for (const percentiles of [undefined, [0, 50, 99.9, 100]]) {
      const expected = computeRunMetrics(results, { duration, percentiles, goodput, chunkTokens });
      assert.ok(expected.failed > 5 && expected.perTokenItlEstimated > 0);
      assert.ok(Object.values(expected.failures).filter((k) => k > 0).length >= 5);
      assert.deepEqual(expected.fromHistogram, []);
      for (const seed of [1, 2, 3]) {
        const order = shuffled(results, seed);
        assert.notDeepEqual(order.map((r) => r.index), results.map((r) => r.index));
        const acc = new RunAccumulator({ goodput });
        for (const r of order) acc.add(r, r.chunkTokens);
        assert.equal(acc.total, results.length);
        assertDeepClose(acc.metrics({ duration, percentiles }), expected);
      }
    }
  }

  // Totals, in any order.
  const acc = new RunAccumulator();
  for (const r of shuffled(results, 4)) acc.add(r, r.chunkTokens);
  const ok = results.filter((r) => r.success);
  const totals = acc.totals();
  assert.equal(totals.inputTokens, ok.reduce((a, r) => a + r.promptLen, 0));
  assert.equal(totals.outputTokens, ok.reduce((a, r) => a + r.outputLen, 0));
  assert.equal(
    totals.multiTokenChunkRequests,
    ok.filter((r) => r.streamed && r.outputLen > r.chunks).length,
  );
  const byMessage = new Map<string, number>();
  for (const r of results) {
    if (!r.success) byMessage.set(r.error, (byMessage.get(r.error) ?? 0) + 1);
  }
  assert.equal(totals.errors.length, byMessage.size);
  for (const { error, count } of totals.errors) assert.equal(count, byMessage.get(error));
  for (let i = 1; i < totals.errors.length; i++) {
    assert.ok(totals.errors[i - 1].count >= totals.errors[i].count);
  }
});

Deno.test("RunAccumulator: fromHistogram names the samples that outgrew the limit", async () => {
  const lib = await hdr();
  const duration = 10.6;
  const percentiles = [50, 90, 99];

  // 6 requests, 5 successful with 4 one-token gaps each: 20 ITL values, ≤ 6 of the rest.
  const few = Array.from({ length: 6 }, (_, i) =>
    result({
      index: i,
      success: i !== 3,
      error: i === 3 ? "HTTP 500" : "",
      status: i === 3 ? 500 : undefined,
      sendOffset: i * 0.5,
      plannedOffset: i * 0.5,
      ttft: 0.1 + i * 0.01,
      itl: [0.01, 0.02 + i * 0.001, 0.015, 0.03],
      chunks: 5,
      outputLen: 5,
      latency: 0.2 + i * 0.01,
    }));
  const expected = computeRunMetrics(few, { duration, percentiles });
  const acc = new RunAccumulator({ exactLimit: 10, hdr: lib });
  for (const r of few) acc.add(r, r.chunkTokens);
  const m = acc.metrics({ duration, percentiles });
  assert.deepEqual(m.fromHistogram, ["itlPerChunk", "itlPerToken"]);
  assert.equal(acc.itlPerChunk.exact, false);
  assert.equal(acc.ttft.exact, true);
  // Exact samples give the same numbers; the two histograms within their precision.
  // One token per chunk: per-token ITL values are the per-chunk ones.
  const gaps = few.filter((r) => r.success).flatMap((r) => r.itl.map((g) => g * 1000));
  assertApprox(m.itlPerChunk, gaps, percentiles);
  assertApprox(m.itlPerToken, gaps, percentiles);
  assertDeepClose(
    { ...m, itlPerChunk: null, itlPerToken: null, fromHistogram: [] },
    { ...expected, itlPerChunk: null, itlPerToken: null },
  );

  // The 50 crafted results: every sample over 10 values is named, in the metrics' order.
  const results = craftedResults(13, 50);
  const big = new RunAccumulator({ exactLimit: 10, hdr: lib });
  for (const r of results) big.add(r, r.chunkTokens);
  const names = ["ttft", "tpot", "itlPerChunk", "itlPerToken", "e2el", "queue"] as const;
  const metrics = big.metrics({ duration });
  assert.deepEqual(metrics.fromHistogram, names.filter((k) => big[k].count > 10));
  assert.ok(metrics.fromHistogram.length >= 4);
  // And a generous limit names none.
  const roomy = new RunAccumulator({ exactLimit: 10_000, hdr: lib });
  for (const r of results) roomy.add(r, r.chunkTokens);
  assert.deepEqual(roomy.metrics({ duration }).fromHistogram, []);
});

Deno.test("a sample merged with itself doubles every value", () => {
  const s = new Sample();
  for (const v of [1, 2, 4]) s.add(v);
  s.merge(s);
  const stats = s.stats([50])!;
  assert.equal(stats.count, 6);
  assert.equal(stats.mean, 7 / 3);
  assert.equal(stats.median, 2);
});
