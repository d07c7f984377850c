/**
 * The `sharegpt` dataset: prompts from a ShareGPT conversation dump
 * (`--dataset-path`), filtered by the `--sharegpt-*` length bounds.
 *
 * This module declares the dataset and its options; the sampling itself
 * (`sharegpt_sampling.ts`: streaming, caching, node:crypto) is imported when
 * a run uses it, so the CLI's start-up does not pay for it.
 *
 * @module
 */
import { joinPrefix, prefixText } from "./prefix.ts";
import { datasetPath } from "./_dataset_file.ts";
import type { Dataset, DatasetOption, DatasetOptionValue } from "./types.ts";

/** The token-length rules of ShareGPT sampling. */
export interface ShareGptBounds {
  /** Shortest prompt and shortest output, in tokens (`--sharegpt-min-len`). */
  minLen: number;
  /** Longest prompt, in tokens (`--sharegpt-max-prompt-len`). */
  maxPromptLen: number;
  /** Longest prompt + output, in tokens (`--sharegpt-max-total-len`). */
  maxTotalLen: number;
}

/** vLLM's bounds: 4, 1024 and 2048 tokens. */
export const DEFAULT_SHAREGPT_BOUNDS: Readonly<ShareGptBounds> = Object.freeze({
  minLen: 4,
  maxPromptLen: 1024,
  maxTotalLen: 2048,
});

/** The option that sets each bound. */
const BOUND_OPTIONS: Readonly<Record<keyof ShareGptBounds, DatasetOption>> = {
  minLen: {
    key: "sharegpt_min_len",
    flag: "--sharegpt-min-len",
    arg: "<tokens>",
    kind: "non-negative-int",
    help:
      `skip prompts or outputs shorter than this many tokens (default ${DEFAULT_SHAREGPT_BOUNDS.minLen})`,
  },
  maxPromptLen: {
    key: "sharegpt_max_prompt_len",
    flag: "--sharegpt-max-prompt-len",
    arg: "<tokens>",
    kind: "positive-int",
    help:
      `skip prompts longer than this many tokens (default ${DEFAULT_SHAREGPT_BOUNDS.maxPromptLen})`,
  },
  maxTotalLen: {
    key: "sharegpt_max_total_len",
    flag: "--sharegpt-max-total-len",
    arg: "<tokens>",
    kind: "positive-int",
    help:
      `skip conversations whose prompt + output is longer than this many tokens (default ${DEFAULT_SHAREGPT_BOUNDS.maxTotalLen})`,
  },
};

const BOUNDS = Object.keys(BOUND_OPTIONS) as (keyof ShareGptBounds)[];

/** The flag behind each bound, for messages. */
export const BOUND_FLAGS: Readonly<Record<keyof ShareGptBounds, string>> = Object.fromEntries(
  BOUNDS.map((bound) => [bound, BOUND_OPTIONS[bound].flag]),
) as Record<keyof ShareGptBounds, string>;

/**
 * The bounds set by option values (by key, as {@linkcode Dataset.load} gets
 * them); the others are left to the defaults.
 *
 * @example
 * ```ts
 * shareGptBounds({ sharegpt_min_len: 0 }); // { minLen: 0 }
 * ```
 */
export function shareGptBounds(
  values: Readonly<Record<string, DatasetOptionValue>>,
): Partial<ShareGptBounds> {
  const bounds: Partial<ShareGptBounds> = {};
  for (const bound of BOUNDS) {
    const value = values[BOUND_OPTIONS[bound].key];
    if (value !== undefined) bounds[bound] = value as number;
  }
  return bounds;
}

/**
 * `--dataset-name sharegpt`: each prompt is a conversation's first human
 * turn, its output length the reply's token count unless
 * `--output-token-distribution` is given (see `sharegpt_sampling.ts`).
 */
export const sharegpt: Dataset = {
  name: "sharegpt",
  help: "conversations of a ShareGPT JSON file, output lengths from the replies",
  needsPath: true,
  options: BOUNDS.map((bound) => BOUND_OPTIONS[bound]),
  async load(options) {
    const path = datasetPath(options, "sharegpt");
    const { loadShareGpt } = await import("./sharegpt_sampling.ts");
    const tokenizer = await options.tokenizer.load();
    const { prompts, notes } = await loadShareGpt({
      path,
      tokenizer,
      count: options.count,
      seed: options.seed,
      bounds: shareGptBounds(options.options),
      // A file's prompts are sampled up front, so their lengths are read into an array.
      outputLens: options.outputLensGiven ? Array.from(options.outputLens) : undefined,
    });
    const prefix = prefixText(options.prefix, tokenizer, options.seed);
    return { prompts: joinPrefix(prompts, prefix, tokenizer.count), notes };
  },
};
