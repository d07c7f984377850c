/**
 * The vocabulary scan that finds a tokenizer's pool words: used by
 * `scripts/gen_word_pools.ts` to precompute the shipped pools and at run time
 * for tokenizers without one. Kept apart from the shipped pools so the script
 * runs even when `_word_pools.json` is missing or stale.
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** Words per pool. */
export const WORD_POOL_SIZE = 4096;

/** A pool word: a space, then two or more lowercase ASCII letters. */
export const POOL_WORD = /^ [a-z]{2,}$/;

/** Fewer qualifying words than this and a tokenizer cannot make random prompts. */
const MIN_POOL = 16;

/** The scan's fixed seed and stream: a pool depends on the tokenizer alone. */
const SCAN_SEED = 0;
const SCAN_STREAM = "random-dataset-vocab";

/**
 * Words that are exactly one token when encoded alone (and whose token is the
 * one decoded), chosen by seeded rejection sampling over the token ids: a
 * uniform, deterministic sample of the vocabulary's plain words, in draw
 * order, found without scanning the whole vocabulary.
 *
 * @throws {Error} when the tokenizer has fewer than 16 such words.
 */
export function scanWordPool(tokenizer: Tokenizer, size: number = WORD_POOL_SIZE): string[] {
  const next = seededSource(SCAN_SEED, SCAN_STREAM);
  const seen = new Set<number>();
  const pool: string[] = [];
  const maxTries = tokenizer.vocabSize * 4;
  for (let tries = 0; pool.length < size && tries < maxTries; tries++) {
    const id = Math.floor(next() * tokenizer.vocabSize);
    if (seen.has(id)) continue;
    seen.add(id);
    let word: string;
    try {
      word = tokenizer.decode([id]);
    } catch {
      continue;
    }
    if (!POOL_WORD.test(word)) continue;
    const ids = tokenizer.encode(word);
    if (ids.length === 1 && ids[0] === id) pool.push(word);
  }
  if (pool.length < MIN_POOL) {
    throw new Error(`tokenizer ${tokenizer.name} has too few plain single-token words`);
  }
  return pool;
}
