/**
 * Every form `--request-distribution` accepts, one complete entry each.
 *
 * @module
 */

import { multiplesOf, sumOfGaps } from "./_clocks.ts";
import { randomExponential, randomGamma, randomNormal, randomUniform } from "./_d3.ts";
import { atLeastZero, finite, ordered, positive } from "./_rules.ts";
import type { ArrivalForms, FormSpecs } from "./form.ts";

/**
 * The arguments of each arrival form in command-line order, each mapped to the
 * spec field it fills. A kind added here must get its entry in
 * {@link ARRIVAL_FORMS}; the compiler says so.
 */
export const ARRIVAL_ARGS = {
  poisson: { RATE: "rate" },
  exponential: { MEAN: "mean" },
  uniform: { MIN: "min", MAX: "max" },
  normal: { MEAN: "mean", STD: "std" },
  constant: { GAP: "gap" },
  gamma: { RATE: "rate", BURSTINESS: "burstiness" },
} as const;

/**
 * How the gaps between consecutive request sends are drawn, in seconds: one
 * shape per form of {@link ARRIVAL_FORMS}.
 *
 * @example
 * ```ts
 * const tenPerSecond: ArrivalSpec = { kind: "poisson", rate: 10 };
 * const burst: ArrivalSpec = { kind: "poisson", rate: Infinity }; // every request at 0 s
 * const steady: ArrivalSpec = { kind: "constant", gap: 0.5 };
 * const bursty: ArrivalSpec = { kind: "gamma", rate: 10, burstiness: 0.5 }; // vLLM's --burstiness 0.5
 * ```
 */
export type ArrivalSpec = FormSpecs<typeof ARRIVAL_ARGS>;

// vLLM writes only a Poisson (or gamma) process as a rate; other shapes have no equivalent.
const NO_VLLM_RATE = { request_rate: null, burstiness: 1 } as const;

/**
 * The arrival forms, in the order help and errors list them. Parsing, printing,
 * checking, sampling, help text and vLLM's result fields all follow this table.
 *
 * @example
 * ```ts
 * ARRIVAL_FORMS.poisson.rule; // 'RATE > 0 requests/s or "inf"'
 * Object.keys(ARRIVAL_FORMS.uniform.args); // ["MIN", "MAX"]
 * ```
 */
export const ARRIVAL_FORMS: ArrivalForms<typeof ARRIVAL_ARGS> = {
  /** Poisson process of RATE requests/s: exponential gaps of mean 1/RATE; `inf` sends all at once. */
  poisson: {
    args: ARRIVAL_ARGS.poisson,
    rule: 'RATE > 0 requests/s or "inf"',
    // Written so NaN fails too; Infinity is the one non-finite value allowed anywhere.
    problem: ({ rate }) => rate > 0 ? undefined : "RATE must be > 0",
    clock: ({ rate }, source) =>
      sumOfGaps(rate === Infinity ? () => 0 : randomExponential.source(source)(rate)),
    gapsAllZero: ({ rate }) => rate === Infinity,
    unitGaps: (_, source) => randomExponential.source(source)(1),
    meanGap: ({ rate }) => 1 / rate,
    vllm: ({ rate }) => ({ request_rate: rate === Infinity ? "inf" : rate, burstiness: 1 }),
  },
  /** Exponential gaps of mean MEAN seconds: the same process as `poisson 1/MEAN`. */
  exponential: {
    args: ARRIVAL_ARGS.exponential,
    rule: "MEAN > 0 seconds between requests",
    problem: ({ mean }) => positive("MEAN", mean),
    clock: ({ mean }, source) => sumOfGaps(randomExponential.source(source)(1 / mean)),
    gapsAllZero: () => false,
    unitGaps: () => undefined,
    meanGap: ({ mean }) => mean,
    vllm: ({ mean }) => ({ request_rate: 1 / mean, burstiness: 1 }),
  },
  /** Gaps uniform in [MIN, MAX) seconds. */
  uniform: {
    args: ARRIVAL_ARGS.uniform,
    rule: "0 <= MIN <= MAX seconds between requests",
    problem: ({ min, max }) => atLeastZero("MIN", min) ?? finite("MAX", max) ?? ordered(min, max),
    clock: ({ min, max }, source) => sumOfGaps(randomUniform.source(source)(min, max)),
    gapsAllZero: ({ max }) => max === 0,
    unitGaps: () => undefined,
    meanGap: ({ min, max }) => (min + max) / 2,
    vllm: () => NO_VLLM_RATE,
  },
  /** Gaps normal with MEAN and STD seconds, negative draws clamped to 0. */
  normal: {
    args: ARRIVAL_ARGS.normal,
    rule: "MEAN > 0, STD >= 0 seconds between requests",
    problem: ({ mean, std }) => positive("MEAN", mean) ?? atLeastZero("STD", std),
    clock: ({ mean, std }, source) => {
      const normal = randomNormal.source(source)(mean, std);
      return sumOfGaps(() => Math.max(0, normal()));
    },
    // A mean > 0 can't give all zeros; a mostly-zero one (tiny mean, huge std) hits the request cap.
    gapsAllZero: () => false,
    unitGaps: () => undefined,
    // Negative draws become 0, which raises the mean a little when STD is large.
    meanGap: ({ mean }) => mean,
    vllm: () => NO_VLLM_RATE,
  },
  /** Every gap is GAP seconds. */
  constant: {
    args: ARRIVAL_ARGS.constant,
    rule: "GAP >= 0 seconds between requests",
    problem: ({ gap }) => atLeastZero("GAP", gap),
    clock: ({ gap }) => multiplesOf(gap),
    gapsAllZero: ({ gap }) => gap === 0,
    unitGaps: () => undefined,
    meanGap: ({ gap }) => gap,
    vllm: () => NO_VLLM_RATE,
  },
  /**
   * vLLM's `--request-rate RATE --burstiness BURSTINESS`: gamma gaps of shape
   * BURSTINESS and scale 1/(RATE·BURSTINESS), so of mean 1/RATE and coefficient
   * of variation 1/√BURSTINESS. 1 is `poisson RATE`, lower is burstier, higher
   * steadier, `inf` evenly spaced (every gap 1/RATE); RATE `inf` sends all at once.
   */
  gamma: {
    args: ARRIVAL_ARGS.gamma,
    rule: 'RATE > 0 requests/s or "inf", BURSTINESS > 0 or "inf": the gamma shape, ' +
      "1 is poisson, lower burstier, higher steadier",
    problem: ({ rate, burstiness }) =>
      rate > 0 ? (burstiness > 0 ? undefined : "BURSTINESS must be > 0") : "RATE must be > 0",
    clock: ({ rate, burstiness }, source) => {
      if (rate === Infinity) return multiplesOf(0);
      if (burstiness === Infinity) return multiplesOf(1 / rate);
      return sumOfGaps(randomGamma.source(source)(burstiness, 1 / (rate * burstiness)));
    },
    gapsAllZero: ({ rate }) => rate === Infinity,
    unitGaps: ({ burstiness }, source) =>
      burstiness === Infinity ? () => 1 : randomGamma.source(source)(burstiness, 1 / burstiness),
    meanGap: ({ rate }) => 1 / rate,
    vllm: ({ rate, burstiness }) => ({
      request_rate: rate === Infinity ? "inf" : rate,
      burstiness,
    }),
  },
};
