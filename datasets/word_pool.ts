/**
 * Pools of words a random prompt is built from: words that are exactly one
 * token on their own and start with a space (`" apple"`).
 *
 * Every tiktoken encoding's pre-tokenizer (the `pat_str` regex of its ranks)
 * cuts before a space followed by letters, and a piece that is itself in the
 * vocabulary is one token; so a text of k such words has exactly k tokens, and
 * counting a prompt needs no tokenizer. For each tiktoken encoding the pool is
 * precomputed by `scripts/gen_word_pools.ts` into `_word_pools.json`; any
 * other tokenizer gets a pool scanned from its vocabulary at run time, by the
 * same function the script uses (`_word_scan.ts`).
 *
 * @module
 */
import type { Tokenizer } from "../tokenizers/mod.ts";
import { scanWordPool } from "./_word_scan.ts";
import shipped from "./_word_pools.json" with { type: "json" };

/** Each pool as its words joined: every word starts with its space. */
const SHIPPED: Readonly<Record<string, string>> = shipped.pools;
const split = new Map<string, readonly string[]>();

/** Names of the encodings with a shipped pool. */
export const SHIPPED_WORD_POOLS: readonly string[] = Object.keys(SHIPPED);

/** The shipped pool of encoding `name`, if there is one. */
export function shippedWordPool(name: string): readonly string[] | undefined {
  if (!Object.hasOwn(SHIPPED, name)) return undefined;
  let words = split.get(name);
  if (words === undefined) {
    words = SHIPPED[name].split(/(?= )/);
    split.set(name, words);
  }
  return words;
}

const scanned = new WeakMap<Tokenizer, readonly string[]>();

/**
 * The pool of `tokenizer`: the shipped one for its name, else scanned from its
 * vocabulary once per tokenizer object. `shipped` says which, since only a
 * shipped pool is known to be additive under its tokenizer.
 */
export function wordPoolOf(
  tokenizer: Tokenizer | string,
): { words: readonly string[]; shipped: boolean } {
  const name = typeof tokenizer === "string" ? tokenizer : tokenizer.name;
  const words = shippedWordPool(name);
  if (words !== undefined) return { words, shipped: true };
  if (typeof tokenizer === "string") {
    throw new Error(
      `no shipped word pool for tokenizer "${name}" (shipped: ${
        SHIPPED_WORD_POOLS.join(", ")
      }); pass a loaded tokenizer instead`,
    );
  }
  let pool = scanned.get(tokenizer);
  if (pool === undefined) {
    pool = scanWordPool(tokenizer);
    scanned.set(tokenizer, pool);
  }
  return { words: pool, shipped: false };
}

/**
 * `n` words drawn from `pool` with `next` (floats in [0, 1)), one draw each:
 * joined, a text of `n` tokens wherever the pool is additive.
 */
export function drawWords(pool: readonly string[], next: () => number, n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = pool[Math.floor(next() * pool.length)];
  return out;
}
