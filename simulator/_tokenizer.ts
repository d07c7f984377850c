/**
 * Prompt token counting under OpenAI's cl100k_base encoding.
 *
 * @module
 */

/** Returns the number of cl100k_base tokens in `text`. */
export type TokenCounter = (text: string) => number;

/**
 * Loads js-tiktoken with the cl100k_base ranks and returns a counter.
 *
 * The modules are imported dynamically so that merely importing the simulator
 * costs nothing; the caller loads them once per server, before it accepts
 * traffic, because building the rank table blocks the event loop for a few
 * hundred milliseconds, which would otherwise stall every stream in flight.
 */
export async function loadTokenCounter(): Promise<TokenCounter> {
  const [{ Tiktoken }, ranks] = await Promise.all([
    import("js-tiktoken/lite"),
    import("js-tiktoken/ranks/cl100k_base"),
  ]);
  const encoding = new Tiktoken(ranks.default);
  // Special-token text such as "<|endoftext|>" in a prompt is counted as
  // ordinary text instead of throwing, as a server tokenizing user input would.
  return (text) => encoding.encode(text, [], []).length;
}
