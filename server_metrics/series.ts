/**
 * Server metrics as a run keeps them: each scrape reduced to the raw values
 * the vocabulary reads, then, after the run, one series per mib name on the
 * run's time axis and the server's TTFT and queue-time means over the run.
 * Pure functions: the scraper (`scraper.ts`) does the I/O.
 *
 * @module
 */
import type { PromSample } from "./prometheus.ts";
import {
  type MetricSource,
  SERVER_METRIC_NAMES,
  SERVER_METRICS,
  type ServerMetricName,
  sourceLabel,
  sourceNames,
} from "./vocabulary.ts";

/** The raw value of one name in one scrape: the sum over its label sets, and how many. */
export interface RawValue {
  /** Σ of the values of every label set. */
  readonly sum: number;
  /** Number of label sets. */
  readonly n: number;
}

/** One scrape, reduced to the names the vocabulary reads. */
export interface Scrape {
  /** When its response arrived: wall-clock ms (`performance.timeOrigin + performance.now()`). */
  readonly at: number;
  /** Raw name → value. */
  readonly values: ReadonlyMap<string, RawValue>;
}

/** Every raw sample name some source reads. */
export const WANTED_NAMES: ReadonlySet<string> = new Set(
  SERVER_METRIC_NAMES.flatMap((name) => SERVER_METRICS[name].sources.flatMap(sourceNames)),
);

/** `samples` of a scrape at `at` reduced to the wanted names (label sets summed). */
export function reduceScrape(samples: readonly PromSample[], at: number): Scrape {
  const values = new Map<string, RawValue>();
  for (const { name, value } of samples) {
    if (!WANTED_NAMES.has(name) || !Number.isFinite(value)) continue;
    const before = values.get(name);
    values.set(name, { sum: (before?.sum ?? 0) + value, n: (before?.n ?? 0) + 1 });
  }
  return { at, values };
}

/** A histogram's mean over the run, from the first and last scrapes' sums and counts. */
export interface HistogramMean {
  /** Δsum / Δcount, in ms. */
  readonly mean_ms: number;
  /** Δcount: observations during the run (every client's, warm-up included). */
  readonly count: number;
  /** The raw histogram. */
  readonly raw_name: string;
}

/** What a run keeps of the server's metrics (`server_metrics` of the run record). */
export interface ServerMetricsRecord {
  /** The page scraped. */
  readonly url: string;
  /** Seconds between scrapes. */
  readonly interval: number;
  /** Scrapes that answered (the first at the run start, the last after the last response). */
  readonly scrapes: number;
  /** Scrapes that failed (no answer, not 200, unparsable): left out. */
  readonly failed_scrapes: number;
  /**
   * mib name → `[t, value]` points, t in seconds from the run start (t = 0 of
   * every other series). Gauges at each scrape; rates, ratios and histogram
   * means over the interval ending at t.
   */
  readonly series: Partial<Record<ServerMetricName, [number, number][]>>;
  /** mib name → the raw metric it was read from. */
  readonly raw_names: Partial<Record<ServerMetricName, string>>;
  /** The server's TTFT and queue-time means over the run; null where it has no such histogram. */
  readonly means: {
    readonly ttft: HistogramMean | null;
    readonly queue_time: HistogramMean | null;
  };
}

/** The first source of `name` whose every raw name some scrape has. */
function chooseSource(
  name: ServerMetricName,
  scrapes: readonly Scrape[],
): MetricSource | undefined {
  const sources = SERVER_METRICS[name].sources;
  return sources.find((source) =>
    scrapes.some((s) => sourceNames(source).every((raw) => s.values.has(raw)))
  );
}

/** `source`'s point at scrape `now` (with the scrape `before` it for rates); undefined when none. */
function pointValue(source: MetricSource, now: Scrape, before: Scrape | undefined) {
  const v = (s: Scrape, raw: string) => s.values.get(raw);
  if (source.kind === "gauge") {
    const value = v(now, source.name);
    if (value === undefined) return undefined;
    return source.combine === "sum" ? value.sum : value.sum / value.n;
  }
  if (before === undefined) return undefined;
  const delta = (raw: string) => {
    const a = v(before, raw);
    const b = v(now, raw);
    return a === undefined || b === undefined ? NaN : b.sum - a.sum;
  };
  if (source.kind === "rate") {
    const seconds = (now.at - before.at) / 1000;
    const d = delta(source.name);
    // A counter that went down was reset (the server restarted): no point.
    return seconds > 0 && d >= 0 ? d / seconds : undefined;
  }
  if (source.kind === "ratio") {
    const hits = delta(source.hits);
    const of = source.of.reduce((sum, raw) => sum + delta(raw), 0);
    return of > 0 && hits >= 0 ? hits / of : undefined;
  }
  const count = delta(`${source.name}_count`);
  const sum = delta(`${source.name}_sum`);
  return count > 0 && sum >= 0 ? sum / count : undefined;
}

const round = (v: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

/** The mean of histogram `source` between the first and last scrapes that have it. */
function runMean(
  source: MetricSource | undefined,
  scrapes: readonly Scrape[],
): HistogramMean | null {
  if (source?.kind !== "histogram") return null;
  const has = scrapes.filter((s) => s.values.has(`${source.name}_count`));
  if (has.length < 2) return null;
  const first = has[0];
  const last = has[has.length - 1];
  const get = (s: Scrape, suffix: string) => s.values.get(`${source.name}${suffix}`)?.sum ?? NaN;
  const count = get(last, "_count") - get(first, "_count");
  const sum = get(last, "_sum") - get(first, "_sum");
  if (!(count > 0) || !(sum >= 0)) return null;
  return { mean_ms: round((sum / count) * 1000, 3), count, raw_name: source.name };
}

/**
 * The record of `scrapes` (in time order) of `url`, every `interval`
 * seconds, of a run that started at wall-clock ms `startedAt`.
 *
 * @example
 * ```ts
 * import { reduceScrape, serverMetricsRecord } from "./series.ts";
 *
 * const at = (t: number, running: number) =>
 *   reduceScrape([{ name: "vllm:num_requests_running", labels: {}, value: running }], t);
 * const record = serverMetricsRecord([at(0, 0), at(1000, 4)], {
 *   url: "http://localhost:8000/metrics",
 *   interval: 1,
 *   startedAt: 0,
 *   failed: 0,
 * });
 * record.series.running; // [[0, 0], [1, 4]]
 * ```
 */
export function serverMetricsRecord(
  scrapes: readonly Scrape[],
  options: { url: string; interval: number; startedAt: number; failed: number },
): ServerMetricsRecord {
  const series: Partial<Record<ServerMetricName, [number, number][]>> = {};
  const rawNames: Partial<Record<ServerMetricName, string>> = {};
  const sources = new Map<ServerMetricName, MetricSource>();
  for (const name of SERVER_METRIC_NAMES) {
    const source = chooseSource(name, scrapes);
    if (source === undefined) continue;
    sources.set(name, source);
    rawNames[name] = sourceLabel(source);
    const points: [number, number][] = [];
    scrapes.forEach((now, i) => {
      const value = pointValue(source, now, scrapes[i - 1]);
      if (value === undefined || !Number.isFinite(value)) return;
      points.push([round((now.at - options.startedAt) / 1000, 3), round(value, 6)]);
    });
    series[name] = points;
  }
  return {
    url: options.url,
    interval: options.interval,
    scrapes: scrapes.length,
    failed_scrapes: options.failed,
    series,
    raw_names: rawNames,
    means: {
      ttft: runMean(sources.get("ttft"), scrapes),
      queue_time: runMean(sources.get("queue_time"), scrapes),
    },
  };
}
