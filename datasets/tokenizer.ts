/**
 * Tokenizers that measure prompt and output lengths.
 *
 * Today: OpenAI's tiktoken encodings through js-tiktoken, chosen by encoding
 * name (`cl100k_base`) or OpenAI model name (`gpt-4o`). Hugging Face
 * `tokenizer.json` files are rejected with a clear error until they land.
 *
 * @module
 */
import { getEncodingNameForModel, Tiktoken, type TiktokenBPE } from "js-tiktoken/lite";
import { UsageError } from "../errors.ts";
import { DEFAULT_TOKENIZER, type TiktokenEncodingName } from "./_encodings.ts";

export { DEFAULT_TOKENIZER };

/** A tokenizer as the benchmark needs it: ids in, text out, and counts. */
export interface Tokenizer {
  /** What the user asked for, resolved (e.g. `cl100k_base`). */
  readonly name: string;
  /** Regular (non-special) token ids are `0 .. vocabSize - 1`. */
  readonly vocabSize: number;
  /** Token ids of `text`, special tokens treated as plain text. */
  encode(text: string): number[];
  /** Text of `ids`. */
  decode(ids: number[]): string;
  /** Number of tokens in `text`. */
  count(text: string): number;
}

/** The tiktoken encodings mib can load, each a lazy import so only one is parsed. */
const ENCODINGS: Record<TiktokenEncodingName, () => Promise<{ default: TiktokenBPE }>> = {
  cl100k_base: () => import("js-tiktoken/ranks/cl100k_base"),
  o200k_base: () => import("js-tiktoken/ranks/o200k_base"),
  p50k_base: () => import("js-tiktoken/ranks/p50k_base"),
  p50k_edit: () => import("js-tiktoken/ranks/p50k_edit"),
  r50k_base: () => import("js-tiktoken/ranks/r50k_base"),
  gpt2: () => import("js-tiktoken/ranks/gpt2"),
};

/** Names of the tiktoken encodings accepted by {@linkcode loadTokenizer}. */
export const TIKTOKEN_ENCODINGS: readonly string[] = Object.keys(ENCODINGS);

/**
 * Resolves `name` (a tiktoken encoding or an OpenAI model name) to an encoding
 * name, or throws a {@linkcode UsageError} on `--tokenizer`.
 */
export function resolveEncodingName(name: string): string {
  if (Object.hasOwn(ENCODINGS, name)) return name;
  try {
    // getEncodingNameForModel throws for names it does not know.
    return getEncodingNameForModel(name as Parameters<typeof getEncodingNameForModel>[0]);
  } catch {
    if (name.includes("/") || name.endsWith(".json")) {
      throw new UsageError(
        "--tokenizer",
        `Hugging Face tokenizers ("${name}") are not supported yet; use a tiktoken encoding (${
          TIKTOKEN_ENCODINGS.join(", ")
        }) or an OpenAI model name`,
      );
    }
    throw new UsageError(
      "--tokenizer",
      `unknown tokenizer "${name}"; expected a tiktoken encoding (${
        TIKTOKEN_ENCODINGS.join(", ")
      }) or an OpenAI model name such as gpt-4o`,
    );
  }
}

/**
 * Loads the tokenizer named by `name` (default `cl100k_base`).
 *
 * @example
 * ```ts
 * const tok = await loadTokenizer("cl100k_base");
 * tok.count("hello world"); // 2
 * ```
 */
export async function loadTokenizer(name: string = DEFAULT_TOKENIZER): Promise<Tokenizer> {
  const encoding = resolveEncodingName(name);
  const ranks = (await ENCODINGS[encoding as TiktokenEncodingName]()).default;
  const tiktoken = new Tiktoken(ranks);
  // Special tokens sit above the regular vocabulary in every tiktoken encoding.
  const vocabSize = Math.min(...Object.values(ranks.special_tokens));
  return {
    name: encoding,
    vocabSize,
    encode: (text) => tiktoken.encode(text, [], []),
    decode: (ids) => tiktoken.decode(ids),
    count: (text) => tiktoken.encode(text, [], []).length,
  };
}
