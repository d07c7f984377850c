import assert from "node:assert/strict";
import { formatSpec } from "./format.ts";
import { parseArrivalSpec, parseLengthSpec } from "./parse.ts";
import { arrivalOffsets } from "./arrival.ts";
import { sampleLengths } from "./length.ts";
import type { ArrivalSpec } from "./arrival_forms.ts";
import type { LengthSpec } from "./length_forms.ts";
import { seededSource } from "./seeded_source.ts";
import { IN, REQ } from "./_test_helpers.ts";

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
