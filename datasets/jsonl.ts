/**
 * Prompts from a JSONL file: one `{"prompt": "..."}` per line, optionally with
 * `output_len` or `max_tokens`. Prompts are sent as given and measured; the
 * lines are taken in a seeded shuffle (`seededSource(seed, "jsonl")`, as
 * vLLM's custom dataset does) or in file order with `inOrder`. Fewer lines
 * than requests: all are used and the rest drawn again with replacement
 * (`seededSource(seed, "jsonl-replacement")`), with a note.
 *
 * One of the two formats of the `other` dataset (`other.ts` tells them apart).
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "../tokenizers/mod.ts";
 *
 * const { prompts } = await loadJsonlPrompts({
 *   path: "prompts.jsonl",
 *   tokenizer: await loadTokenizer("cl100k_base"),
 *   count: 100,
 *   seed: 0,
 *   defaultOutputLens: Array(100).fill(128),
 * });
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import type { DatasetPrompt, SampledPrompts } from "./types.ts";
import {
  checkRequestCount,
  DATASET_PATH_FLAG,
  datasetLines,
  fallbackOutputLen,
  formatCount,
  LazyShuffle,
} from "./_dataset_file.ts";

/** Options of {@linkcode loadJsonlPrompts}. */
export interface JsonlPromptOptions {
  /** The JSONL file (`--dataset-path`). */
  path: string;
  /** Tokenizer that measures the prompts. */
  tokenizer: Tokenizer;
  /** Number of prompts to return (one per request). */
  count: number;
  /** Seed of the run: the shuffle and draws with replacement. */
  seed: number;
  /**
   * Fixed output lengths, one per request (at least `count`), e.g. from an
   * explicit `--output-token-distribution`. They win over a line's own.
   */
  outputLens?: readonly number[];
  /**
   * Output lengths for the lines without `output_len`/`max_tokens` when
   * `outputLens` is not given, typically drawn from the default output
   * distribution. Without it such a line is a {@linkcode UsageError}.
   */
  defaultOutputLens?: readonly number[];
  /** Use the lines in file order instead of a seeded shuffle (vLLM's `--disable-shuffle`). */
  inOrder?: boolean;
}

interface JsonlEntry {
  prompt: string;
  /** The line's own output length, if it has one. */
  outputLen?: number;
  /** 1-based line number, for messages. */
  line: number;
}

async function readJsonl(path: string): Promise<JsonlEntry[]> {
  const entries: JsonlEntry[] = [];
  let number = 0;
  for await (const raw of datasetLines(path)) {
    number++;
    const line = raw.trim();
    if (line === "") continue;
    const at = `"${path}" line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(
        DATASET_PATH_FLAG,
        `${at} is not valid JSON (${error instanceof Error ? error.message : error})`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(DATASET_PATH_FLAG, `${at}: expected an object {"prompt": "..."}`);
    }
    const record = value as Record<string, unknown>;
    if (typeof record.prompt !== "string" || record.prompt === "") {
      throw new UsageError(
        DATASET_PATH_FLAG,
        `${at}: expected a non-empty string "prompt", got ${
          JSON.stringify(record.prompt) ?? "none"
        }`,
      );
    }
    const entry: JsonlEntry = { prompt: record.prompt, line: number };
    for (const key of ["output_len", "max_tokens"]) {
      const len = record[key];
      if (len === undefined || len === null) continue;
      if (typeof len !== "number" || !Number.isSafeInteger(len) || len < 1) {
        throw new UsageError(
          DATASET_PATH_FLAG,
          `${at}: "${key}" must be a positive integer, got ${JSON.stringify(len)}`,
        );
      }
      // output_len first: it is the benchmark's own name for it.
      entry.outputLen ??= len;
    }
    entries.push(entry);
  }
  return entries;
}

/**
 * Loads `count` prompts from a JSONL file of `{"prompt": ...}` lines (see the
 * module documentation).
 *
 * @throws {UsageError} on `--dataset-path` when the file cannot be read, has
 *   no prompt line, a line is not valid JSON or has no string `"prompt"`
 *   (with its line number), a line's `output_len` is not a positive integer,
 *   or a prompt has no output length from anywhere.
 * @throws {RangeError} when `count` is not a non-negative integer or a
 *   lengths array is shorter than `count`.
 */
export async function loadJsonlPrompts(options: JsonlPromptOptions): Promise<SampledPrompts> {
  const { path, tokenizer, count, seed } = options;
  checkRequestCount(count, {
    outputLens: options.outputLens,
    defaultOutputLens: options.defaultOutputLens,
  });
  const entries = await readJsonl(path);
  if (entries.length === 0) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" has no {"prompt": ...} line`);
  }
  const notes: string[] = [];
  const picks: number[] = [];
  const order = options.inOrder ? undefined : new LazyShuffle(
    entries.length,
    seededSource(seed, "jsonl"),
  );
  for (let k = 0; k < Math.min(count, entries.length); k++) picks.push(order?.take() ?? k);
  if (count > entries.length) {
    const next = seededSource(seed, "jsonl-replacement");
    while (picks.length < count) picks.push(Math.floor(next() * entries.length));
    notes.push(
      `"${path}" has ${formatCount(entries.length)} prompts for ${
        formatCount(count)
      } requests: all are used, and the other ${
        formatCount(count - entries.length)
      } requests reuse prompts drawn with replacement`,
    );
  }
  const lengths = new Map<number, number>(); // measured once per line
  const prompts = picks.map((i, k): DatasetPrompt => {
    const entry = entries[i];
    let promptLen = lengths.get(i);
    if (promptLen === undefined) {
      promptLen = tokenizer.count(entry.prompt);
      lengths.set(i, promptLen);
    }
    const outputLen = options.outputLens?.[k] ?? entry.outputLen ??
      fallbackOutputLen(options.defaultOutputLens, k, `line ${entry.line} of "${path}"`);
    return { text: entry.prompt, promptLen, outputLen };
  });
  return { prompts, notes };
}
