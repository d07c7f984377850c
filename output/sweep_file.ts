/**
 * A sweep's results: one row per point (`sweep.json`, `sweep.csv`, the
 * console table), made from each point's summary and saturation check, and
 * read back by `mib report`.
 *
 * @module
 */
import Table from "./_cli_table.ts";
import denoJson from "../deno.json" with { type: "json" };
import { UsageError } from "../errors.ts";
import type { SaturationCheck } from "../metrics/saturation.ts";
import type { Stats, Summary } from "../metrics/types.ts";

/** How a point loads the server. */
export type PointKind = "sync" | "throughput" | "rate" | "concurrency";

/** One point of a sweep, before it runs. */
export interface SweepPoint {
  /** How it loads the server. */
  kind: PointKind;
  /** Its name in progress lines and tables: `"rate 4/s"`, `"concurrency 8"`, `"sync"`. */
  label: string;
  /** Its files' stem: `"rate-4"`, `"concurrency-8"`, `"sync"`, `"throughput"`. */
  name: string;
  /** Asked request rate (Poisson), per second; absent: all at once. */
  rate?: number;
  /** Asked cap of requests in flight (`--max-concurrency`); absent: none. */
  concurrency?: number;
}

/** The figures of one point (times in ms, rates per second; `null` when unknown). */
export interface PointFigures {
  completed: number;
  failed: number;
  duration: number;
  /** Successful requests / duration (`mib bench`'s request throughput). */
  requestThroughput: number;
  /** Σ latency / duration: requests in flight on average. */
  meanConcurrency: number;
  outputThroughput: number;
  ttftP50: number | null;
  ttftP99: number | null;
  tpotP50: number | null;
  tpotP99: number | null;
  itlP50: number | null;
  itlP99: number | null;
  e2elP50: number | null;
  e2elP99: number | null;
  /** Requests meeting every `--goodput` SLO per second; `null` without SLOs. */
  goodput: number | null;
}

/** One point of a sweep, after it ran. */
export interface SweepRow extends SweepPoint {
  /** Its result file and run record, relative to the sweep's folder. */
  file: string;
  record: string;
  figures: PointFigures;
  saturation: SaturationCheck;
}

/** The contents of `sweep.json`. */
export interface SweepFile {
  /** Format version; its first key, by which `mib report` knows the file. */
  mib_sweep: 1;
  tool: string;
  version: string;
  created: string;
  /** The server's base URL. */
  url: string;
  /** `"rates"`, `"concurrency"` or `"auto"`. */
  mode: "rates" | "concurrency" | "auto";
  /** Every point run, in run order. */
  points: SweepRow[];
  /** The name of the saturation point (see {@linkcode saturationPoint}), `null` for none. */
  saturation: string | null;
}

const p = (stats: Stats | undefined, which: "median" | "p99") => stats?.[which] ?? null;

/** The figures of a point from its run's summary. */
export function pointFigures(summary: Summary): PointFigures {
  return {
    completed: summary.completed,
    failed: summary.failed,
    duration: summary.duration,
    requestThroughput: summary.requestThroughput,
    meanConcurrency: summary.meanConcurrency,
    outputThroughput: summary.outputThroughput,
    ttftP50: p(summary.ttft, "median"),
    ttftP99: p(summary.ttft, "p99"),
    tpotP50: p(summary.tpot, "median"),
    tpotP99: p(summary.tpot, "p99"),
    itlP50: p(summary.itlPerChunk, "median"),
    itlP99: p(summary.itlPerChunk, "p99"),
    e2elP50: p(summary.e2el, "median"),
    e2elP99: p(summary.e2el, "p99"),
    goodput: summary.goodput,
  };
}

/**
 * The saturation point: the first rate or concurrency point, by asked load,
 * that a rule found saturated; else the throughput point when it was; else
 * none.
 */
export function saturationPoint(rows: readonly SweepRow[]): SweepRow | undefined {
  const ordered = orderRows(rows);
  return ordered.find((r) =>
    (r.kind === "rate" || r.kind === "concurrency") && r.saturation.rule
  ) ??
    ordered.find((r) => r.kind === "throughput" && r.saturation.rule);
}

/** Rows by asked load: synchronous, rates or caps ascending, throughput last. */
export function orderRows(rows: readonly SweepRow[]): SweepRow[] {
  const rank = (r: SweepRow) =>
    r.kind === "sync" ? -1 : r.kind === "throughput" ? Infinity : r.rate ?? r.concurrency ?? 0;
  return [...rows].sort((a, b) => rank(a) - rank(b));
}

/** The asked load of a point in words: `"4/s"`, `"≤ 8 in flight"`, `"1 at a time"`, `"all at once"`. */
function asked(row: SweepPoint): string {
  if (row.kind === "sync") return "1 at a time";
  if (row.kind === "throughput") return "all at once";
  return row.rate !== undefined ? `${row.rate}/s` : `≤ ${row.concurrency} in flight`;
}

/** The CSV columns of `sweep.csv`, and how each is read from a row. */
const CSV_COLUMNS: readonly [string, (r: SweepRow) => string | number | null][] = [
  ["point", (r) => r.name],
  ["kind", (r) => r.kind],
  ["asked_rate", (r) => r.rate ?? null],
  ["asked_concurrency", (r) => r.concurrency ?? (r.kind === "sync" ? 1 : null)],
  ["completed", (r) => r.figures.completed],
  ["failed", (r) => r.figures.failed],
  ["request_throughput", (r) => r.figures.requestThroughput],
  ["completion_rate", (r) => r.saturation.completionRate],
  ["mean_concurrency", (r) => r.figures.meanConcurrency],
  ["output_throughput", (r) => r.figures.outputThroughput],
  ["median_ttft_ms", (r) => r.figures.ttftP50],
  ["p99_ttft_ms", (r) => r.figures.ttftP99],
  ["median_tpot_ms", (r) => r.figures.tpotP50],
  ["p99_tpot_ms", (r) => r.figures.tpotP99],
  ["median_itl_ms", (r) => r.figures.itlP50],
  ["p99_itl_ms", (r) => r.figures.itlP99],
  ["median_e2el_ms", (r) => r.figures.e2elP50],
  ["p99_e2el_ms", (r) => r.figures.e2elP99],
  ["request_goodput", (r) => r.figures.goodput],
  ["saturated", (r) => r.saturation.rule],
  ["file", (r) => r.file],
];

/** `sweep.csv`: a header line and one line per point, by asked load. */
export function sweepCsv(rows: readonly SweepRow[]): string {
  const cell = (v: string | number | null) =>
    v === null ? "" : typeof v === "number" ? String(v) : /[",\n]/.test(v) ? `"${v}"` : v;
  const lines = [CSV_COLUMNS.map(([name]) => name).join(",")];
  for (const row of orderRows(rows)) {
    lines.push(CSV_COLUMNS.map(([, get]) => cell(get(row))).join(","));
  }
  return lines.join("\n") + "\n";
}

/** The contents of `sweep.json` for `rows`. */
export function sweepFile(url: string, mode: SweepFile["mode"], rows: SweepRow[]): SweepFile {
  return {
    mib_sweep: 1,
    tool: "mib",
    version: denoJson.version,
    created: new Date().toISOString(),
    url,
    mode,
    points: rows,
    saturation: saturationPoint(rows)?.name ?? null,
  };
}

const show = (v: number | null, digits = 1) =>
  v === null || !Number.isFinite(v) ? "n/a" : v.toFixed(digits);

/** The sweep's table for the console, one line per point by asked load, the saturation marked. */
export function formatSweepTable(sweep: Pick<SweepFile, "points" | "saturation">): string {
  const goodput = sweep.points.some((r) => r.figures.goodput !== null);
  const table = new Table({
    head: [
      "point",
      "asked",
      "req/s",
      "in flight",
      "out tok/s",
      "TTFT p50/p99",
      "TPOT p50/p99",
      "ITL p50/p99",
      "E2E p50/p99",
      ...(goodput ? ["goodput/s"] : []),
      "failed",
      "saturated",
    ],
    style: Deno.stdout.isTerminal() ? undefined : { head: [], border: [] },
  });
  for (const row of orderRows(sweep.points)) {
    const f = row.figures;
    const pair = (a: number | null, b: number | null) => `${show(a)} / ${show(b)}`;
    const mark = row.name === sweep.saturation ? "◀ " : "";
    table.push([
      row.label,
      asked(row),
      show(f.requestThroughput, 2),
      show(f.meanConcurrency, 2),
      show(f.outputThroughput, 0),
      pair(f.ttftP50, f.ttftP99),
      pair(f.tpotP50, f.tpotP99),
      pair(f.itlP50, f.itlP99),
      pair(f.e2elP50, f.e2elP99),
      ...(goodput ? [show(f.goodput, 2)] : []),
      String(f.failed),
      row.saturation.rule === null ? "" : `${mark}${row.saturation.rule}: ${row.saturation.detail}`,
    ]);
  }
  return `${table.toString()}\ntimes in ms; in flight = mean requests in flight (Σ latency / duration)`;
}

/** Whether `path` is a `sweep.json` (its first key is `mib_sweep`), read from its first bytes. */
export async function isSweepFile(path: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch {
    return false;
  }
  try {
    const buffer = new Uint8Array(64);
    const n = await file.read(buffer);
    const head = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
    return /^\s*\{\s*"mib_sweep"\s*:/.test(head);
  } finally {
    file.close();
  }
}

/**
 * Reads a `sweep.json`.
 *
 * @throws {UsageError} naming the file when it cannot be read or is not one.
 */
export async function readSweepFile(path: string): Promise<SweepFile> {
  try {
    const sweep = JSON.parse(await Deno.readTextFile(path)) as SweepFile;
    if (sweep.mib_sweep !== 1 || !Array.isArray(sweep.points)) throw new Error("not a sweep file");
    return sweep;
  } catch (error) {
    throw new UsageError(path, `cannot read it as a mib sweep.json: ${(error as Error).message}`);
  }
}
