/**
 * What the simulated server counts of the requests it served, as vLLM's
 * request-level metrics: prompt and generation token counters, prefix-cache
 * queries and hits (in tokens), and the histograms of time to first token and
 * of time in the waiting queue (seconds, vLLM's buckets). Served with the
 * engine's gauges at `GET /metrics` (see `_prometheus.ts`).
 *
 * @module
 */

/** vLLM's buckets of `vllm:time_to_first_token_seconds`. */
export const TTFT_BUCKETS = [
  0.001,
  0.005,
  0.01,
  0.02,
  0.04,
  0.06,
  0.08,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
  20,
  40,
  80,
  160,
  640,
  2560,
] as const;

/** vLLM's buckets of its request-time histograms (`vllm:request_queue_time_seconds`). */
export const REQUEST_TIME_BUCKETS = [
  0.3,
  0.5,
  0.8,
  1,
  1.5,
  2,
  2.5,
  5,
  10,
  15,
  20,
  30,
  40,
  50,
  60,
  120,
  240,
  480,
  960,
  1920,
  7680,
] as const;

/** A Prometheus histogram: cumulative bucket counts, sum and count. */
export class Histogram {
  /** Upper bounds, ascending (`+Inf` implied). */
  readonly bounds: readonly number[];
  /** Observations ≤ each bound (not yet cumulative: one count per bucket). */
  readonly #counts: number[];
  /** Σ observed values. */
  sum = 0;
  /** Observations. */
  count = 0;

  /** An empty histogram over `bounds`. */
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.#counts = bounds.map(() => 0);
  }

  /** Adds one observation. */
  observe(value: number): void {
    this.sum += value;
    this.count++;
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) this.#counts[i]++;
  }

  /** Cumulative count at each bound. */
  cumulative(): number[] {
    let running = 0;
    return this.#counts.map((c) => (running += c));
  }
}

/** The request-level counters of one simulated server. */
export class ServerStats {
  /** Prompt tokens admitted (`vllm:prompt_tokens_total`). */
  promptTokens = 0;
  /** Tokens generated (`vllm:generation_tokens_total`). */
  generationTokens = 0;
  /** Prompt tokens looked up in the prefix cache (`vllm:prefix_cache_queries_total`). */
  prefixQueries = 0;
  /** Of those, tokens found there (`vllm:prefix_cache_hits_total`; 0 without `--prefix-cache`). */
  prefixHits = 0;
  /** Arrival → first token, seconds. */
  readonly ttft: Histogram = new Histogram(TTFT_BUCKETS);
  /** Arrival → admission, seconds. */
  readonly queue: Histogram = new Histogram(REQUEST_TIME_BUCKETS);

  /**
   * A request of `promptTokens`, `cachedTokens` of them from the prefix
   * cache, was admitted `waitedMs` after it arrived.
   */
  admitted(waitedMs: number, promptTokens: number, cachedTokens = 0): void {
    this.queue.observe(Math.max(0, waitedMs) / 1000);
    this.promptTokens += promptTokens;
    this.prefixQueries += promptTokens;
    this.prefixHits += cachedTokens;
  }

  /** A request's first token is due `ms` after it arrived. */
  firstToken(ms: number): void {
    this.ttft.observe(Math.max(0, ms) / 1000);
  }

  /** A request ended having generated `tokens`. */
  generated(tokens: number): void {
    this.generationTokens += tokens;
  }
}
