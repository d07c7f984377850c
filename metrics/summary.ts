/**
 * Run-level metrics from per-request results.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { computeRunMetrics, type MetricStats } from "./run_metrics.ts";
import { describeSample, type Stats } from "./stats.ts";

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
  /** Failed requests' errors by message, most frequent first. */
  errors: { error: string; count: number }[];
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
 * Summarises a run whose requests produced `results` in `duration` seconds.
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
): Summary {
  // One pass computes every timing distribution, with the result files' definitions.
  const metrics = computeRunMetrics(results, {
    duration,
    percentiles: [90, 99],
    chunkTokens: results.map((r) => r.chunkTokens),
  });
  const ok = results.filter((r) => r.success);
  let totalInputTokens = 0;
  let totalOutputTokens = 0;
  let multiTokenChunkRequests = 0;
  for (const r of ok) {
    totalInputTokens += r.promptLen;
    totalOutputTokens += r.outputLen;
    if (r.streamed && r.outputLen > r.chunks) multiTokenChunkRequests++;
  }
  const errorCounts = new Map<string, number>();
  for (const r of results) {
    if (!r.success) errorCounts.set(r.error, (errorCounts.get(r.error) ?? 0) + 1);
  }
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  return {
    total: results.length,
    completed: ok.length,
    failed: results.length - ok.length,
    duration,
    requestThroughput: per(ok.length),
    totalInputTokens,
    totalOutputTokens,
    inputThroughput: per(totalInputTokens),
    outputThroughput: per(totalOutputTokens),
    totalTokenThroughput: per(totalInputTokens + totalOutputTokens),
    ttft: toStats(metrics.ttft),
    tpot: toStats(metrics.tpot),
    itl: toStats(metrics.itlPerChunk),
    itlPerToken: toStats(metrics.itlPerToken),
    latency: toStats(metrics.e2el),
    scheduleLag: toStats(metrics.queue),
    eventLoopLag: describeSample(eventLoopLag),
    multiTokenChunkRequests,
    errors: [...errorCounts].map(([error, count]) => ({ error, count }))
      .sort((a, b) => b.count - a.count),
  };
}
