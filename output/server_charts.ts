/**
 * The charts of the server's own metrics (scraped during the run, from the
 * run record's `server_metrics`), drawn under the client's throughput and
 * in-flight charts on the same time axis: seconds from the run start.
 *
 * @module
 */
import type { ServerMetricName } from "../server_metrics/vocabulary.ts";
import type { ChartData, ChartRun } from "./charts.ts";

/** One chart: two of the server's series per run, the second dashed, y scaled by `scale`. */
interface ServerChart {
  readonly title: string;
  readonly yLabel: string;
  readonly solid: ServerMetricName;
  readonly dashed: ServerMetricName;
  readonly scale: number;
}

const SERVER_CHARTS: readonly ServerChart[] = [
  {
    title: "Server: requests running (solid) and waiting (dashed)",
    yLabel: "requests",
    solid: "running",
    dashed: "waiting",
    scale: 1,
  },
  {
    title: "Server: KV-cache usage (solid) and prefix-cache hit rate (dashed)",
    yLabel: "fraction",
    solid: "kv_cache_usage",
    dashed: "prefix_cache_hit_rate",
    scale: 1,
  },
  {
    title: "Server: generation (solid) and prompt (dashed) tokens per second",
    yLabel: "tokens/s",
    solid: "generation_tokens_per_s",
    dashed: "prompt_tokens_per_s",
    scale: 1,
  },
  {
    title: "Server: TTFT (solid) and queue time (dashed), mean per scrape interval",
    yLabel: "ms",
    solid: "ttft",
    dashed: "queue_time",
    scale: 1000,
  },
];

/**
 * The server-metric charts of `runs`, in order; none when no run has server
 * metrics, and a chart only when some run has one of its two series.
 */
export function serverCharts(runs: readonly ChartRun[]): ChartData[] {
  const charts: ChartData[] = [];
  for (const chart of SERVER_CHARTS) {
    const columns: { label: string; run: number; dash: boolean; points: [number, number][] }[] = [];
    runs.forEach(({ file }, run) => {
      const series = file.serverMetrics?.series;
      if (series === undefined) return;
      for (const [name, dash] of [[chart.solid, false], [chart.dashed, true]] as const) {
        const points = series[name];
        if (points === undefined) continue;
        const raw = file.serverMetrics?.raw_names[name] ?? name;
        columns.push({
          label: `${file.file}: ${raw}`,
          run,
          dash,
          points: points.map(([t, v]) => [t, v * chart.scale]),
        });
      }
    });
    if (columns.length === 0) continue;
    const rows = columns.flatMap((c, i) => c.points.map(([x, y]) => ({ x, i, y })));
    rows.sort((a, b) => a.x - b.x || a.i - b.i);
    charts.push({
      title: chart.title,
      xLabel: "time (s)",
      yLabel: chart.yLabel,
      kind: "line",
      x: rows.map((r) => r.x),
      ys: columns.map((_, i) => rows.map((r) => (r.i === i ? r.y : null))),
      series: columns.map(({ label, run, dash }) => ({ label, run, dash })),
    });
  }
  return charts;
}
