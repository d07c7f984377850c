/**
 * Token lengths for prompts and completions.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { LENGTH_FORMS, specProblem } from "./_forms.ts";
import { randomInt, randomNormal, type Source } from "./_d3.ts";
import { checkCount } from "./_limits.ts";
import { lengthProblem } from "./_validate.ts";
import { formatSpec } from "./format.ts";
import { seededSource } from "./seeded_source.ts";
import type { LengthSpec } from "./types.ts";

// The caller knows whether this is the input or output flag; this module does not.
const SPEC_LABEL = "token length distribution";

/**
 * `count` integer token lengths, all ≥ 1, drawn from `seededSource(seed, stream)`.
 *
 * Uniform lengths include both MIN and MAX; normal draws are rounded to the
 * nearest integer and raised to at least 1. Draws are sequential, so asking for
 * more lengths extends the list without changing the earlier ones, and using a
 * different `stream` per purpose (e.g. `"input-tokens"`, `"output-tokens"`) keeps
 * purposes independent. Avoid `"arrivals"`, which `arrivalOffsets` uses.
 *
 * @throws {UsageError} for an out-of-range spec; on `--num-of-req` for a count
 * that is not an integer in [0, 10,000,000]; on `--seed` for a non-finite seed.
 *
 * @example
 * ```ts
 * sampleLengths({ kind: "uniform", min: 200, max: 300 }, 3, 42, "input-tokens"); // three ints in 200..300
 * sampleLengths({ kind: "constant", value: 128 }, 2, 42, "output-tokens"); // [128, 128]
 * ```
 */
export function sampleLengths(
  spec: LengthSpec,
  count: number,
  seed: number,
  stream: string,
): number[] {
  const problem = lengthProblem(spec);
  if (problem !== undefined) {
    const received = JSON.stringify(formatSpec(spec));
    throw new UsageError(SPEC_LABEL, specProblem(LENGTH_FORMS, spec.kind, received, problem));
  }
  checkCount(count);
  const draw = lengthSampler(spec, seededSource(seed, stream));
  return Array.from({ length: count }, () => draw());
}

function lengthSampler(spec: LengthSpec, source: Source): Source {
  switch (spec.kind) {
    case "uniform": {
      const { min, max } = spec;
      // d3's randomInt excludes its max, hence max + 1; the clamp guards the float
      // rounding that could land exactly on max + 1 for very wide ranges.
      const int = randomInt.source(source)(min, max + 1);
      return () => Math.min(max, int());
    }
    case "normal": {
      const normal = randomNormal.source(source)(spec.mean, spec.std);
      return () => Math.max(1, Math.round(normal()));
    }
    case "constant":
      return () => spec.value;
  }
}
