/**
 * The vocabulary scan that finds a tokenizer's pool words: used by
 * `scripts/gen_word_pools.ts` to precompute the shipped pools and at run time
 * for tokenizers without one. Kept apart from the shipped pools so the script
 * runs even when `_word_pools.json` is missing or stale.
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";

/** Words per pool. */
export const WORD_POOL_SIZE = 4096;

/** A pool word: a space, then two or more lowercase ASCII letters. */
export const POOL_WORD = /^ [a-z]{2,}$/;

/** Fewer qualifying words than this and a tokenizer cannot make random prompts. */
const MIN_POOL = 16;

/** The scan's fixed seed and stream: a pool depends on the tokenizer alone. */
const SCAN_SEED = 0;
const SCAN_STREAM = "random-dataset-vocab";

/** How a SentencePiece-style decoder renders a word-initial token alone: no space. */
const BARE_WORD = /^[a-z]{2,}$/;

/** Text a word is appended to, to see how it encodes inside a prompt. */
const CONTEXT = "a";

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Words that are exactly one token when encoded alone (and whose token is the
 * one decoded), chosen by seeded rejection sampling over the token ids: a
 * uniform, deterministic sample of the vocabulary's plain words, in draw
 * order, found without scanning the whole vocabulary.
 *
 * What "one token that starts with a space" means depends on the tokenizer,
 * so it is found by decoding and encoding:
 *
 * - tiktoken and byte-level BPE (GPT-2, Llama 3, Qwen): the token decodes
 *   alone to `" word"` and `" word"` encodes to exactly that id;
 * - SentencePiece/Metaspace (Llama 2, Mistral): the token `▁word` decodes
 *   alone to `"word"` (the decoder drops the space that starts a text), and
 *   `" word"` encodes to a whitespace token (the `▁` prepended to every text)
 *   and then that id. Such a word is taken when, after other text, it adds
 *   exactly its id (`encode("a word")` is `encode("a")` and the id). A prompt
 *   of k such words is then k + 1 tokens; `randomPrompts` measures every
 *   prompt of a scanned pool and adjusts it to the asked length.
 *
 * @throws {Error} when the tokenizer has fewer than 16 such words.
 */
export function scanWordPool(tokenizer: Tokenizer, size: number = WORD_POOL_SIZE): string[] {
  const next = seededSource(SCAN_SEED, SCAN_STREAM);
  const seen = new Set<number>();
  const pool: string[] = [];
  const maxTries = tokenizer.vocabSize * 4;
  let context: number[] | undefined;
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
    const bare = !POOL_WORD.test(word);
    if (bare) {
      if (!BARE_WORD.test(word)) continue;
      word = " " + word;
    }
    const ids = tokenizer.encode(word);
    if (!bare && ids.length === 1 && ids[0] === id) {
      pool.push(word);
    } else if (bare && ids.length === 2 && ids[1] === id && isBlank(tokenizer, ids[0])) {
      context ??= tokenizer.encode(CONTEXT);
      if (sameIds(tokenizer.encode(CONTEXT + word), [...context, id])) pool.push(word);
    }
  }
  if (pool.length < MIN_POOL) {
    throw new Error(`tokenizer ${tokenizer.name} has too few plain single-token words`);
  }
  return pool;
}

/** Whether token `id` decodes to whitespace (or nothing) alone. */
function isBlank(tokenizer: Tokenizer, id: number): boolean {
  try {
    return tokenizer.decode([id]).trim() === "";
  } catch {
    return false;
  }
}
