/**
 * The charts of `mib report --html`, gathered a request at a time as a
 * result file is read: each run keeps a few numbers per request (8 bytes
 * each), never the requests, and no chart draws more than a few thousand
 * points of a run, except the time series.
 *
 * @module
 */
import { rampRate } from "../distributions/mod.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { TIMING_METRICS } from "../metrics/types.ts";
import { resultOfPoint } from "./_points.ts";
import { serverCharts } from "./server_charts.ts";
import type { FileRamp, RequestPoint, ResultFile } from "./types.ts";

/** The timings the page draws a CDF of, and shows the median and p99 of. */
export const CHARTED_TIMINGS = ["ttft", "itlPerChunk", "e2el"] as const;

/** One of {@link CHARTED_TIMINGS}. */
export type ChartedTiming = typeof CHARTED_TIMINGS[number];

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
  /** One column per run, as long as `x` (or per entry of `series`, when given). */
  ys: (number | null)[][];
  /** What each column is, when not one per run: its label, its run (the colour), dashed. */
  series?: { label: string; run: number; dash: boolean }[];
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/**
 * Most points one run contributes to a CDF or to the scatter of E2E latency
 * by send time; larger samples are subsampled evenly by rank.
 */
export const MAX_POINTS = 2000;

/** The 0-based ranks of `count` points spread evenly over n ≥ count, ends included. */
function evenRank(k: number, n: number, count: number): number {
  return count === n ? k : Math.round((k * (n - 1)) / (count - 1));
}

/** The empirical CDF of `values`: (value, fraction ≤ value) pairs, at most {@link MAX_POINTS}. */
export function cdfPoints(values: ArrayLike<number>): [number, number][] {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return [];
  const count = Math.min(n, MAX_POINTS);
  const points: [number, number][] = [];
  for (let k = 0; k < count; k++) {
    const i = evenRank(k, n, count);
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

/** The chart data of one run, gathered a request at a time (see {@link RunCharts.add}). */
export class RunCharts {
  /** TTFT, ITL gaps and E2E latency of successful requests, seconds. */
  readonly #ttft: number[] = [];
  readonly #itl: number[] = [];
  readonly #e2el: number[] = [];
  /** Send time and E2E latency of successful requests, in file order: the scatter. */
  readonly #sent: number[] = [];
  readonly #latency: number[] = [];
  /** Send and end times of every request that took time (any phase): the requests in flight. */
  readonly #starts: number[] = [];
  readonly #ends: number[] = [];
  /** Every timed request, for the per-second series. */
  readonly #series = new RunAccumulator();
  /** Send time of every request that says, for the asked rate of a ramp. */
  readonly #sends: number[] = [];

  /** Adds one request of the run. */
  add(point: RequestPoint): void {
    const { sendOffset, latency } = point;
    const timed = sendOffset !== null && latency !== null;
    if (sendOffset !== null) this.#sends.push(sendOffset);
    if (timed) {
      this.#series.add(resultOfPoint(point));
      if (latency > 0) {
        this.#starts.push(sendOffset);
        this.#ends.push(sendOffset + latency);
      }
    }
    // Warm-up and cool-down requests are part of the load, not of its statistics.
    if (!point.success || point.phase !== undefined) return;
    if (point.ttft !== null) this.#ttft.push(point.ttft);
    for (const gap of point.itl) this.#itl.push(gap);
    if (latency !== null) this.#e2el.push(latency);
    if (timed) {
      this.#sent.push(sendOffset);
      this.#latency.push(latency);
    }
  }

  /** The CDF of TTFT, ITL or E2E latency of successful requests, in ms. */
  cdf(metric: ChartedTiming): [number, number][] {
    const values = { ttft: this.#ttft, itlPerChunk: this.#itl, e2el: this.#e2el }[metric];
    return cdfPoints(values).map(([x, y]) => [round(x * 1000, 3), round(y, 5)]);
  }

  /** Output tokens, completed and sent requests per second of a run of `duration` seconds. */
  perSecond(duration: number): {
    tokens: [number, number][];
    completed: [number, number][];
    sent: [number, number][];
  } {
    if (this.#series.total === 0) return { tokens: [], completed: [], sent: [] };
    const { timeSeries } = this.#series.metrics({ duration });
    return {
      tokens: timeSeries.map((b) => [b.second, b.outputTokens]),
      completed: timeSeries.map((b) => [b.second, b.completed]),
      sent: timeSeries.map((b) => [b.second, b.sent]),
    };
  }

  /**
   * The rate `ramp` asked for at each send, (send time s, requests/s), at
   * most {@link MAX_POINTS}: requests go out in schedule order, so the k-th
   * earliest send is request k, asking for the ramp's rate at k.
   */
  askedRate(ramp: FileRamp): [number, number][] {
    const sends = Float64Array.from(this.#sends).sort();
    const n = sends.length;
    const count = Math.min(n, MAX_POINTS);
    const points: [number, number][] = [];
    for (let k = 0; k < count; k++) {
      const i = evenRank(k, n, count);
      points.push([round(sends[i], 6), round(rampRate(ramp.spec, i, ramp.count), 3)]);
    }
    return points;
  }

  /** (send time s, E2E latency ms) of successful requests, at most {@link MAX_POINTS}. */
  scatter(): [number, number][] {
    const n = this.#sent.length;
    const count = Math.min(n, MAX_POINTS);
    const points: [number, number][] = [];
    for (let k = 0; k < count; k++) {
      const i = evenRank(k, n, count);
      points.push([round(this.#sent[i], 6), round(this.#latency[i] * 1000, 3)]);
    }
    return points;
  }

  /** In-flight requests as a step function: (time, count after it) at every send and end. */
  inFlight(): [number, number][] {
    const starts = Float64Array.from(this.#starts).sort();
    const ends = Float64Array.from(this.#ends).sort();
    if (starts.length === 0) return [];
    const points: [number, number][] = [[0, 0]];
    let now = 0;
    // Ends before sends at equal times, as metrics' peak concurrency.
    for (let i = 0, j = 0; i < starts.length || j < ends.length;) {
      const end = j < ends.length && (i === starts.length || ends[j] <= starts[i]);
      const t = end ? ends[j++] : starts[i++];
      now += end ? -1 : 1;
      points.push([round(t, 6), now]);
    }
    return points;
  }
}

/** One run to chart: its file as read, and its charts' data. */
export interface ChartRun {
  /** The file as read. */
  file: ResultFile;
  /** Its requests, gathered for the charts. */
  charts: RunCharts;
}

/** Every chart of the page, in order. */
export function buildCharts(runs: readonly ChartRun[]): ChartData[] {
  const cdf = (metric: ChartedTiming): ChartData => ({
    title: `${TIMING_METRICS[metric].console}: cumulative distribution`,
    xLabel: "ms",
    yLabel: "fraction of samples ≤ x",
    kind: "step",
    ...mergeSeries(runs.map(({ charts }) => charts.cdf(metric))),
  });
  const seconds = runs.map(({ file, charts }) => charts.perSecond(file.duration));
  return [
    ...CHARTED_TIMINGS.map(cdf),
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
      title: `${TIMING_METRICS.e2el.console} of each request by its send time`,
      xLabel: "send time (s)",
      yLabel: `${TIMING_METRICS.e2el.console} (ms)`,
      kind: "points",
      ...mergeSeries(runs.map(({ charts }) => charts.scatter())),
    },
    {
      title: "Requests in flight",
      xLabel: "time (s)",
      yLabel: "requests in flight",
      kind: "step",
      ...mergeSeries(runs.map(({ charts }) => charts.inFlight())),
    },
    ...serverCharts(runs),
    sendRateChart(runs, seconds.map((s) => s.sent)),
  ];
}

/**
 * Requests sent per second of each run (achieved), and for a run with a ramp
 * the rate it asked for at each send (a dashed line in its colour).
 */
function sendRateChart(
  runs: readonly ChartRun[],
  sent: readonly [number, number][][],
): ChartData {
  const asked = runs.flatMap(({ file, charts }, run) =>
    file.ramp === undefined ? [] : [{ run, file: file.file, points: charts.askedRate(file.ramp) }]
  );
  return {
    title: "Send rate: asked (dashed, a ramp) and achieved",
    xLabel: "second of the run (the last may be partial)",
    yLabel: "requests/s",
    kind: "line",
    ...mergeSeries([...sent, ...asked.map((a) => a.points)]),
    series: [
      ...runs.map(({ file }, run) => ({ label: `${file.file}: sent/s`, run, dash: false })),
      ...asked.map(({ run, file }) => ({ label: `${file}: asked (ramp)`, run, dash: true })),
    ],
  };
}
