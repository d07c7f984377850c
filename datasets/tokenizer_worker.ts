/**
 * Counting tokens on a worker thread.
 *
 * @module
 */
import type { CountReply } from "./_tokenizer_worker.ts";
import type { ResolvedTokenizer } from "./tokenizer.ts";

/** A tokenizer counting on its own thread; `close()` when done. */
export interface WorkerCounter {
  /** Tokens in `text`; answers come in the order asked. */
  count(text: string): Promise<number>;
  /** Stops the thread; counts still pending reject. */
  close(): void;
}

/**
 * Starts a worker thread that loads `tokenizer` at once (in parallel with
 * whatever the main thread does next) and counts the texts it is sent.
 *
 * @example
 * ```ts
 * const counter = startTokenizerWorker({ kind: "tiktoken", name: "cl100k_base" });
 * await counter.count("hello world"); // 2
 * counter.close();
 * ```
 */
export function startTokenizerWorker(tokenizer: ResolvedTokenizer): WorkerCounter {
  const worker = new Worker(new URL("./_tokenizer_worker.ts", import.meta.url), {
    type: "module",
  });
  // The worker answers in order, so a queue of waiting callers is enough.
  const waiting: { resolve(n: number): void; reject(e: Error): void }[] = [];
  let head = 0;
  let closed = false;
  const fail = (message: string) => {
    for (; head < waiting.length; head++) waiting[head].reject(new Error(message));
    waiting.length = head = 0;
  };
  worker.onmessage = (event: MessageEvent<CountReply>) => {
    const caller = waiting[head++];
    if (head === waiting.length) waiting.length = head = 0;
    const reply = event.data;
    if ("count" in reply) caller.resolve(reply.count);
    else caller.reject(new Error(`token count: ${reply.error}`));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(`token counting thread failed: ${event.message}`);
  };
  worker.postMessage(tokenizer);
  return {
    count(text) {
      if (closed) return Promise.reject(new Error("token counter closed"));
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(text);
      });
    },
    close() {
      if (closed) return;
      closed = true;
      worker.terminate();
      fail("token counter closed");
    },
  };
}
