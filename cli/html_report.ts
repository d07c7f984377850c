/**
 * `mib report --html OUT FILE...`: one self-contained HTML page of charts of
 * result files (seed JSON array, jsonl or vllm JSON), every run side by side.
 *
 * The page needs no network: uPlot's JS and CSS (npm `uplot`) are inlined, and
 * the data (every string included) is embedded as JSON in a
 * `<script type="application/json">` block that the page reads with
 * `JSON.parse`; nothing from a result file is interpolated into HTML. When
 * every chart has drawn, the page sets `document.body.dataset.plots` to their
 * number; a script error sets `document.body.dataset.error` to its message.
 *
 * @module
 */
import uplotJs from "uplot/dist/uPlot.iife.min.js" with { type: "text" };
import uplotCss from "uplot/dist/uPlot.min.css" with { type: "text" };
import { UsageError } from "../errors.ts";
import { computeRunMetrics } from "../metrics/run_metrics.ts";
import type { RequestResult } from "../runner/result.ts";
import { readReport, type ReportColumn } from "./report_command.ts";

/** One request as the charts need it. Times in seconds. */
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
}

/** One result file's requests. */
export interface RunRequests {
  /** The file, as given. */
  file: string;
  /** Its format. */
  format: ReportColumn["format"];
  /** Run duration, seconds (the file's own when it has one, else the last request's end). */
  duration: number;
  /** Its requests, in file order. */
  requests: RequestPoint[];
  /** The summary figures `mib report` shows for it. */
  figures: ReportColumn["figures"];
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

function fromRecord(record: Record<string, unknown>): RequestPoint {
  return {
    success: record.success === true,
    sendOffset: num(record.send_offset),
    ttft: num(record.ttft),
    itl: Array.isArray(record.itl) ? record.itl.filter((x) => num(x) !== null) : [],
    latency: num(record.latency),
    outputLen: num(record.output_len) ?? 0,
  };
}

/**
 * The requests of a vllm-format file. Its lists are `ttfts`, `itls`,
 * `start_times`, `output_lens`, `errors` (seconds). mib adds `mib_latencies`
 * (per-request E2E); a file vLLM wrote has none, so E2E is taken there as
 * `ttft` + Σ `itls` (the last chunk's arrival, before the response's end) and
 * is unknown when `ttft` is null.
 */
function fromVllm(v: Record<string, unknown>): RequestPoint[] {
  const list = (key: string): unknown[] => (Array.isArray(v[key]) ? v[key] as unknown[] : []);
  const ttfts = list("ttfts");
  const itls = list("itls");
  const starts = list("start_times");
  const outs = list("output_lens");
  const errors = list("errors");
  const latencies = list("mib_latencies");
  const n = Math.max(ttfts.length, itls.length, outs.length, errors.length);
  return Array.from({ length: n }, (_, i) => {
    const ttft = num(ttfts[i]);
    const itl = Array.isArray(itls[i])
      ? (itls[i] as unknown[]).filter((x): x is number => num(x) !== null)
      : [];
    const error = errors[i];
    return {
      success: error === undefined || error === null || error === "",
      sendOffset: num(starts[i]),
      ttft,
      itl,
      latency: num(latencies[i]) ??
        (ttft === null ? null : ttft + itl.reduce((a, b) => a + b, 0)),
      outputLen: num(outs[i]) ?? 0,
    };
  });
}

/**
 * Reads the per-request results of one result file of any of mib's formats
 * (the same detection as `readReport`).
 *
 * @throws {UsageError} naming the file when it is missing or not a result file.
 */
export async function readRunRequests(file: string): Promise<RunRequests> {
  // readReport validates the file and gives the same errors as `mib report`.
  const { format, figures } = await readReport(file);
  if (format === "record") {
    throw new UsageError(
      "--html",
      `"${file}" is a run record, which holds no per-request timings; chart its results file`,
    );
  }
  const text = await Deno.readTextFile(file);
  let requests: RequestPoint[];
  let duration: number | null = null;
  if (format === "vllm") {
    const v = JSON.parse(text);
    requests = fromVllm(v);
    duration = num(v.duration);
  } else if (format === "seed") {
    requests = (JSON.parse(text) as Record<string, unknown>[]).map(fromRecord);
  } else {
    const lines = text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
    requests = lines.filter((l) => !("summary" in l)).map(fromRecord);
    duration = num(figures["duration (s)"]);
  }
  const end = Math.max(0, ...requests.map((r) => (r.sendOffset ?? 0) + (r.latency ?? 0)));
  return { file, format, duration: duration ?? end, requests, figures };
}

/** One chart: rows of x with one y column per run (null where the run has no point). */
export interface ChartData {
  /** Title. */
  title: string;
  /** x-axis label. */
  xLabel: string;
  /** y-axis label. */
  yLabel: string;
  /** How series are drawn. */
  kind: "step" | "line" | "points";
  /** x values, ascending. */
  x: number[];
  /** One column per run, as long as `x`. */
  ys: (number | null)[][];
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** Most points one run contributes to a CDF; larger samples are subsampled by rank. */
const CDF_POINTS = 2000;

/** The empirical CDF of `values`: (value, fraction ≤ value) pairs, at most CDF_POINTS. */
export function cdfPoints(values: readonly number[]): [number, number][] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const count = Math.min(n, CDF_POINTS);
  const points: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const i = count === n ? k : Math.round((k * (n - 1)) / (count - 1));
    points.push([sorted[i], (i + 1) / n]);
  }
  return points;
}

/** Merges per-run point lists into one ascending x column, one y column per run. */
function mergeSeries(
  series: readonly (readonly [number, number][])[],
): Pick<ChartData, "x" | "ys"> {
  const rows: { x: number; run: number; y: number }[] = [];
  series.forEach((points, run) => {
    for (const [x, y] of points) rows.push({ x, run, y });
  });
  rows.sort((a, b) => a.x - b.x || a.run - b.run);
  return {
    x: rows.map((r) => r.x),
    ys: series.map((_, run) => rows.map((r) => (r.run === run ? r.y : null))),
  };
}

/** In-flight requests as a step function: (time, count after it) at every send and end. */
function inFlightSteps(requests: readonly RequestPoint[]): [number, number][] {
  const events: [number, number][] = [];
  for (const r of requests) {
    if (r.sendOffset === null || r.latency === null || r.latency <= 0) continue;
    events.push([r.sendOffset, 1], [r.sendOffset + r.latency, -1]);
  }
  if (events.length === 0) return [];
  // Ends before sends at equal times, as metrics' peak concurrency.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const points: [number, number][] = [[0, 0]];
  let now = 0;
  for (const [t, delta] of events) {
    now += delta;
    points.push([round(t, 6), now]);
  }
  return points;
}

/** Per-second series of a run from computeRunMetrics' time series. */
function perSecond(
  run: RunRequests,
): { tokens: [number, number][]; completed: [number, number][] } {
  const timed = run.requests.filter((r) => r.sendOffset !== null && r.latency !== null);
  if (timed.length === 0) return { tokens: [], completed: [] };
  const results: RequestResult[] = timed.map((r, index) => ({
    index,
    success: r.success,
    error: r.success ? "" : "failed",
    text: "",
    promptLen: 0,
    outputLen: r.outputLen,
    outputLenSource: "server",
    ttft: r.ttft,
    itl: r.itl,
    latency: r.latency!,
    chunks: r.itl.length + 1,
    streamed: r.ttft !== null,
    plannedOffset: r.sendOffset!,
    sendOffset: r.sendOffset!,
    notes: [],
  }));
  const { timeSeries } = computeRunMetrics(results, { duration: run.duration });
  return {
    tokens: timeSeries.map((b) => [b.second, b.outputTokens]),
    completed: timeSeries.map((b) => [b.second, b.completed]),
  };
}

/** Every chart of the page, in order. */
export function buildCharts(runs: readonly RunRequests[]): ChartData[] {
  const ok = runs.map((run) => run.requests.filter((r) => r.success));
  const ms = (s: number) => s * 1000;
  const cdf = (title: string, values: (r: RequestPoint) => number[]): ChartData => ({
    title,
    xLabel: "ms",
    yLabel: "fraction of samples ≤ x",
    kind: "step",
    ...mergeSeries(
      ok.map((rs) => cdfPoints(rs.flatMap(values)).map(([x, y]) => [round(ms(x), 3), round(y, 5)])),
    ),
  });
  const seconds = runs.map(perSecond);
  return [
    cdf("TTFT: cumulative distribution", (r) => (r.ttft === null ? [] : [r.ttft])),
    cdf("ITL (per chunk): cumulative distribution", (r) => r.itl),
    cdf("E2E latency: cumulative distribution", (r) => (r.latency === null ? [] : [r.latency])),
    {
      title: "Output throughput per second",
      xLabel: "second of the run (the last may be partial)",
      yLabel: "output tokens/s",
      kind: "line",
      ...mergeSeries(seconds.map((s) => s.tokens)),
    },
    {
      title: "Completed requests per second",
      xLabel: "second of the run (the last may be partial)",
      yLabel: "completed requests/s",
      kind: "line",
      ...mergeSeries(seconds.map((s) => s.completed)),
    },
    {
      title: "E2E latency of each request by its send time",
      xLabel: "send time (s)",
      yLabel: "E2E latency (ms)",
      kind: "points",
      ...mergeSeries(ok.map((rs) =>
        rs.filter((r) => r.sendOffset !== null && r.latency !== null)
          .map((r): [number, number] => [round(r.sendOffset!, 6), round(ms(r.latency!), 3)])
      )),
    },
    {
      title: "Requests in flight",
      xLabel: "time (s)",
      yLabel: "requests in flight",
      kind: "step",
      ...mergeSeries(runs.map((run) => inFlightSteps(run.requests))),
    },
  ];
}

/** JSON safe inside a `<script>` element: no `<`, `>`, `&`, U+2028 or U+2029 left raw. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll("<", "\\u003c")
    .replaceAll(">", "\\u003e")
    .replaceAll("&", "\\u0026")
    .replaceAll("\u2028", "\\u2028")
    .replaceAll("\u2029", "\\u2029");
}

/** Library text safe inside `<script>`/`<style>`: no closing tag can end the element early. */
function inlineSafe(text: string, tag: "script" | "style"): string {
  return text.replace(new RegExp(`</(${tag})`, "gi"), "<\\/$1");
}

/** The page's own script: reads the JSON block and draws every chart. */
const PAGE_SCRIPT = `"use strict";
(() => {
  const data = JSON.parse(document.getElementById("mib-data").textContent);
  const colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#17becf"];
  const el = (tag, text) => {
    const e = document.createElement(tag);
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const fmt = (v) => v === null || v === undefined || !Number.isFinite(v) ? "n/a"
    : Number.isInteger(v) ? String(v) : v.toFixed(2);
  document.getElementById("generated").textContent = "Generated " + data.generated;

  const table = document.getElementById("summary");
  const head = el("tr");
  head.append(el("th", ""));
  data.runs.forEach((run, i) => {
    const th = el("th");
    const swatch = el("span", "\\u25A0 ");
    swatch.style.color = colors[i % colors.length];
    th.append(swatch, run.file + " (" + run.format + ")");
    head.append(th);
  });
  table.append(head);
  for (const figure of data.figureNames) {
    const tr = el("tr");
    tr.append(el("td", figure));
    for (const run of data.runs) tr.append(el("td", fmt(run.figures[figure])));
    table.append(tr);
  }

  const container = document.getElementById("charts");
  // Two charts a row: each box adds 10 px (padding, border), the row gap 12 px
  // (the scrollbar is always shown, so the width does not change as charts are added).
  const width = Math.max(360, Math.floor((container.clientWidth - 12) / 2) - 14);
  const drawn = new Set();
  data.charts.forEach((chart, c) => {
    const box = el("div");
    box.className = "chart";
    container.append(box);
    const series = [{ label: chart.xLabel }];
    data.runs.forEach((run, i) => {
      const color = colors[i % colors.length];
      const s = { label: run.file, stroke: color, width: 1.5, spanGaps: true };
      if (chart.kind === "step") s.paths = uPlot.paths.stepped({ align: 1 });
      if (chart.kind === "points") {
        s.paths = () => null;
        s.points = { show: true, size: 5, stroke: color, fill: color };
      } else {
        s.points = { show: chart.x.length < 40 };
      }
      series.push(s);
    });
    const opts = {
      title: chart.title,
      width,
      height: 300,
      legend: { live: false },
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [{ label: chart.xLabel }, { label: chart.yLabel, size: 60 }],
      series,
      hooks: {
        draw: [() => {
          drawn.add(c);
          if (drawn.size === data.charts.length) document.body.dataset.plots = String(drawn.size);
        }],
      },
    };
    if (chart.x.length === 0) {
      box.append(el("p", chart.title + ": no data"));
    }
    new uPlot(opts, [chart.x, ...chart.ys], box);
  });
})();
`;

/** Figures of the summary table above the charts. */
const TABLE_FIGURES = [
  "completed",
  "failed",
  "duration (s)",
  "request throughput (req/s)",
  "output throughput (tok/s)",
  "median TTFT (ms)",
  "p99 TTFT (ms)",
  "median ITL (ms)",
  "p99 ITL (ms)",
  "median E2E (ms)",
  "p99 E2E (ms)",
];

/** The HTML page of `runs`. */
export function renderHtmlReport(
  runs: readonly RunRequests[],
  generated: Date = new Date(),
): string {
  const data = {
    generated: generated.toISOString(),
    figureNames: TABLE_FIGURES,
    runs: runs.map(({ file, format, figures }) => ({ file, format, figures })),
    charts: buildCharts(runs),
  };
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mib report</title>
<style>${inlineSafe(uplotCss, "style")}</style>
<style>
html { overflow-y: scroll; }
body { font-family: system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px; }
#generated { color: #666; font-size: 12px; margin: 0 0 12px; }
#summary { border-collapse: collapse; font-size: 13px; margin-bottom: 16px; }
#summary th, #summary td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
#summary th:first-child, #summary td:first-child { text-align: left; }
#charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #eee; padding: 4px; }
</style>
</head>
<body>
<script>
window.onerror = (message, source, line, column, error) => {
  document.body.dataset.error = String(error && error.message ? error.message : message);
};
window.addEventListener("unhandledrejection", (event) => {
  document.body.dataset.error = String(event.reason && event.reason.message || event.reason);
});
</script>
<h1>mib report</h1>
<p id="generated"></p>
<table id="summary"></table>
<div id="charts"></div>
<script type="application/json" id="mib-data">${scriptJson(data)}</script>
<script>${inlineSafe(uplotJs, "script")}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

/**
 * Writes the HTML report of result `files` to `out`.
 *
 * @throws {UsageError} when a file is not a result file or `out` cannot be written.
 */
export async function writeHtmlReport(files: readonly string[], out: string): Promise<void> {
  const runs = await Promise.all(files.map(readRunRequests));
  const html = renderHtmlReport(runs);
  try {
    await Deno.writeTextFile(out, html);
  } catch (error) {
    throw new UsageError("--html", `cannot write "${out}": ${(error as Error).message}`);
  }
}
