/**
 * Specs back to the words a user would type.
 *
 * @module
 */

import { entryFor, formatEntry } from "./_entry.ts";
import { ARRIVAL_FORMS, type ArrivalSpec } from "./arrival_forms.ts";
import { LENGTH_FORMS, type LengthSpec } from "./length_forms.ts";

/**
 * The command-line form of a spec, which the parsers read back to an equal spec.
 *
 * @example
 * ```ts
 * formatSpec({ kind: "poisson", rate: 5 }); // "poisson 5"
 * formatSpec({ kind: "poisson", rate: Infinity }); // "poisson inf"
 * formatSpec({ kind: "uniform", min: 200, max: 300 }); // "uniform 200 300"
 * ```
 */
export function formatSpec(spec: ArrivalSpec | LengthSpec): string {
  const entries = [entryFor(ARRIVAL_FORMS, spec), entryFor(LENGTH_FORMS, spec)]
    .filter((entry) => entry !== undefined);
  // Both tables have a "constant": print with the one whose fields the spec has (gap or value).
  const entry = entries.find(({ form }) =>
    Object.values(form.args).every((field) => field in spec)
  );
  const chosen = entry ?? entries[0];
  // No entry is reachable for a spec from untyped JSON; still say something useful.
  return chosen === undefined ? String(spec.kind) : formatEntry(chosen);
}
