/**
 * Names of the tiktoken encodings mib knows, without loading js-tiktoken: the
 * benchmark checks `--tokenizer` and picks a shipped word pool from these
 * alone, so a run that never counts a token never loads a tokenizer.
 *
 * @module
 */

/** The tiktoken encodings, in the order they are listed to users. */
export const TIKTOKEN_ENCODING_NAMES = [
  "cl100k_base",
  "o200k_base",
  "p50k_base",
  "p50k_edit",
  "r50k_base",
  "gpt2",
] as const;

/** A tiktoken encoding name. */
export type TiktokenEncodingName = typeof TIKTOKEN_ENCODING_NAMES[number];

/** The default tokenizer when `--tokenizer` is not given. */
export const DEFAULT_TOKENIZER: TiktokenEncodingName = "cl100k_base";

/** Whether `name` is a tiktoken encoding name (not a model name). */
export function isTiktokenEncoding(name: string): name is TiktokenEncodingName {
  return (TIKTOKEN_ENCODING_NAMES as readonly string[]).includes(name);
}
