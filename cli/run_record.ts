/**
 * The run record `X.summary.json` written beside every result file: the
 * resolved configuration (secrets redacted), the summary, every run metric and
 * the timing histograms. Read back, its summary gives report figures, and
 * several records merge into one through their histograms (the runs of several
 * client machines driving one server, say).
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import { UsageError } from "../errors.ts";
import type { RunAccumulator } from "../metrics/run_accumulator.ts";
import { type HdrLibrary, HISTOGRAM_DIGITS, loadHdrLibrary, Sample } from "../metrics/sample.ts";
import type { MetricStats, RunMetrics, SampleName, Stats, Summary } from "../metrics/types.ts";
import type { BenchConfig } from "./resolve.ts";

/** What a report shows for one run: figure → value (ms for times, per second for rates). */
export type Figures = Record<string, number | null>;

/** Where the run record of results file `path` goes: `X.json` → `X.summary.json`. */
export function runRecordPath(path: string): string {
  return path.replace(/(\.jsonl?|\.csv)?$/, ".summary.json");
}

/** Header names whose values are secrets. */
const SECRET_HEADER = /^(authorization|proxy-authorization|x-api-key|api-key|cookie)$/i;

/** The configuration with every secret replaced by "[redacted]". */
export function redactConfig(config: BenchConfig): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) {
    headers[name] = SECRET_HEADER.test(name) ? "[redacted]" : value;
  }
  return { ...config, headers };
}

/** The run's timing samples in HdrHistogram's compressed base64 form, by sample name. */
export interface EncodedHistograms {
  /** What the strings are, for whoever reads the file without mib. */
  format: string;
  /** By `RunMetrics` name: ttft, tpot, itlPerChunk, itlPerToken, e2el, queue. */
  metrics: Record<SampleName, string>;
}

/** Every timing sample of `accumulator` as HdrHistogram strings. */
export function encodeHistograms(accumulator: RunAccumulator, hdr: HdrLibrary): EncodedHistograms {
  const samples = accumulator.samples();
  return {
    format:
      `HdrHistogram V2 compressed base64; values in whole nanoseconds; ${HISTOGRAM_DIGITS} significant digits`,
    metrics: Object.fromEntries(
      Object.entries(samples).map(([name, sample]) => [name, sample.encode(hdr)]),
    ) as Record<SampleName, string>,
  };
}

/**
 * Writes the run record: the resolved configuration (secrets redacted), the
 * tool version, the start time, the seed, the summary and, when given, every
 * run metric (with `--percentiles`, failures by kind and the per-second time
 * series) and the timing histograms (which `mib report --merge` adds up).
 */
export async function writeRunRecord(
  path: string,
  config: BenchConfig,
  run: { startedAt: Date; model?: string; url: string; tokenizer: string },
  summary: Summary,
  extra: { metrics?: RunMetrics; histograms?: EncodedHistograms } = {},
): Promise<void> {
  const record = {
    tool: "mib",
    version: denoJson.version,
    started_at: run.startedAt.toISOString(),
    seed: config.seed,
    url: run.url,
    model: run.model ?? null,
    tokenizer: run.tokenizer,
    config: redactConfig(config),
    summary,
    metrics: extra.metrics,
    histograms: extra.histograms,
  };
  // Infinity (poisson inf) has no JSON form: write it as the string "inf".
  const text = JSON.stringify(record, (_, v) => (v === Infinity ? "inf" : v), 2);
  await Deno.writeTextFile(path, text + "\n");
}

/** The parts of a run record a report reads. */
export interface RunRecord {
  /** `started_at`. */
  startedAt: Date;
  /** The run's summary (a record an older mib wrote may lack later fields). */
  summary: Partial<Summary>;
  /** Timing histograms by sample name, when written. */
  histograms?: Partial<Record<SampleName, string>>;
}

/** Whether a parsed JSON value is a mib run record. */
export function isRunRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null &&
    (value as Record<string, unknown>).tool === "mib" && "summary" in value;
}

/** Summary fields an older mib wrote under other names, by their names now. */
const RENAMED: Readonly<Record<string, SampleName>> = {
  itl: "itlPerChunk",
  latency: "e2el",
  scheduleLag: "queue",
};

/** A summary as read from a file, with the names of older versions taken as today's. */
function currentSummary(summary: Record<string, unknown>): Partial<Summary> {
  const current: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(summary)) current[RENAMED[key] ?? key] = value;
  return current as Partial<Summary>;
}

/** The {@link RunRecord} of a parsed run record. */
export function toRunRecord(value: Record<string, unknown>): RunRecord {
  const histograms = value.histograms as { metrics?: Record<SampleName, string> } | undefined;
  return {
    startedAt: new Date(String(value.started_at)),
    summary: currentSummary((value.summary ?? {}) as Record<string, unknown>),
    histograms: histograms?.metrics,
  };
}

/** Mean, median and p99 of a timing into `figures` as "mean NAME (ms)", …. */
export function putTiming(
  figures: Figures,
  name: string,
  stats: { mean: number | null; median: number | null; p99?: number | null } | null | undefined,
): void {
  figures[`mean ${name} (ms)`] = stats?.mean ?? null;
  figures[`median ${name} (ms)`] = stats?.median ?? null;
  figures[`p99 ${name} (ms)`] = stats?.p99 ?? null;
}

/** Report timings: figure name, histogram, and the summary's exact statistics. */
const TIMINGS = [
  ["TTFT", "ttft", "ttft"],
  ["TPOT", "tpot", "tpot"],
  ["ITL", "itlPerChunk", "itlPerChunk"],
  ["E2E", "e2el", "e2el"],
] as const satisfies readonly (readonly [string, SampleName, keyof Summary])[];

/** The report figures of a run record's summary. */
export function recordFigures(record: RunRecord): Figures {
  const s = record.summary;
  const figures: Figures = {
    "completed": s.completed ?? null,
    "failed": s.failed ?? null,
    "duration (s)": s.duration ?? null,
    "request throughput (req/s)": s.requestThroughput ?? null,
    "output throughput (tok/s)": s.outputThroughput ?? null,
  };
  for (const [name, , key] of TIMINGS) putTiming(figures, name, s[key] as Stats | undefined);
  return figures;
}

/**
 * Several runs as one. Completed, failed and output tokens add up; the
 * duration is the span from the earliest start to the latest end (start +
 * duration), so runs side by side in time count once and runs one after
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
    const start = record.startedAt.getTime() / 1000;
    first = Math.min(first, start);
    last = Math.max(last, start + (summary.duration ?? 0));
    for (const [, key, exact] of TIMINGS) {
      const encoded = record.histograms?.[key];
      if (encoded === undefined) {
        throw new UsageError(
          "--merge",
          `"${file}" has no ${key} histogram; merge run records written by this version of mib`,
        );
      }
      const sample = Sample.decode(hdr, encoded, summary[exact] as MetricStats | undefined);
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
  for (const [name, key] of TIMINGS) {
    const stats = merged.get(key)?.stats([99]);
    putTiming(figures, name, stats && { ...stats, p99: stats.percentiles.p99 });
  }
  return figures;
}
