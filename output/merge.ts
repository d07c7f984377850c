/**
 * `mib report --merge`: several run records as one, through their timing
 * histograms (the runs of several client machines driving one server, say).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { loadHdrLibrary, Sample } from "../metrics/sample.ts";
import type { SampleName } from "../metrics/types.ts";
import { REPORTED_TIMINGS, toFigures } from "./figures.ts";
import type { Figures, RunRecord } from "./types.ts";

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
  const merged = new Map<SampleName, Sample>();
  let completed = 0;
  let failed = 0;
  let outputTokens = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const { file, record } of records) {
    const { summary } = record;
    completed += summary.completed ?? 0;
    failed += summary.failed ?? 0;
    outputTokens += summary.totalOutputTokens ?? 0;
    // A measured window that starts after warm-up starts there.
    const start = record.startedAt.getTime() / 1000 + (summary.window?.start ?? 0);
    first = Math.min(first, start);
    last = Math.max(last, start + (summary.duration ?? 0));
    for (const name of REPORTED_TIMINGS) {
      const encoded = record.histograms?.[name];
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
