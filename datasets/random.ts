/**
 * Random prompts whose token count under the tokenizer is exactly the asked
 * length.
 *
 * Decoding random token ids and re-encoding the text changes its length (the
 * BPE merges differently across id boundaries). So prompts are built only from
 * words that are one token on their own and start with a space: the
 * tokenizer's pre-split cuts before every such word, so the count of the whole
 * prompt is the sum of its words. Every prompt is re-encoded once to prove it,
 * and adjusted a word at a time if a tokenizer ever disagrees.
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** A prompt ready to send, with its real token count. */
export interface Prompt {
  /** The text sent, prefix included. */
  text: string;
  /** Token count of `text` under the run's tokenizer. */
  promptLen: number;
}

/** What goes before every prompt. */
export type PrefixOption =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "tokens"; len: number };

/** Options of {@linkcode randomPrompts}. */
export interface RandomPromptOptions {
  /** Tokenizer that defines the lengths. */
  tokenizer: Tokenizer;
  /** One entry per prompt: the number of tokens after the prefix. */
  lengths: readonly number[];
  /** Seed of the run. */
  seed: number;
  /** Shared prefix; default none. */
  prefix?: PrefixOption;
}

const POOL_SIZE = 4096;
const WORD = /^ [a-z]{2,}$/;

/**
 * Words (token ids) that are exactly one token when encoded alone, chosen by
 * seeded rejection sampling over the vocabulary so the pool is diverse without
 * scanning the whole vocabulary.
 */
function wordPool(tokenizer: Tokenizer, seed: number): string[] {
  const next = seededSource(seed, "random-dataset-vocab");
  const seen = new Set<number>();
  const pool: string[] = [];
  const maxTries = tokenizer.vocabSize * 4;
  for (let tries = 0; pool.length < POOL_SIZE && tries < maxTries; tries++) {
    const id = Math.floor(next() * tokenizer.vocabSize);
    if (seen.has(id)) continue;
    seen.add(id);
    let word: string;
    try {
      word = tokenizer.decode([id]);
    } catch {
      continue;
    }
    if (!WORD.test(word)) continue;
    const ids = tokenizer.encode(word);
    if (ids.length === 1 && ids[0] === id) pool.push(word);
  }
  if (pool.length < 16) {
    throw new Error(`tokenizer ${tokenizer.name} has too few plain single-token words`);
  }
  return pool;
}

function words(pool: readonly string[], next: () => number, n: number): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = pool[Math.floor(next() * pool.length)];
  return out;
}

/**
 * Builds one prompt per entry of `lengths`. The body after the prefix has
 * exactly `lengths[i]` tokens; `promptLen` is the measured count of the whole
 * text (prefix included), so it is true even where a custom prefix merges with
 * the body.
 *
 * @example
 * ```ts
 * const tokenizer = await loadTokenizer();
 * const [p] = randomPrompts({ tokenizer, lengths: [128], seed: 0 });
 * tokenizer.count(p.text) === p.promptLen; // true, and p.promptLen === 128
 * ```
 */
export function randomPrompts(options: RandomPromptOptions): Prompt[] {
  const { tokenizer, lengths, seed } = options;
  const prefix = options.prefix ?? { kind: "none" };
  const pool = wordPool(tokenizer, seed);
  const next = seededSource(seed, "random-dataset-prompts");
  let prefixText = "";
  if (prefix.kind === "text") prefixText = prefix.text;
  if (prefix.kind === "tokens") {
    prefixText = words(pool, seededSource(seed, "random-dataset-prefix"), prefix.len).join("");
  }
  const prefixLen = prefixText === "" ? 0 : tokenizer.count(prefixText);
  return lengths.map((len) => {
    const body = words(pool, next, len);
    let text = prefixText + body.join("");
    let promptLen = tokenizer.count(text);
    // Adjust a word at a time where a prefix or tokenizer breaks additivity.
    for (let step = 0; promptLen - prefixLen !== len && step < 64; step++) {
      if (promptLen - prefixLen < len) body.push(...words(pool, next, 1));
      else if (body.length > 1) body.pop();
      else break;
      text = prefixText + body.join("");
      promptLen = tokenizer.count(text);
    }
    return { text, promptLen };
  });
}
