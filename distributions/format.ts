/**
 * Specs back to the words a user would type.
 *
 * @module
 */

import type { ArrivalSpec, LengthSpec } from "./types.ts";

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
  switch (spec.kind) {
    case "poisson":
      return `poisson ${formatNumber(spec.rate)}`;
    case "exponential":
      return `exponential ${formatNumber(spec.mean)}`;
    case "uniform":
      return `uniform ${formatNumber(spec.min)} ${formatNumber(spec.max)}`;
    case "normal":
      return `normal ${formatNumber(spec.mean)} ${formatNumber(spec.std)}`;
    case "constant":
      return `constant ${formatNumber("gap" in spec ? spec.gap : spec.value)}`;
    default:
      // Reachable when a spec came from untyped JSON; still say something useful.
      return String((spec as { kind: unknown }).kind);
  }
}

// String(n) is the shortest text that parses back to the same double, so specs round-trip.
function formatNumber(value: number): string {
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  return String(value);
}
