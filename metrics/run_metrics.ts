/**
 * The exact metric variants of one run, as pure functions of its per-request
 * results: vLLM's and SGLang's ITL side by side, goodput as vLLM defines it,
 * failures by kind, concurrency and a per-second time series.
 *
 * Timing distributions are in milliseconds; offsets and the time series in
 * seconds from the run start.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import type { FailureKind } from "./failure.ts";
import { DEFAULT_PERCENTILES, RunAccumulator } from "./run_accumulator.ts";
import { Sample } from "./sample.ts";
import type { MetricStats } from "./stats.ts";

/** One whole second [s, s + 1) of the run. */
export interface SecondBucket {
  /** s: the bucket covers send offsets t with s ≤ t < s + 1. */
  second: number;
  /** Requests (any outcome) with s ≤ `sendOffset` < s + 1. */
  sent: number;
  /** Successful requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  completed: number;
  /** Failed requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  failed: number;
  /**
   * Requests (any outcome) in flight at the bucket's end: sent in bucket s or before,
   * ended in a later bucket (for all but the last bucket: `sendOffset` < s + 1 ≤
   * `sendOffset + latency`). So inFlight[s] = inFlight[s − 1] + sent[s] − completed[s] −
   * failed[s], and the last bucket's is 0.
   */
  inFlight: number;
  /**
   * Output tokens of successful requests that arrived in [s, s + 1), each
   * placed as in {@link RunMetrics.peakOutputTokensPerSecond}.
   */
  outputTokens: number;
}

/** The run's metrics. Timing distributions in ms over successful requests. */
export interface RunMetrics {
  /** The run duration given (run start → last response), seconds. */
  duration: number;
  /**
   * First send → last response finished, seconds (AIPerf's duration; the
   * given `duration` also counts any wait before the first planned send).
   */
  activeDuration: number;
  /**
   * Client queue time: actual − planned send offset of every request (sent or
   * failed), ms — how late the client was against the schedule.
   */
  queue: MetricStats | null;
  /** Requests in the results. */
  total: number;
  /** Requests with `success`. */
  completed: number;
  /** Requests without `success`. */
  failed: number;
  /** TTFT: `ttft`·1000 of every successful request whose `ttft` is not null. Null when none. */
  ttft: MetricStats | null;
  /**
   * TPOT (vLLM): per successful request with `ttft` not null and `outputLen` ≥ 2,
   * (`latency` − `ttft`) / (`outputLen` − 1), in ms. Null when none.
   */
  tpot: MetricStats | null;
  /**
   * ITL per chunk (vLLM's "itl"): every entry of `itl`·1000 of every successful
   * request, pooled: one sample per gap between successive text chunks, a
   * multi-token chunk not split. Null when none.
   */
  itlPerChunk: MetricStats | null;
  /**
   * ITL per token (SGLang): over successful streamed requests with `ttft` not null,
   * each gap g = `itl[j]` (before chunk j + 1) yields k samples of g/k (ms), where k is
   * the tokens chunk j + 1 carried: `chunkTokens[i][j + 1]` when that request's counts
   * are known (entries 0..itl.length all integers ≥ 0; a 0-token chunk yields none);
   * else, when n = `outputLen` − 1 exceeds G = `itl.length`, the n tokens are spread
   * over the G gaps as evenly as integers allow (gap j gets ⌊n/G⌋, plus 1 when
   * j < n mod G) and the request counts in `perTokenItlEstimated`; else k = 1 (same
   * as per chunk). The first chunk's tokens yield no sample. Null when none.
   */
  itlPerToken: MetricStats | null;
  /**
   * Successful requests whose `itlPerToken` samples were estimated (token counts
   * unknown and `outputLen` − 1 > `itl.length` ≥ 1).
   */
  perTokenItlEstimated: number;
  /** E2E latency: `latency`·1000 of every successful request. Null when none. */
  e2el: MetricStats | null;
  /**
   * Goodput (vLLM): successful requests meeting every given SLO, per second of
   * `duration` (0 when duration ≤ 0); null when no SLO was given. Compared in seconds
   * as vLLM: `ttft` ≤ slo/1000 (a null `ttft` fails), TPOT ≤ slo/1000 where TPOT is as
   * `tpot` for `outputLen` ≥ 2 (a null `ttft` fails) and 0 for `outputLen` ≤ 1 (vLLM),
   * `latency` ≤ slo/1000.
   */
  goodput: number | null;
  /** The successful requests meeting every given SLO; null when no SLO was given. */
  goodRequests: number | null;
  /** Failed requests by kind (every kind present), classified by {@link classifyFailure}. */
  failures: Record<FailureKind, number>;
  /**
   * Mean concurrency: Σ `latency` of all requests / `duration` (0 when duration ≤ 0),
   * i.e. the time-average of requests in flight.
   */
  meanConcurrency: number;
  /**
   * Peak concurrency: the largest number of requests (any outcome) whose half-open
   * intervals [`sendOffset`, `sendOffset + latency`) overlap at one instant (a request
   * ending at t and one sent at t do not overlap; a request of zero latency never counts).
   */
  peakConcurrency: number;
  /**
   * Peak output tokens/s: the largest `outputTokens` of `timeSeries` (0 when empty).
   * Tokens of successful requests are placed at the arrival of the chunk that carried
   * them: chunk c (0-based, c ≤ G = `itl.length`) arrives at `sendOffset + ttft` +
   * Σ `itl[0..c−1]` and carries `chunkTokens[i][c]` when known (as in `itlPerToken`),
   * else chunk 0 carries min(1, `outputLen`) and chunk j + 1 the share of gap j of
   * max(0, `outputLen` − 1) spread as in `itlPerToken` (⌊n/G⌋, +1 when j < n mod G).
   * An unstreamed response or one with a null `ttft` has all `outputLen` tokens at
   * its end, `sendOffset + latency`.
   */
  peakOutputTokensPerSecond: number;
  /**
   * One bucket per whole second s = 0, 1, …, N − 1 of the run, N = ⌈duration⌉ (at
   * least 1 when there are results; none when there are none). An event (send, end,
   * token arrival) at t goes to bucket min(max(0, ⌊t⌋), N − 1): an event at or after
   * N (such as the last response ending at exactly t = duration, a whole number) is in
   * the last bucket. The last bucket may be partial; counts are not scaled.
   */
  timeSeries: SecondBucket[];
  /**
   * The distributions (of "ttft", "tpot", "itlPerChunk", "itlPerToken", "e2el",
   * "queue") whose percentiles came from an HDR histogram because they outgrew
   * the exact limit, or were bound to (see `RunAccumulatorOptions.expect`):
   * each value at a rank is then the middle of its bucket,
   * within 0.05 % of the true value (min and max stay exact). Empty while
   * every percentile is exact.
   */
  fromHistogram: string[];
}

/** SLOs for goodput, in milliseconds. */
export interface GoodputSlo {
  /** TTFT ≤ this. */
  ttft?: number;
  /** TPOT ≤ this. */
  tpot?: number;
  /** E2E latency ≤ this. */
  e2el?: number;
}

/** What {@link computeRunMetrics} needs besides the results. */
export interface RunMetricsOptions {
  /** Run duration, seconds. */
  duration: number;
  /** Percentiles to report, each in [0, 100]; default [50, 90, 95, 99]. */
  percentiles?: readonly number[];
  /** Goodput SLOs (ms); goodput is null without any. */
  goodput?: GoodputSlo;
  /**
   * Per request (same index as `results`), the tokens carried by each text chunk;
   * an absent entry (or the whole option absent) means unknown.
   */
  chunkTokens?: readonly (readonly (number | undefined)[] | undefined)[];
}

/** {@link MetricStats} of `values` (any order, ms), or null for an empty sample. */
export function metricStats(
  values: readonly number[],
  percentiles: readonly number[] = DEFAULT_PERCENTILES,
): MetricStats | null {
  const sample = new Sample();
  for (const v of values) sample.add(v);
  return sample.stats(percentiles);
}

/**
 * Computes the run's metrics (see {@link RunMetrics} for every definition).
 *
 * @example
 * ```ts
 * const m = computeRunMetrics(run.results, { duration: run.duration, goodput: { ttft: 200 } });
 * m.itlPerToken?.percentiles.p99; // ms
 * ```
 */
export function computeRunMetrics(
  results: readonly RequestResult[],
  options: RunMetricsOptions,
): RunMetrics {
  const accumulator = new RunAccumulator({ goodput: options.goodput });
  results.forEach((r, i) => accumulator.add(r, options.chunkTokens?.[i]));
  return accumulator.metrics(options);
}
