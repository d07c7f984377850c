/**
 * Descriptive statistics with one exact definition.
 *
 * @module
 */
import type { Stats } from "./types.ts";

/**
 * The name of the p-th percentile, as vLLM names its result fields: `p99`,
 * and `p99.9` when p is not whole.
 *
 * @example
 * ```ts
 * percentileKey(99); // "p99"
 * percentileKey(99.9); // "p99.9"
 * ```
 */
export function percentileKey(p: number): string {
  return `p${Number.isInteger(p) ? p.toFixed(0) : String(p)}`;
}

/**
 * The p-th percentile of ascending `sorted`, interpolating linearly between
 * the two nearest ranks (rank = p/100 · (n − 1)), as numpy's default and vLLM.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 50); // 2.5
 * ```
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

/**
 * Statistics of `values` (any order), or undefined for an empty sample;
 * `percentiles` names the extra percentiles to compute.
 */
export function describeSample(
  values: ArrayLike<number>,
  percentiles: readonly number[] = [],
): Stats | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  // One flat copy, sorted in place: 8 bytes a value, however large the sample.
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (sorted[i] - mean) ** 2;
  return {
    count: n,
    mean,
    std: Math.sqrt(squares / n),
    min: sorted[0],
    median: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted[n - 1],
    percentiles: Object.fromEntries(
      percentiles.map((p) => [percentileKey(p), percentile(sorted, p)]),
    ),
  };
}
