/**
 * The words the simulator "generates".
 *
 * Every entry starts with a space and is exactly one cl100k_base token, and
 * any concatenation of entries re-encodes to one token per entry (the
 * pre-tokenizer splits before each space-prefixed letter run). That lets a
 * client that counts tokens with cl100k_base arrive at the same
 * `completion_tokens` the simulator reports. tests/simulator_test.ts checks
 * both properties against the tokenizer mib counts with.
 *
 * @module
 */

/** Generation vocabulary: token `i` of every response is `VOCAB[i % VOCAB.length]`. */
export const VOCAB: readonly string[] = Object.freeze([
  " the",
  " of",
  " and",
  " to",
  " in",
  " is",
  " that",
  " for",
  " it",
  " as",
  " with",
  " was",
  " on",
  " be",
  " by",
  " at",
  " this",
  " from",
  " or",
  " an",
  " are",
  " not",
  " but",
  " have",
  " which",
  " one",
  " all",
  " were",
  " they",
  " their",
  " we",
  " can",
  " has",
  " more",
  " will",
  " time",
  " would",
  " new",
  " other",
  " some",
  " when",
  " what",
  " there",
  " about",
  " into",
  " model",
  " server",
  " token",
  " request",
  " data",
]);

// deno-fmt-ignore
/**
 * The cl100k_base id of each {@linkcode VOCAB} word, index for index, for the
 * protocols that report token ids (TGI, llama.cpp, SGLang). Real ids rather
 * than made-up ones, so a client that decodes them gets the streamed text back;
 * tests/simulator_protocols_test.ts checks them against the tokenizer mib counts with.
 */
export const VOCAB_IDS: readonly number[] = Object.freeze([
  279, 315, 323, 311, 304, 374, 430, 369, 433, 439,
  449, 574, 389, 387, 555, 520, 420, 505, 477, 459,
  527, 539, 719, 617, 902, 832, 682, 1051, 814, 872,
  584, 649, 706, 810, 690, 892, 1053, 502, 1023, 1063,
  994, 1148, 1070, 922, 1139, 1646, 3622, 4037, 1715, 828,
]);

/** cl100k_base's `<|endoftext|>`: the end-of-sequence token a natural stop "matches". */
export const EOS_TOKEN_ID = 100257;

// Encoded once so streaming a chunk copies bytes instead of re-encoding text.
// The words are plain ASCII letters, so their UTF-8 bytes are also their JSON
// string contents (nothing to escape).
const encoder = new TextEncoder();
const VOCAB_BYTES: readonly Uint8Array[] = VOCAB.map((word) => encoder.encode(word));

/** The text of tokens `start .. start+count-1` of a response. */
export function tokenText(start: number, count: number): string {
  let text = "";
  for (let i = start; i < start + count; i++) text += VOCAB[i % VOCAB.length];
  return text;
}

/** UTF-8 bytes of token `index` of a response, safe to splice inside a JSON string. */
export function tokenBytes(index: number): Uint8Array {
  return VOCAB_BYTES[index % VOCAB_BYTES.length];
}

/** The cl100k_base id of token `index` of a response. */
export function tokenId(index: number): number {
  return VOCAB_IDS[index % VOCAB_IDS.length];
}

/** Ids of tokens `start .. start+count-1`, comma-separated (the inside of a JSON array). */
export function tokenIdList(start: number, count: number): string {
  let list = "";
  for (let i = start; i < start + count; i++) {
    list += (i > start ? "," : "") + VOCAB_IDS[i % VOCAB_IDS.length];
  }
  return list;
}
