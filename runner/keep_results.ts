/**
 * Whether a run keeps its per-request results in memory, decided from its
 * plan before the first request goes out.
 *
 * @module
 */

/** The most values a run's timing samples can get. */
export interface ValueBound {
  /** One TTFT, E2E latency, … per request. */
  requests: number;
  /** One gap per output token at most: Σ max tokens (at least 1 a request). */
  tokens: number;
}

/**
 * The most values a plan of `count` requests asking for `maxTokens` can give
 * a timing sample: one per request, and one inter-token gap per planned
 * output token. The token sum stops once it passes `cap` (a run past its
 * exact limit needs no closer figure), so a plan of ten million requests is
 * not read to the end.
 *
 * @example
 * ```ts
 * valueBound(100, Array(100).fill(128)); // { requests: 100, tokens: 12800 }
 * valueBound(100, Array(100).fill(128), 1000).tokens > 1000; // true: stopped early
 * ```
 */
export function valueBound(count: number, maxTokens: Iterable<number>, cap = Infinity): ValueBound {
  let tokens = 0;
  for (const max of maxTokens) {
    tokens += Math.max(1, max);
    if (tokens > cap) break;
  }
  return { requests: count, tokens };
}

/**
 * Whether a run keeps its results: when its output file lists every request
 * (which then needs them all), or when it is small enough — at most
 * `exactLimit` requests and planned output tokens — for every sample to stay
 * exact. Any other run keeps nothing per request and counts each output as
 * it ends, so its memory does not grow with its length.
 *
 * @example
 * ```ts
 * keepsResults({ requests: 10, tokens: 1280 }, { exactLimit: 1_000_000, listsEveryRequest: false }); // true
 * keepsResults({ requests: 2e6, tokens: 2e8 }, { exactLimit: 1_000_000, listsEveryRequest: false }); // false
 * ```
 */
export function keepsResults(
  bound: ValueBound,
  options: { exactLimit: number; listsEveryRequest: boolean },
): boolean {
  if (options.listsEveryRequest) return true;
  return bound.requests <= options.exactLimit && bound.tokens <= options.exactLimit;
}
