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
  /** The number of cl100k_base tokens in `text`: `encode(text).length`, without the ids. */
  count: TokenCounter;
}

/**
 * Loads the cl100k_base encoding (through `tokenizers/_tiktoken.ts`).
 *
 * The modules are imported dynamically so that merely importing the simulator
 * costs nothing; the caller loads them once per server, before it accepts
 * traffic, because parsing the rank table blocks the event loop for about a
 * tenth of a second, which would otherwise stall every stream in flight.
 */
export async function loadTokenCodec(): Promise<TokenCodec> {
  const { loadTiktoken } = await import("../tokenizers/_tiktoken.ts");
  // Special-token text such as "<|endoftext|>" in a prompt is counted as
  // ordinary text instead of throwing, as a server tokenizing user input would.
  const { encode, decode, count } = await loadTiktoken("cl100k_base");
  return { encode, decode, count };
}
