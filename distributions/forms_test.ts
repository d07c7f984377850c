import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { arrivalOffsets, meanRequestRate } from "./arrival.ts";
import { ARRIVAL_FORMS, type ArrivalSpec } from "./arrival_forms.ts";
import type { FormTable } from "./form.ts";
import { formatSpec } from "./format.ts";
import { meanLength, sampleLengths } from "./length.ts";
import { LENGTH_FORMS, type LengthSpec } from "./length_forms.ts";
import { parseArrivalSpec, parseLengthSpec } from "./parse.ts";
import { gaps, IN, mean, N, REQ } from "./_test_helpers.ts";

// True only when X and Y are the same type, not merely assignable either way.
type Same<X, Y> = (<T>() => T extends X ? 1 : 2) extends (<T>() => T extends Y ? 1 : 2) ? true
  : false;

// Compile-time: deriving the specs from the tables kept every public shape as it was written by hand.
const derivedShapes: [
  Same<Extract<ArrivalSpec, { kind: "poisson" }>, { kind: "poisson"; rate: number }>,
  Same<Extract<ArrivalSpec, { kind: "exponential" }>, { kind: "exponential"; mean: number }>,
  Same<Extract<ArrivalSpec, { kind: "uniform" }>, { kind: "uniform"; min: number; max: number }>,
  Same<Extract<ArrivalSpec, { kind: "normal" }>, { kind: "normal"; mean: number; std: number }>,
  Same<Extract<ArrivalSpec, { kind: "constant" }>, { kind: "constant"; gap: number }>,
  Same<Extract<LengthSpec, { kind: "uniform" }>, { kind: "uniform"; min: number; max: number }>,
  Same<Extract<LengthSpec, { kind: "normal" }>, { kind: "normal"; mean: number; std: number }>,
  Same<Extract<LengthSpec, { kind: "constant" }>, { kind: "constant"; value: number }>,
] = [true, true, true, true, true, true, true, true];

/** A spec of `kind` whose fields, in argument order, hold `value(i)`. */
function specWith(forms: FormTable, kind: string, value: (i: number) => number) {
  const fields = Object.values(forms[kind].args);
  return { kind, ...Object.fromEntries(fields.map((field, i) => [field, value(i)])) };
}

function caught(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error("expected a UsageError");
}

interface Family {
  forms: FormTable;
  parse(words: string[]): object;
  sample(spec: object): number[];
}

const families: Family[] = [
  {
    forms: ARRIVAL_FORMS,
    parse: (words: string[]) => parseArrivalSpec(words, REQ),
    sample: (spec: object) => arrivalOffsets(spec as ArrivalSpec, { seed: 1, count: 3 }),
  },
  {
    forms: LENGTH_FORMS,
    parse: (words: string[]) => parseLengthSpec(words, IN),
    sample: (spec: object) => sampleLengths(spec as LengthSpec, 3, 1, "s"),
  },
];

Deno.test("forms: the derived spec types are the hand-written ones", () => {
  assert.ok(derivedShapes.every(Boolean));
});

Deno.test("forms: every entry names distinct fields, none of them kind, in lowercase", () => {
  for (const { forms } of families) {
    for (const [kind, form] of Object.entries(forms)) {
      const args = Object.keys(form.args);
      const fields = Object.values(form.args);
      assert.ok(args.length > 0, kind);
      assert.equal(new Set(fields).size, fields.length, kind);
      assert.ok(!fields.includes("kind"), kind);
      assert.ok(args.every((arg) => /^[A-Z]+$/.test(arg)), kind);
      assert.ok(fields.every((field) => /^[a-z]+$/.test(field)), kind);
      assert.equal(kind, kind.toLowerCase(), "the parser lowercases names");
    }
  }
});

Deno.test("forms: every entry round-trips formatSpec -> parse to an equal spec, and samples", () => {
  for (const { forms, parse, sample } of families) {
    for (const kind of Object.keys(forms)) {
      // Ascending positive integers satisfy every rule written so far (MIN <= MAX, integers >= 1).
      for (const scale of [1, 7, 1000]) {
        const spec = specWith(forms, kind, (i) => (i + 1) * scale);
        assert.deepEqual(parse([formatSpec(spec as ArrivalSpec)]), spec, `${kind} x${scale}`);
        assert.equal(sample(spec).length, 3, kind);
      }
    }
  }
});

Deno.test("forms: a spec built in code out of range is rejected as the same words typed", () => {
  for (const { forms, parse, sample } of families) {
    for (const kind of Object.keys(forms)) {
      // -1 is below the lower bound of every argument of every form.
      const spec = specWith(forms, kind, () => -1);
      const words = formatSpec(spec as ArrivalSpec);
      const typed = caught(() => parse([words]));
      const built = caught(() => sample(spec));
      assert.equal(built.detail, typed.detail, words);
      assert.ok(typed.detail.includes(forms[kind].rule), typed.detail);
    }
  }
  // Arrivals are blamed on the same flag either way.
  const spec: ArrivalSpec = { kind: "uniform", min: 3, max: 1 };
  assert.equal(
    caught(() => arrivalOffsets(spec, { seed: 1, count: 1 })).message,
    caught(() => parseArrivalSpec(["uniform 3 1"], REQ)).message,
  );
});

Deno.test("forms: every entry's mean is the mean of its draws", () => {
  // Each spec keeps its draws away from the clamps (normal's 0 and 1), where the mean is exact.
  const arrivals: ArrivalSpec[] = [
    { kind: "poisson", rate: 50 },
    { kind: "exponential", mean: 0.2 },
    { kind: "uniform", min: 0.1, max: 0.5 },
    { kind: "normal", mean: 1, std: 0.1 },
    { kind: "constant", gap: 0.25 },
    { kind: "gamma", rate: 8, burstiness: 0.5 },
  ];
  assert.deepEqual(
    new Set(arrivals.map((s) => s.kind)),
    new Set(Object.keys(ARRIVAL_FORMS)),
    "one spec per arrival form",
  );
  for (const spec of arrivals) {
    const drawn = mean(gaps(arrivalOffsets(spec, { seed: 3, count: N })));
    const rate = meanRequestRate(spec);
    assert.ok(Math.abs(drawn * rate - 1) < 0.03, `${spec.kind}: 1/${rate} vs ${drawn}`);
  }
  assert.equal(meanRequestRate({ kind: "poisson", rate: Infinity }), Infinity);
  assert.equal(meanRequestRate({ kind: "constant", gap: 0 }), Infinity);
  const lengths: LengthSpec[] = [
    { kind: "uniform", min: 100, max: 301 },
    { kind: "normal", mean: 128, std: 16 },
    { kind: "constant", value: 64 },
  ];
  assert.equal(lengths.length, Object.keys(LENGTH_FORMS).length, "one spec per length form");
  for (const spec of lengths) {
    const drawn = mean(sampleLengths(spec, N, 3, "s"));
    assert.ok(Math.abs(drawn / meanLength(spec) - 1) < 0.01, `${spec.kind}: ${drawn}`);
  }
});
