/**
 * `mib report --html OUT FILE...`: one self-contained HTML page of charts of
 * result files that list every request (seed JSON array, jsonl or vllm JSON),
 * every run side by side.
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
import { UsageError } from "../errors.ts";
import { selfContainedPage } from "./_page.ts";
import { buildCharts, CHARTED_TIMINGS, type ChartRun, RunCharts } from "./charts.ts";
import { timingFigure } from "./figures.ts";
import { readResultFile, RESULT_FORMATS, resultFormat, runRecordPath } from "./mod.ts";
import type { FileRamp } from "./types.ts";
import type { ServerMetricsRecord } from "../server_metrics/series.ts";

/**
 * Reads one result file for the page, in one pass: its figures and its
 * requests gathered into {@link RunCharts}.
 *
 * @throws {UsageError} naming the file when it is not a result file, or lists no requests.
 */
export async function readChartRun(path: string): Promise<ChartRun> {
  const charts = new RunCharts();
  const file = await readResultFile(path, { onRequest: (point) => charts.add(point) });
  if (!resultFormat(file.format)?.listsEveryRequest) {
    const listing = RESULT_FORMATS.filter((f) => f.listsEveryRequest).map((f) => f.name);
    throw new UsageError(
      "--html",
      `"${path}" is ${
        file.format === "record" ? "a run record" : `a ${file.format} file`
      }, which holds no per-request timings; chart a file that lists every request (${
        listing.join(", ")
      })`,
    );
  }
  const beside = await recordBeside(path);
  return {
    file: {
      ...file,
      ramp: file.ramp ?? beside?.ramp,
      serverMetrics: file.serverMetrics ?? beside?.serverMetrics,
    },
    charts,
  };
}

/**
 * The ramp and server metrics in the run record beside result file `path`
 * (`X.summary.json`), for formats that list requests only (seed, jsonl);
 * undefined when there is no readable record there.
 */
async function recordBeside(
  path: string,
): Promise<{ ramp?: FileRamp; serverMetrics?: ServerMetricsRecord } | undefined> {
  const beside = runRecordPath(path);
  if (beside === path) return undefined;
  try {
    const record = await readResultFile(beside);
    return record.format === "record" ? record : undefined;
  } catch {
    return undefined; // none there, or not a record: the charts show what the file has
  }
}

export { scriptJson } from "./_page.ts";

/** The page's own script: reads the JSON block and draws every chart. */
const PAGE_SCRIPT = `
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
    const columns = chart.series || data.runs.map((run, i) => ({ label: run.file, run: i }));
    columns.forEach((column) => {
      const color = colors[column.run % colors.length];
      const s = { label: column.label, stroke: color, width: 1.5, spanGaps: true };
      if (column.dash) s.dash = [6, 4];
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
`;

/** Figures of the summary table above the charts. */
const TABLE_FIGURES = [
  "completed",
  "failed",
  "duration (s)",
  "request throughput (req/s)",
  "output throughput (tok/s)",
  ...CHARTED_TIMINGS.flatMap((name) => [
    timingFigure("median", name),
    timingFigure("p99", name),
  ]),
];

/** The HTML page of `runs`. */
export function renderHtmlReport(
  runs: readonly ChartRun[],
  generated: Date = new Date(),
): string {
  const data = {
    generated: generated.toISOString(),
    figureNames: TABLE_FIGURES,
    runs: runs.map(({ file: { file, format, figures } }) => ({ file, format, figures })),
    charts: buildCharts(runs),
  };
  return selfContainedPage({
    title: "mib report",
    style: `#summary { border-collapse: collapse; font-size: 13px; margin-bottom: 16px; }
#summary th, #summary td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
#summary th:first-child, #summary td:first-child { text-align: left; }
#charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #eee; padding: 4px; }`,
    body: `<table id="summary"></table>
<div id="charts"></div>`,
    data,
    script: PAGE_SCRIPT,
  });
}

/**
 * Writes the HTML page of `runs` (see {@linkcode readChartRun}) to `out`.
 *
 * @throws {UsageError} when `out` cannot be written.
 */
export async function writeHtmlReport(out: string, runs: readonly ChartRun[]): Promise<void> {
  const html = renderHtmlReport(runs);
  try {
    await Deno.writeTextFile(out, html);
  } catch (error) {
    throw new UsageError("--html", `cannot write "${out}": ${(error as Error).message}`);
  }
}
