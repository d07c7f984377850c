/**
 * Random prompts whose token count under the tokenizer is exactly the asked
 * length.
 *
 * Decoding random token ids and re-encoding the text changes its length (the
 * BPE merges differently across id boundaries). So prompts are built only from
 * words that are one token on their own and start with a space (`" apple"`):
 * every tiktoken pre-tokenizer cuts before each such word, so a prompt of k
 * words has exactly k tokens. For the tiktoken encodings the words come from
 * pools shipped with mib, and a prompt's length is known without loading a
 * tokenizer. A prompt is re-encoded, and adjusted a word at a time if the
 * count is off, only where additivity is not guaranteed: after a custom text
 * prefix (which may merge with the first word), and under a tokenizer without
 * a shipped pool (whose words are scanned from its vocabulary). Under the
 * server's tokenizer (`--tokenizer server`) every prompt is counted by the
 * server, in batches, and corrected until the count is the asked length
 * (`_server_prompts.ts`).
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import { prefixText } from "./prefix.ts";
import { serverRandomPrompts } from "./_server_prompts.ts";
import type { Dataset, PrefixOption } from "./types.ts";
import { drawWords, shippedWordPool, wordPoolOf } from "./word_pool.ts";

export type { PrefixOption };

/** A prompt ready to send, with its real token count. */
export interface Prompt {
  /** The text sent, prefix included. */
  text: string;
  /** Token count of `text` under the run's tokenizer. */
  promptLen: number;
}

/** Options of {@linkcode randomPrompts}. */
export interface RandomPromptOptions {
  /**
   * Tokenizer that defines the lengths: a loaded tokenizer, or the name of a
   * tiktoken encoding (`cl100k_base`, … as resolved by `resolveEncodingName`),
   * whose shipped word pool makes prompts of known length without loading
   * it. A name is enough unless `prefix` is `text`: counting that text needs
   * the loaded tokenizer. A loaded tokenizer whose `name` is a tiktoken
   * encoding uses that encoding's shipped pool too; any other has its pool
   * scanned from its vocabulary (once per tokenizer object) and every prompt
   * re-encoded.
   */
  tokenizer: Tokenizer | string;
  /** One entry per prompt: the number of tokens after the prefix. */
  lengths: readonly number[];
  /** Seed of the run. */
  seed: number;
  /** Shared prefix; default none. */
  prefix?: PrefixOption;
}

/** Words drawn before a prompt gives up adjusting its length. */
const MAX_ADJUST_STEPS = 64;

/**
 * Builds one prompt per entry of `lengths`. The body after the prefix has
 * exactly `lengths[i]` tokens; `promptLen` is the count of the whole text
 * (prefix included): by construction where the words are additive, else
 * measured, so it is true even where a custom prefix merges with the body.
 *
 * @throws {Error} when `tokenizer` is a name without a shipped word pool, or
 *   a name while `prefix` is `text`.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "../tokenizers/mod.ts";
 *
 * const [p] = randomPrompts({ tokenizer: "cl100k_base", lengths: [128], seed: 0 });
 * p.promptLen; // 128
 * (await loadTokenizer("cl100k_base")).count(p.text); // 128 as well
 * ```
 */
export function randomPrompts(options: RandomPromptOptions): Prompt[] {
  const { tokenizer, lengths, seed } = options;
  const prefix = options.prefix ?? { kind: "none" };
  const pool = wordPoolOf(tokenizer);
  const next = seededSource(seed, "random-dataset-prompts");
  if (prefix.kind !== "text" && pool.shipped) {
    // Additive by construction: no tokenizer needed.
    const text = prefixText(prefix, tokenizer, seed);
    const prefixLen = prefix.kind === "tokens" ? prefix.len : 0;
    return lengths.map((len) => ({
      text: text + drawWords(pool.words, next, len).join(""),
      promptLen: prefixLen + len,
    }));
  }
  if (typeof tokenizer === "string") {
    throw new Error(
      `a text prefix needs the loaded tokenizer to count it; pass the tokenizer, not "${tokenizer}"`,
    );
  }
  const prefixed = prefixText(prefix, tokenizer, seed);
  const prefixLen = prefixed === "" ? 0 : tokenizer.count(prefixed);
  return lengths.map((len) => {
    const body = drawWords(pool.words, next, len);
    let text = prefixed + body.join("");
    let promptLen = tokenizer.count(text);
    // Adjust a word at a time where a prefix or tokenizer breaks additivity.
    for (let step = 0; promptLen - prefixLen !== len && step < MAX_ADJUST_STEPS; step++) {
      if (promptLen - prefixLen < len) body.push(...drawWords(pool.words, next, 1));
      else if (body.length > 1) body.pop();
      else break;
      text = prefixed + body.join("");
      promptLen = tokenizer.count(text);
    }
    return { text, promptLen };
  });
}

/**
 * `--dataset-name random` (the default): {@linkcode randomPrompts} of the
 * sampled input lengths, asking for the sampled output lengths. Under a
 * tiktoken encoding, and without a text prefix to count, the prompts come
 * from the encoding's name alone: the tokenizer is never loaded. Under the
 * server's tokenizer, the server counts them.
 */
export const random: Dataset = {
  name: "random",
  help: "random words, each prompt exactly its sampled token length",
  needsPath: false,
  options: [],
  async load(options) {
    const { tokenizer, outputLens } = options;
    const lengths = options.inputLens.slice(0, options.count);
    if (tokenizer.server !== undefined) {
      const { prompts, notes } = await serverRandomPrompts({
        counter: tokenizer.server,
        lengths,
        seed: options.seed,
        prefix: options.prefix,
      });
      return { prompts: prompts.map((p, i) => ({ ...p, outputLen: outputLens[i] })), notes };
    }
    // A shipped pool fixes every length from the name: loading would only cost start-up time.
    const byName = options.prefix.kind !== "text" && shippedWordPool(tokenizer.name) !== undefined;
    const prompts = randomPrompts({
      tokenizer: byName ? tokenizer.name : await tokenizer.load(),
      lengths,
      seed: options.seed,
      prefix: options.prefix,
    });
    return {
      prompts: prompts.map((p, i) => ({
        text: p.text,
        promptLen: p.promptLen,
        outputLen: outputLens[i],
      })),
      notes: [],
    };
  },
};
