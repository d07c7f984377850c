import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  ARRIVAL_STREAM,
  arrivalOffsets,
  type ArrivalSpec,
  formatSpec,
  type LengthSpec,
  MAX_PLANNED_REQUESTS,
  parseArrivalSpec,
  parseLengthSpec,
  sampleLengths,
  seededSource,
} from "../distributions/mod.ts";

const REQ = "--request-distribution";
const IN = "--input-token-distribution";
const N = 20_000;

function mean(xs: readonly number[]): number {
  return xs.reduce((sum, x) => sum + x, 0) / xs.length;
}

function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1));
}

function gaps(offsets: readonly number[]): number[] {
  return offsets.slice(1).map((t, i) => t - offsets[i]);
}

function assertNear(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: expected ${expected} ± ${tolerance}, got ${actual}`,
  );
}

/** Asserts `fn` throws a one-line UsageError on `flag` whose message holds every fragment. */
function assertUsage(fn: () => unknown, flag: string, ...fragments: string[]): UsageError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  assert.equal(caught.flag, flag);
  assert.ok(caught.message.startsWith(`${flag}: `), caught.message);
  assert.ok(!caught.message.includes("\n"), `message spans lines: ${caught.message}`);
  for (const fragment of fragments) {
    assert.ok(caught.message.includes(fragment), `"${fragment}" missing from: ${caught.message}`);
  }
  return caught;
}

// ---------------------------------------------------------------- seededSource

Deno.test("seededSource: same seed and stream repeat exactly", () => {
  const draw = (seed: number, stream: string) => {
    const source = seededSource(seed, stream);
    return Array.from({ length: 1000 }, () => source());
  };
  assert.deepEqual(draw(42, "input-tokens"), draw(42, "input-tokens"));
  assert.deepEqual(draw(0, "x"), draw(-0, "x"));
  assert.notDeepEqual(draw(42, "input-tokens"), draw(43, "input-tokens"));
  assert.notDeepEqual(draw(42, "input-tokens"), draw(42, "output-tokens"));
  assert.notDeepEqual(draw(42, ""), draw(42, "a"));
});

Deno.test("seededSource: pinned values, so a seed means the same run across versions", () => {
  const source = seededSource(42, "input-tokens");
  const first = [source(), source(), source()];
  const again = seededSource(42, "input-tokens");
  assert.deepEqual([again(), again(), again()], first);
  // Poisson gaps are -log1p(-u) / rate, so these pin the hash, the LCG and d3's sampler together.
  assert.deepEqual(arrivalOffsets({ kind: "poisson", rate: 2 }, { seed: 1, count: 5 }), [
    0,
    0.17324895791739509,
    0.3165267922280801,
    0.6613999455618756,
    1.0058271511902324,
  ]);
});

Deno.test("seededSource: floats in [0, 1) with uniform mean and variance", () => {
  const source = seededSource(7, "check");
  const xs = Array.from({ length: N }, () => source());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  assertNear(mean(xs), 0.5, 0.01, "mean");
  assertNear(std(xs) ** 2, 1 / 12, 0.003, "variance");
});

Deno.test("seededSource: neighbouring seeds start far apart", () => {
  // A raw LCG would give seeds 0..999 first draws within 0.4 of each other in a straight line.
  const firsts = Array.from({ length: 1000 }, (_, seed) => seededSource(seed, "s")());
  assertNear(mean(firsts), 0.5, 0.05, "mean of first draws");
  const deciles = new Set(firsts.map((x) => Math.floor(x * 10)));
  assert.equal(deciles.size, 10);
});

Deno.test("seededSource: rejects a non-finite seed on --seed", () => {
  assertUsage(() => seededSource(NaN, "s"), "--seed", "finite", "NaN");
  assertUsage(() => seededSource(Infinity, "s"), "--seed", "Infinity");
});

// ---------------------------------------------------------------- arrivalOffsets

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
  const unknown = { kind: "gamma", shape: 2 } as unknown as ArrivalSpec;
  assertUsage(
    () => arrivalOffsets(unknown, { seed: 1, count: 1 }),
    REQ,
    'unknown distribution "gamma"',
    "poisson",
    "constant",
  );
});

// ---------------------------------------------------------------- sampleLengths

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

// ---------------------------------------------------------------- parsing

Deno.test("parseArrivalSpec: every form, from strings or numbers", () => {
  const cases: [(string | number)[], ArrivalSpec][] = [
    [["poisson", "5"], { kind: "poisson", rate: 5 }],
    [["poisson", 0.5], { kind: "poisson", rate: 0.5 }],
    [["poisson", "inf"], { kind: "poisson", rate: Infinity }],
    [["poisson", "Infinity"], { kind: "poisson", rate: Infinity }],
    [["poisson", Infinity], { kind: "poisson", rate: Infinity }],
    [["Poisson", "INF"], { kind: "poisson", rate: Infinity }],
    [["exponential", "5"], { kind: "exponential", mean: 5 }],
    [["uniform", "0.1", "0.3"], { kind: "uniform", min: 0.1, max: 0.3 }],
    [["uniform", 0, 0], { kind: "uniform", min: 0, max: 0 }],
    [["normal", 2, "0.5"], { kind: "normal", mean: 2, std: 0.5 }],
    [["normal", "1e-3", "0"], { kind: "normal", mean: 0.001, std: 0 }],
    [["constant", ".25"], { kind: "constant", gap: 0.25 }],
    [["constant", "0"], { kind: "constant", gap: 0 }],
    [["poisson 5"], { kind: "poisson", rate: 5 }],
    [[" uniform  1 ", "2"], { kind: "uniform", min: 1, max: 2 }],
  ];
  for (const [args, spec] of cases) {
    assert.deepEqual(parseArrivalSpec(args, REQ), spec, JSON.stringify(args));
  }
});

Deno.test("parseLengthSpec: every form, from strings or numbers", () => {
  const cases: [(string | number)[], LengthSpec][] = [
    [["uniform", "200", "300"], { kind: "uniform", min: 200, max: 300 }],
    [["uniform", 1, 1], { kind: "uniform", min: 1, max: 1 }],
    [["normal", 200, 10], { kind: "normal", mean: 200, std: 10 }],
    [["normal", "1", "0"], { kind: "normal", mean: 1, std: 0 }],
    [["constant", "128"], { kind: "constant", value: 128 }],
    [["CONSTANT", 1], { kind: "constant", value: 1 }],
    [["uniform 10 20"], { kind: "uniform", min: 10, max: 20 }],
  ];
  for (const [args, spec] of cases) {
    assert.deepEqual(parseLengthSpec(args, IN), spec, JSON.stringify(args));
  }
});

Deno.test("parseArrivalSpec: the documented error wording", () => {
  const error = assertUsage(() => parseArrivalSpec(["poisson"], REQ), REQ);
  assert.equal(
    error.message,
    '--request-distribution: expected "poisson RATE" (RATE > 0 requests/s or "inf"), got "poisson"',
  );
});

Deno.test("parseArrivalSpec: rejects every kind of mistake on the given flag", () => {
  const names = ["poisson", "exponential", "uniform", "normal", "constant"];
  const cases: [(string | number)[], string[]][] = [
    // missing or unknown name: every accepted name is listed
    [[], ["got nothing", ...names]],
    [["5"], ['got "5"', "name comes first", ...names]],
    [[5, 3], ['got "5 3"', "name comes first"]],
    [["gamma", 3], ['unknown distribution "gamma"', ...names]],
    [[""], ["got nothing"]],
    // wrong number of arguments
    [["poisson"], ['"poisson RATE"', 'got "poisson"']],
    [["poisson", 5, 6], ['got "poisson 5 6"']],
    [["uniform", 5], ['"uniform MIN MAX"', 'got "uniform 5"']],
    [["constant"], ['"constant GAP"']],
    // not numbers
    [["normal", "a", "b"], ['got "normal a b"', 'MEAN "a" is not a number']],
    [["normal", 1, "b"], ['STD "b" is not a number']],
    [["poisson", "0x10"], ["is not a number"]],
    [["poisson", "5rps"], ["is not a number"]],
    [["poisson", "1,000"], ["is not a number"]],
    [["poisson", NaN], ["is not a number"]],
    // out of range
    [["poisson", 0], ['got "poisson 0"', "RATE must be > 0"]],
    [["poisson", "-2"], ["RATE must be > 0"]],
    [["poisson", "-inf"], ["RATE must be > 0"]],
    [["exponential", 0], ["MEAN must be > 0"]],
    [["exponential", "-5"], ["MEAN must be > 0"]],
    [["exponential", "inf"], ["MEAN must be a finite number"]],
    [["uniform", -1, 2], ["MIN must be >= 0"]],
    [["uniform", 3, 1], ["MIN must be <= MAX"]],
    [["uniform", 0, "inf"], ["MAX must be a finite number"]],
    [["normal", 0, 1], ["MEAN must be > 0"]],
    [["normal", 1, -1], ["STD must be >= 0"]],
    [["constant", -1], ["GAP must be >= 0"]],
    [["constant", "inf"], ["GAP must be a finite number"]],
  ];
  for (const [args, fragments] of cases) {
    assertUsage(() => parseArrivalSpec(args, REQ), REQ, ...fragments);
  }
  // The flag is whatever the caller says, e.g. a config key.
  assertUsage(
    () => parseArrivalSpec(["poisson"], 'config key "request_distribution"'),
    'config key "request_distribution"',
  );
});

Deno.test("parseLengthSpec: rejects every kind of mistake on the given flag", () => {
  const cases: [(string | number)[], string[]][] = [
    [[], ["got nothing", "uniform", "normal", "constant"]],
    [["poisson", 5], ['unknown distribution "poisson"', "uniform", "normal", "constant"]],
    [["exponential", 5], ['unknown distribution "exponential"']],
    [["uniform", 5], ['"uniform MIN MAX"', 'got "uniform 5"']],
    [["constant"], ['"constant N"']],
    [["normal", "a", "b"], ['MEAN "a" is not a number']],
    [["uniform", 0, 5], ["MIN must be an integer >= 1"]],
    [["uniform", 1.5, 5], ["MIN must be an integer >= 1"]],
    [["uniform", 1, 5.5], ["MAX must be an integer"]],
    [["uniform", 10, 5], ["MIN must be <= MAX"]],
    [["normal", 0.5, 1], ["MEAN must be >= 1"]],
    [["normal", "inf", 1], ["MEAN must be a finite number"]],
    [["normal", 100, -1], ["STD must be >= 0"]],
    [["constant", 0], ["N must be an integer >= 1"]],
    [["constant", 2.5], ["N must be an integer >= 1"]],
    [["constant", "inf"], ["N must be an integer >= 1"]],
  ];
  for (const [args, fragments] of cases) {
    assertUsage(() => parseLengthSpec(args, IN), IN, ...fragments);
  }
  assertUsage(
    () => parseLengthSpec(["constant", 0], "--output-token-distribution"),
    "--output-token-distribution",
  );
});

Deno.test("parse: odd config values still give one-line messages", () => {
  // Whitespace, newlines included, separates words, so this is "poisson a b": too many arguments.
  assertUsage(() => parseArrivalSpec(["poisson", "a\nb"], REQ), REQ, 'got "poisson a b"');
  assertUsage(() => parseArrivalSpec(["poisson", '5"'], REQ), REQ, 'RATE "5\\"" is not a number');
  const junk = ["normal", true, null] as unknown as (string | number)[];
  assertUsage(() => parseArrivalSpec(junk, REQ), REQ, '"true" is not a number');
});

Deno.test("formatSpec: the words a user would type", () => {
  assert.equal(formatSpec({ kind: "poisson", rate: 5 }), "poisson 5");
  assert.equal(formatSpec({ kind: "poisson", rate: Infinity }), "poisson inf");
  assert.equal(formatSpec({ kind: "exponential", mean: 0.25 }), "exponential 0.25");
  assert.equal(formatSpec({ kind: "uniform", min: 200, max: 300 }), "uniform 200 300");
  assert.equal(formatSpec({ kind: "normal", mean: 1, std: 0.5 }), "normal 1 0.5");
  assert.equal(formatSpec({ kind: "constant", gap: 2 }), "constant 2");
  assert.equal(formatSpec({ kind: "constant", value: 128 }), "constant 128");
});

// ---------------------------------------------------------------- properties
// Seeded case generation rather than fast-check, to keep the project's dependencies unchanged.

Deno.test("property: formatSpec output parses back to an equal spec", () => {
  const source = seededSource(2024, "property-cases");
  const positive = () => Number((source() * 100).toPrecision(1 + Math.floor(source() * 17))) || 1;
  const int = () => 1 + Math.floor(source() * 10_000);
  for (let i = 0; i < 300; i++) {
    const a = positive();
    const b = a + positive();
    const arrivals: ArrivalSpec[] = [
      { kind: "poisson", rate: i % 7 === 0 ? Infinity : a },
      { kind: "exponential", mean: a },
      { kind: "uniform", min: a, max: b },
      { kind: "normal", mean: a, std: b },
      { kind: "constant", gap: a },
    ];
    for (const spec of arrivals) {
      assert.deepEqual(parseArrivalSpec([formatSpec(spec)], REQ), spec);
      assert.deepEqual(parseArrivalSpec(formatSpec(spec).split(" "), REQ), spec);
    }
    const lo = int();
    const lengths: LengthSpec[] = [
      { kind: "uniform", min: lo, max: lo + int() },
      { kind: "normal", mean: a + 1, std: b },
      { kind: "constant", value: lo },
    ];
    for (const spec of lengths) {
      assert.deepEqual(parseLengthSpec([formatSpec(spec)], IN), spec);
    }
  }
});

Deno.test("property: samples respect their spec for any seed", () => {
  const source = seededSource(99, "property-cases");
  for (let i = 0; i < 200; i++) {
    const seed = Math.floor(source() * 2 ** 40) - 2 ** 39;
    const min = 1 + Math.floor(source() * 50);
    const max = min + Math.floor(source() * 50);
    const uniform = sampleLengths({ kind: "uniform", min, max }, 200, seed, "input-tokens");
    assert.ok(uniform.every((x) => Number.isInteger(x) && x >= min && x <= max));
    const normal = sampleLengths({ kind: "normal", mean: min, std: max }, 200, seed, "out");
    assert.ok(normal.every((x) => Number.isInteger(x) && x >= 1));
    const spec: ArrivalSpec = { kind: "normal", mean: source() + 0.01, std: source() * 3 };
    const offsets = arrivalOffsets(spec, { seed, maxTime: 20 });
    assert.equal(offsets[0], 0);
    assert.ok(offsets.every((t, j) => t < 20 && (j === 0 || t >= offsets[j - 1])));
  }
});
