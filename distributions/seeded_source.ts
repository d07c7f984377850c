/**
 * Reproducible, independent random streams.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { randomLcg, type RandomSource } from "./_d3.ts";
import { hashSeed } from "./_hash.ts";

/**
 * An independent, reproducible random stream for one purpose, giving floats in [0, 1).
 *
 * The same `(seed, stream)` always yields the same sequence, byte for byte, and
 * different stream names yield unrelated sequences: give each purpose (arrival
 * gaps, prompt lengths, output lengths, ...) its own name so that drawing more
 * of one never shifts another. The stream name `"arrivals"` is used by
 * `arrivalOffsets`.
 *
 * Backed by d3-random's `randomLcg`, whose state is 32 bits: a stream has period
 * 2^32 and distinct `(seed, stream)` pairs collide with probability about 2^-32.
 *
 * @param seed Any finite number; integers are the usual choice.
 * @param stream A name for the purpose, e.g. `"input-tokens"`.
 * @throws {UsageError} on `--seed` when `seed` is NaN or infinite.
 *
 * @example
 * ```ts
 * const a = seededSource(42, "input-tokens");
 * const b = seededSource(42, "input-tokens");
 * a() === b(); // true
 * ```
 */
export function seededSource(seed: number, stream: string): () => number {
  if (typeof seed !== "number" || !Number.isFinite(seed)) {
    throw new UsageError("--seed", `expected a finite number, got ${String(seed)}`);
  }
  // An unsigned 32-bit integer is a state randomLcg takes as is: 0 maps to 0 and
  // every other value keeps its bits after randomLcg's `Math.abs(seed) | 0`.
  const source: RandomSource = randomLcg(hashSeed(seed, stream));
  return source;
}
