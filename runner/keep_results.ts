/**
 * Whether a run keeps its per-request results in memory, decided from its
 * plan before the first request goes out.
 *
 * @module
 */
import type { PlannedRequest } from "./run.ts";

/** The most values a run's timing samples can get. */
export interface ValueBound {
  /** One TTFT, E2E latency, … per request. */
  requests: number;
  /** One gap per output token at most: Σ max tokens (at least 1 a request). */
  tokens: number;
}

/**
 * The most values `requests` can give a timing sample: one per request, and
 * one inter-token gap per planned output token.
 *
 * @example
 * ```ts
 * import { planRandomRun } from "./plan.ts";
 *
 * const plan = planRandomRun({
 *   seed: 0, tokenizer: "cl100k_base", count: 100,
 *   arrival: { kind: "poisson", rate: 5 },
 *   input: { kind: "constant", value: 128 },
 *   output: { kind: "constant", value: 128 },
 * });
 * valueBound(plan); // { requests: 100, tokens: 12800 }: 100 requests of 128 tokens
 * ```
 */
export function valueBound(requests: readonly PlannedRequest[]): ValueBound {
  let tokens = 0;
  for (const r of requests) tokens += Math.max(1, r.request.maxTokens);
  return { requests: requests.length, tokens };
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
