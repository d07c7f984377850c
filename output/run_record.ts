/**
 * The run record `X.summary.json` written beside every result file: the
 * resolved configuration (secrets redacted), the summary, every run metric and
 * the timing histograms. Read back, its summary gives report figures, and
 * several records merge into one through their histograms (see `merge.ts`).
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import type { BenchConfig } from "../runner/bench_config.ts";
import { REDACTED, SECRET_HEADER } from "../runner/secrets.ts";
import type { RunAccumulator } from "../metrics/run_accumulator.ts";
import { type HdrLibrary, HISTOGRAM_DIGITS, loadHdrLibrary } from "../metrics/sample.ts";
import { NO_TOKEN_TIMINGS_REASON, type SampleName, type Summary } from "../metrics/types.ts";
import { isObject } from "./_json.ts";
import { writtenAtEnd } from "./_write.ts";
import { readFileRamp, type RpsChangeEvent, rpsChangeEvents } from "./_ramp.ts";
import { arrivalSequence, rampChanges } from "../distributions/mod.ts";
import { toFigures } from "./figures.ts";
import type { Figures, FinishedRun, OutputFormat, RunRecord } from "./types.ts";
import type { ServerMetricsRecord } from "../server_metrics/series.ts";

/** Where the run record of results file `path` goes: `X.json` → `X.summary.json`. */
export function runRecordPath(path: string): string {
  return path.replace(/(\.jsonl?|\.csv)?$/, ".summary.json");
}

/** The configuration with every secret replaced by "[redacted]". */
export function redactConfig(config: BenchConfig): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) {
    headers[name] = SECRET_HEADER.test(name) ? REDACTED : value;
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
 * The ramp of a run as the record keeps it, with vLLM's names: strategy,
 * rates and `rps_change_events`, each stamped with the actual send of its
 * request when the run kept its results, else with its planned send (the
 * plan drawn again from the seed, which is cheap). Null without a ramp.
 */
export function recordRamp(finished: FinishedRun): {
  ramp_up_strategy: string;
  ramp_up_start_rps: number;
  ramp_up_end_rps: number;
  rps_change_events: RpsChangeEvent[];
} | null {
  const { config, run, numPrompts } = finished;
  const ramp = config.rampUp;
  const arrival = config.requestDistribution;
  if (ramp === undefined || arrival.kind === "trace") return null;
  let sendOffset = (i: number): number | undefined => run.results[i]?.sendOffset;
  if (run.results.length === 0) {
    const wanted = new Set(rampChanges(ramp, numPrompts).map((c) => c.index));
    const planned = new Map<number, number>();
    let i = 0;
    const offsets = arrivalSequence(arrival, {
      seed: config.seed,
      count: numPrompts,
      ramp,
    });
    for (const offset of offsets) if (wanted.has(i++)) planned.set(i - 1, offset);
    // Requests past the interruption were never sent.
    const sent = numPrompts - run.notSent;
    sendOffset = (i) => (i < sent ? planned.get(i) : undefined);
  }
  return {
    ramp_up_strategy: ramp.strategy,
    ramp_up_start_rps: ramp.startRps,
    ramp_up_end_rps: ramp.endRps,
    rps_change_events: rpsChangeEvents(ramp, numPrompts, run.startedAt, sendOffset),
  };
}

/**
 * Writes the run record of `finished`: the resolved configuration (secrets
 * redacted), the tool version, the start time, the seed, the summary, every
 * run metric (with `--percentiles`, failures by kind and the per-second time
 * series) and the timing histograms (which `mib report --merge` adds up);
 * the plan it belongs to, its `--shard` and `--start-at` (which `mib merge`
 * checks).
 */
async function writeRunRecord(path: string, finished: FinishedRun): Promise<void> {
  const { config, run, model } = finished;
  const record = {
    tool: "mib",
    version: denoJson.version,
    started_at: run.startedAt.toISOString(),
    seed: config.seed,
    url: finished.url,
    model: model ?? null,
    tokenizer: finished.tokenizer,
    label: config.label ?? null,
    metadata: config.metadata ?? {},
    config: redactConfig(config),
    ramp_up: recordRamp(finished),
    plan: finished.plan ?? null,
    shard: config.shard,
    start_at: config.startAt ?? null,
    workers: config.workers,
    summary: finished.summary,
    // A pooling run: why its summary has no token timings.
    ...(finished.summary.totalInputs === undefined
      ? {}
      : { no_token_timings: NO_TOKEN_TIMINGS_REASON }),
    metrics: finished.metrics,
    histograms: encodeHistograms(finished.accumulator, await loadHdrLibrary()),
    server_metrics: finished.serverMetrics ?? null,
  };
  await writeRecordFile(path, record);
}

/** Writes a run record's JSON to `path`; Infinity (poisson inf), which JSON lacks, as "inf". */
export async function writeRecordFile(path: string, record: unknown): Promise<void> {
  const text = JSON.stringify(record, (_, v) => (v === Infinity ? "inf" : v), 2);
  await Deno.writeTextFile(path, text + "\n");
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

/** The report figures of a run record's summary. */
export function recordFigures(record: RunRecord): Figures {
  const s = record.summary;
  return toFigures({
    completed: s.completed ?? null,
    failed: s.failed ?? null,
    duration: s.duration ?? null,
    requestThroughput: s.requestThroughput ?? null,
    outputThroughput: s.outputThroughput ?? null,
    inputsThroughput: s.inputsThroughput,
    timing: (name) => s[name],
  });
}

/** The run record, `X.summary.json`: written beside every result file, read by `mib report`. */
export const runRecord: OutputFormat<"record"> = {
  name: "record",
  help: "the run record X.summary.json written beside every result file",
  listsEveryRequest: false,
  streams: false,
  open: (path) => writtenAtEnd((finished) => writeRunRecord(path, finished)),
  detect: ({ json }) => isObject(json) && json.tool === "mib" && "summary" in json,
  read(head) {
    const json = head.json as Record<string, unknown>;
    const record = toRunRecord(json);
    const config = isObject(json.config) ? json.config : {};
    return Promise.resolve({
      figures: recordFigures(record),
      duration: record.summary.duration ?? 0,
      record,
      ramp: readFileRamp(json.ramp_up, config.numOfReq),
      serverMetrics: isObject(json.server_metrics)
        ? json.server_metrics as unknown as ServerMetricsRecord
        : undefined,
    });
  },
};
