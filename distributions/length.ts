/**
 * Token lengths for prompts and completions.
 *
 * @module
 */

import { checkCount } from "./_limits.ts";
import { checkedEntry } from "./_check.ts";
import type { FormArgs, FormTable, LengthForm } from "./form.ts";
import { LENGTH_FORMS, type LengthSpec } from "./length_forms.ts";
import { seededSource } from "./seeded_source.ts";
import { lazySequence, type Sequence } from "./sequence.ts";

// The caller knows whether this is the input or output flag; this module does not.
const SPEC_LABEL = "token length distribution";

// Each entry typed for its own fields, read here as a form over any numbers.
const FORMS: FormTable<LengthForm<FormArgs>> = LENGTH_FORMS;

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
  return Array.from(lengthSequence(spec, count, seed, stream));
}

/**
 * The lengths {@linkcode sampleLengths} gives, made as they are read: each
 * pass draws from a fresh `seededSource(seed, stream)`, so every pass yields
 * the same lengths and ten million of them cost no memory. Throws as
 * `sampleLengths` does, at once.
 *
 * @example
 * ```ts
 * const lengths = lengthSequence({ kind: "uniform", min: 1, max: 8 }, 10_000_000, 42, "output-tokens");
 * lengths.length; // 10000000
 * const [first] = lengths; // an int in 1..8, the first of sampleLengths' list
 * ```
 */
export function lengthSequence(
  spec: LengthSpec,
  count: number,
  seed: number,
  stream: string,
): Sequence<number> {
  const { form, values } = checkedEntry(FORMS, spec, SPEC_LABEL);
  checkCount(count);
  return lazySequence(count, function* () {
    const draw = form.lengths(values, seededSource(seed, stream));
    for (let i = 0; i < count; i++) yield draw();
  });
}

/**
 * The mean token length of `spec` (approximate for `normal`, whose draws are
 * rounded and raised to at least 1).
 *
 * @throws {UsageError} for an out-of-range spec.
 *
 * @example
 * ```ts
 * meanLength({ kind: "uniform", min: 100, max: 300 }); // 200
 * ```
 */
export function meanLength(spec: LengthSpec): number {
  const { form, values } = checkedEntry(FORMS, spec, SPEC_LABEL);
  return form.mean(values);
}
