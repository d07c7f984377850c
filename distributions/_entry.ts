/**
 * Looking specs up in a form table and printing them: the generic half of
 * every table entry.
 *
 * @module
 */

import type { DistributionForm, FormArgs, FormTable, FormValues } from "./form.ts";

/** A spec's form and its numbers as that form reads them. */
export interface Entry<F extends DistributionForm<FormArgs>> {
  readonly kind: string;
  readonly form: F;
  readonly values: FormValues<FormArgs>;
}

/**
 * The form of `spec.kind`, or undefined when the table has none, which specs
 * from untyped JSON make reachable.
 */
export function entryFor<F extends DistributionForm<FormArgs>>(
  forms: FormTable<F>,
  spec: { readonly kind: string },
): Entry<F> | undefined {
  const { kind } = spec;
  if (!Object.hasOwn(forms, kind)) return undefined;
  // Each form reads only the fields its own args name, which a spec of its kind has.
  return { kind, form: forms[kind], values: spec as unknown as FormValues<FormArgs> };
}

/** The words of a spec whose form is known. */
export function formatEntry({ kind, form, values }: Entry<DistributionForm<FormArgs>>): string {
  return [kind, ...Object.values(form.args).map((field) => formatNumber(values[field]))].join(" ");
}

// String(n) is the shortest text that parses back to the same double, so specs round-trip.
function formatNumber(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return String(value);
}
