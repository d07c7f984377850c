/**
 * Counting tokens on a worker thread.
 *
 * @module
 */
import type { CountReply, ReadyReply } from "./_tokenizer_worker.ts";
import type { ResolvedTokenizer } from "./tokenizer.ts";

/** A tokenizer counting on its own thread; `close()` when done. */
export interface WorkerCounter {
  /** Resolves once the tokenizer is loaded; rejects if it cannot be. */
  ready: Promise<void>;
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
 * await counter.ready;
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
  let loaded: { resolve(): void; reject(e: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (loaded = { resolve, reject }));
  // Awaited or not, a failed load also fails every count: no unhandled rejection here.
  ready.catch(() => {});
  const fail = (message: string) => {
    loaded?.reject(new Error(message));
    loaded = undefined;
    for (; head < waiting.length; head++) waiting[head].reject(new Error(message));
    waiting.length = head = 0;
  };
  worker.onmessage = (event: MessageEvent<CountReply | ReadyReply>) => {
    if (loaded !== undefined) {
      const reply = event.data as ReadyReply;
      if ("ready" in reply) loaded.resolve();
      else loaded.reject(new Error(`tokenizer: ${reply.error}`));
      loaded = undefined;
      return;
    }
    const caller = waiting[head++];
    if (head === waiting.length) waiting.length = head = 0;
    const reply = event.data as CountReply;
    if ("count" in reply) caller.resolve(reply.count);
    else caller.reject(new Error(`token count: ${reply.error}`));
  };
  worker.onerror = (event) => {
    event.preventDefault();
    fail(`token counting thread failed: ${event.message}`);
    closed = true;
  };
  worker.postMessage(tokenizer);
  return {
    ready,
    count(text) {
      if (closed) return Promise.reject(new Error("token counter closed"));
      return new Promise((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage(text);
      });
    },
    close() {
      worker.terminate();
      if (closed) return;
      closed = true;
      fail("token counter closed");
    },
  };
}
