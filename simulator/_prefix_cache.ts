/**
 * The simulator's prefix cache (`--prefix-cache`), after vLLM's automatic
 * prefix caching: a prompt's leading blocks that an earlier sequence (a
 * prompt, or a prompt and the reply generated to it) already had are not
 * prefilled again.
 *
 * Blocks are {@linkcode BLOCK_CHARS} characters of the prompt text (about 16
 * cl100k tokens of English, vLLM's block size), each keyed by a hash of the
 * whole text up to its end, so a block is a hit only when everything before
 * it matched too. A prompt's hit is its longest run of leading blocks held;
 * the server turns those characters into tokens with its own count. The
 * cache keeps the most recent {@linkcode MAX_BLOCKS} blocks (least recently
 * used go first).
 *
 * @module
 */

/** Characters per cached block. */
export const BLOCK_CHARS = 64;

/** Blocks kept before the least recently used are evicted. */
export const MAX_BLOCKS = 1 << 20;

/** Two FNV-1a hashes (different offset bases) of `text[from, to)`, chained from `h`. */
function _chain(h: [number, number], text: string, from: number, to: number): [number, number] {
  let a = h[0];
  let b = h[1];
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 16777619);
    b = Math.imul(b ^ c, 2246822519);
  }
  return [a >>> 0, b >>> 0];
}

/** The cache keys of `text`'s whole blocks, in order. */
function _blockKeys(text: string): string[] {
  const keys: string[] = [];
  let h: [number, number] = [2166136261, 3323198485];
  for (let end = BLOCK_CHARS; end <= text.length; end += BLOCK_CHARS) {
    h = _chain(h, text, end - BLOCK_CHARS, end);
    keys.push(`${h[0].toString(36)}.${h[1].toString(36)}`);
  }
  return keys;
}

/**
 * A prefix cache of block hashes.
 *
 * @example
 * ```ts
 * const cache = new PrefixCache();
 * const turn0 = "x".repeat(200);
 * cache.insert(turn0 + " a reply");
 * cache.cachedChars(turn0 + " a reply" + " and more"); // 192: three whole blocks
 * ```
 */
export class PrefixCache {
  /** Block keys, oldest use first (a Map keeps insertion order). */
  readonly #blocks = new Map<string, true>();

  /** Characters of `text`'s start held in the cache (a multiple of the block size); refreshes them. */
  cachedChars(text: string): number {
    let hit = 0;
    for (const key of _blockKeys(text)) {
      if (!this.#blocks.has(key)) break;
      this.#blocks.delete(key);
      this.#blocks.set(key, true);
      hit += BLOCK_CHARS;
    }
    return hit;
  }

  /** Caches every whole block of `text` (a prompt once prefilled, or a prompt and its reply). */
  insert(text: string): void {
    for (const key of _blockKeys(text)) {
      this.#blocks.delete(key);
      this.#blocks.set(key, true);
    }
    while (this.#blocks.size > MAX_BLOCKS) {
      this.#blocks.delete(this.#blocks.keys().next().value!);
    }
  }
}
