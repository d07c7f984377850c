/**
 * Holding specs built in code to the rules of their form.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { type Entry, entryFor } from "./_entry.ts";
import { expectedForm, expectedOneOf, unknownKind } from "./_messages.ts";
import type { ArrivalSpec } from "./arrival_forms.ts";
import type { DistributionForm, FormArgs, FormTable } from "./form.ts";
import { formatSpec } from "./format.ts";
import type { LengthSpec } from "./length_forms.ts";

/**
 * The entry of a spec built in code, held to the rules a typed one is: throws
 * on `flag` with the message the parser would give for the same words.
 */
export function checkedEntry<F extends DistributionForm<FormArgs>>(
  forms: FormTable<F>,
  spec: ArrivalSpec | LengthSpec,
  flag: string,
): Entry<F> {
  const entry = entryFor(forms, spec);
  const problem = entry === undefined ? unknownKind(spec.kind) : entry.form.problem(entry.values);
  if (entry !== undefined && problem === undefined) return entry;
  // formatSpec rather than this table's words: a spec of the other family (from untyped
  // JSON) is still quoted as what it is, e.g. "poisson -1" to the length sampler.
  const received = JSON.stringify(formatSpec(spec));
  throw new UsageError(
    flag,
    entry === undefined
      ? expectedOneOf(forms, received, problem)
      : expectedForm(entry.kind, entry.form, received, problem),
  );
}
