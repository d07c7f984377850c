/**
 * What every result file format is: how `mib bench` writes it and how
 * `mib report` reads it back.
 *
 * @module
 */
import type { ServerMetricsRecord } from "../server_metrics/series.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import type { RunAccumulator } from "../metrics/run_accumulator.ts";
import type { RunMetrics, SampleName, Summary } from "../metrics/types.ts";
import type { RequestResult } from "../runner/result.ts";
import type { RunResult } from "../runner/run.ts";
import type { RampSpec } from "../distributions/mod.ts";
import type { PlanIdentity } from "../runner/shard.ts";

/**
 * One result file format: its `--output-format` name, how a run writes it and
 * how `mib report` tells it apart and reads it back. Each format is one module
 * of `output/` exporting one of these, listed once in `output/mod.ts`.
 */
export interface OutputFormat<Name extends string = string> {
  /** Its name: the `--output-format` value, and what `mib report` calls the file. */
  readonly name: Name;
  /** What it is, in a few words, for `--output-format`'s help. */
  readonly help: string;
  /** The file lists every request (so `mib report --html` can chart it). */
  readonly listsEveryRequest: boolean;
  /**
   * The writer writes each request as it ends. A format that lists every
   * request without streaming is written at the end from the run's kept
   * results, so the run must keep them all.
   */
  readonly streams: boolean;
  /**
   * Opens a writer of the file at `path` for a run about to start; with
   * `append` (`--append`, formats that can), it adds to the file instead of
   * replacing it.
   */
  open(path: string, options?: OpenOptions): Promise<OutputWriter>;
  /** Whether a file that starts as `head` is in this format. */
  detect(head: FileHead): boolean;
  /**
   * Reads a file this format detected, in one pass: its report figures and
   * duration, and each request it lists handed to `onRequest` as it is read
   * (so a streamed format never holds them all).
   */
  read(head: FileHead, onRequest?: (point: RequestPoint) => void): Promise<ReadResult>;
}

/** How a result file is opened. */
export interface OpenOptions {
  /** Add to the file instead of replacing it (`--append`). */
  append?: boolean;
}

/** Writes one result file of a run. */
export interface OutputWriter {
  /**
   * A request ended (its output counted, when the run keeps no results). A
   * streaming format writes it now; the others ignore it.
   */
  add(result: RequestResult): void;
  /** The run ended: writes what the file holds of it, and closes the file. */
  finish(run: FinishedRun): Promise<void>;
  /** Closes the file of a run that did not finish; what was written stays. Idempotent. */
  close(): Promise<void>;
}

/** Everything a finished run hands its result files. */
export interface FinishedRun {
  /** The run's configuration. */
  config: BenchConfig;
  /** What the runner returned (`results` is empty when the run kept none). */
  run: RunResult;
  /** Every result of the run, added. */
  accumulator: RunAccumulator;
  /** The accumulator's metrics, taken with `--percentiles` plus p90 and p99. */
  metrics: RunMetrics;
  /** The run's summary. */
  summary: Summary;
  /** Model id the requests named, if any. */
  model?: string;
  /** The URL requests went to. */
  url: string;
  /** Tokenizer name. */
  tokenizer: string;
  /** Requests planned. */
  numPrompts: number;
  /** Which plan the run is part of (the run record's `plan`, which `mib merge` checks). */
  plan?: PlanIdentity;
  /** The server's metrics scraped during the run (the run record's `server_metrics`), if any. */
  serverMetrics?: ServerMetricsRecord;
}

/** What format detection sees of a file: read once, handed on to the reader. */
export interface FileHead {
  /** The file, as given. */
  readonly path: string;
  /** Its first line that is not blank; "" when there is none. */
  readonly firstLine: string;
  /**
   * The JSON value the file starts with: the first line's when that line
   * parses on its own (the whole of a file on one line, jsonl's first
   * record), else the whole file's when it begins with `{` and parses (an
   * object written over several lines); undefined otherwise (an array over
   * several lines is left to its reader to stream).
   */
  readonly json: unknown;
  /** `json` is the first line's alone: the file may go on (jsonl). */
  readonly jsonLine: boolean;
  /** Why the whole file did not parse, when it was tried. */
  readonly jsonError?: string;
}

/** One request as a result file keeps it, for reports and charts. Times in seconds. */
export interface RequestPoint {
  /** The request succeeded. */
  success: boolean;
  /** Send time from the run start; null when the file does not say. */
  sendOffset: number | null;
  /** Time to first token; null when unknown. */
  ttft: number | null;
  /** Gaps between successive text chunks. */
  itl: number[];
  /** End-to-end latency; null when unknown (vllm files without a TTFT). */
  latency: number | null;
  /** Output tokens. */
  outputLen: number;
  /** "warmup" or "cooldown" (left out of the figures); absent: measured. */
  phase?: "warmup" | "cooldown";
  /** A pooling request's inputs; absent for a generation. */
  inputCount?: number;
}

/** What a report shows for one run: figure → value (ms for times, per second for rates). */
export type Figures = Record<string, number | null>;

/** The parts of a run record a report reads. */
export interface RunRecord {
  /** `started_at`. */
  startedAt: Date;
  /** The run's summary (a record an older mib wrote may lack later fields). */
  summary: Partial<Summary>;
  /** Timing histograms by sample name, when written. */
  histograms?: Partial<Record<SampleName, string>>;
}

/** What a format's reader gives back. */
export interface ReadResult {
  /** The report figures. */
  figures: Figures;
  /**
   * Run duration, seconds: the file's own when it has one, else the last
   * listed request's end (0 without any).
   */
  duration: number;
  /** The run record, when the file is one (`mib report --merge` adds them up). */
  record?: RunRecord;
  /** The ramp of the rate the run asked for (`--ramp-up`), when the file says. */
  ramp?: FileRamp;
  /** The server's metrics scraped during the run, when the file (a run record) has them. */
  serverMetrics?: ServerMetricsRecord;
}

/** A ramp as a result file records it: the ramp and the requests it ran over. */
export interface FileRamp {
  /** The ramp. */
  spec: RampSpec;
  /** Requests planned (N of the ramp's i/(N − 1)). */
  count: number;
}

/** One result file read back. */
export interface ResultFile extends ReadResult {
  /** The file, as given. */
  file: string;
  /** The name of the format it was read as. */
  format: string;
}
