/**
 * Planning a run: when each request goes out and what it asks for.
 *
 * @module
 */
import type { GenerationRequest } from "../backends/types.ts";
import { type PrefixOption, type RandomPromptOptions, randomPrompts } from "../datasets/random.ts";
import {
  arrivalOffsets,
  type ArrivalSpec,
  type LengthSpec,
  sampleLengths,
} from "../distributions/mod.ts";
import type { DatasetPrompt } from "../datasets/prompt.ts";
import type { PlannedRequest } from "./run.ts";

/** Options of {@linkcode planRandomRun}. */
export interface PlanOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Gaps between requests. */
  arrival: ArrivalSpec;
  /** Prompt lengths after the prefix. */
  input: LengthSpec;
  /** Output lengths. */
  output: LengthSpec;
  /** Number of requests (exclusive with `maxTime`). */
  count?: number;
  /** Sending window, seconds (exclusive with `count`). */
  maxTime?: number;
  /**
   * Tokenizer that defines prompt lengths: a loaded one, or the name of a
   * tiktoken encoding, which is enough unless `prefix` is `text` (see
   * {@linkcode RandomPromptOptions.tokenizer}).
   */
  tokenizer: RandomPromptOptions["tokenizer"];
  /** Prefix before every prompt. */
  prefix?: PrefixOption;
  /** Request fields shared by every request (model, best_of, …). */
  shared?: Omit<GenerationRequest, "prompt" | "maxTokens">;
}

/**
 * Plans a random-prompt run. The same options give the same plan, byte for
 * byte: offsets, lengths and prompts each draw from their own seeded stream.
 *
 * @example
 * ```ts
 * const plan = planRandomRun({
 *   seed: 0, tokenizer: "cl100k_base", count: 10,
 *   arrival: { kind: "poisson", rate: 5 },
 *   input: { kind: "constant", value: 128 },
 *   output: { kind: "constant", value: 64 },
 * });
 * ```
 */
export function planRandomRun(options: PlanOptions): PlannedRequest[] {
  const { seed } = options;
  const offsets = arrivalOffsets(options.arrival, {
    seed,
    count: options.count,
    maxTime: options.maxTime,
  });
  const inputLens = sampleLengths(options.input, offsets.length, seed, "input-lengths");
  const outputLens = sampleLengths(options.output, offsets.length, seed, "output-lengths");
  const prompts = randomPrompts({
    tokenizer: options.tokenizer,
    lengths: inputLens,
    seed,
    prefix: options.prefix,
  });
  return offsets.map((offset, i) => ({
    offset,
    promptLen: prompts[i].promptLen,
    request: { ...options.shared, prompt: prompts[i].text, maxTokens: outputLens[i] },
  }));
}

/**
 * Plans requests from prompts a dataset file gave: request i is `prompts[i]`
 * (after `prefixText`) sent at `offsets[i]`. With a prefix, `promptLen` is
 * the measured count of the joined text, so it is true even where the prefix
 * merges with the prompt.
 */
export function planFromPrompts(
  offsets: readonly number[],
  prompts: readonly DatasetPrompt[],
  options: {
    prefixText?: string;
    count?: (text: string) => number;
    shared?: Omit<GenerationRequest, "prompt" | "maxTokens">;
  } = {},
): PlannedRequest[] {
  const prefix = options.prefixText ?? "";
  if (prefix !== "" && options.count === undefined) {
    throw new RangeError("a prefix needs `count` to measure the joined prompt");
  }
  return offsets.map((offset, i) => {
    const prompt = prompts[i];
    const text = prefix + prompt.text;
    return {
      offset,
      promptLen: prefix === "" ? prompt.promptLen : options.count!(text),
      request: { ...options.shared, prompt: text, maxTokens: prompt.outputLen },
    };
  });
}
