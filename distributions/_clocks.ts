/**
 * Turning gaps into send offsets, for the arrival forms.
 *
 * @module
 */

import type { RandomSource } from "./_d3.ts";

/** Offsets as running sums of `gap()`: 0, g1, g1 + g2, ... */
export function sumOfGaps(gap: RandomSource): () => number {
  let t = 0;
  return () => {
    const now = t;
    t += gap();
    return now;
  };
}

/**
 * Offsets `i * gap`. Exact where a running sum drifts: summing 0.1 ten times
 * gives 0.9999999999999999, which would sneak an 11th request into
 * "constant 0.1" over 1 s.
 */
export function multiplesOf(gap: number): () => number {
  let i = 0;
  return () => i++ * gap;
}
