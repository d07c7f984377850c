/**
 * Bounds on how many requests a run may plan.
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/**
 * The most requests a run may plan. Plans are made as they are sent, so this
 * bounds the counting pass of a time-bounded plan (and a file dataset's
 * prompts, made up front), not memory; no real benchmark needs more (ten
 * million at 1,000 requests/s is close to three hours).
 */
export const MAX_PLANNED_REQUESTS = 10_000_000;

/** Flag blamed for a bad request count. */
export const COUNT_FLAG = "--num-of-req";

/** Throws a UsageError on {@link COUNT_FLAG} unless `count` is an integer in [0, MAX_PLANNED_REQUESTS]. */
export function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new UsageError(COUNT_FLAG, `expected a non-negative integer, got ${String(count)}`);
  }
  if (count > MAX_PLANNED_REQUESTS) {
    throw new UsageError(
      COUNT_FLAG,
      `expected at most ${MAX_PLANNED_REQUESTS} requests, got ${count}`,
    );
  }
}
