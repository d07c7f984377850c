/**
 * Run-level metrics from per-request results.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import type { FailureKind } from "./failure.ts";
import { RunAccumulator } from "./run_accumulator.ts";
import type { GoodputSlo, RunMetrics } from "./run_metrics.ts";
import { describeSample, type MetricStats, type Stats } from "./stats.ts";

/** Run summary. Times in the `Stats` are milliseconds; throughputs per second. */
export interface Summary {
  /** Requests sent. */
  total: number;
  /** Requests that succeeded. */
  completed: number;
  /** Requests that failed. */
  failed: number;
  /** Run start → last response finished, seconds. */
  duration: number;
  /** completed / duration. */
  requestThroughput: number;
  /** Sum of prompt_len over completed requests. */
  totalInputTokens: number;
  /** Sum of output_len over completed requests. */
  totalOutputTokens: number;
  /** totalInputTokens / duration. */
  inputThroughput: number;
  /** totalOutputTokens / duration. */
  outputThroughput: number;
  /** (totalInputTokens + totalOutputTokens) / duration. */
  totalTokenThroughput: number;
  /** First send → last response finished, seconds. */
  activeDuration: number;
  /** Goodput (vLLM): requests meeting every `--goodput` SLO / duration; null without SLOs. */
  goodput: number | null;
  /** Requests meeting every SLO; null without SLOs. */
  goodRequests: number | null;
  /** Σ latency of all requests / duration: the time-average of requests in flight. */
  meanConcurrency: number;
  /** The most requests in flight at one instant. */
  peakConcurrency: number;
  /** The largest per-second count of output tokens arriving. */
  peakOutputTokensPerSecond: number;
  /** Failed requests by kind (see `classifyFailure`). */
  failures: Record<FailureKind, number>;
  /** Time to first token over completed requests, ms. */
  ttft?: Stats;
  /** Time per output token after the first, per completed request with ≥ 2 tokens, ms. */
  tpot?: Stats;
  /** Gaps between successive text chunks, pooled over completed requests, ms. */
  itl?: Stats;
  /** Per-token gaps (a k-token chunk after gap g gives k gaps of g/k, as SGLang), ms. */
  itlPerToken?: Stats;
  /** End-to-end latency of completed requests, ms. */
  latency?: Stats;
  /** Actual − planned send offset of every sent request, ms. */
  scheduleLag?: Stats;
  /** Delay of event-loop probes during the run, ms: the client's own lateness. */
  eventLoopLag?: Stats;
  /** Completed requests whose chunks carried several tokens each (ITL is per chunk there). */
  multiTokenChunkRequests: number;
  /**
   * Failed requests' errors by message, most frequent first (beyond 100
   * distinct messages, the rest counted under "(other error messages)").
   */
  errors: { error: string; count: number }[];
  /**
   * Distributions whose percentiles came from an HDR histogram (within 0.05 %),
   * named as in `RunMetrics.fromHistogram`; empty while all are exact.
   */
  fromHistogram: string[];
}

/** The result-file statistics in the summary's shape (p90 and p99 named). */
function toStats(m: MetricStats | null): Stats | undefined {
  if (m === null) return undefined;
  const { count, mean, std, min, median, max, percentiles } = m;
  return {
    count,
    mean,
    std,
    min,
    median,
    p90: percentiles.p90,
    p99: percentiles.p99,
    max,
    percentiles,
  };
}

/**
 * Summarises a run whose requests produced `results` in `duration` seconds
 * (goodput under `goodput` SLOs, ms, when given).
 *
 * @example
 * ```ts
 * const summary = summarize(run.results, run.duration, run.eventLoopLag);
 * summary.ttft?.median; // ms
 * ```
 */
export function summarize(
  results: readonly RequestResult[],
  duration: number,
  eventLoopLag: readonly number[] = [],
  goodput?: GoodputSlo,
): Summary {
  const accumulator = new RunAccumulator({ goodput });
  for (const r of results) accumulator.add(r, r.chunkTokens);
  return summarizeAccumulated(accumulator, duration, eventLoopLag);
}

/**
 * The summary of a run whose results went into `accumulator` (for runs that
 * keep no per-request results), with the result files' definitions. Pass the
 * accumulator's `metrics` when already taken (with p90 and p99 among them)
 * rather than have them computed again.
 */
export function summarizeAccumulated(
  accumulator: RunAccumulator,
  duration: number,
  eventLoopLag: readonly number[] = [],
  metrics: RunMetrics = accumulator.metrics({ duration, percentiles: [90, 99] }),
): Summary {
  const totals = accumulator.totals();
  const { inputTokens, outputTokens } = totals;
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  return {
    total: metrics.total,
    completed: metrics.completed,
    failed: metrics.failed,
    duration,
    requestThroughput: per(metrics.completed),
    totalInputTokens: inputTokens,
    totalOutputTokens: outputTokens,
    inputThroughput: per(inputTokens),
    outputThroughput: per(outputTokens),
    totalTokenThroughput: per(inputTokens + outputTokens),
    activeDuration: metrics.activeDuration,
    goodput: metrics.goodput,
    goodRequests: metrics.goodRequests,
    meanConcurrency: metrics.meanConcurrency,
    peakConcurrency: metrics.peakConcurrency,
    peakOutputTokensPerSecond: metrics.peakOutputTokensPerSecond,
    failures: metrics.failures,
    ttft: toStats(metrics.ttft),
    tpot: toStats(metrics.tpot),
    itl: toStats(metrics.itlPerChunk),
    itlPerToken: toStats(metrics.itlPerToken),
    latency: toStats(metrics.e2el),
    scheduleLag: toStats(metrics.queue),
    eventLoopLag: describeSample(eventLoopLag),
    multiTokenChunkRequests: totals.multiTokenChunkRequests,
    errors: totals.errors,
    fromHistogram: metrics.fromHistogram,
  };
}
