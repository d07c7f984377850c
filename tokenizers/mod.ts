/**
 * Tokenizers that measure prompt and output lengths: tiktoken encodings,
 * Hugging Face `tokenizer.json` files (from a path, the local Hub cache or a
 * download) and GGUF files' tokenizers, counting on the main thread or on a
 * worker; or the server's own, through its tokenize endpoint.
 *
 * Importing this module loads no tokenizer library (each is imported when a
 * tokenizer is loaded), but still ~20 ms of modules; code on the CLI's
 * start-up path imports `choose.ts` (and types from here) instead.
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
export {
  chooseRunTokenizer,
  chooseTokenizer,
  type LazyTokenizer,
  lazyTokenizer,
  type RunTokenizer,
  type RunTokenizerChoice,
  serverTokenizer,
} from "./choose.ts";
export {
  SERVER_TOKENIZER,
  type ServerCounter,
  serverCounter,
  type ServerCounterOptions,
  TokenizeError,
} from "./server.ts";
export { startTokenizerWorker, type WorkerCounter } from "./tokenizer_worker.ts";
