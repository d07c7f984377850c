/**
 * `mib report --merge`: several run records as one, through their timing
 * histograms (the runs of several client machines driving one server, say).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { loadHdrLibrary, Sample } from "../metrics/sample.ts";
import type { HdrLibrary } from "../metrics/sample.ts";
import type { MetricStats, SampleName } from "../metrics/types.ts";
import { REPORTED_TIMINGS, toFigures } from "./figures.ts";
import type { Figures, RunRecord } from "./types.ts";

/** One run's timing histograms and the exact statistics its summary holds of them. */
export interface RunHistograms {
  /** The file, for errors. */
  file: string;
  /** The run's summary: count, mean, std, min and max of each timing. */
  summary: Partial<Record<SampleName, Pick<MetricStats, "count" | "mean" | "std" | "min" | "max">>>;
  /** Encoded histograms by sample name. */
  histograms?: Partial<Record<SampleName, string>>;
}

/**
 * The runs' samples `names`, each the sum of their histograms, with the
 * count, mean, std, min and max pooled exactly from their summaries.
 *
 * @throws {UsageError} when a run lacks a histogram (written by an older mib).
 */
export function mergedSamples(
  runs: readonly RunHistograms[],
  names: readonly SampleName[],
  hdr: HdrLibrary,
): Map<SampleName, Sample> {
  const merged = new Map<SampleName, Sample>();
  for (const { file, summary, histograms } of runs) {
    for (const name of names) {
      const encoded = histograms?.[name];
      if (encoded === undefined) {
        throw new UsageError(
          "--merge",
          `"${file}" has no ${name} histogram; merge run records written by this version of mib`,
        );
      }
      const sample = Sample.decode(hdr, encoded, summary[name]);
      const into = merged.get(name);
      if (into === undefined) merged.set(name, sample);
      else into.merge(sample);
    }
  }
  return merged;
}

/**
 * Several runs as one. Completed, failed and output tokens add up; the
 * duration is the span from the earliest start to the latest end (start +
 * duration; a run with warm-up starts at its measured window's start), so runs side by side in time count once and runs one after
 * another count end to end; throughputs are over that span. Each timing is the
 * sum of the runs' histograms, with the count, mean, standard deviation, min
 * and max pooled exactly from the summaries: percentiles within 0.05 %.
 *
 * @throws {UsageError} when a record lacks a histogram (written by an older mib).
 */
export async function mergeRecords(
  records: readonly { file: string; record: RunRecord }[],
): Promise<Figures> {
  const hdr = await loadHdrLibrary();
  const merged = mergedSamples(
    records.map(({ file, record }) => ({ file, ...record })),
    REPORTED_TIMINGS,
    hdr,
  );
  let completed = 0;
  let failed = 0;
  let outputTokens = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const { record } of records) {
    const { summary } = record;
    completed += summary.completed ?? 0;
    failed += summary.failed ?? 0;
    outputTokens += summary.totalOutputTokens ?? 0;
    // A measured window that starts after warm-up starts there.
    const start = record.startedAt.getTime() / 1000 + (summary.window?.start ?? 0);
    first = Math.min(first, start);
    last = Math.max(last, start + (summary.duration ?? 0));
  }
  const duration = Math.max(0, last - first);
  return toFigures({
    completed,
    failed,
    duration,
    requestThroughput: duration > 0 ? completed / duration : null,
    outputThroughput: duration > 0 ? outputTokens / duration : null,
    timing: (name) => {
      const stats = merged.get(name)?.stats([99]);
      return stats && { ...stats, p99: stats.percentiles.p99 };
    },
  });
}
