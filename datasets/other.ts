/**
 * The `other` dataset: prompts from a plain text or a JSONL file
 * (`--dataset-name other --dataset-path F`), told apart by the file:
 *
 * - **JSONL** (a `.jsonl` name, or a first non-blank line that is a JSON
 *   object): `{"prompt": "..."}` lines, sent as given (`jsonl.ts`);
 * - **plain text**: windows of exactly the sampled lengths (`text_windows.ts`).
 *
 * @example
 * ```ts
 * import { sampleLengths } from "../distributions/mod.ts";
 * import { loadTokenizer } from "../tokenizers/mod.ts";
 *
 * const tokenizer = await loadTokenizer("cl100k_base");
 * const { prompts, format } = await loadTextPrompts({
 *   path: "book.txt",
 *   tokenizer,
 *   count: 100,
 *   seed: 0,
 *   inputLens: sampleLengths({ kind: "uniform", min: 200, max: 400 }, 100, 0, "input-lengths"),
 *   outputLens: sampleLengths({ kind: "constant", value: 128 }, 100, 0, "output-lengths"),
 * });
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { JsonlPromptOptions } from "./jsonl.ts";
import { joinPrefix, prefixText } from "./prefix.ts";
import type { TextWindowOptions } from "./text_windows.ts";
import type { Dataset, DatasetPrompt, SampledPrompts } from "./types.ts";
import {
  checkRequestCount,
  DATASET_PATH_FLAG,
  datasetLines,
  datasetPath,
  statDatasetFile,
} from "./_dataset_file.ts";

export type { DatasetPrompt };

/**
 * Options of {@linkcode loadTextPrompts}: those of both formats. `inputLens`
 * is only read for plain text (JSONL prompts are measured as they are),
 * `inOrder` only for JSONL.
 */
export interface TextPromptOptions extends TextWindowOptions, JsonlPromptOptions {}

/** Result of {@linkcode loadTextPrompts}. */
export interface TextPromptResult extends SampledPrompts {
  /** How the file was read. */
  format: "text" | "jsonl";
}

/**
 * Loads `count` prompts from a plain text or JSONL file (see the module
 * documentation for how they are told apart, and `text_windows.ts` and
 * `jsonl.ts` for how each is read).
 *
 * @throws {UsageError} on `--dataset-path` when the file is missing or empty,
 *   a JSONL line is not valid JSON or has no string `"prompt"` (with its line
 *   number), a line's `output_len` is not a positive integer, a prompt has no
 *   output length from anywhere, or a plain text file holds fewer tokens than
 *   the longest window asked for.
 * @throws {RangeError} when `count` is not a non-negative integer or a
 *   lengths array is shorter than `count`, or a window length is not a
 *   positive integer.
 */
export async function loadTextPrompts(options: TextPromptOptions): Promise<TextPromptResult> {
  const { path, count } = options;
  checkRequestCount(count, {
    outputLens: options.outputLens,
    defaultOutputLens: options.defaultOutputLens,
  });
  await statDatasetFile(path);
  const first = await firstLine(path);
  if (first === undefined) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" is empty: no prompt to send`);
  }
  // Each format's reader is loaded only when a file of it is read.
  if (/\.jsonl$/i.test(path) || looksLikeJsonObject(first)) {
    const { loadJsonlPrompts } = await import("./jsonl.ts");
    return { ...await loadJsonlPrompts(options), format: "jsonl" };
  }
  const { loadTextWindows } = await import("./text_windows.ts");
  return { ...await loadTextWindows(options), format: "text" };
}

/** The first line that is not blank, if any. */
async function firstLine(path: string): Promise<string | undefined> {
  for await (const line of datasetLines(path)) if (line.trim() !== "") return line;
  return undefined;
}

function looksLikeJsonObject(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return false;
  try {
    const value = JSON.parse(trimmed);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * `--dataset-name other`: {@linkcode loadTextPrompts} of `--dataset-path`,
 * plain text windows of the sampled input lengths or JSONL prompts as given.
 */
export const other: Dataset = {
  name: "other",
  help: "a plain text file (windows of the sampled lengths) or a JSONL file of prompts",
  needsPath: true,
  options: [],
  async load(options) {
    const tokenizer = await options.tokenizer.load();
    const { prompts, notes } = await loadTextPrompts({
      path: datasetPath(options, "other"),
      tokenizer,
      count: options.count,
      seed: options.seed,
      // A file's prompts are made up front, so their lengths are read into arrays.
      inputLens: Array.from(options.inputLens),
      outputLens: options.outputLensGiven ? Array.from(options.outputLens) : undefined,
      defaultOutputLens: Array.from(options.outputLens),
    });
    const prefix = prefixText(options.prefix, tokenizer, options.seed);
    return { prompts: joinPrefix(prompts, prefix, tokenizer.count), notes };
  },
};
