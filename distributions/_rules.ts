/**
 * The wording of range rules, shared by the form tables so every form words the
 * same kind of mistake the same way.
 *
 * Each returns the broken rule, or undefined when the value passes; chain them
 * with `??` to report the first broken one.
 *
 * @module
 */

/** Rejects NaN and ±Infinity. */
export function finite(name: string, value: number): string | undefined {
  return Number.isFinite(value) ? undefined : `${name} must be a finite number`;
}

/** A finite number > 0. */
export function positive(name: string, value: number): string | undefined {
  return finite(name, value) ?? (value > 0 ? undefined : `${name} must be > 0`);
}

/** A finite number >= 0. */
export function atLeastZero(name: string, value: number): string | undefined {
  return finite(name, value) ?? (value >= 0 ? undefined : `${name} must be >= 0`);
}

/** A safe integer. */
export function integer(name: string, value: number): string | undefined {
  return Number.isSafeInteger(value) ? undefined : `${name} must be an integer`;
}

/** A safe integer >= 1. */
export function integerAtLeastOne(name: string, value: number): string | undefined {
  return Number.isSafeInteger(value) && value >= 1 ? undefined : `${name} must be an integer >= 1`;
}

/** MIN <= MAX; the forms that have both call them that. */
export function ordered(min: number, max: number): string | undefined {
  return min <= max ? undefined : "MIN must be <= MAX";
}
