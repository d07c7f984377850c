/**
 * Looking specs up in a form table, printing them and holding them to their
 * form's rules: the generic half of every table entry.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { expectedForm, expectedOneOf, unknownKind } from "./_messages.ts";
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

/**
 * The entry of a spec built in code, held to the rules a typed one is: throws
 * on `flag` with the message the parser would give for the same words.
 */
export function checkedEntry<F extends DistributionForm<FormArgs>>(
  forms: FormTable<F>,
  spec: { readonly kind: string },
  flag: string,
): Entry<F> {
  const entry = entryFor(forms, spec);
  if (entry === undefined) {
    const received = JSON.stringify(String(spec.kind));
    throw new UsageError(flag, expectedOneOf(forms, received, unknownKind(spec.kind)));
  }
  const problem = entry.form.problem(entry.values);
  if (problem !== undefined) {
    const received = JSON.stringify(formatEntry(entry));
    throw new UsageError(flag, expectedForm(entry.kind, entry.form, received, problem));
  }
  return entry;
}
