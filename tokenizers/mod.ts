/**
 * Tokenizers that measure prompt and output lengths: tiktoken encodings and
 * Hugging Face `tokenizer.json` files (from a path, the local Hub cache or a
 * download), counting on the main thread or on a worker.
 *
 * Importing this module loads js-tiktoken; code on the CLI's start-up path
 * imports `choose.ts` (and types from here) instead.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "./mod.ts";
 * (await loadTokenizer("cl100k_base")).count("hello world"); // 2
 * ```
 *
 * @module
 */
export {
  DEFAULT_TOKENIZER,
  type DefaultTokenizer,
  defaultTokenizerFor,
  type HubOptions,
  loadTokenizer,
  type ResolvedTokenizer,
  resolveEncodingName,
  resolveTokenizer,
  type ResolveTokenizerOptions,
  TIKTOKEN_ENCODINGS,
  type TiktokenEncodingName,
  type Tokenizer,
} from "./tokenizer.ts";
export { chooseTokenizer, type LazyTokenizer, lazyTokenizer } from "./choose.ts";
export { startTokenizerWorker, type WorkerCounter } from "./tokenizer_worker.ts";
