import assert from "node:assert/strict";
import { arrivalOffsets } from "./arrival.ts";
import type { ArrivalSpec } from "./arrival_forms.ts";
import { rampChanges, rampRate, type RampSpec } from "./ramp.ts";
import { assertUsage, REQ } from "./_test_helpers.ts";

const LINEAR: RampSpec = { strategy: "linear", startRps: 20, endRps: 200 };
const EXPONENTIAL: RampSpec = { strategy: "exponential", startRps: 5, endRps: 320 };

Deno.test("rampRate: vLLM's definition, start at the first request and end at the last", () => {
  assert.equal(rampRate(LINEAR, 0, 11), 20);
  assert.equal(rampRate(LINEAR, 5, 11), 110);
  assert.equal(rampRate(LINEAR, 10, 11), 200);
  assert.equal(rampRate(EXPONENTIAL, 0, 7), 5);
  assert.ok(Math.abs(rampRate(EXPONENTIAL, 3, 7) - 40) < 1e-9); // 5 · 64^(1/2)
  assert.ok(Math.abs(rampRate(EXPONENTIAL, 6, 7) - 320) < 1e-9);
  assert.equal(rampRate(LINEAR, 0, 1), 20, "one request: progress 0 / max(0, 1)");
});

Deno.test("rampChanges: the start rate, then each whole rate at the first request reaching it", () => {
  assert.deepEqual(rampChanges({ strategy: "linear", startRps: 1, endRps: 3 }, 5), [
    { rps: 1, index: 0 },
    { rps: 2, index: 2 },
    { rps: 3, index: 4 },
  ]);
  // A jump of more than 1 between requests gives every whole number in between at once.
  assert.deepEqual(rampChanges({ strategy: "linear", startRps: 1, endRps: 4 }, 2), [
    { rps: 1, index: 0 },
    { rps: 2, index: 1 },
    { rps: 3, index: 1 },
    { rps: 4, index: 1 },
  ]);
  // A flat ramp changes nothing after the start.
  assert.deepEqual(rampChanges({ strategy: "exponential", startRps: 2, endRps: 2 }, 9), [
    { rps: 2, index: 0 },
  ]);
});

/**
 * Requests per time window against the ramp. The window [a, a + w) is
 * anchored at its first request i0 (so the drift of the offsets' running sum
 * before it does not count): the expected count is 1 + the requests after i0
 * whose mean offset from i0, Σ 1/rate(j), is still in the window. The count of
 * a renewal process over a window has variance ≈ mean · CV² of the gaps (CV 1
 * for poisson, 1/√k for gamma k), so the tolerance is 5 standard errors, plus
 * 1 for the window's ends cutting a gap.
 */
function assertFollowsRamp(spec: ArrivalSpec, ramp: RampSpec, cv: number, seed: number) {
  const count = 20_000;
  const offsets = arrivalOffsets(spec, { seed, count, ramp });
  assert.equal(offsets.length, count);
  assert.equal(offsets[0], 0);
  const end = offsets[count - 1];
  const width = end / 20;
  const counts: number[] = [];
  for (let a = 0, i0 = 0; a + width <= end; a += width) {
    while (offsets[i0] < a) i0++;
    let observed = 0;
    for (let i = i0; i < count && offsets[i] < a + width; i++) observed++;
    let expected = 1;
    for (let j = i0 + 1, t = offsets[i0]; j < count; j++) {
      t += 1 / rampRate(ramp, j, count);
      if (t >= a + width) break;
      expected++;
    }
    const tolerance = 5 * cv * Math.sqrt(expected) + 1;
    assert.ok(
      Math.abs(observed - expected) <= tolerance,
      `window at ${a.toFixed(2)} s: ${observed} requests, expected ${expected} ± ${tolerance}`,
    );
    counts.push(observed);
  }
  // And the rate does ramp: the last window holds several times the first's requests.
  assert.ok(counts.at(-1)! > 3 * counts[0], `first ${counts[0]}, last ${counts.at(-1)}`);
}

Deno.test("ramp: requests per window follow a linear ramp (poisson shape)", () => {
  assertFollowsRamp({ kind: "poisson", rate: Infinity }, LINEAR, 1, 1);
});

Deno.test("ramp: requests per window follow an exponential ramp (poisson shape)", () => {
  assertFollowsRamp({ kind: "poisson", rate: Infinity }, EXPONENTIAL, 1, 2);
});

Deno.test("ramp: requests per window follow the ramp in a gamma shape (burstiness 0.5 and 4)", () => {
  assertFollowsRamp({ kind: "gamma", rate: Infinity, burstiness: 0.5 }, LINEAR, Math.SQRT2, 3);
  assertFollowsRamp({ kind: "gamma", rate: Infinity, burstiness: 4 }, EXPONENTIAL, 0.5, 4);
});

Deno.test("ramp: gamma inf inf gives gaps of exactly 1/rate(i)", () => {
  const ramp: RampSpec = { strategy: "linear", startRps: 1, endRps: 3 };
  const offsets = arrivalOffsets({ kind: "gamma", rate: Infinity, burstiness: Infinity }, {
    seed: 0,
    count: 3,
    ramp,
  });
  assert.deepEqual(offsets, [0, 0.5, 0.5 + 1 / 3]);
});

Deno.test("ramp: the same seed repeats the plan; the shape's rate must be inf; a count is needed", () => {
  const spec: ArrivalSpec = { kind: "poisson", rate: Infinity };
  assert.deepEqual(
    arrivalOffsets(spec, { seed: 9, count: 100, ramp: LINEAR }),
    arrivalOffsets(spec, { seed: 9, count: 100, ramp: LINEAR }),
  );
  assertUsage(
    () => arrivalOffsets({ kind: "poisson", rate: 5 }, { seed: 0, count: 10, ramp: LINEAR }),
    REQ,
    '"poisson inf" or "gamma inf BURSTINESS"',
    '"poisson 5"',
  );
  assertUsage(
    () => arrivalOffsets({ kind: "constant", gap: 1 }, { seed: 0, count: 10, ramp: LINEAR }),
    REQ,
    "the ramp sets the rate",
  );
  assertUsage(
    () => arrivalOffsets(spec, { seed: 0, maxTime: 10, ramp: LINEAR }),
    "--ramp-up",
    "--num-of-req",
  );
  assertUsage(
    () => arrivalOffsets(spec, { seed: 0, count: 10, ramp: { ...LINEAR, startRps: 0 } }),
    "--ramp-up-start-rps",
    "> 0",
  );
  assertUsage(
    () => arrivalOffsets(spec, { seed: 0, count: 10, ramp: { ...LINEAR, endRps: 10 } }),
    "--ramp-up-end-rps",
    ">= --ramp-up-start-rps (20)",
  );
});
