/**
 * llama.cpp's per-request `timings` object, which its native `/completion`
 * and its OpenAI-style responses both carry on their last event: the
 * server's own timings, and the prefix-cache hit (`cache_n`).
 *
 * @module
 */
import type { ChunkBuilder } from "./_chunks.ts";
import type { ServerTimings } from "./types.ts";

/** llama.cpp's `timings` object, as sent; any field may be missing or of another type. */
export interface LlamaTimings {
  /** Prompt tokens evaluated (after the cache hit). */
  prompt_n?: unknown;
  /** Prompt processing, ms. */
  prompt_ms?: unknown;
  /** Tokens generated. */
  predicted_n?: unknown;
  /** Generation, ms. */
  predicted_ms?: unknown;
  /** Generation per token, ms. */
  predicted_per_token_ms?: unknown;
  /** Prompt tokens from the prefix cache. */
  cache_n?: unknown;
}

/**
 * Reads llama.cpp's `timings` (native and OpenAI-style responses alike) into
 * `builder`: the server timings, and `cache_n` as the cached prompt tokens
 * unless the server already gave those. Returns the fields read, or undefined
 * when `timings` is no object.
 *
 * @example
 * ```ts
 * import { ChunkBuilder } from "./_chunks.ts";
 *
 * const builder = new ChunkBuilder();
 * readLlamaTimings({ prompt_n: 3, cache_n: 40, prompt_ms: 12.5 }, builder);
 * builder.parsed.promptCached; // 40
 * ```
 */
export function readLlamaTimings(
  timings: unknown,
  builder: ChunkBuilder,
): ServerTimings | undefined {
  if (!timings || typeof timings !== "object") return undefined;
  const t = timings as LlamaTimings;
  const number = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value) ? value : undefined;
  const read: ServerTimings = {};
  const fields = [
    ["promptN", t.prompt_n],
    ["promptMs", t.prompt_ms],
    ["predictedN", t.predicted_n],
    ["predictedMs", t.predicted_ms],
    ["predictedPerTokenMs", t.predicted_per_token_ms],
    ["cacheN", t.cache_n],
  ] as const;
  for (const [key, value] of fields) {
    const n = number(value);
    if (n !== undefined) read[key] = n;
  }
  builder.serverTimings(read);
  if (read.cacheN !== undefined && builder.parsed.promptCached === undefined) {
    builder.promptCached(read.cacheN);
  }
  return read;
}
