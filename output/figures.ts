/**
 * The figures `mib report` shows for a run, whatever file they come from.
 *
 * @module
 */
import { SAMPLE_NAMES, type SampleName, TIMING_METRICS } from "../metrics/types.ts";
import type { Figures } from "./types.ts";

/** The statistics a report shows of one timing, ms. */
export interface TimingFigures {
  /** Mean. */
  mean: number | null;
  /** Median. */
  median: number | null;
  /** 99th percentile. */
  p99?: number | null;
}

/** What every report column is made of, whichever file it was read from. */
export interface FigureSource {
  /** Successful requests. */
  completed: number | null;
  /** Failed requests. */
  failed: number | null;
  /** Run duration, seconds. */
  duration: number | null;
  /** Successful requests per second. */
  requestThroughput: number | null;
  /** Output tokens per second. */
  outputThroughput: number | null;
  /** A pooling run's inputs per second; undefined for a generation run. */
  inputsThroughput?: number | null;
  /** The statistics of timing `name`, when the source has them. */
  timing(name: SampleName): TimingFigures | null | undefined;
}

/** The timings a report shows, in table order. */
export const REPORTED_TIMINGS: readonly SampleName[] = SAMPLE_NAMES.filter((name) =>
  TIMING_METRICS[name].report !== undefined
);

/**
 * The figure name of a timing's statistic.
 *
 * @example
 * ```ts
 * timingFigure("p99", "itlPerChunk"); // "p99 ITL (ms)"
 * ```
 */
export function timingFigure(stat: "mean" | "median" | "p99", name: SampleName): string {
  return `${stat} ${TIMING_METRICS[name].report ?? name} (ms)`;
}

/** Every figure of a report column, in table order. */
export const REPORT_FIGURES: readonly string[] = [
  "completed",
  "failed",
  "duration (s)",
  "request throughput (req/s)",
  "output throughput (tok/s)",
  ...REPORTED_TIMINGS.flatMap((name) =>
    (["mean", "median", "p99"] as const).map((stat) => timingFigure(stat, name))
  ),
];

/**
 * Figures a report shows only when some column has them: a pooling run's
 * inputs per second.
 */
export const OPTIONAL_FIGURES: readonly string[] = ["input throughput (inputs/s)"];

/**
 * The token-timing figures (TTFT, TPOT, ITL) of a report: all null in a
 * column whose run generated no streamed tokens.
 */
export const TOKEN_TIMING_FIGURES: readonly string[] = REPORTED_TIMINGS
  .filter((name) => name !== "e2el")
  .flatMap((name) => (["mean", "median", "p99"] as const).map((stat) => timingFigure(stat, name)));

/** The report figures of `source`, in {@link REPORT_FIGURES} order. */
export function toFigures(source: FigureSource): Figures {
  const figures: Figures = {
    "completed": source.completed,
    "failed": source.failed,
    "duration (s)": source.duration,
    "request throughput (req/s)": source.requestThroughput,
    "output throughput (tok/s)": source.outputThroughput,
  };
  if (source.inputsThroughput !== undefined) {
    figures["input throughput (inputs/s)"] = source.inputsThroughput;
  }
  for (const name of REPORTED_TIMINGS) {
    const stats = source.timing(name);
    figures[timingFigure("mean", name)] = stats?.mean ?? null;
    figures[timingFigure("median", name)] = stats?.median ?? null;
    figures[timingFigure("p99", name)] = stats?.p99 ?? null;
  }
  return figures;
}
