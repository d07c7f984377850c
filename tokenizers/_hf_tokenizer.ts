/**
 * Hugging Face `tokenizer.json` files as a {@linkcode Tokenizer}, through
 * Tokenizers.js (`@huggingface/tokenizers`, the official pure-JavaScript port
 * of the Rust `tokenizers` library). The library is imported on first use, so
 * a run that never loads such a tokenizer never parses it.
 *
 * Lengths count the text alone: `encode` and `count` add no special tokens (no
 * BOS, no EOS). Servers usually put a BOS token before the prompt; it shows in
 * their own `prompt_tokens`, one more than mib's count. Special-token strings
 * written in the text (`<|begin_of_text|>`) are matched as special tokens, as
 * servers that tokenize with the same file do.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { looksBinary, printable } from "./_printable.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** The parts of a `tokenizer.json` mib reads itself (the rest goes to Tokenizers.js as is). */
export interface TokenizerJsonShape {
  /** The tokenization model: its type (`BPE`, `Unigram`, …) and vocabulary. */
  model: { type?: string; vocab?: unknown };
  /** Added and special tokens, with their ids. */
  added_tokens?: { id: number }[];
}

/** Parses the text of a `tokenizer.json`, or throws a {@linkcode UsageError} naming `where`. */
export function parseTokenizerJson(text: string, where: string): TokenizerJsonShape {
  if (text.startsWith("GGUF")) {
    throw new UsageError(
      "--tokenizer",
      `${where} is a GGUF model file, not a tokenizer.json`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    // A binary file's bytes, quoted by JSON.parse, would reach the terminal as is.
    throw new UsageError(
      "--tokenizer",
      looksBinary(text)
        ? `${where} is a binary file, not a tokenizer.json`
        : `${where} is not a valid tokenizer.json: ${printable((error as Error).message)}`,
    );
  }
  const model = (json as { model?: unknown } | null)?.model;
  if (typeof json !== "object" || json === null || typeof model !== "object" || model === null) {
    throw new UsageError(
      "--tokenizer",
      `${where} is not a Hugging Face tokenizer.json: it has no "model" object`,
    );
  }
  const added = (json as { added_tokens?: unknown }).added_tokens;
  if (added !== undefined && added !== null && !Array.isArray(added)) {
    throw new UsageError("--tokenizer", `${where}: "added_tokens" is not an array`);
  }
  return json as TokenizerJsonShape;
}

/**
 * Size of the regular vocabulary: one past the highest id of the model's own
 * vocabulary that is not an added token. Added and special tokens appended
 * after it (Llama 3's 256 from 128000, Qwen's from 151643) are left out; those
 * the model itself holds (`<unk>`, `<s>`, `</s>` at 0–2 in SentencePiece
 * vocabularies) stay inside the range, as they sit below regular ids.
 */
export function regularVocabSize(json: TokenizerJsonShape): number {
  const added = new Set((json.added_tokens ?? []).map((t) => t.id));
  const vocab = json.model.vocab;
  let max = -1;
  if (Array.isArray(vocab)) {
    // Unigram: [piece, score] pairs, the id is the index.
    for (let id = vocab.length - 1; id >= 0; id--) {
      if (!added.has(id)) {
        max = id;
        break;
      }
    }
  } else if (typeof vocab === "object" && vocab !== null) {
    for (const id of Object.values(vocab as Record<string, unknown>)) {
      if (typeof id === "number" && id > max && !added.has(id)) max = id;
    }
  }
  if (max < 0) {
    throw new UsageError("--tokenizer", `the tokenizer.json has an empty or unreadable vocabulary`);
  }
  return max + 1;
}

/** The SentencePiece word boundary mark. */
const SPM_SPACE = "\u2581";

/**
 * The file with a pre-tokenizer that cuts before every `▁` that follows
 * another character, when that changes no token; else the file unchanged.
 *
 * Files converted from SentencePiece BPE (Llama 2, Mistral 7B v0.1) have no
 * pre-tokenizer: BPE then runs over a whole text at once, which in
 * Tokenizers.js bypasses its word cache and encodes some 30 000 tokens/s. When
 * no vocabulary entry has a `▁` after another character, no merge can join
 * the two sides of such a cut, so BPE on the pieces gives exactly the tokens
 * of the whole (and each piece is a word the cache keeps): ten times faster.
 */
export function withPieceSplit(json: TokenizerJsonShape): TokenizerJsonShape {
  const model = json.model as {
    type?: string;
    vocab?: unknown;
    end_of_word_suffix?: string | null;
    continuing_subword_suffix?: string | null;
  };
  const vocab = model.vocab;
  if (
    (json as { pre_tokenizer?: unknown }).pre_tokenizer != null || model.type !== "BPE" ||
    model.end_of_word_suffix || model.continuing_subword_suffix ||
    typeof vocab !== "object" || vocab === null || Array.isArray(vocab) ||
    !Object.hasOwn(vocab, SPM_SPACE)
  ) {
    return json;
  }
  const inner = new RegExp(`[^${SPM_SPACE}]${SPM_SPACE}`);
  for (const token of Object.keys(vocab)) if (inner.test(token)) return json;
  return {
    ...json,
    pre_tokenizer: {
      type: "Split",
      // The pieces are the matches: a run of ▁ and what follows up to the next ▁.
      pattern: { Regex: `${SPM_SPACE}*[^${SPM_SPACE}]+|${SPM_SPACE}+` },
      behavior: "Isolated",
      invert: true,
    },
  } as TokenizerJsonShape;
}

/**
 * A {@linkcode Tokenizer} from the text of a `tokenizer.json`.
 *
 * @param text the file's text
 * @param name the tokenizer's {@linkcode Tokenizer.name} (a model id or a path)
 * @param where how errors name the file (its path, or the model id)
 * @param options `pieceSplit: false` keeps the file exactly as written (see
 *   {@linkcode withPieceSplit}; for tests)
 * @throws {UsageError} on `--tokenizer` when the file is not valid JSON, not a
 *   tokenizer.json, or uses a component Tokenizers.js does not implement.
 */
export async function hfTokenizerFromText(
  text: string,
  name: string,
  where: string,
  options: { pieceSplit?: boolean } = {},
): Promise<Tokenizer> {
  return await hfTokenizerFromJson(parseTokenizerJson(text, where), name, where, options);
}

/**
 * A {@linkcode Tokenizer} from a parsed `tokenizer.json` (see
 * {@linkcode hfTokenizerFromText}; a GGUF file's tokenizer comes this way).
 */
export async function hfTokenizerFromJson(
  json: TokenizerJsonShape,
  name: string,
  where: string,
  options: { pieceSplit?: boolean } = {},
): Promise<Tokenizer> {
  const vocabSize = regularVocabSize(json);
  const { Tokenizer: HfTokenizer } = await import("npm:@huggingface/tokenizers@^0.2.0");
  let hf: InstanceType<typeof HfTokenizer>;
  try {
    // No tokenizer_config.json: what it adds (chat template, BOS/EOS policy)
    // does not change how plain text is split.
    hf = new HfTokenizer(options.pieceSplit === false ? json : withPieceSplit(json), {});
  } catch (error) {
    throw new UsageError(
      "--tokenizer",
      `cannot build a tokenizer from ${where}: ${(error as Error).message}`,
    );
  }
  const encode = (text: string): number[] =>
    text === "" ? [] : hf.encode(text, { add_special_tokens: false }).ids;
  return {
    name,
    vocabSize,
    encode,
    // Exact text: no clean-up of spaces before punctuation, special tokens kept.
    decode: (ids) =>
      ids.length === 0
        ? ""
        : hf.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    count: (text) => encode(text).length,
  };
}

/** Loads the `tokenizer.json` at `path` (see {@linkcode hfTokenizerFromText}). */
export async function hfTokenizerFromFile(path: string, name: string): Promise<Tokenizer> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError("--tokenizer", `cannot read ${path}: ${(error as Error).message}`);
  }
  return await hfTokenizerFromText(text, name, path);
}
