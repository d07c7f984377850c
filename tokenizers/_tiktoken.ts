/**
 * gpt-tokenizer, the tiktoken encodings: the one place mib names the package,
 * so one line swaps it (a full `npm:` specifier, so the library imports from
 * anywhere). Each encoding is a lazy import, so only the one used is parsed.
 *
 * Chosen over js-tiktoken (which mib used before) and the tiktoken WASM
 * bindings by `scripts/bench_tokenizers.ts` (figures in the README): the
 * same ids and counts on every text tried, a load about 7× faster than
 * js-tiktoken's with under a third of its memory (cl100k_base: 116 against
 * 821 ms, 31 against 108 MiB), and encoding many times faster. Its `decode`
 * is not used: it drops the bytes of an id that ends inside a character (and
 * keeps them for the next call) where js-tiktoken gave U+FFFD, which the
 * tokenize endpoints and the word-pool scan rely on.
 *
 * @module
 */
import type { TiktokenEncodingName } from "./_encodings.ts";

/** One tiktoken encoding, loaded. */
export interface TiktokenCodec {
  /**
   * The lowest special-token id (`<|endoftext|>`'s): every id below it is a
   * regular token. (p50k_base and p50k_edit also have regular ids just above
   * it, 50257–50280, runs of spaces; mib defined it so with js-tiktoken too.)
   */
  readonly vocabSize: number;
  /** Ids of `text`; special-token strings in it are plain text. */
  encode(text: string): number[];
  /** The number of ids of `text`, without building them. */
  count(text: string): number;
  /** Text of `ids`: U+FFFD where they end inside a character; unknown ids give nothing. */
  decode(ids: readonly number[]): string;
}

/** What gpt-tokenizer's encoding modules give (its `GptEncoding`, the part used). */
interface Encoding {
  encode(text: string, options: PlainText): number[];
  countTokens(text: string, options: PlainText): number;
}

/** gpt-tokenizer's options that make special-token strings plain text. */
interface PlainText {
  disallowedSpecial: Set<string>;
}

/** A rank table: the text (or, where it is not UTF-8, the bytes) of each id. */
type Ranks = readonly (string | readonly number[] | undefined)[];

type Loader = () => Promise<[{ default: Encoding }, { default: Ranks }]>;

/**
 * The encoding, then its rank table (for decode): the same module the
 * encoding imported, so it is parsed once. In that order, not together:
 * importing both at once measured ~2× the load time and ~10 MiB more.
 */
function loader(
  encoding: () => Promise<{ default: Encoding }>,
  ranks: () => Promise<{ default: Ranks }>,
): Loader {
  return async () => {
    const module = await encoding();
    return [module, await ranks()];
  };
}

const LOADERS: Readonly<Record<TiktokenEncodingName, Loader>> = {
  cl100k_base: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/cl100k_base"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/cl100k_base"),
  ),
  o200k_base: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/o200k_base"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/o200k_base"),
  ),
  p50k_base: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/p50k_base"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/p50k_base"),
  ),
  // p50k_edit is p50k_base's ranks with FIM special tokens added.
  p50k_edit: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/p50k_edit"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/p50k_base"),
  ),
  r50k_base: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/r50k_base"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/r50k_base"),
  ),
  // gpt2 and r50k_base share ranks, pattern and special token in tiktoken.
  gpt2: loader(
    () => import("npm:gpt-tokenizer@^4.0.0/encoding/gpt2"),
    () => import("npm:gpt-tokenizer@^4.0.0/bpeRanks/r50k_base"),
  ),
};

/**
 * Each encoding's special tokens as tiktoken (and js-tiktoken) define them.
 * gpt-tokenizer adds a few (cl100k_base's `<|im_start|>`, …); these are
 * mib's, so `vocabSize` and the decoding of special ids stay what they were.
 */
const SPECIAL_TOKENS: Readonly<Record<TiktokenEncodingName, Readonly<Record<number, string>>>> = {
  cl100k_base: {
    100257: "<|endoftext|>",
    100258: "<|fim_prefix|>",
    100259: "<|fim_middle|>",
    100260: "<|fim_suffix|>",
    100276: "<|endofprompt|>",
  },
  o200k_base: { 199999: "<|endoftext|>", 200018: "<|endofprompt|>" },
  p50k_base: { 50256: "<|endoftext|>" },
  p50k_edit: {
    50256: "<|endoftext|>",
    50281: "<|fim_prefix|>",
    50282: "<|fim_middle|>",
    50283: "<|fim_suffix|>",
  },
  r50k_base: { 50256: "<|endoftext|>" },
  gpt2: { 50256: "<|endoftext|>" },
};

// An empty set, not gpt-tokenizer's default ("all"), so that a special-token
// string in a prompt is counted as the text it is instead of throwing.
const PLAIN_TEXT: PlainText = { disallowedSpecial: new Set() };

// Not fatal, not streaming: bytes that end inside a character become U+FFFD.
const fromUtf8 = new TextDecoder();

/** The tiktoken encoding `name`, its modules imported on the first call. */
export async function loadTiktoken(name: TiktokenEncodingName): Promise<TiktokenCodec> {
  const [{ default: encoding }, { default: ranks }] = await LOADERS[name]();
  const special = SPECIAL_TOKENS[name];
  return {
    vocabSize: Math.min(...Object.keys(special).map(Number)),
    encode: (text) => encoding.encode(text, PLAIN_TEXT),
    count: (text) => encoding.countTokens(text, PLAIN_TEXT),
    decode: (ids) => decode(ids, ranks, special),
  };
}

/**
 * Text of `ids`, as js-tiktoken decoded it: the ids' bytes end to end, as
 * UTF-8. Runs of ids that are whole text are joined as strings; bytes are
 * gathered only between them, which is the same because every such run
 * starts on a character boundary.
 */
function decode(
  ids: readonly number[],
  ranks: Ranks,
  special: Readonly<Record<number, string>>,
): string {
  let text = "";
  let bytes: number[] | undefined;
  for (const id of ids) {
    const piece = ranks[id] ?? special[id];
    if (piece === undefined) continue; // js-tiktoken skipped unknown ids too
    if (typeof piece === "string") {
      if (bytes !== undefined) {
        text += fromUtf8.decode(new Uint8Array(bytes));
        bytes = undefined;
      }
      text += piece;
    } else {
      bytes ??= [];
      for (const byte of piece) bytes.push(byte);
    }
  }
  return bytes === undefined ? text : text + fromUtf8.decode(new Uint8Array(bytes));
}
