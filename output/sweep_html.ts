/**
 * The page of one or more sweeps (`mib sweep --html`, `mib report --html
 * A/sweep.json B/sweep.json`): latency against throughput, one line per sweep
 * and percentile, the saturation point marked, and each sweep's table.
 *
 * When every chart has drawn, the page sets `document.body.dataset.plots` to
 * their number; a script error sets `document.body.dataset.error`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { selfContainedPage } from "./_page.ts";
import { orderRows, type PointFigures, type SweepFile, type SweepRow } from "./sweep_file.ts";

/** The timings drawn, each against achieved output tokens/s, p50 and p99. */
export const SWEEP_CHARTS = [
  ["TTFT", "ttftP50", "ttftP99"],
  ["TPOT", "tpotP50", "tpotP99"],
  ["E2E latency", "e2elP50", "e2elP99"],
] as const satisfies readonly (readonly [string, keyof PointFigures, keyof PointFigures])[];

/** One line of a sweep chart. */
export interface SweepSeries {
  /** Legend label. */
  label: string;
  /** Index of its sweep (its colour). */
  sweep: number;
  /** `"p50"` solid, `"p99"` dashed, `"saturation"` one large marker. */
  style: "p50" | "p99" | "saturation";
  /** One y per x (ms), null where the sweep has no point. */
  y: (number | null)[];
}

/** One chart of the sweep page. */
export interface SweepChart {
  title: string;
  xLabel: string;
  yLabel: string;
  /** Achieved output tokens/s of every point of every sweep, ascending. */
  x: number[];
  series: SweepSeries[];
}

/** A sweep to draw: its name (the file it came from) and contents. */
export interface NamedSweep {
  name: string;
  sweep: SweepFile;
}

const round = (v: number) => Math.round(v * 1000) / 1000;

/** The charts of `sweeps`: x is each point's achieved output tokens/s. */
export function sweepCharts(sweeps: readonly NamedSweep[]): SweepChart[] {
  const points = sweeps.map(({ sweep }) =>
    orderRows(sweep.points).filter((r) => r.figures.completed > 0)
  );
  const x = [...new Set(points.flat().map((r) => round(r.figures.outputThroughput)))].sort((a, b) =>
    a - b
  );
  const column = (rows: SweepRow[], value: (r: SweepRow) => number | null) => {
    const byX = new Map(rows.map((r) => [round(r.figures.outputThroughput), value(r)]));
    return x.map((v) => byX.get(v) ?? null);
  };
  return SWEEP_CHARTS.map(([title, p50, p99]) => ({
    title: `${title} p50 and p99 against output throughput`,
    xLabel: "achieved output tokens/s",
    yLabel: `${title} (ms)`,
    x,
    series: sweeps.flatMap(({ name, sweep }, i): SweepSeries[] => [
      { label: `${name} p50`, sweep: i, style: "p50", y: column(points[i], (r) => r.figures[p50]) },
      { label: `${name} p99`, sweep: i, style: "p99", y: column(points[i], (r) => r.figures[p99]) },
      {
        label: `${name} saturation (${sweep.saturation ?? "none"})`,
        sweep: i,
        style: "saturation",
        y: column(points[i], (r) => r.name === sweep.saturation ? r.figures[p99] : null),
      },
    ]),
  }));
}

const PAGE_SCRIPT = `
  const tables = document.getElementById("tables");
  const columns = [["point", (r) => r.label], ["req/s", (r) => r.figures.requestThroughput],
    ["in flight", (r) => r.figures.meanConcurrency], ["out tok/s", (r) => r.figures.outputThroughput],
    ["TTFT p50", (r) => r.figures.ttftP50], ["TTFT p99", (r) => r.figures.ttftP99],
    ["TPOT p50", (r) => r.figures.tpotP50], ["TPOT p99", (r) => r.figures.tpotP99],
    ["ITL p50", (r) => r.figures.itlP50], ["ITL p99", (r) => r.figures.itlP99],
    ["E2E p50", (r) => r.figures.e2elP50], ["E2E p99", (r) => r.figures.e2elP99],
    ["goodput/s", (r) => r.figures.goodput], ["failed", (r) => r.figures.failed],
    ["saturated", (r) => r.saturation.rule === null ? "" : r.saturation.rule + ": " + r.saturation.detail]];
  data.sweeps.forEach((sweep, i) => {
    const title = el("h2");
    const swatch = el("span", "\\u25A0 ");
    swatch.style.color = colors[i % colors.length];
    title.append(swatch, sweep.name + " (" + sweep.url + ", saturation: " + (sweep.saturation ?? "none") + ")");
    const table = el("table");
    const head = el("tr");
    for (const [name] of columns) head.append(el("th", name));
    table.append(head);
    for (const row of sweep.rows) {
      const tr = el("tr");
      if (row.name === sweep.saturation) tr.className = "saturation";
      for (const [, get] of columns) {
        const v = get(row);
        tr.append(el("td", typeof v === "string" ? v : fmt(v)));
      }
      table.append(tr);
    }
    tables.append(title, table);
  });

  const container = document.getElementById("charts");
  const width = Math.max(360, Math.floor((container.clientWidth - 12) / 2) - 14);
  const drawn = new Set();
  data.charts.forEach((chart, c) => {
    const box = el("div");
    box.className = "chart";
    container.append(box);
    const series = [{ label: chart.xLabel }];
    for (const line of chart.series) {
      const color = colors[line.sweep % colors.length];
      const s = { label: line.label, stroke: color, width: 1.5, spanGaps: true };
      if (line.style === "p99") s.dash = [6, 4];
      if (line.style === "saturation") {
        s.paths = () => null;
        s.points = { show: true, size: 16, stroke: "#000", width: 2, fill: color };
      } else {
        s.points = { show: true, size: 6, stroke: color, fill: color };
      }
      series.push(s);
    }
    new uPlot({
      title: chart.title,
      width,
      height: 320,
      legend: { live: false },
      scales: { x: { time: false } },
      axes: [{ label: chart.xLabel }, { label: chart.yLabel, size: 60 }],
      series,
      hooks: {
        draw: [() => {
          drawn.add(c);
          if (drawn.size === data.charts.length) document.body.dataset.plots = String(drawn.size);
        }],
      },
    }, [chart.x, ...chart.series.map((line) => line.y)], box);
  });
`;

/** The page of `sweeps`. */
export function renderSweepHtml(sweeps: readonly NamedSweep[], generated = new Date()): string {
  return selfContainedPage({
    title: "mib sweep",
    style: `table { border-collapse: collapse; font-size: 13px; margin-bottom: 16px; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
tr.saturation td { background: #fde8e8; font-weight: 600; }
h2 { font-size: 15px; margin: 12px 0 4px; }
#charts { display: flex; flex-wrap: wrap; gap: 12px; }
.chart { border: 1px solid #eee; padding: 4px; }`,
    body: `<div id="tables"></div>
<div id="charts"></div>`,
    data: {
      generated: generated.toISOString(),
      sweeps: sweeps.map(({ name, sweep }) => ({
        name,
        url: sweep.url,
        saturation: sweep.saturation,
        rows: orderRows(sweep.points),
      })),
      charts: sweepCharts(sweeps),
    },
    script: PAGE_SCRIPT,
  });
}

/**
 * Writes the page of `sweeps` to `out`.
 *
 * @throws {UsageError} naming `--html` when `out` cannot be written.
 */
export async function writeSweepHtml(out: string, sweeps: readonly NamedSweep[]): Promise<void> {
  try {
    await Deno.writeTextFile(out, renderSweepHtml(sweeps));
  } catch (error) {
    throw new UsageError("--html", `cannot write "${out}": ${(error as Error).message}`);
  }
}
