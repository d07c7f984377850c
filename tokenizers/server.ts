/**
 * Counting tokens with the server's own tokenizer, through its tokenize
 * endpoint (`--tokenizer server`): the backend says how to ask
 * ({@linkcode TokenizeEndpoint}), and this module asks for many texts at once
 * with a few requests in flight, so that counting the prompts of a whole run
 * costs a few round trips, not one per prompt in turn.
 *
 * Light: `fetch` only, no tokenizer library, so the CLI may import it at
 * start-up.
 *
 * @module
 */
import type { TokenizeEndpoint } from "../backends/types.ts";
import { printable } from "./_printable.ts";

/** The `--tokenizer` value that counts with the server's tokenize endpoint. */
export const SERVER_TOKENIZER = "server";

/** A tokenizer that counts remotely, many texts per round trip. */
export interface ServerCounter {
  /** `server:` and the endpoint's URL, e.g. `server:http://127.0.0.1:8080/tokenize`. */
  readonly name: string;
  /**
   * Token counts of `texts`, in order (no special tokens, where the server
   * lets the client say so). Empty texts count 0 without asking.
   *
   * @throws {TokenizeError} when the server does not answer, or not as expected.
   */
  countAll(texts: readonly string[]): Promise<number[]>;
  /** Token count of `text` (see {@linkcode ServerCounter.countAll}). */
  count(text: string): Promise<number>;
}

/** Options of {@linkcode serverCounter}. */
export interface ServerCounterOptions {
  /** Server base URL, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** How this server's tokenize endpoint is asked (the backend's `tokenize`). */
  endpoint: TokenizeEndpoint;
  /** Model id to name in the request, where the endpoint takes one. */
  model?: string;
  /** Headers of every request (the run's, credentials included). */
  headers?: Readonly<Record<string, string>>;
  /** Requests in flight at most (default 4). */
  concurrency?: number;
  /** Time one request may take, in ms (default 30 000). */
  timeoutMs?: number;
  /** Aborts every request. */
  signal?: AbortSignal;
}

/** A tokenize request that failed: why, with the URL. */
export class TokenizeError extends Error {
  /** Always `"TokenizeError"`. */
  override name = "TokenizeError";
}

/** At most `limit` calls of `task` run at once; the others wait their turn. */
function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/**
 * A {@linkcode ServerCounter} over `options.endpoint` at `options.baseUrl`.
 * Nothing is sent until something is counted.
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 *
 * const counter = serverCounter({
 *   baseUrl: "http://127.0.0.1:8080",
 *   endpoint: getBackend("llama.cpp").tokenize!,
 * });
 * await counter.countAll(["Hello world", "Once upon a time"]); // e.g. [6, 4]
 * ```
 */
export function serverCounter(options: ServerCounterOptions): ServerCounter {
  const { endpoint, model, signal } = options;
  const url = options.baseUrl.replace(/\/+$/, "") + endpoint.path;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const limit = limiter(Math.max(1, options.concurrency ?? 4));
  const headers = { "content-type": "application/json", ...options.headers };

  const ask = async (texts: readonly string[], client: Deno.HttpClient): Promise<number[]> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: "POST",
        headers,
        body: JSON.stringify(endpoint.body(texts, model)),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        client,
      });
      text = await response.text();
    } catch (error) {
      const reason = timeout.aborted
        ? `no answer within ${timeoutMs / 1000} s`
        : error instanceof Error
        ? error.message
        : String(error);
      throw new TokenizeError(`POST ${url}: ${reason}`);
    }
    const start = printable(text.slice(0, 200));
    if (!response.ok) {
      throw new TokenizeError(`POST ${url} answered HTTP ${response.status}: ${start}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new TokenizeError(`POST ${url} answered with something other than JSON: ${start}`);
    }
    const counts = endpoint.counts(json, texts.length);
    if (
      counts === undefined || counts.length !== texts.length ||
      !counts.every((n) => Number.isInteger(n) && n >= 0)
    ) {
      throw new TokenizeError(`POST ${url} answered in a shape mib does not expect: ${start}`);
    }
    return counts;
  };

  const countAll = async (texts: readonly string[]): Promise<number[]> => {
    const counts = new Array<number>(texts.length).fill(0);
    // Only non-empty texts are asked about: some servers refuse an empty prompt.
    const asked = texts.flatMap((text, i) => (text === "" ? [] : [i]));
    const batches: number[][] = [];
    for (let i = 0; i < asked.length; i += endpoint.maxTexts) {
      batches.push(asked.slice(i, i + endpoint.maxTexts));
    }
    // Connections of their own, closed when the batch is counted: an idle
    // keep-alive connection holds one of the server's HTTP threads (llama.cpp
    // has a few) until it times out, and the benchmark's requests would wait.
    const client = Deno.createHttpClient({});
    try {
      await Promise.all(batches.map(async (batch) => {
        const found = await limit(() => ask(batch.map((i) => texts[i]), client));
        batch.forEach((i, k) => (counts[i] = found[k]));
      }));
    } finally {
      client.close();
    }
    return counts;
  };

  return {
    name: `${SERVER_TOKENIZER}:${url}`,
    countAll,
    count: async (text) => (await countAll([text]))[0],
  };
}
