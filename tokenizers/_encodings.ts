/**
 * Names of the tiktoken encodings mib knows, without loading the tokenizer
 * library: the benchmark checks `--tokenizer` and picks a shipped word pool
 * from these alone, so a run that never counts a token never loads a tokenizer.
 *
 * @module
 */

/**
 * A tiktoken encoding name. Spelled out rather than derived from the list
 * below, so that this public type names no private constant; the loaders in
 * `tokenizer.ts` are keyed by it, so a name without a loader fails the type
 * check.
 */
export type TiktokenEncodingName =
  | "cl100k_base"
  | "o200k_base"
  | "p50k_base"
  | "p50k_edit"
  | "r50k_base"
  | "gpt2";

/** The tiktoken encodings, in the order they are listed to users. */
export const TIKTOKEN_ENCODING_NAMES: readonly TiktokenEncodingName[] = [
  "cl100k_base",
  "o200k_base",
  "p50k_base",
  "p50k_edit",
  "r50k_base",
  "gpt2",
];

/** The default tokenizer when `--tokenizer` is not given. */
export const DEFAULT_TOKENIZER: TiktokenEncodingName = "cl100k_base";

/** Whether `name` is a tiktoken encoding name (not a model name). */
export function isTiktokenEncoding(name: string): name is TiktokenEncodingName {
  return (TIKTOKEN_ENCODING_NAMES as readonly string[]).includes(name);
}
