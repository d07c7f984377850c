/**
 * The prompt a file-backed dataset (ShareGPT, text, JSONL) hands to the
 * benchmark: the text to send, its measured length and the output length to
 * ask for.
 *
 * @module
 */

/** One request's prompt from a dataset file. */
export interface DatasetPrompt {
  /** The prompt text, sent exactly as is. */
  text: string;
  /** Token count of `text` under the run's tokenizer (measured, never estimated). */
  promptLen: number;
  /** Output tokens to ask for. */
  outputLen: number;
}
