/**
 * `mib report FILE...`: the summary of result files — the seed's JSON array,
 * jsonl, the vLLM-format JSON, or a run record — side by side, and with
 * `--merge` several run records as one.
 *
 * @module
 */
import Table from "cli-table3";
import { UsageError } from "../errors.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { firstLine, readLines } from "../io/lines.ts";
import type { RequestResult } from "../runner/result.ts";
import {
  type Figures,
  isRunRecord,
  mergeRecords,
  putTiming,
  recordFigures,
  type RunRecord,
  toRunRecord,
} from "./run_record.ts";

/** The figures a report shows for one file. */
export interface ReportColumn {
  /** The file. */
  file: string;
  /** Its format ("record": a run record `X.summary.json`; "merged": several as one). */
  format: "seed" | "jsonl" | "vllm" | "record" | "merged";
  /** Figure → value (ms for times, per second for rates). */
  figures: Figures;
  /** The run record, when the file is one. */
  record?: RunRecord;
}

const FIGURES = [
  "completed",
  "failed",
  "duration (s)",
  "request throughput (req/s)",
  "output throughput (tok/s)",
  "mean TTFT (ms)",
  "median TTFT (ms)",
  "p99 TTFT (ms)",
  "mean TPOT (ms)",
  "median TPOT (ms)",
  "p99 TPOT (ms)",
  "mean ITL (ms)",
  "median ITL (ms)",
  "p99 ITL (ms)",
  "mean E2E (ms)",
  "median E2E (ms)",
  "p99 E2E (ms)",
] as const;

/** A seed/jsonl record back as a result (what the file keeps of it). */
function toResult(record: Record<string, unknown>, index: number): RequestResult {
  const n = (v: unknown) => (typeof v === "number" ? v : 0);
  return {
    index: typeof record.index === "number" ? record.index : index,
    success: record.success === true,
    error: String(record.error ?? ""),
    status: typeof record.status === "number" ? record.status : undefined,
    text: String(record.text ?? ""),
    promptLen: n(record.prompt_len),
    outputLen: n(record.output_len),
    outputLenSource: record.output_len_source === "tokenizer" ? "tokenizer" : "server",
    ttft: typeof record.ttft === "number" ? record.ttft : null,
    itl: Array.isArray(record.itl) ? record.itl as number[] : [],
    latency: n(record.latency),
    chunks: typeof record.chunks === "number"
      ? record.chunks
      : (Array.isArray(record.itl) ? record.itl.length + 1 : 0),
    streamed: record.streamed !== false,
    plannedOffset: n(record.planned_offset),
    sendOffset: n(record.send_offset),
    notes: [],
  };
}

/** The report figures of results gathered in `accumulator` over `duration` seconds. */
function figuresOf(accumulator: RunAccumulator, duration: number): Figures {
  const m = accumulator.metrics({ duration, percentiles: [50, 99] });
  const out = accumulator.totals().outputTokens;
  const stats = { TTFT: m.ttft, TPOT: m.tpot, ITL: m.itlPerChunk, E2E: m.e2el };
  const figures: Figures = {
    "completed": m.completed,
    "failed": m.failed,
    "duration (s)": duration,
    "request throughput (req/s)": duration > 0 ? m.completed / duration : null,
    "output throughput (tok/s)": duration > 0 ? out / duration : null,
  };
  for (const [name, s] of Object.entries(stats)) {
    putTiming(figures, name, s && { mean: s.mean, median: s.median, p99: s.percentiles.p99 });
  }
  return figures;
}

/** The figures of seed records; the duration, when not given, runs to the last response's end. */
function fromResults(results: RequestResult[], duration?: number): Figures {
  const accumulator = new RunAccumulator();
  let end = 0;
  for (const r of results) {
    accumulator.add(r);
    end = Math.max(end, r.sendOffset + r.latency);
  }
  return figuresOf(accumulator, duration ?? end);
}

/**
 * The figures of a jsonl file, read line by line into a {@link RunAccumulator}
 * (histograms past its exact limit), so its size is not bounded by memory.
 * The duration is the summary line's, else the last response's end.
 */
async function fromJsonl(file: string): Promise<Figures> {
  const accumulator = new RunAccumulator({ hdr: await loadHdrLibrary() });
  let duration: number | undefined;
  let end = 0;
  let index = 0;
  for await (const line of readLines(file)) {
    if (line.trim() === "") continue;
    const value = JSON.parse(line);
    if ("summary" in value) {
      duration = value.summary?.duration;
      continue;
    }
    const r = toResult(value, index++);
    accumulator.add(r);
    end = Math.max(end, r.sendOffset + r.latency);
  }
  return figuresOf(accumulator, duration ?? end);
}

/** Whether a parsed value is vLLM's result (also mib's `vllm` format). */
function isVllmResult(value: Record<string, unknown>): boolean {
  return "ttfts" in value || "mean_ttft_ms" in value;
}

/** A parsed JSON object, or undefined when `text` is not one. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function fromVllm(v: Record<string, number | null>): Figures {
  const figures: Figures = {
    "completed": v.completed,
    "failed": v.failed,
    "duration (s)": v.duration,
    "request throughput (req/s)": v.request_throughput,
    "output throughput (tok/s)": v.output_throughput,
  };
  for (const [name, key] of [["TTFT", "ttft"], ["TPOT", "tpot"], ["ITL", "itl"], ["E2E", "e2el"]]) {
    const at = (stat: string) => v[`${stat}_${key}_ms`] ?? null;
    putTiming(figures, name, { mean: at("mean"), median: at("median"), p99: at("p99") });
  }
  return figures;
}

/**
 * Reads one result file of any of mib's formats.
 *
 * @throws {UsageError} naming the file when it is missing or not a result file.
 */
export async function readReport(file: string): Promise<ReportColumn> {
  let first: string | undefined;
  try {
    first = await firstLine(file);
  } catch {
    throw new UsageError("mib report", `cannot read "${file}"`);
  }
  try {
    if (first === undefined) throw new Error("the file is empty");
    if (first.trimStart().startsWith("[")) {
      const records = JSON.parse(await Deno.readTextFile(file)) as Record<string, unknown>[];
      return { file, format: "seed", figures: fromResults(records.map(toResult)) };
    }
    // jsonl, or a whole-file object on one line (as vLLM writes its result),
    // or over many (as mib writes its vllm file and run record).
    const line = jsonObject(first);
    const v = line ?? JSON.parse(await Deno.readTextFile(file));
    if (isRunRecord(v)) {
      const record = toRunRecord(v);
      return { file, format: "record", figures: recordFigures(record), record };
    }
    if (isVllmResult(v)) return { file, format: "vllm", figures: fromVllm(v) };
    if (line === undefined) throw new Error("no ttfts, mean_ttft_ms or run summary in it");
    return { file, format: "jsonl", figures: await fromJsonl(file) };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(
      "mib report",
      `"${file}" is not a mib result file (seed JSON array, jsonl, vllm JSON or run record): ${
        (error as Error).message
      }`,
    );
  }
}

/** The report of `columns` as a table, one column per file. */
export function formatReport(columns: readonly ReportColumn[]): string {
  const table = new Table({
    head: ["", ...columns.map((c) => `${c.file} (${c.format})`)],
    style: Deno.stdout.isTerminal() ? undefined : { head: [], border: [] },
  });
  const show = (v: number | null | undefined) =>
    v === null || v === undefined || !Number.isFinite(v)
      ? "n/a"
      : Number.isInteger(v)
      ? String(v)
      : v.toFixed(2);
  for (const figure of FIGURES) {
    table.push([
      figure,
      ...columns.map((c) => show(c.figures[figure])),
    ]);
  }
  return table.toString();
}

/**
 * Runs `mib report`; returns the exit status. With `merge`, every file must be
 * a run record, and a last column shows them merged.
 */
export async function reportCommand(
  files: string[],
  options: { merge?: boolean } = {},
): Promise<number> {
  const columns = await Promise.all(files.map(readReport));
  if (options.merge) {
    const records = columns.map(({ file, record }) => {
      if (record === undefined) {
        throw new UsageError(
          "--merge",
          `"${file}" is not a run record; give the X.summary.json files mib bench writes`,
        );
      }
      return { file, record };
    });
    columns.push({
      file: `merged (${records.length} runs)`,
      format: "merged",
      figures: await mergeRecords(records),
    });
  }
  console.log(formatReport(columns));
  return 0;
}
