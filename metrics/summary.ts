/**
 * Run-level metrics from per-request results.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { timePerOutputToken } from "./request.ts";
import { computeRunMetrics } from "./run_metrics.ts";
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

const ms = (seconds: number) => seconds * 1000;

function perTokenItl(results: readonly RequestResult[], duration: number): Stats | undefined {
  const m = computeRunMetrics(results, {
    duration,
    percentiles: [90, 99],
    chunkTokens: results.map((r) => r.chunkTokens),
  }).itlPerToken;
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
  const ok = results.filter((r) => r.success);
  const ttfts: number[] = [];
  const tpots: number[] = [];
  const itls: number[] = [];
  const latencies: number[] = [];
  let totalInputTokens = 0;
  let totalOutputTokens = 0;
  let multiTokenChunkRequests = 0;
  for (const r of ok) {
    totalInputTokens += r.promptLen;
    totalOutputTokens += r.outputLen;
    latencies.push(ms(r.latency));
    if (r.ttft !== null) ttfts.push(ms(r.ttft));
    const tpot = timePerOutputToken(r.latency, r.ttft, r.outputLen);
    if (tpot !== undefined) tpots.push(ms(tpot));
    for (const gap of r.itl) itls.push(ms(gap));
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
    ttft: describeSample(ttfts),
    tpot: describeSample(tpots),
    itl: describeSample(itls),
    itlPerToken: perTokenItl(results, duration),
    latency: describeSample(latencies),
    scheduleLag: describeSample(results.map((r) => ms(r.sendOffset - r.plannedOffset))),
    eventLoopLag: describeSample(eventLoopLag),
    multiTokenChunkRequests,
    errors: [...errorCounts].map(([error, count]) => ({ error, count }))
      .sort((a, b) => b.count - a.count),
  };
}
