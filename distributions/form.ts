/**
 * What one form of a distribution must say about itself, so that the generic
 * parsing, printing, checking, sampling and help code can be written once over
 * the tables in `arrival_forms.ts` and `length_forms.ts`.
 *
 * @module
 */

import type { Source } from "./_d3.ts";

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

/**
 * A table of forms keyed by kind, as the generic code reads `ARRIVAL_FORMS`
 * and `LENGTH_FORMS`: each entry typed for its own fields is also a form
 * over any numbers.
 */
export type FormTable<F extends Form<FormArgs> = Form<FormArgs>> = { readonly [kind: string]: F };

/** The union of the specs of every form in a table; the table's keys are the kinds. */
export type SpecOf<T extends FormTable> = {
  [K in keyof T & string]: FormSpec<K, T[K]["args"]>;
}[keyof T & string];

/**
 * What every form has: how it is written and which values it accepts.
 *
 * Members are methods (not function-valued properties) so a table of specific
 * forms can be read by the generic code as forms over any numbers.
 */
export interface Form<A extends FormArgs> {
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
export interface ArrivalForm<A extends FormArgs> extends Form<A> {
  /**
   * The planned send times of a valid `spec`: each call returns the next offset
   * in seconds, the first being 0, drawing what it needs from `source` only.
   */
  clock(spec: FormValues<A>, source: Source): () => number;
  /**
   * Whether every gap of a valid `spec` is exactly 0, which makes a run bounded
   * by `--max-time-for-reqs` endless. Specs that are only mostly zero answer
   * false; the request cap catches those.
   */
  gapsAllZero(spec: FormValues<A>): boolean;
  /** How vLLM's result file describes a valid `spec`. */
  vllm(spec: FormValues<A>): VllmArrivalFields;
}

/** A form of `--input-token-distribution` / `--output-token-distribution`: token counts. */
export interface LengthForm<A extends FormArgs> extends Form<A> {
  /** A sampler of integer lengths ≥ 1 for a valid `spec`, drawing from `source` only. */
  lengths(spec: FormValues<A>, source: Source): Source;
}

/**
 * Declares one arrival form; the identity, there to infer the spec fields from
 * `args` and check every member against them.
 *
 * @example
 * ```ts
 * const constant = arrivalForm({
 *   args: { GAP: "gap" },
 *   rule: "GAP >= 0 seconds between requests",
 *   problem: ({ gap }) => gap >= 0 && Number.isFinite(gap) ? undefined : "GAP must be >= 0",
 *   clock: ({ gap }) => {
 *     let i = 0;
 *     return () => i++ * gap;
 *   },
 *   gapsAllZero: ({ gap }) => gap === 0,
 *   vllm: () => ({ request_rate: null, burstiness: 1 }),
 * });
 * ```
 */
export function arrivalForm<const A extends FormArgs>(form: ArrivalForm<A>): ArrivalForm<A> {
  return form;
}

/**
 * Declares one length form, like {@link arrivalForm}.
 *
 * @example
 * ```ts
 * const constant = lengthForm({
 *   args: { N: "value" },
 *   rule: "integer N >= 1 tokens",
 *   problem: ({ value }) => Number.isSafeInteger(value) && value >= 1 ? undefined : "N must be an integer >= 1",
 *   lengths: ({ value }) => () => value,
 * });
 * ```
 */
export function lengthForm<const A extends FormArgs>(form: LengthForm<A>): LengthForm<A> {
  return form;
}
