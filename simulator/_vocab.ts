/**
 * The words the simulator "generates".
 *
 * Every entry starts with a space and is exactly one cl100k_base token, and
 * any concatenation of entries re-encodes to one token per entry (the
 * pre-tokenizer splits before each space-prefixed letter run). That lets a
 * client that counts tokens with cl100k_base arrive at the same
 * `completion_tokens` the simulator reports. tests/simulator_test.ts checks
 * both properties against js-tiktoken.
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
