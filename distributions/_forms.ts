/**
 * The accepted forms of each distribution, and the wording of errors about them.
 *
 * @module
 */

import type { ArrivalSpec, LengthSpec } from "./types.ts";

/** One accepted form: the argument names after the distribution name, and their constraints. */
export interface Form {
  readonly params: readonly string[];
  readonly rule: string;
}

/** Forms accepted by `--request-distribution`, in the order they are listed in errors. */
export const ARRIVAL_FORMS: { readonly [K in ArrivalSpec["kind"]]: Form } = {
  poisson: { params: ["RATE"], rule: 'RATE > 0 requests/s or "inf"' },
  exponential: { params: ["MEAN"], rule: "MEAN > 0 seconds between requests" },
  uniform: { params: ["MIN", "MAX"], rule: "0 <= MIN <= MAX seconds between requests" },
  normal: { params: ["MEAN", "STD"], rule: "MEAN > 0, STD >= 0 seconds between requests" },
  constant: { params: ["GAP"], rule: "GAP >= 0 seconds between requests" },
};

/** Forms accepted by `--input-token-distribution` and `--output-token-distribution`. */
export const LENGTH_FORMS: { readonly [K in LengthSpec["kind"]]: Form } = {
  uniform: { params: ["MIN", "MAX"], rule: "integers, 1 <= MIN <= MAX tokens" },
  normal: { params: ["MEAN", "STD"], rule: "MEAN >= 1, STD >= 0 tokens" },
  constant: { params: ["N"], rule: "integer N >= 1 tokens" },
};

/** `"poisson RATE" (RATE > 0 requests/s or "inf")`. */
export function describeForm(kind: string, form: Form): string {
  return `"${[kind, ...form.params].join(" ")}" (${form.rule})`;
}

/** Every form of a family, for "unknown name" errors. */
export function describeForms(forms: Readonly<Record<string, Form>>): string {
  return Object.entries(forms).map(([kind, form]) => describeForm(kind, form)).join(", ");
}

/**
 * What the user gave, quoted. JSON quoting keeps the message on one line even if
 * a config value smuggled in a newline or a quote.
 */
export function quoteReceived(tokens: readonly unknown[]): string {
  return tokens.length === 0 ? "nothing" : JSON.stringify(tokens.map(String).join(" "));
}

/** `expected FORM, got RECEIVED` with an optional `(problem)` saying which constraint failed. */
export function expectedForm(kind: string, form: Form, received: string, problem?: string): string {
  const why = problem === undefined ? "" : ` (${problem})`;
  return `expected ${describeForm(kind, form)}, got ${received}${why}`;
}

/**
 * The error detail for a spec object that breaks a rule, naming every accepted
 * form when its kind is not one of them (possible for specs from untyped JSON).
 */
export function specProblem(
  forms: Readonly<Record<string, Form>>,
  kind: string,
  received: string,
  problem: string,
): string {
  return Object.hasOwn(forms, kind)
    ? expectedForm(kind, forms[kind], received, problem)
    : `expected one of ${describeForms(forms)}, got ${received} (${problem})`;
}
