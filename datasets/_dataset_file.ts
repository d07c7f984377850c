/**
 * Shared plumbing of the file-backed datasets: checking the file, and seeded
 * sampling without and then with replacement.
 *
 * @module
 */
import { readLines } from "../io/lines.ts";
import { UsageError } from "../errors.ts";

/** The flag every dataset-file error names. */
export const DATASET_PATH_FLAG = "--dataset-path";

/**
 * `options.path`, which a dataset that reads a file cannot do without: a
 * {@linkcode UsageError} on `--dataset-path` when it is missing.
 */
export function datasetPath(options: { path?: string }, dataset: string): string {
  if (options.path === undefined) {
    throw new UsageError(DATASET_PATH_FLAG, `required with --dataset-name ${dataset}`);
  }
  return options.path;
}

/**
 * Stats `path` as a readable regular file, or throws a {@linkcode UsageError}
 * on `--dataset-path` saying why it is not one.
 */
export async function statDatasetFile(path: string): Promise<Deno.FileInfo> {
  if (path === "") throw new UsageError(DATASET_PATH_FLAG, 'expected a file path, got ""');
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  if (info.isDirectory) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" is a directory, not a dataset file`);
  }
  return info;
}

/** A short reason for a failed file operation. */
export function fileProblem(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "no such file";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "not allowed (run with --allow-read)";
  return error instanceof Error ? error.message : String(error);
}

/**
 * A seeded Fisher–Yates shuffle of `0 .. n - 1` drawn one position at a time:
 * the forward variant fixes position i with the i-th draw alone, so taking the
 * first k indices costs k draws and gives the same k whether or not the rest
 * is ever drawn.
 */
export class LazyShuffle {
  readonly #order: Uint32Array;
  readonly #next: () => number;
  #taken = 0;

  /** A shuffle of `n` indices driven by `next` (floats in [0, 1)). */
  constructor(n: number, next: () => number) {
    this.#order = new Uint32Array(n);
    for (let i = 0; i < n; i++) this.#order[i] = i;
    this.#next = next;
  }

  /** How many indices were drawn so far. */
  get taken(): number {
    return this.#taken;
  }

  /** The next index of the shuffled order, or `undefined` once all are drawn. */
  take(): number | undefined {
    const order = this.#order;
    const i = this.#taken;
    if (i >= order.length) return undefined;
    const j = i + Math.floor(this.#next() * (order.length - i));
    const picked = order[j];
    order[j] = order[i];
    order[i] = picked;
    this.#taken = i + 1;
    return picked;
  }
}

/** `1,234`-style grouping for notes and messages. */
export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}

/**
 * A `RangeError` unless `count` is a non-negative integer and every lengths
 * array given has an entry per request: the caller's mistake, not the user's.
 */
export function checkRequestCount(
  count: number,
  lengths: Readonly<Record<string, readonly number[] | undefined>>,
): void {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  for (const [name, lens] of Object.entries(lengths)) {
    if (lens !== undefined && lens.length < count) {
      throw new RangeError(`${name} has ${lens.length} entries for ${count} requests`);
    }
  }
}

/**
 * Output length of request `k` when neither the caller nor the file fixes
 * it: `defaults[k]`, else a {@linkcode UsageError} on `--dataset-path`
 * saying that `what` (a line, a window) has none.
 */
export function fallbackOutputLen(
  defaults: readonly number[] | undefined,
  k: number,
  what: string,
): number {
  const len = defaults?.[k];
  if (len === undefined) {
    throw new UsageError(
      DATASET_PATH_FLAG,
      `${what} has no output length: give --output-token-distribution${
        what.startsWith("line") ? ', or "output_len" on the line' : ""
      }`,
    );
  }
  return len;
}

/** The file's lines; a file that cannot be opened is a usage error. */
export async function* datasetLines(path: string): AsyncGenerator<string> {
  const all = readLines(path);
  let first: IteratorResult<string>;
  try {
    first = await all.next();
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  if (first.done) return;
  yield first.value;
  yield* all;
}
