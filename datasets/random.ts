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
import { lazySequence, seededSource, type Sequence, take } from "../distributions/mod.ts";

/** The `seededSource` stream prompt words are drawn from. */
const PROMPT_STREAM = "random-dataset-prompts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import { prefixText } from "./prefix.ts";
import { serverRandomPrompts } from "./_server_prompts.ts";
import type { Dataset, DatasetPrompt, PrefixOption } from "./types.ts";
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

/** Options of {@linkcode randomPromptSequence}: those of `randomPrompts`, lengths as a sequence. */
export interface RandomPromptSequenceOptions extends Omit<RandomPromptOptions, "lengths"> {
  /** One entry per prompt: the number of tokens after the prefix; may be drawn as read. */
  lengths: Sequence<number>;
}

/**
 * The prompts {@linkcode randomPrompts} makes, made as they are read: each
 * pass draws from a fresh seeded source, so it yields the same prompts byte
 * for byte, and a sequence of ten million prompts costs no memory until read.
 * Throws as `randomPrompts` does, at once.
 *
 * @example
 * ```ts
 * import { lengthSequence } from "../distributions/mod.ts";
 *
 * const prompts = randomPromptSequence({
 *   tokenizer: "cl100k_base", seed: 0,
 *   lengths: lengthSequence({ kind: "constant", value: 128 }, 10_000_000, 0, "input-lengths"),
 * });
 * const [first] = prompts; // only the first prompt was made
 * first.promptLen; // 128
 * ```
 */
export function randomPromptSequence(options: RandomPromptSequenceOptions): Sequence<Prompt> {
  const { tokenizer, lengths, seed } = options;
  const prefix = options.prefix ?? { kind: "none" };
  const pool = wordPoolOf(tokenizer);
  if (prefix.kind !== "text" && pool.shipped) {
    // Additive by construction: no tokenizer needed.
    const text = prefixText(prefix, tokenizer, seed);
    const prefixLen = prefix.kind === "tokens" ? prefix.len : 0;
    return lazySequence(lengths.length, function* () {
      const next = seededSource(seed, PROMPT_STREAM);
      for (const len of lengths) {
        yield {
          text: text + drawWords(pool.words, next, len).join(""),
          promptLen: prefixLen + len,
        };
      }
    });
  }
  if (typeof tokenizer === "string") {
    throw new Error(
      `a text prefix needs the loaded tokenizer to count it; pass the tokenizer, not "${tokenizer}"`,
    );
  }
  const prefixed = prefixText(prefix, tokenizer, seed);
  const prefixLen = prefixed === "" ? 0 : tokenizer.count(prefixed);
  return lazySequence(lengths.length, function* () {
    const next = seededSource(seed, PROMPT_STREAM);
    for (const len of lengths) {
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
      yield { text, promptLen };
    }
  });
}

/**
 * Builds one prompt per entry of `lengths`. The body after the prefix has
 * exactly `lengths[i]` tokens; `promptLen` is the count of the whole text
 * (prefix included): by construction where the words are additive, else
 * measured, so it is true even where a custom prefix merges with the body.
 * It is {@linkcode randomPromptSequence} read into an array.
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
  return Array.from(randomPromptSequence(options));
}

/**
 * Prompt i of `prompts` asking for `outputLens[i]` tokens, made as read: the
 * lengths are drawn alongside the prompts, each from its own stream.
 *
 * @example
 * ```ts
 * const [p] = withOutputLens(randomPrompts({ tokenizer: "cl100k_base", lengths: [8], seed: 0 }), [16]);
 * p.outputLen; // 16
 * ```
 */
export function withOutputLens(
  prompts: Sequence<Prompt>,
  outputLens: Sequence<number>,
): Sequence<DatasetPrompt> {
  return lazySequence(Math.min(prompts.length, outputLens.length), function* () {
    const lens = outputLens[Symbol.iterator]();
    for (const { text, promptLen } of prompts) {
      const outputLen = lens.next();
      if (outputLen.done) return;
      yield { text, promptLen, outputLen: outputLen.value };
    }
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
    if (tokenizer.server !== undefined) {
      const { prompts, notes } = await serverRandomPrompts({
        counter: tokenizer.server,
        lengths: take(options.inputLens, options.count),
        seed: options.seed,
        prefix: options.prefix,
      });
      const lens = take(outputLens, options.count);
      return { prompts: prompts.map((p, i) => ({ ...p, outputLen: lens[i] })), notes };
    }
    // A shipped pool fixes every length from the name: loading would only cost start-up time.
    const byName = options.prefix.kind !== "text" && shippedWordPool(tokenizer.name) !== undefined;
    const prompts = randomPromptSequence({
      tokenizer: byName ? tokenizer.name : await tokenizer.load(),
      lengths: options.inputLens,
      seed: options.seed,
      prefix: options.prefix,
    });
    return { prompts: withOutputLens(prompts, outputLens), outputLens, notes: [] };
  },
};
