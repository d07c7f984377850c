/**
 * Every form `--input-token-distribution` and `--output-token-distribution`
 * accept, one complete entry each.
 *
 * @module
 */

import { randomInt, randomNormal } from "./_d3.ts";
import { atLeastZero, finite, integer, integerAtLeastOne, ordered } from "./_rules.ts";
import type { FormSpecs, LengthForms } from "./form.ts";

/**
 * The arguments of each length form in command-line order, each mapped to the
 * spec field it fills. A kind added here must get its entry in
 * {@link LENGTH_FORMS}; the compiler says so.
 */
export const LENGTH_ARGS = {
  uniform: { MIN: "min", MAX: "max" },
  normal: { MEAN: "mean", STD: "std" },
  constant: { N: "value" },
} as const;

/**
 * How token counts (prompt or completion lengths) are drawn, one shape per
 * form of {@link LENGTH_FORMS}; every draw is an integer ≥ 1.
 *
 * @example
 * ```ts
 * const prompts: LengthSpec = { kind: "uniform", min: 200, max: 300 }; // 200..300 inclusive
 * const outputs: LengthSpec = { kind: "normal", mean: 128, std: 16 };
 * ```
 */
export type LengthSpec = FormSpecs<typeof LENGTH_ARGS>;

/**
 * The length forms, in the order help and errors list them. Parsing, printing,
 * checking, sampling and help text all follow this table.
 *
 * @example
 * ```ts
 * LENGTH_FORMS.constant.rule; // "integer N >= 1 tokens"
 * ```
 */
export const LENGTH_FORMS: LengthForms<typeof LENGTH_ARGS> = {
  /** Integers uniform in [MIN, MAX], both ends included. */
  uniform: {
    args: LENGTH_ARGS.uniform,
    rule: "integers, 1 <= MIN <= MAX tokens",
    problem: ({ min, max }) =>
      integerAtLeastOne("MIN", min) ?? integer("MAX", max) ?? ordered(min, max),
    lengths: ({ min, max }, source) => {
      // d3's randomInt excludes its max, hence max + 1; the clamp guards the float
      // rounding that could land exactly on max + 1 for very wide ranges.
      const int = randomInt.source(source)(min, max + 1);
      return () => Math.min(max, int());
    },
    mean: ({ min, max }) => (min + max) / 2,
  },
  /** Normal draws rounded to the nearest integer, then raised to at least 1. */
  normal: {
    args: LENGTH_ARGS.normal,
    rule: "MEAN >= 1, STD >= 0 tokens",
    problem: ({ mean, std }) =>
      finite("MEAN", mean) ?? (mean >= 1 ? undefined : "MEAN must be >= 1") ??
        atLeastZero("STD", std),
    lengths: ({ mean, std }, source) => {
      const normal = randomNormal.source(source)(mean, std);
      return () => Math.max(1, Math.round(normal()));
    },
    // Draws below 1 become 1, which raises the mean a little when STD is large.
    mean: ({ mean }) => mean,
  },
  /** Always N. */
  constant: {
    args: LENGTH_ARGS.constant,
    rule: "integer N >= 1 tokens",
    problem: ({ value }) => integerAtLeastOne("N", value),
    lengths: ({ value }) => () => value,
    mean: ({ value }) => value,
  },
};
