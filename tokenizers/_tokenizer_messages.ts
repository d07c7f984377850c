/**
 * The messages between the tokenizer worker (`_tokenizer_worker.ts`) and
 * its owner (`tokenizer_worker.ts`): a module of their own, so the owner
 * loads none of the worker's code (nor its worker-only type directives).
 *
 * @module
 */

/** A text to count, with the id its reply carries. */
export interface CountAsk {
  /** Chosen by the asker. */
  id: number;
  /** What to count. */
  text: string;
}

/** A count, or why there is none. */
export type CountReply = { id: number } & ({ count: number } | { error: string });

/** The tokenizer is loaded (or why it could not be). */
export type ReadyReply = { ready: true } | { error: string };
