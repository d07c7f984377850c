/**
 * Run-level metrics from per-request results.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { RunAccumulator } from "./run_accumulator.ts";
import { describeSample } from "./stats.ts";
import {
  type GoodputSlo,
  type MetricStats,
  type RunMetrics,
  SAMPLE_NAMES,
  type Stats,
  type Summary,
} from "./types.ts";

/** The result-file statistics in the summary's shape (p90 and p99 named). */
export function toStats(m: MetricStats | null): Stats | undefined {
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
 * Seconds from the run start to the end of the last of `results` (0 for none):
 * the duration {@linkcode summarize} assumes when given none.
 *
 * @example
 * ```ts
 * resultsSpan([]); // 0
 * ```
 */
export function resultsSpan(results: readonly RequestResult[]): number {
  let end = 0;
  for (const r of results) end = Math.max(end, r.sendOffset + r.latency);
  return end;
}

/**
 * Summarises a run whose requests produced `results` in `duration` seconds
 * (run start → last response, which {@linkcode resultsSpan} takes from the
 * results when not given; with warm-up or cool-down results, their
 * measured window is used instead) (goodput under `goodput` SLOs, ms, when given).
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 * import { runSchedule } from "../runner/run.ts";
 *
 * const run = await runSchedule({
 *   url: "http://127.0.0.1:8000/v1/completions",
 *   backend: getBackend("openai"),
 *   requests: [{ offset: 0, promptLen: 3, request: { prompt: "Hello there!", maxTokens: 16 } }],
 *   countTokens: (text) => text.split(" ").length,
 * });
 * const summary = summarize(run.results, run.duration, run.eventLoopLag);
 * summary.ttft?.median; // ms
 * ```
 */
export function summarize(
  results: readonly RequestResult[],
  duration: number = resultsSpan(results),
  eventLoopLag: readonly number[] = [],
  goodput?: GoodputSlo,
): Summary {
  const accumulator = new RunAccumulator({ goodput });
  for (const r of results) accumulator.add(r, r.chunkTokens);
  return summarizeAccumulated(accumulator, accumulator.measuredDuration(duration), eventLoopLag);
}

/**
 * The summary of a run whose results went into `accumulator` (for runs that
 * keep no per-request results), with the result files' definitions.
 * `duration` is what throughputs are over: give
 * `accumulator.measuredDuration(runDuration)` when the run had warm-up or
 * cool-down. Pass the
 * accumulator's `metrics` when already taken (with p90 and p99 among them)
 * rather than have them computed again.
 */
export function summarizeAccumulated(
  accumulator: RunAccumulator,
  duration: number,
  eventLoopLag: readonly number[] = [],
  metrics: RunMetrics = accumulator.metrics({ duration, percentiles: [90, 99] }),
  pacingLag: MetricStats | null = null,
): Summary {
  const totals = accumulator.totals();
  const { inputTokens, outputTokens } = totals;
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  return {
    total: metrics.total,
    completed: metrics.completed,
    failed: metrics.failed,
    duration,
    warmup: metrics.warmup,
    cooldown: metrics.cooldown,
    window: metrics.window,
    waitedForSlot: metrics.waitedForSlot,
    slotQueue: toStats(metrics.slotQueue),
    requestThroughput: per(metrics.completed),
    totalInputTokens: inputTokens,
    totalOutputTokens: outputTokens,
    inputThroughput: per(inputTokens),
    ...(totals.inputs === undefined
      ? {}
      : { totalInputs: totals.inputs, inputsThroughput: per(totals.inputs) }),
    outputThroughput: per(outputTokens),
    totalTokenThroughput: per(inputTokens + outputTokens),
    activeDuration: metrics.activeDuration,
    goodput: metrics.goodput,
    goodRequests: metrics.goodRequests,
    meanConcurrency: metrics.meanConcurrency,
    peakConcurrency: metrics.peakConcurrency,
    peakOutputTokensPerSecond: metrics.peakOutputTokensPerSecond,
    failures: metrics.failures,
    httpStatuses: metrics.httpStatuses,
    mismatches: metrics.mismatches,
    ...(metrics.structured === undefined ? {} : { structured: metrics.structured }),
    ...Object.fromEntries(SAMPLE_NAMES.map((name) => [name, toStats(metrics[name])])),
    eventLoopLag: describeSample(eventLoopLag),
    pacingLag: toStats(pacingLag),
    multiTokenChunkRequests: totals.multiTokenChunkRequests,
    errors: totals.errors,
    fromHistogram: metrics.fromHistogram,
  };
}
