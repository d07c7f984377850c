/**
 * Help text for the distribution flags, from the form tables.
 *
 * @module
 */

import { helpForms } from "./_messages.ts";
import { ARRIVAL_FORMS } from "./arrival_forms.ts";
import { LENGTH_FORMS } from "./length_forms.ts";
import { TRACE_FORM } from "./trace_form.ts";

/**
 * Every form of `--request-distribution` with its rule, for help: the
 * arrival forms, then `trace FILE`.
 *
 * @example
 * ```ts
 * `gaps between requests: ${describeArrivalForms()} (default poisson inf)`;
 * // 'gaps between requests: poisson RATE (RATE > 0 requests/s or "inf"), exponential MEAN (...), ...'
 * ```
 */
export function describeArrivalForms(): string {
  return helpForms({ ...ARRIVAL_FORMS, trace: TRACE_FORM });
}

/**
 * Every form of `--input-token-distribution` / `--output-token-distribution`
 * with its rule, for help.
 *
 * @example
 * ```ts
 * describeLengthForms(); // "uniform MIN MAX (integers, 1 <= MIN <= MAX tokens), normal MEAN STD (...), ..."
 * ```
 */
export function describeLengthForms(): string {
  return helpForms(LENGTH_FORMS);
}
