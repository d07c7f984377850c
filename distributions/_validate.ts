/**
 * Range rules for specs, shared by the parsers and the samplers so a spec built
 * in code is held to the same rules as one typed on the command line.
 *
 * @module
 */

import type { ArrivalSpec, LengthSpec } from "./types.ts";

/** The first broken rule of an arrival spec, or undefined when it is valid. */
export function arrivalProblem(spec: ArrivalSpec): string | undefined {
  switch (spec.kind) {
    case "poisson":
      // Written so NaN fails too; Infinity is the one non-finite value allowed anywhere.
      return spec.rate > 0 ? undefined : "RATE must be > 0";
    case "exponential":
      return positive("MEAN", spec.mean);
    case "uniform":
      return atLeastZero("MIN", spec.min) ?? finite("MAX", spec.max) ??
        ordered(spec.min, spec.max);
    case "normal":
      return positive("MEAN", spec.mean) ?? atLeastZero("STD", spec.std);
    case "constant":
      return atLeastZero("GAP", spec.gap);
    default:
      return unknownKind(spec);
  }
}

/** The first broken rule of a length spec, or undefined when it is valid. */
export function lengthProblem(spec: LengthSpec): string | undefined {
  switch (spec.kind) {
    case "uniform":
      return integerAtLeastOne("MIN", spec.min) ?? integer("MAX", spec.max) ??
        ordered(spec.min, spec.max);
    case "normal":
      return finite("MEAN", spec.mean) ??
        (spec.mean >= 1 ? undefined : "MEAN must be >= 1") ?? atLeastZero("STD", spec.std);
    case "constant":
      return integerAtLeastOne("N", spec.value);
    default:
      return unknownKind(spec);
  }
}

// Specs can come from untyped JSON, so the "impossible" branch is reachable.
function unknownKind(spec: never): string {
  return `unknown distribution ${JSON.stringify((spec as { kind: unknown }).kind)}`;
}

function finite(name: string, value: number): string | undefined {
  return Number.isFinite(value) ? undefined : `${name} must be a finite number`;
}

function positive(name: string, value: number): string | undefined {
  return finite(name, value) ?? (value > 0 ? undefined : `${name} must be > 0`);
}

function atLeastZero(name: string, value: number): string | undefined {
  return finite(name, value) ?? (value >= 0 ? undefined : `${name} must be >= 0`);
}

function integer(name: string, value: number): string | undefined {
  return Number.isSafeInteger(value) ? undefined : `${name} must be an integer`;
}

function integerAtLeastOne(name: string, value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 1 ? undefined : `${name} must be an integer >= 1`;
}

function ordered(min: number, max: number): string | undefined {
  return min <= max ? undefined : "MIN must be <= MAX";
}
