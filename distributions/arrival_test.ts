import assert from "node:assert/strict";
import { ARRIVAL_STREAM, arrivalOffsets, vllmArrivalFields } from "./arrival.ts";
import type { ArrivalSpec } from "./arrival_forms.ts";
import { formatSpec } from "./format.ts";
import { MAX_PLANNED_REQUESTS } from "./_limits.ts";
import { seededSource } from "./seeded_source.ts";
import { assertNear, assertUsage, gaps, mean, N, REQ, std } from "./_test_helpers.ts";

Deno.test("arrivalOffsets: same seed repeats, other seed differs", () => {
  const spec: ArrivalSpec = { kind: "normal", mean: 1, std: 0.5 };
  const a = arrivalOffsets(spec, { seed: 5, count: 500 });
  assert.deepEqual(arrivalOffsets(spec, { seed: 5, count: 500 }), a);
  assert.notDeepEqual(arrivalOffsets(spec, { seed: 6, count: 500 }), a);
});

Deno.test("arrivalOffsets: offsets start at 0 and are running sums of the stream's gaps", () => {
  const rate = 3;
  const offsets = arrivalOffsets({ kind: "poisson", rate }, { seed: 11, count: 1000 });
  const source = seededSource(11, ARRIVAL_STREAM);
  let t = 0;
  const expected = [0];
  for (let i = 1; i < 1000; i++) {
    t += -Math.log1p(-source()) / rate;
    expected.push(t);
  }
  assert.deepEqual(offsets, expected);
});

Deno.test("arrivalOffsets: poisson RATE gives exponential gaps of mean 1/RATE", () => {
  const g = gaps(arrivalOffsets({ kind: "poisson", rate: 5 }, { seed: 1, count: N + 1 }));
  assert.equal(g.length, N);
  assert.ok(g.every((x) => x >= 0));
  assertNear(mean(g), 0.2, 0.2 * 0.03, "mean gap");
  assertNear(std(g), 0.2, 0.2 * 0.05, "gap std (equals the mean for exponential)");
});

Deno.test("arrivalOffsets: exponential MEAN averages one request every MEAN s", () => {
  const g = gaps(arrivalOffsets({ kind: "exponential", mean: 5 }, { seed: 2, count: N + 1 }));
  assertNear(mean(g), 5, 5 * 0.03, "mean gap");
  assertNear(std(g), 5, 5 * 0.05, "gap std");
});

Deno.test("arrivalOffsets: poisson RATE and exponential 1/RATE are the same process", () => {
  assert.deepEqual(
    arrivalOffsets({ kind: "poisson", rate: 4 }, { seed: 3, count: 200 }),
    arrivalOffsets({ kind: "exponential", mean: 0.25 }, { seed: 3, count: 200 }),
  );
});

Deno.test("arrivalOffsets: uniform MIN MAX gaps fill [MIN, MAX)", () => {
  const g = gaps(arrivalOffsets({ kind: "uniform", min: 1, max: 3 }, { seed: 4, count: N + 1 }));
  assert.ok(g.every((x) => x >= 1 - 1e-9 && x < 3 + 1e-9));
  assertNear(mean(g), 2, 0.02, "mean gap");
  assertNear(std(g), 2 / Math.sqrt(12), 0.02, "gap std");
  assert.ok(Math.min(...g) < 1.01 && Math.max(...g) > 2.99, "both ends of the range are reached");
});

Deno.test("arrivalOffsets: normal MEAN STD gaps", () => {
  const g = gaps(arrivalOffsets({ kind: "normal", mean: 1, std: 0.2 }, { seed: 5, count: N + 1 }));
  assertNear(mean(g), 1, 0.01, "mean gap");
  assertNear(std(g), 0.2, 0.01, "gap std");
});

Deno.test("arrivalOffsets: normal gaps below 0 are clamped to 0", () => {
  const offsets = arrivalOffsets({ kind: "normal", mean: 0.5, std: 1 }, { seed: 6, count: N + 1 });
  const g = gaps(offsets);
  assert.ok(g.every((x) => x >= 0), "no negative gap");
  // P(X < 0) for N(0.5, 1) is Φ(-0.5) ≈ 0.3085; E[max(0, X)] = μΦ(μ/σ) + σφ(μ/σ) ≈ 0.6978.
  assertNear(g.filter((x) => x === 0).length / g.length, 0.3085, 0.02, "share of zero gaps");
  assertNear(mean(g), 0.6978, 0.025, "mean clamped gap");
  assert.ok(offsets.every((t, i) => i === 0 || t >= offsets[i - 1]), "offsets never go back");
});

Deno.test("arrivalOffsets: constant GAP is exact, without float drift", () => {
  assert.deepEqual(arrivalOffsets({ kind: "constant", gap: 0.5 }, { seed: 1, count: 4 }), [
    0,
    0.5,
    1,
    1.5,
  ]);
  // A running sum would reach 0.9999999999999999 and squeeze in an 11th request.
  assert.equal(arrivalOffsets({ kind: "constant", gap: 0.1 }, { seed: 1, maxTime: 1 }).length, 10);
  assert.deepEqual(arrivalOffsets({ kind: "constant", gap: 0 }, { seed: 1, count: 3 }), [0, 0, 0]);
});

Deno.test("arrivalOffsets: poisson inf sends everything at 0", () => {
  assert.deepEqual(
    arrivalOffsets({ kind: "poisson", rate: Infinity }, { seed: 9, count: 5 }),
    [0, 0, 0, 0, 0],
  );
});

Deno.test("arrivalOffsets: count returns exactly count offsets", () => {
  const spec: ArrivalSpec = { kind: "poisson", rate: 10 };
  assert.deepEqual(arrivalOffsets(spec, { seed: 1, count: 0 }), []);
  assert.deepEqual(arrivalOffsets(spec, { seed: 1, count: 1 }), [0]);
  assert.equal(arrivalOffsets(spec, { seed: 1, count: 1234 }).length, 1234);
});

Deno.test("arrivalOffsets: maxTime keeps every offset strictly below it, a prefix of count", () => {
  const spec: ArrivalSpec = { kind: "poisson", rate: 10 };
  const byTime = arrivalOffsets(spec, { seed: 8, maxTime: 30 });
  const byCount = arrivalOffsets(spec, { seed: 8, count: byTime.length + 1 });
  assert.ok(byTime.length > 200 && byTime.length < 400, `about 300 requests, got ${byTime.length}`);
  assert.ok(byTime.every((t) => t < 30));
  assert.deepEqual(byCount.slice(0, byTime.length), byTime);
  assert.ok(byCount[byTime.length] >= 30, "the next planned request falls at or after maxTime");
  // An offset exactly at maxTime is left out.
  assert.deepEqual(arrivalOffsets({ kind: "constant", gap: 1 }, { seed: 1, maxTime: 3 }), [
    0,
    1,
    2,
  ]);
  assert.deepEqual(arrivalOffsets({ kind: "constant", gap: 5 }, { seed: 1, maxTime: 3 }), [0]);
});

Deno.test("arrivalOffsets: rejects asking for both or neither of count and maxTime", () => {
  const spec: ArrivalSpec = { kind: "poisson", rate: 1 };
  assertUsage(
    () => arrivalOffsets(spec, { seed: 1, count: 5, maxTime: 5 }),
    "--num-of-req",
    "--max-time-for-reqs",
    "both",
  );
  assertUsage(() => arrivalOffsets(spec, { seed: 1 }), "--num-of-req", "neither");
});

Deno.test("arrivalOffsets: rejects bad counts and times", () => {
  const spec: ArrivalSpec = { kind: "poisson", rate: 1 };
  assertUsage(() => arrivalOffsets(spec, { seed: 1, count: -1 }), "--num-of-req", "-1");
  assertUsage(() => arrivalOffsets(spec, { seed: 1, count: 2.5 }), "--num-of-req", "2.5");
  for (const maxTime of [0, -1, NaN, Infinity]) {
    assertUsage(() => arrivalOffsets(spec, { seed: 1, maxTime }), "--max-time-for-reqs");
  }
  assertUsage(() => arrivalOffsets(spec, { seed: NaN, count: 1 }), "--seed");
});

Deno.test("arrivalOffsets: a time-bounded run with all-zero gaps would never end", () => {
  const zeroGaps: ArrivalSpec[] = [
    { kind: "poisson", rate: Infinity },
    { kind: "constant", gap: 0 },
    { kind: "uniform", min: 0, max: 0 },
  ];
  for (const spec of zeroGaps) {
    assertUsage(
      () => arrivalOffsets(spec, { seed: 1, maxTime: 10 }),
      "--max-time-for-reqs",
      JSON.stringify(formatSpec(spec)),
      "never end",
    );
  }
});

Deno.test("arrivalOffsets: refuses to plan more than 10,000,000 requests", () => {
  assert.equal(MAX_PLANNED_REQUESTS, 10_000_000);
  const spec: ArrivalSpec = { kind: "poisson", rate: 1 };
  assertUsage(
    () => arrivalOffsets(spec, { seed: 1, count: MAX_PLANNED_REQUESTS + 1 }),
    "--num-of-req",
    "10000000",
  );
  // 200 s at 100,000 requests/s; the cap also stops gaps too small to advance the clock.
  assertUsage(
    () => arrivalOffsets({ kind: "poisson", rate: 100_000 }, { seed: 1, maxTime: 200 }),
    "--max-time-for-reqs",
    "10000000",
  );
});

Deno.test("arrivalOffsets: holds hand-built specs to the parser's rules", () => {
  const bad = [
    { kind: "poisson", rate: 0 },
    { kind: "exponential", mean: -1 },
    { kind: "uniform", min: 3, max: 1 },
    { kind: "normal", mean: 1, std: -1 },
    { kind: "constant", gap: NaN },
  ] satisfies ArrivalSpec[];
  for (const spec of bad) {
    assertUsage(() => arrivalOffsets(spec, { seed: 1, count: 1 }), REQ, formatSpec(spec));
  }
  const unknown = { kind: "weibull", shape: 2 } as unknown as ArrivalSpec;
  assertUsage(
    () => arrivalOffsets(unknown, { seed: 1, count: 1 }),
    REQ,
    'unknown distribution "weibull"',
    "poisson",
    "constant",
  );
});

Deno.test("vllmArrivalFields: request_rate and burstiness as vLLM's result file has them", () => {
  const cases: [ArrivalSpec, number | "inf" | null][] = [
    [{ kind: "poisson", rate: 5 }, 5],
    [{ kind: "poisson", rate: Infinity }, "inf"],
    [{ kind: "exponential", mean: 0.25 }, 4],
    [{ kind: "uniform", min: 1, max: 2 }, null],
    [{ kind: "normal", mean: 1, std: 0.5 }, null],
    [{ kind: "constant", gap: 1 }, null],
    [{ kind: "weibull", rate: 2 } as unknown as ArrivalSpec, null],
  ];
  for (const [spec, rate] of cases) {
    assert.deepEqual(vllmArrivalFields(spec), { request_rate: rate, burstiness: 1 }, spec.kind);
  }
});

/**
 * Gamma gaps against vLLM's definition: mean 1/RATE, coefficient of variation
 * 1/√BURSTINESS. Tolerances are 5 standard errors at n = 20,000: the mean's is
 * σ/√n; the sample CV's, by the delta method for a gamma of shape k (kurtosis
 * 3 + 6/k, skewness 2/√k), is CV·√((1/2 + 1/(2k))/n), i.e. 1.1 % of the CV at
 * k = 0.25 and 0.6 % at k = 4.
 */
Deno.test("arrivalOffsets: gamma RATE BURSTINESS gaps have mean 1/RATE and CV 1/sqrt(BURSTINESS)", () => {
  const rate = 5;
  for (const [k, seed] of [[0.25, 1], [0.5, 2], [1, 3], [2, 4], [4, 5]]) {
    const g = gaps(arrivalOffsets({ kind: "gamma", rate, burstiness: k }, { seed, count: N + 1 }));
    assert.ok(g.every((x) => x >= 0));
    const cv = 1 / Math.sqrt(k);
    assertNear(mean(g), 1 / rate, 5 * cv / rate / Math.sqrt(N), `mean gap at shape ${k}`);
    const cvTolerance = 5 * cv * Math.sqrt((0.5 + 0.5 / k) / N);
    assertNear(std(g) / mean(g), cv, cvTolerance, `CV at shape ${k}`);
  }
});

Deno.test("arrivalOffsets: gamma's limits: RATE inf sends all at once, BURSTINESS inf evenly", () => {
  assert.deepEqual(
    arrivalOffsets({ kind: "gamma", rate: Infinity, burstiness: 0.5 }, { seed: 1, count: 3 }),
    [0, 0, 0],
  );
  assert.deepEqual(
    arrivalOffsets({ kind: "gamma", rate: 4, burstiness: Infinity }, { seed: 1, count: 4 }),
    [0, 0.25, 0.5, 0.75],
  );
  assert.deepEqual(vllmArrivalFields({ kind: "gamma", rate: 4, burstiness: 0.5 }), {
    request_rate: 4,
    burstiness: 0.5,
  });
  assert.deepEqual(vllmArrivalFields({ kind: "gamma", rate: Infinity, burstiness: 2 }), {
    request_rate: "inf",
    burstiness: 2,
  });
  assert.equal(formatSpec({ kind: "gamma", rate: 4, burstiness: 0.5 }), "gamma 4 0.5");
});
