import assert from "node:assert/strict";
import { sampleLengths } from "./length.ts";
import type { LengthSpec } from "./length_forms.ts";
import { formatSpec } from "./format.ts";
import { MAX_PLANNED_REQUESTS } from "./_limits.ts";
import { assertNear, assertUsage, mean, N, std } from "./_test_helpers.ts";

Deno.test("sampleLengths: same seed and stream repeat; other seeds and streams differ", () => {
  const spec: LengthSpec = { kind: "uniform", min: 1, max: 1000 };
  const a = sampleLengths(spec, 500, 42, "input-tokens");
  assert.deepEqual(sampleLengths(spec, 500, 42, "input-tokens"), a);
  assert.notDeepEqual(sampleLengths(spec, 500, 43, "input-tokens"), a);
  assert.notDeepEqual(sampleLengths(spec, 500, 42, "output-tokens"), a);
});

Deno.test("sampleLengths: asking for more extends the list without changing it", () => {
  for (
    const spec of [
      { kind: "uniform", min: 10, max: 20 },
      { kind: "normal", mean: 100, std: 30 },
    ] satisfies LengthSpec[]
  ) {
    const short = sampleLengths(spec, 101, 3, "input-tokens");
    assert.deepEqual(sampleLengths(spec, 500, 3, "input-tokens").slice(0, 101), short);
  }
});

Deno.test("sampleLengths: uniform includes both ends with even frequencies", () => {
  const xs = sampleLengths({ kind: "uniform", min: 1, max: 6 }, N, 1, "input-tokens");
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1 && x <= 6));
  for (let face = 1; face <= 6; face++) {
    const share = xs.filter((x) => x === face).length / xs.length;
    assertNear(share, 1 / 6, 0.015, `share of ${face}`);
  }
  assertNear(mean(xs), 3.5, 0.05, "mean");
  assert.deepEqual(
    sampleLengths({ kind: "uniform", min: 5, max: 5 }, 10, 1, "s"),
    Array(10).fill(5),
  );
  const wide = sampleLengths({ kind: "uniform", min: 200, max: 300 }, N, 2, "input-tokens");
  assert.equal(Math.min(...wide), 200);
  assert.equal(Math.max(...wide), 300);
  assertNear(mean(wide), 250, 1, "mean of 200..300");
});

Deno.test("sampleLengths: normal is rounded with the asked mean and spread", () => {
  const xs = sampleLengths({ kind: "normal", mean: 200, std: 10 }, N, 1, "output-tokens");
  assert.ok(xs.every(Number.isInteger));
  assertNear(mean(xs), 200, 0.3, "mean");
  // Rounding adds variance 1/12, which is negligible next to 100.
  assertNear(std(xs), 10, 0.3, "std");
});

Deno.test("sampleLengths: normal never goes below 1", () => {
  const xs = sampleLengths({ kind: "normal", mean: 2, std: 5 }, N, 1, "output-tokens");
  assert.ok(xs.every((x) => Number.isInteger(x) && x >= 1));
  // About Φ((1.5 - 2) / 5) ≈ 46% of draws round to 1 or below.
  assertNear(xs.filter((x) => x === 1).length / xs.length, 0.46, 0.03, "share clamped to 1");
  assert.deepEqual(sampleLengths({ kind: "normal", mean: 7, std: 0 }, 3, 1, "s"), [7, 7, 7]);
});

Deno.test("sampleLengths: constant is exact", () => {
  assert.deepEqual(sampleLengths({ kind: "constant", value: 128 }, 4, 1, "s"), [
    128,
    128,
    128,
    128,
  ]);
  assert.deepEqual(sampleLengths({ kind: "constant", value: 1 }, 0, 1, "s"), []);
});

Deno.test("sampleLengths: rejects bad specs, counts and seeds", () => {
  const bad = [
    { kind: "uniform", min: 0, max: 5 },
    { kind: "uniform", min: 5, max: 3 },
    { kind: "normal", mean: 0.5, std: 1 },
    { kind: "constant", value: 2.5 },
  ] satisfies LengthSpec[];
  for (const spec of bad) {
    assertUsage(
      () => sampleLengths(spec, 1, 1, "s"),
      "token length distribution",
      formatSpec(spec),
    );
  }
  const spec: LengthSpec = { kind: "constant", value: 1 };
  assertUsage(() => sampleLengths(spec, -1, 1, "s"), "--num-of-req");
  assertUsage(() => sampleLengths(spec, MAX_PLANNED_REQUESTS + 1, 1, "s"), "--num-of-req");
  assertUsage(() => sampleLengths(spec, 1, Infinity, "s"), "--seed");
});
