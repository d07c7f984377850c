/**
 * Run records (`X.summary.json`) read back: their summary as report figures,
 * and several merged into one through their HDR histograms — the runs of
 * several client machines driving one server, say.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { loadHdrLibrary, Sample } from "../metrics/sample.ts";
import type { Stats } from "../metrics/stats.ts";
import type { Summary } from "../metrics/summary.ts";

/** What a report shows for one run: figure → value (ms for times, per second for rates). */
export type Figures = Record<string, number | null>;

/** The parts of a run record a report reads. */
export interface RunRecord {
  /** `started_at`. */
  startedAt: Date;
  /** The run's summary. */
  summary: Summary;
  /** Timing histograms by metric (ttft, tpot, itl, itl_per_token, e2el, queue), when written. */
  histograms?: Record<string, string>;
}

/** Whether a parsed JSON value is a mib run record. */
export function isRunRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    (value as Record<string, unknown>).tool === "mib" && "summary" in value;
}

/** The {@link RunRecord} of a parsed run record. */
export function toRunRecord(value: Record<string, unknown>): RunRecord {
  const histograms = value.histograms as { metrics?: Record<string, string> } | undefined;
  return {
    startedAt: new Date(String(value.started_at)),
    summary: value.summary as Summary,
    histograms: histograms?.metrics,
  };
}

/** The report figures of a timing distribution. */
function timing(
  figures: Figures,
  name: string,
  stats: Pick<Stats, "mean" | "median" | "p99"> | null | undefined,
) {
  figures[`mean ${name} (ms)`] = stats?.mean ?? null;
  figures[`median ${name} (ms)`] = stats?.median ?? null;
  figures[`p99 ${name} (ms)`] = stats?.p99 ?? null;
}

/** The report figures of a run record's summary. */
export function recordFigures(record: RunRecord): Figures {
  const s = record.summary;
  const figures: Figures = {
    "completed": s.completed,
    "failed": s.failed,
    "duration (s)": s.duration,
    "request throughput (req/s)": s.requestThroughput,
    "output throughput (tok/s)": s.outputThroughput,
  };
  timing(figures, "TTFT", s.ttft);
  timing(figures, "TPOT", s.tpot);
  timing(figures, "ITL", s.itl);
  timing(figures, "E2E", s.latency);
  return figures;
}

/** The run-record histograms each report timing comes from. */
const MERGED_TIMINGS = [["TTFT", "ttft"], ["TPOT", "tpot"], ["ITL", "itl"], ["E2E", "e2el"]];

/**
 * Several runs as one. Completed, failed and output tokens add up; the
 * duration is the span from the earliest start to the latest end (start +
 * duration), so runs side by side in time count once and runs one after
 * another count end to end; throughputs are over that span. Timing
 * distributions are the sum of the runs' histograms: percentiles within
 * 0.05 %, means exact to the histogram's bucket middles.
 *
 * @throws {UsageError} when a record has no histograms (written by an older mib).
 */
export async function mergeRecords(
  records: readonly { file: string; record: RunRecord }[],
): Promise<Figures> {
  const hdr = await loadHdrLibrary();
  const merged = new Map<string, Sample>();
  let completed = 0;
  let failed = 0;
  let outputTokens = 0;
  let first = Infinity;
  let last = -Infinity;
  for (const { file, record } of records) {
    const { summary, histograms } = record;
    if (histograms === undefined) {
      throw new UsageError(
        "--merge",
        `"${file}" has no histograms; merge run records written by this version of mib`,
      );
    }
    completed += summary.completed;
    failed += summary.failed;
    outputTokens += summary.totalOutputTokens;
    const start = record.startedAt.getTime() / 1000;
    first = Math.min(first, start);
    last = Math.max(last, start + summary.duration);
    for (const [, key] of MERGED_TIMINGS) {
      const sample = Sample.decode(hdr, histograms[key]);
      const into = merged.get(key);
      if (into === undefined) merged.set(key, sample);
      else into.merge(sample);
    }
  }
  const duration = Math.max(0, last - first);
  const figures: Figures = {
    "completed": completed,
    "failed": failed,
    "duration (s)": duration,
    "request throughput (req/s)": duration > 0 ? completed / duration : null,
    "output throughput (tok/s)": duration > 0 ? outputTokens / duration : null,
  };
  for (const [name, key] of MERGED_TIMINGS) {
    const stats = merged.get(key)?.stats([99]);
    timing(figures, name, stats && { ...stats, p99: stats.percentiles.p99 });
  }
  return figures;
}
