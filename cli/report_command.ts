/**
 * `mib report FILE...`: the summary of result files — the seed's JSON array,
 * jsonl, the vLLM-format JSON, or a run record — side by side, and with
 * `--merge` several run records as one.
 *
 * @module
 */
import Table from "cli-table3";
import { UsageError } from "../errors.ts";
import { computeRunMetrics } from "../metrics/run_metrics.ts";
import type { RequestResult } from "../runner/result.ts";
import {
  type Figures,
  isRunRecord,
  mergeRecords,
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

function fromResults(results: RequestResult[], duration?: number): ReportColumn["figures"] {
  const end = Math.max(0, ...results.map((r) => r.sendOffset + r.latency));
  const d = duration ?? end;
  const m = computeRunMetrics(results, { duration: d, percentiles: [50, 99] });
  const ok = results.filter((r) => r.success);
  const out = ok.reduce((sum, r) => sum + r.outputLen, 0);
  const stats = { TTFT: m.ttft, TPOT: m.tpot, ITL: m.itlPerChunk, E2E: m.e2el };
  const figures: ReportColumn["figures"] = {
    "completed": m.completed,
    "failed": m.failed,
    "duration (s)": d,
    "request throughput (req/s)": d > 0 ? m.completed / d : null,
    "output throughput (tok/s)": d > 0 ? out / d : null,
  };
  for (const [name, s] of Object.entries(stats)) {
    figures[`mean ${name} (ms)`] = s?.mean ?? null;
    figures[`median ${name} (ms)`] = s?.median ?? null;
    figures[`p99 ${name} (ms)`] = s?.percentiles.p99 ?? null;
  }
  return figures;
}

function fromVllm(v: Record<string, number | null>): ReportColumn["figures"] {
  const figures: ReportColumn["figures"] = {
    "completed": v.completed,
    "failed": v.failed,
    "duration (s)": v.duration,
    "request throughput (req/s)": v.request_throughput,
    "output throughput (tok/s)": v.output_throughput,
  };
  for (const [name, key] of [["TTFT", "ttft"], ["TPOT", "tpot"], ["ITL", "itl"], ["E2E", "e2el"]]) {
    figures[`mean ${name} (ms)`] = v[`mean_${key}_ms`] ?? null;
    figures[`median ${name} (ms)`] = v[`median_${key}_ms`] ?? null;
    figures[`p99 ${name} (ms)`] = v[`p99_${key}_ms`] ?? null;
  }
  return figures;
}

/**
 * Reads one result file of any of mib's formats.
 *
 * @throws {UsageError} naming the file when it is missing or not a result file.
 */
export async function readReport(file: string): Promise<ReportColumn> {
  let text: string;
  try {
    text = await Deno.readTextFile(file);
  } catch {
    throw new UsageError("mib report", `cannot read "${file}"`);
  }
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith("[")) {
      const records = JSON.parse(text) as Record<string, unknown>[];
      return { file, format: "seed", figures: fromResults(records.map(toResult)) };
    }
    if (trimmed.startsWith("{") && !/}\s*\n\s*{/.test(trimmed)) {
      const v = JSON.parse(text);
      if (isRunRecord(v)) {
        const record = toRunRecord(v);
        return { file, format: "record", figures: recordFigures(record), record };
      }
      if ("ttfts" in v || "mean_ttft_ms" in v) {
        return { file, format: "vllm", figures: fromVllm(v) };
      }
    }
    const lines = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    const summary = lines.find((l) => "summary" in l)?.summary;
    const results = lines.filter((l) => !("summary" in l)).map(toResult);
    return { file, format: "jsonl", figures: fromResults(results, summary?.duration) };
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
