/**
 * The metrics of one run from a list of its per-request results: vLLM's and
 * SGLang's ITL side by side, goodput as vLLM defines it, failures by kind,
 * concurrency and a per-second time series. The computation itself is
 * `RunAccumulator`'s (one result at a time); these wrap it for a list.
 *
 * Timing distributions are in milliseconds; offsets and the time series in
 * seconds from the run start.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { RunAccumulator } from "./run_accumulator.ts";
import { Sample } from "./sample.ts";
import {
  DEFAULT_PERCENTILES,
  type GoodputSlo,
  type MetricStats,
  type RunMetrics,
} from "./types.ts";

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
 * import { getBackend } from "../backends/mod.ts";
 * import { runSchedule } from "../runner/run.ts";
 *
 * const run = await runSchedule({
 *   url: "http://127.0.0.1:8000/v1/completions",
 *   backend: getBackend("openai"),
 *   requests: [{ offset: 0, promptLen: 3, request: { prompt: "Hello there!", maxTokens: 16 } }],
 *   countTokens: (text) => text.split(" ").length,
 * });
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
