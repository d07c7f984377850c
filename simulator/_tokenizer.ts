/**
 * The simulated model's tokenizer: OpenAI's cl100k_base encoding.
 *
 * @module
 */

/** Returns the number of cl100k_base tokens in `text`. */
export type TokenCounter = (text: string) => number;

/** Token ids in and out, for the tokenize endpoints. */
export interface TokenCodec {
  /** The cl100k_base ids of `text`; special-token text counts as ordinary text. */
  encode(text: string): number[];
  /** The text of `ids` (U+FFFD where they end inside a character). */
  decode(ids: number[]): string;
}

/**
 * Loads js-tiktoken with the cl100k_base ranks.
 *
 * The modules are imported dynamically so that merely importing the simulator
 * costs nothing; the caller loads them once per server, before it accepts
 * traffic, because building the rank table blocks the event loop for a few
 * hundred milliseconds, which would otherwise stall every stream in flight.
 */
export async function loadTokenCodec(): Promise<TokenCodec> {
  const { Tiktoken, TIKTOKEN_RANKS } = await import("../tokenizers/_tiktoken.ts");
  const ranks = await TIKTOKEN_RANKS.cl100k_base();
  const encoding = new Tiktoken(ranks.default);
  return {
    // Special-token text such as "<|endoftext|>" in a prompt is counted as
    // ordinary text instead of throwing, as a server tokenizing user input would.
    encode: (text) => encoding.encode(text, [], []),
    decode: (ids) => encoding.decode(ids),
  };
}
