/**
 * Counting tokens on a worker thread.
 *
 * @module
 */
import type { CountAsk, CountReply, ReadyReply } from "./_tokenizer_messages.ts";
import type { ResolvedTokenizer } from "./tokenizer.ts";

/** A tokenizer counting on its own thread; `close()` when done. */
export interface WorkerCounter {
  /** Resolves once the tokenizer is loaded; rejects if it cannot be. */
  ready: Promise<void>;
  /** Tokens in `text`. */
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
  const waiting = new Map<number, { resolve(n: number): void; reject(e: Error): void }>();
  let nextId = 0;
  let closed = false;
  let loaded: { resolve(): void; reject(e: Error): void } | undefined;
  const ready = new Promise<void>((resolve, reject) => (loaded = { resolve, reject }));
  // Awaited or not, a failed load also fails every count: no unhandled rejection here.
  ready.catch(() => {});
  const fail = (message: string) => {
    loaded?.reject(new Error(message));
    loaded = undefined;
    for (const caller of waiting.values()) caller.reject(new Error(message));
    waiting.clear();
  };
  worker.onmessage = (event: MessageEvent<CountReply | ReadyReply>) => {
    if (loaded !== undefined) {
      const reply = event.data as ReadyReply;
      if ("ready" in reply) loaded.resolve();
      else loaded.reject(new Error(`tokenizer: ${reply.error}`));
      loaded = undefined;
      return;
    }
    const reply = event.data as CountReply;
    const caller = waiting.get(reply.id);
    if (caller === undefined) return;
    waiting.delete(reply.id);
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
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, text } satisfies CountAsk);
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
