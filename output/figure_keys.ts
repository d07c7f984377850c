/**
 * The names `mib report --compare` and `--fail-if` give report figures:
 * vLLM's result-file names (`p99_ttft_ms`, `output_throughput`, `failed`, …)
 * and their short aliases.
 *
 * @module
 */
import { TIMING_METRICS } from "../metrics/types.ts";
import { OPTIONAL_FIGURES, REPORT_FIGURES, REPORTED_TIMINGS, timingFigure } from "./figures.ts";

const _STATS = ["mean", "median", "p99"] as const;

/**
 * Each report figure's key, in table order: vLLM's result-file name where
 * vLLM has the figure (`completed`, `failed`, `duration`,
 * `request_throughput`, `output_throughput`, `STAT_M_ms` for STAT in mean,
 * median, p99 and M in ttft, tpot, itl, e2el), and `input_throughput` for a
 * pooling run's inputs per second.
 *
 * @example
 * ```ts
 * figureKeys().get("p99 TTFT (ms)"); // "p99_ttft_ms"
 * ```
 */
export function figureKeys(): Map<string, string> {
  const keys = new Map<string, string>([
    ["completed", "completed"],
    ["failed", "failed"],
    ["duration (s)", "duration"],
    ["request throughput (req/s)", "request_throughput"],
    ["output throughput (tok/s)", "output_throughput"],
  ]);
  for (const name of REPORTED_TIMINGS) {
    const vllm = TIMING_METRICS[name].vllm ?? name;
    for (const stat of _STATS) keys.set(timingFigure(stat, name), `${stat}_${vllm}_ms`);
  }
  keys.set(OPTIONAL_FIGURES[0], "input_throughput");
  for (const figure of [...REPORT_FIGURES, ...OPTIONAL_FIGURES]) {
    if (!keys.has(figure)) throw new Error(`report figure "${figure}" has no key`);
  }
  return keys;
}

/**
 * Every name a condition may give a figure → the figure: each key of
 * {@link figureKeys}, and its aliases: a `_ms` key without `_ms`
 * (`p99_ttft`), `p50` for `median` (`p50_tpot_ms`, `p50_tpot`) and `e2e`
 * for `e2el` (`p99_e2e_ms`, `p99_e2e`).
 *
 * @example
 * ```ts
 * metricNames().get("p50_e2e"); // "median E2E (ms)"
 * ```
 */
export function metricNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const [figure, key] of figureKeys()) {
    const short = key.endsWith("_ms") ? [key, key.slice(0, -3)] : [key];
    const p50 = short.flatMap((k) => k.startsWith("median_") ? [k, `p50_${k.slice(7)}`] : [k]);
    const all = p50.flatMap((k) => k.includes("_e2el") ? [k, k.replace("_e2el", "_e2e")] : [k]);
    for (const name of all) names.set(name, figure);
  }
  return names;
}
