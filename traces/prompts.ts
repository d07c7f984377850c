/**
 * Prompts of a Mooncake trace: each hash id stands for one 512-token block,
 * so the prompts of rows that share hash ids share those blocks' text, byte
 * for byte, and a server with a prefix cache sees the sharing the trace had.
 *
 * @module
 */
import type { DatasetPrompt } from "../datasets/types.ts";
import { drawWords } from "../datasets/word_pool.ts";
import { lazySequence, seededSource, type Sequence } from "../distributions/mod.ts";
import { MOONCAKE_BLOCK_TOKENS } from "./formats.ts";
import type { Trace } from "./read.ts";

/** The `seededSource` stream of the words after a prompt's hash blocks. */
const TAIL_STREAM = "trace-prompt-tails";

/** What {@linkcode mooncakePrompts} builds prompts from. */
export interface MooncakePromptOptions {
  /** Words of one token each (a word pool), whose joined text has one token per word. */
  words: readonly string[];
  /** Seed of the run: the same seed and trace give the same prompts. */
  seed: number;
  /**
   * Counts a prompt's tokens where the pool is not known to be additive (a
   * scanned pool); without it a prompt of n words has n tokens.
   */
  count?: (text: string) => number;
}

/**
 * One prompt per row of `trace` (which has `hashIds`), made as read: the
 * words of the row's hash blocks in order, each block the same 512 words
 * wherever its id appears (drawn from a stream named by the id), cut at the
 * row's input length, then, when the row has more tokens than its blocks
 * cover, words of its own. A prompt of n pool words has n tokens, so
 * `promptLen` is the row's `input_length` exactly (measured with `count` when
 * given); `outputLen` is its `output_length`.
 *
 * @example
 * ```ts
 * import { shippedWordPool } from "../datasets/word_pool.ts";
 * import { readTrace } from "./read.ts";
 *
 * const trace = await readTrace("tests/fixtures/trace_mooncake.jsonl");
 * const [first] = mooncakePrompts(trace, { words: shippedWordPool("cl100k_base")!, seed: 0 });
 * first.promptLen === trace.inputLens[0]; // true
 * ```
 */
export function mooncakePrompts(
  trace: Trace,
  options: MooncakePromptOptions,
): Sequence<DatasetPrompt> {
  const { offsets, inputLens, outputLens } = trace;
  const { starts, ids } = trace.hashIds ?? { starts: new Uint32Array(offsets.length + 1), ids: [] };
  const { words: pool, seed, count } = options;
  return lazySequence(offsets.length, function* () {
    const tail = seededSource(seed, TAIL_STREAM);
    for (let i = 0; i < offsets.length; i++) {
      const length = inputLens[i];
      const words: string[] = [];
      for (let j = starts[i]; j < starts[i + 1] && words.length < length; j++) {
        const block = seededSource(seed, `trace-prompt-block:${ids[j]}`);
        const n = Math.min(MOONCAKE_BLOCK_TOKENS, length - words.length);
        for (const word of drawWords(pool, block, n)) words.push(word);
      }
      for (const word of drawWords(pool, tail, length - words.length)) words.push(word);
      const text = words.join("");
      yield { text, promptLen: count?.(text) ?? length, outputLen: outputLens[i] };
    }
  });
}
