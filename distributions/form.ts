/**
 * What one form of a distribution must say about itself, so that the generic
 * parsing, printing, checking, sampling and help code can be written once over
 * the tables in `arrival_forms.ts` and `length_forms.ts`.
 *
 * A family is two declarations side by side: an `as const` map from each kind
 * to its argument names (which the spec types are derived from, and which JSR
 * can read without inference), and the table of forms, typed by that map, so
 * the compiler asks for a complete entry for every kind and nothing else.
 *
 * @module
 */

import type { RandomSource } from "./_d3.ts";

/**
 * A form's arguments in command-line order, each naming the spec field its
 * number fills: `{ MIN: "min", MAX: "max" }` reads `uniform 1 2` as
 * `{ kind: "uniform", min: 1, max: 2 }` and prints it back the same way.
 */
export type FormArgs = { readonly [arg: string]: string };

/** The numbers of a spec, by field name, as a form's own functions read them. */
export type FormValues<A extends FormArgs> = { readonly [F in A[keyof A]]: number };

/**
 * The spec of a form: its kind and one number per argument.
 *
 * @example
 * ```ts
 * type Uniform = FormSpec<"uniform", { MIN: "min"; MAX: "max" }>;
 * // { kind: "uniform"; min: number; max: number }
 * ```
 */
export type FormSpec<K extends string, A extends FormArgs> = {
  [P in "kind" | A[keyof A]]: P extends "kind" ? K : number;
};

/** The arguments of every form of a family, keyed by kind. */
export type FormArgsTable = { readonly [kind: string]: FormArgs };

/**
 * The union of the specs of every form of a family; the table's keys are the kinds.
 *
 * @example
 * ```ts
 * type Spec = FormSpecs<{ constant: { GAP: "gap" }; uniform: { MIN: "min"; MAX: "max" } }>;
 * // { kind: "constant"; gap: number } | { kind: "uniform"; min: number; max: number }
 * ```
 */
export type FormSpecs<T extends FormArgsTable> = {
  [K in keyof T & string]: FormSpec<K, T[K]>;
}[keyof T & string];

/**
 * A table of forms keyed by kind, as the generic code reads `ARRIVAL_FORMS`
 * and `LENGTH_FORMS`: each entry typed for its own fields is also a form over
 * any numbers.
 */
export type FormTable<F extends DistributionForm<FormArgs> = DistributionForm<FormArgs>> = {
  readonly [kind: string]: F;
};

/**
 * What every form has: how it is written and which values it accepts.
 *
 * Members are methods (not function-valued properties) so a table of specific
 * forms can be read by the generic code as forms over any numbers.
 */
export interface DistributionForm<A extends FormArgs> {
  /** Argument names after the distribution name, mapped to the spec fields they fill. */
  readonly args: A;
  /**
   * The constraints on the arguments in words, shown in help and in errors,
   * e.g. `0 <= MIN <= MAX seconds between requests`.
   */
  readonly rule: string;
  /**
   * The first rule `spec` breaks, worded for the user (`"MIN must be <= MAX"`),
   * or undefined when it is valid. Also called on specs built in code, so it
   * must reject NaN and any value the sampler cannot take.
   */
  problem(spec: FormValues<A>): string | undefined;
}

/** `request_rate` and `burstiness` as `vllm bench serve` writes them in its result file. */
export interface VllmArrivalFields {
  /** Requests/s, `"inf"` for all at once, or null when the form has no vLLM equivalent. */
  readonly request_rate: number | "inf" | null;
  /** vLLM's gamma shape; 1 is a Poisson process. */
  readonly burstiness: number;
}

/** A form of `--request-distribution`: gaps between request sends, in seconds. */
export interface ArrivalForm<A extends FormArgs> extends DistributionForm<A> {
  /**
   * The planned send times of a valid `spec`: each call returns the next offset
   * in seconds, the first being 0, drawing what it needs from `source` only.
   */
  clock(spec: FormValues<A>, source: RandomSource): () => number;
  /**
   * Whether every gap of a valid `spec` is exactly 0, which makes a run bounded
   * by `--max-time-for-reqs` endless. Specs that are only mostly zero answer
   * false; the request cap catches those.
   */
  gapsAllZero(spec: FormValues<A>): boolean;
  /**
   * For a form that is a process of some rate (`poisson`, `gamma`): its gaps
   * at a rate of 1 request/s, drawn from `source` only, so that a gap at rate
   * r is one of them divided by r. A ramp (`--ramp-up`) sets r per request
   * and keeps the form's shape. Undefined for forms with no rate.
   */
  unitGaps(spec: FormValues<A>, source: RandomSource): RandomSource | undefined;
  /**
   * The mean gap of a valid `spec` in seconds (0 when every request is sent
   * at once), so 1 / it is the planned request rate; approximate where the
   * form clamps its draws (`normal`).
   */
  meanGap(spec: FormValues<A>): number;
  /** How vLLM's result file describes a valid `spec`. */
  vllm(spec: FormValues<A>): VllmArrivalFields;
}

/** A form of `--input-token-distribution` / `--output-token-distribution`: token counts. */
export interface LengthForm<A extends FormArgs> extends DistributionForm<A> {
  /** A sampler of integer lengths ≥ 1 for a valid `spec`, drawing from `source` only. */
  lengths(spec: FormValues<A>, source: RandomSource): RandomSource;
  /** The mean length of a valid `spec`; approximate where draws are rounded and clamped (`normal`). */
  mean(spec: FormValues<A>): number;
}

/** One arrival form per kind of `T`, each over the arguments `T` gives it. */
export type ArrivalForms<T extends FormArgsTable> = { readonly [K in keyof T]: ArrivalForm<T[K]> };

/** One length form per kind of `T`, each over the arguments `T` gives it. */
export type LengthForms<T extends FormArgsTable> = { readonly [K in keyof T]: LengthForm<T[K]> };
