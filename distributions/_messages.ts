/**
 * The wording of errors and help about the forms of a table.
 *
 * @module
 */

import type { DistributionForm, FormArgs, FormTable } from "./form.ts";

/** `poisson RATE`: how the form is typed. */
export function usage(kind: string, form: DistributionForm<FormArgs>): string {
  return [kind, ...Object.keys(form.args)].join(" ");
}

/** `"poisson RATE" (RATE > 0 requests/s or "inf")`. */
export function describeForm(kind: string, form: DistributionForm<FormArgs>): string {
  return `"${usage(kind, form)}" (${form.rule})`;
}

/** Every form of a family as help lists them: `poisson RATE (RATE > 0 ...), exponential MEAN (...)`. */
export function helpForms(forms: FormTable): string {
  return listForms(forms, (kind, form) => `${usage(kind, form)} (${form.rule})`);
}

/** Every form of a family, for "unknown name" errors. */
export function describeForms(forms: FormTable): string {
  return listForms(forms, describeForm);
}

function listForms(
  forms: FormTable,
  describe: (kind: string, form: DistributionForm<FormArgs>) => string,
): string {
  return Object.entries(forms).map(([kind, form]) => describe(kind, form)).join(", ");
}

/**
 * What the user gave, quoted. JSON quoting keeps the message on one line even if
 * a config value smuggled in a newline or a quote.
 */
export function quoteReceived(tokens: readonly unknown[]): string {
  return tokens.length === 0 ? "nothing" : JSON.stringify(tokens.map(String).join(" "));
}

/** `expected FORM, got RECEIVED` with an optional `(problem)` saying which constraint failed. */
export function expectedForm(
  kind: string,
  form: DistributionForm<FormArgs>,
  received: string,
  problem?: string,
): string {
  const why = problem === undefined ? "" : ` (${problem})`;
  return `expected ${describeForm(kind, form)}, got ${received}${why}`;
}

/** `expected one of FORMS, got RECEIVED (problem)`, for a missing or unknown name. */
export function expectedOneOf(forms: FormTable, received: string, problem?: string): string {
  const why = problem === undefined ? "" : ` (${problem})`;
  return `expected one of ${describeForms(forms)}, got ${received}${why}`;
}

/** The problem of a kind no form has. */
export function unknownKind(kind: unknown): string {
  return `unknown distribution ${JSON.stringify(kind)}`;
}
