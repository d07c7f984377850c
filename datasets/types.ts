/**
 * The one interface every dataset implements.
 *
 * A dataset turns the run's sampled lengths into prompts: it is told how many
 * requests there are, the seed, the input and output lengths drawn from the
 * distributions, the tokenizer, the prefix, the file and its own option
 * values, and hands back one prompt per request with its measured token
 * count and the output length to ask for. Scheduling is not its business:
 * the planner (`runner/plan.ts`) draws the arrival offsets.
 *
 * @module
 */
import type { Sequence } from "../distributions/mod.ts";
import type { LazyTokenizer } from "../tokenizers/mod.ts";

/** One request's prompt, as a dataset hands it to the benchmark. */
export interface DatasetPrompt {
  /** The prompt text, sent exactly as is (prefix included, when a dataset applied one). */
  text: string;
  /** Token count of `text` under the run's tokenizer (measured, never estimated). */
  promptLen: number;
  /** Output tokens to ask for. */
  outputLen: number;
}

/** What goes before every prompt (`--prefix-text`, `--prefix-len`, or none). */
export type PrefixOption =
  | { kind: "none" }
  | { kind: "text"; text: string }
  | { kind: "tokens"; len: number };

/** How a dataset option's value is written: the matching kinds of the CLI's fields. */
export type DatasetOptionKind = "positive-int" | "non-negative-int" | "string" | "boolean";

/** A value of a dataset option. */
export type DatasetOptionValue = number | string | boolean;

/**
 * An option of one dataset, declared as data: the CLI makes a flag of it and
 * the config file accepts its key.
 */
export interface DatasetOption {
  /** Config-file key (the flag's name with underscores), e.g. `sharegpt_min_len`. */
  key: string;
  /** Command-line flag, e.g. `--sharegpt-min-len`. */
  flag: string;
  /** Placeholder for the value in help, e.g. `<tokens>`; none for booleans. */
  arg?: string;
  /** Value kind; the CLI and the config file check it. */
  kind: DatasetOptionKind;
  /** One-line help, without the dataset's name (the registry prefixes it). */
  help: string;
}

/** What {@linkcode Dataset.load} is given. */
export interface DatasetLoadOptions {
  /** Number of prompts to return: one per planned request. */
  count: number;
  /** Seed of the run. */
  seed: number;
  /**
   * Sampled prompt lengths after the prefix, one per request
   * (`--input-token-distribution`), drawn as they are read (an array is fine).
   */
  inputLens: Sequence<number>;
  /** Sampled output lengths, one per request (`--output-token-distribution`), drawn as read. */
  outputLens: Sequence<number>;
  /**
   * Whether `--output-token-distribution` was given: a dataset with output
   * lengths of its own (ShareGPT replies, JSONL `output_len`) uses those
   * unless it was.
   */
  outputLensGiven: boolean;
  /**
   * The run's tokenizer, by name now and loaded on demand: a dataset that
   * can make prompts of known length from the name alone (the random
   * dataset under a tiktoken encoding) never loads it.
   */
  tokenizer: LazyTokenizer;
  /** Prefix before every prompt; the dataset applies it and counts it in `promptLen`. */
  prefix: PrefixOption;
  /** `--dataset-path`, for datasets that read a file. */
  path?: string;
  /** The dataset's own option values given, by {@linkcode DatasetOption.key}. */
  options: Readonly<Record<string, DatasetOptionValue>>;
}

/** Prompts made up front (from a file), with what the user should know. */
export interface SampledPrompts {
  /** `count` prompts, in request order. */
  prompts: DatasetPrompt[];
  /** Things the user should know, e.g. sampling with replacement; one line each. */
  notes: string[];
}

/** What {@linkcode Dataset.load} hands back. */
export interface LoadedPrompts {
  /**
   * `count` prompts, in request order, prefix included: an array, or a
   * sequence that makes each as it is read (the same prompts on every pass),
   * so a plan of millions of prompts costs no memory until it is sent.
   */
  prompts: Sequence<DatasetPrompt>;
  /**
   * The prompts' `outputLen`s in order, when `prompts` is made as read: the
   * planner bounds the run's samples from these without making any prompt.
   * Absent, it reads `prompts`.
   */
  outputLens?: Sequence<number>;
  /** Things the user should know, e.g. sampling with replacement; one line each. */
  notes: string[];
}

/**
 * A source of prompts (`--dataset-name`).
 *
 * The registry (`datasets/mod.ts`) imports every dataset at CLI start-up,
 * so a dataset module stays light and imports heavy code inside `load`.
 */
export interface Dataset {
  /** `--dataset-name` value. */
  readonly name: string;
  /** One line for `--help`: what the prompts are. */
  readonly help: string;
  /** Whether it reads `--dataset-path` (required then, and refused otherwise). */
  readonly needsPath: boolean;
  /** Its own options, each a flag and a config-file key. */
  readonly options: readonly DatasetOption[];
  /**
   * One prompt per request.
   *
   * @throws {UsageError} naming the flag at fault (`--dataset-path`, an option's flag, …).
   */
  load(options: DatasetLoadOptions): Promise<LoadedPrompts>;
}
