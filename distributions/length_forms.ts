/**
 * Every form `--input-token-distribution` and `--output-token-distribution`
 * accept, one complete entry each.
 *
 * @module
 */

import { randomInt, randomNormal } from "./_d3.ts";
import { atLeastZero, finite, integer, integerAtLeastOne, ordered } from "./_rules.ts";
import { lengthForm, type SpecOf } from "./form.ts";

/**
 * The length forms, in the order help and errors list them. Adding a form is
 * adding an entry here: parsing, printing, checking, sampling and help text
 * all follow.
 *
 * @example
 * ```ts
 * LENGTH_FORMS.constant.rule; // "integer N >= 1 tokens"
 * ```
 */
export const LENGTH_FORMS = {
  /** Integers uniform in [MIN, MAX], both ends included. */
  uniform: lengthForm({
    args: { MIN: "min", MAX: "max" },
    rule: "integers, 1 <= MIN <= MAX tokens",
    problem: ({ min, max }) =>
      integerAtLeastOne("MIN", min) ?? integer("MAX", max) ?? ordered(min, max),
    lengths: ({ min, max }, source) => {
      // d3's randomInt excludes its max, hence max + 1; the clamp guards the float
      // rounding that could land exactly on max + 1 for very wide ranges.
      const int = randomInt.source(source)(min, max + 1);
      return () => Math.min(max, int());
    },
  }),
  /** Normal draws rounded to the nearest integer, then raised to at least 1. */
  normal: lengthForm({
    args: { MEAN: "mean", STD: "std" },
    rule: "MEAN >= 1, STD >= 0 tokens",
    problem: ({ mean, std }) =>
      finite("MEAN", mean) ?? (mean >= 1 ? undefined : "MEAN must be >= 1") ??
        atLeastZero("STD", std),
    lengths: ({ mean, std }, source) => {
      const normal = randomNormal.source(source)(mean, std);
      return () => Math.max(1, Math.round(normal()));
    },
  }),
  /** Always N. */
  constant: lengthForm({
    args: { N: "value" },
    rule: "integer N >= 1 tokens",
    problem: ({ value }) => integerAtLeastOne("N", value),
    lengths: ({ value }) => () => value,
  }),
} as const;

/**
 * How token counts (prompt or completion lengths) are drawn, one shape per
 * entry of {@link LENGTH_FORMS}; every draw is an integer ≥ 1.
 *
 * @example
 * ```ts
 * const prompts: LengthSpec = { kind: "uniform", min: 200, max: 300 }; // 200..300 inclusive
 * const outputs: LengthSpec = { kind: "normal", mean: 128, std: 16 };
 * ```
 */
export type LengthSpec = SpecOf<typeof LENGTH_FORMS>;
