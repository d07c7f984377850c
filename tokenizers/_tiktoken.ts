/**
 * js-tiktoken, the BPE tokenizers: the one place mib names the package, so
 * one line swaps it (a full `npm:` specifier, so the library imports from
 * anywhere). Each rank table is a lazy import, so only the one used is parsed.
 *
 * @module
 */
export { getEncodingNameForModel, Tiktoken, type TiktokenBPE } from "npm:js-tiktoken@^1.0.21/lite";
import type { TiktokenBPE } from "npm:js-tiktoken@^1.0.21/lite";
import type { TiktokenEncodingName } from "./_encodings.ts";

/** The tiktoken encodings' rank tables, each a lazy import. */
export const TIKTOKEN_RANKS: Readonly<
  Record<TiktokenEncodingName, () => Promise<{ default: TiktokenBPE }>>
> = {
  cl100k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/cl100k_base"),
  o200k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/o200k_base"),
  p50k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/p50k_base"),
  p50k_edit: () => import("npm:js-tiktoken@^1.0.21/ranks/p50k_edit"),
  r50k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/r50k_base"),
  gpt2: () => import("npm:js-tiktoken@^1.0.21/ranks/gpt2"),
};
