/**
 * Helpers shared by the distributions tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";

/** The arrival flag, as the tests pass it to the parser. */
export const REQ = "--request-distribution";
/** A length flag, as the tests pass it to the parser. */
export const IN = "--input-token-distribution";
/** Draws per statistical check: enough for the tolerances the tests use. */
export const N = 20_000;

/** Arithmetic mean. */
export function mean(xs: readonly number[]): number {
  return xs.reduce((sum, x) => sum + x, 0) / xs.length;
}

/** Sample standard deviation. */
export function std(xs: readonly number[]): number {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((sum, x) => sum + (x - m) ** 2, 0) / (xs.length - 1));
}

/** Differences between consecutive offsets. */
export function gaps(offsets: readonly number[]): number[] {
  return offsets.slice(1).map((t, i) => t - offsets[i]);
}

/** Asserts `actual` is within `tolerance` of `expected`, naming `what` when not. */
export function assertNear(
  actual: number,
  expected: number,
  tolerance: number,
  what: string,
): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance,
    `${what}: expected ${expected} ± ${tolerance}, got ${actual}`,
  );
}

/** Asserts `fn` throws a one-line UsageError on `flag` whose message holds every fragment. */
export function assertUsage(fn: () => unknown, flag: string, ...fragments: string[]): UsageError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof UsageError, `expected a UsageError, got ${String(caught)}`);
  assert.equal(caught.flag, flag);
  assert.ok(caught.message.startsWith(`${flag}: `), caught.message);
  assert.ok(!caught.message.includes("\n"), `message spans lines: ${caught.message}`);
  for (const fragment of fragments) {
    assert.ok(caught.message.includes(fragment), `"${fragment}" missing from: ${caught.message}`);
  }
  return caught;
}
