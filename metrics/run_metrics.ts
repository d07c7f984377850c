/**
 * The exact metric variants of one run, as pure functions of its per-request
 * results: vLLM's and SGLang's ITL side by side, goodput as vLLM defines it,
 * failures by kind, concurrency and a per-second time series.
 *
 * Timing distributions are in milliseconds; offsets and the time series in
 * seconds from the run start.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { timePerOutputToken } from "./request.ts";
import { describeSample, percentileKey } from "./stats.ts";

export { percentileKey };

/** Distribution of a sample, in milliseconds. */
export interface MetricStats {
  /** Number of values. */
  count: number;
  /** Arithmetic mean. */
  mean: number;
  /** 50th percentile (linear interpolation, as `percentiles`). */
  median: number;
  /** Population standard deviation (divides by n, as numpy.std and vLLM). */
  std: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /**
   * The asked percentiles, keyed "p" + p written as vLLM does: an integer
   * without decimals ("p50", "p99"), anything else as given ("p99.9"). The
   * p-th percentile of the ascending sample x[0..n−1] is x[lo] + (x[hi] − x[lo])·(r − lo)
   * with rank r = p/100·(n − 1), lo = ⌊r⌋, hi = ⌈r⌉ (numpy's default, vLLM).
   */
  percentiles: Record<string, number>;
}

/** Why a request failed; see {@link classifyFailure}. */
export type FailureKind =
  | "connect"
  | "timeout"
  | "http_status"
  | "stream_cut"
  | "parse"
  | "server_error"
  | "other";

/** One whole second [s, s + 1) of the run. */
export interface SecondBucket {
  /** s: the bucket covers send offsets t with s ≤ t < s + 1. */
  second: number;
  /** Requests (any outcome) with s ≤ `sendOffset` < s + 1. */
  sent: number;
  /** Successful requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  completed: number;
  /** Failed requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  failed: number;
  /**
   * Requests (any outcome) in flight at the bucket's end: sent in bucket s or before,
   * ended in a later bucket (for all but the last bucket: `sendOffset` < s + 1 ≤
   * `sendOffset + latency`). So inFlight[s] = inFlight[s − 1] + sent[s] − completed[s] −
   * failed[s], and the last bucket's is 0.
   */
  inFlight: number;
  /**
   * Output tokens of successful requests that arrived in [s, s + 1), each
   * placed as in {@link RunMetrics.peakOutputTokensPerSecond}.
   */
  outputTokens: number;
}

/** The run's metrics. Timing distributions in ms over successful requests. */
export interface RunMetrics {
  /** The run duration given (run start → last response), seconds. */
  duration: number;
  /**
   * First send → last response finished, seconds (AIPerf's duration; the
   * given `duration` also counts any wait before the first planned send).
   */
  activeDuration: number;
  /**
   * Client queue time: actual − planned send offset of every request (sent or
   * failed), ms — how late the client was against the schedule.
   */
  queue: MetricStats | null;
  /** Requests in the results. */
  total: number;
  /** Requests with `success`. */
  completed: number;
  /** Requests without `success`. */
  failed: number;
  /** TTFT: `ttft`·1000 of every successful request whose `ttft` is not null. Null when none. */
  ttft: MetricStats | null;
  /**
   * TPOT (vLLM): per successful request with `ttft` not null and `outputLen` ≥ 2,
   * (`latency` − `ttft`) / (`outputLen` − 1), in ms. Null when none.
   */
  tpot: MetricStats | null;
  /**
   * ITL per chunk (vLLM's "itl"): every entry of `itl`·1000 of every successful
   * request, pooled: one sample per gap between successive text chunks, a
   * multi-token chunk not split. Null when none.
   */
  itlPerChunk: MetricStats | null;
  /**
   * ITL per token (SGLang): over successful streamed requests with `ttft` not null,
   * each gap g = `itl[j]` (before chunk j + 1) yields k samples of g/k (ms), where k is
   * the tokens chunk j + 1 carried: `chunkTokens[i][j + 1]` when that request's counts
   * are known (entries 0..itl.length all integers ≥ 0; a 0-token chunk yields none);
   * else, when n = `outputLen` − 1 exceeds G = `itl.length`, the n tokens are spread
   * over the G gaps as evenly as integers allow (gap j gets ⌊n/G⌋, plus 1 when
   * j < n mod G) and the request counts in `perTokenItlEstimated`; else k = 1 (same
   * as per chunk). The first chunk's tokens yield no sample. Null when none.
   */
  itlPerToken: MetricStats | null;
  /**
   * Successful requests whose `itlPerToken` samples were estimated (token counts
   * unknown and `outputLen` − 1 > `itl.length` ≥ 1).
   */
  perTokenItlEstimated: number;
  /** E2E latency: `latency`·1000 of every successful request. Null when none. */
  e2el: MetricStats | null;
  /**
   * Goodput (vLLM): successful requests meeting every given SLO, per second of
   * `duration` (0 when duration ≤ 0); null when no SLO was given. Compared in seconds
   * as vLLM: `ttft` ≤ slo/1000 (a null `ttft` fails), TPOT ≤ slo/1000 where TPOT is as
   * `tpot` for `outputLen` ≥ 2 (a null `ttft` fails) and 0 for `outputLen` ≤ 1 (vLLM),
   * `latency` ≤ slo/1000.
   */
  goodput: number | null;
  /** The successful requests meeting every given SLO; null when no SLO was given. */
  goodRequests: number | null;
  /** Failed requests by kind (every kind present), classified by {@link classifyFailure}. */
  failures: Record<FailureKind, number>;
  /**
   * Mean concurrency: Σ `latency` of all requests / `duration` (0 when duration ≤ 0),
   * i.e. the time-average of requests in flight.
   */
  meanConcurrency: number;
  /**
   * Peak concurrency: the largest number of requests (any outcome) whose half-open
   * intervals [`sendOffset`, `sendOffset + latency`) overlap at one instant (a request
   * ending at t and one sent at t do not overlap; a request of zero latency never counts).
   */
  peakConcurrency: number;
  /**
   * Peak output tokens/s: the largest `outputTokens` of `timeSeries` (0 when empty).
   * Tokens of successful requests are placed at the arrival of the chunk that carried
   * them: chunk c (0-based, c ≤ G = `itl.length`) arrives at `sendOffset + ttft` +
   * Σ `itl[0..c−1]` and carries `chunkTokens[i][c]` when known (as in `itlPerToken`),
   * else chunk 0 carries min(1, `outputLen`) and chunk j + 1 the share of gap j of
   * max(0, `outputLen` − 1) spread as in `itlPerToken` (⌊n/G⌋, +1 when j < n mod G).
   * An unstreamed response or one with a null `ttft` has all `outputLen` tokens at
   * its end, `sendOffset + latency`.
   */
  peakOutputTokensPerSecond: number;
  /**
   * One bucket per whole second s = 0, 1, …, N − 1 of the run, N = ⌈duration⌉ (at
   * least 1 when there are results; none when there are none). An event (send, end,
   * token arrival) at t goes to bucket min(max(0, ⌊t⌋), N − 1): an event at or after
   * N (such as the last response ending at exactly t = duration, a whole number) is in
   * the last bucket. The last bucket may be partial; counts are not scaled.
   */
  timeSeries: SecondBucket[];
}

/** SLOs for goodput, in milliseconds. */
export interface GoodputSlo {
  /** TTFT ≤ this. */
  ttft?: number;
  /** TPOT ≤ this. */
  tpot?: number;
  /** E2E latency ≤ this. */
  e2el?: number;
}

/** What {@link computeRunMetrics} needs besides the results. */
export interface RunMetricsOptions {
  /** Run duration, seconds. */
  duration: number;
  /** Percentiles to report, each in [0, 100]; default [50, 90, 95, 99]. */
  percentiles?: readonly number[];
  /** Goodput SLOs (ms); goodput is null without any. */
  goodput?: GoodputSlo;
  /**
   * Per request (same index as `results`), the tokens carried by each text chunk;
   * an absent entry (or the whole option absent) means unknown.
   */
  chunkTokens?: readonly (readonly (number | undefined)[] | undefined)[];
}

/** The default percentiles: 50, 90, 95, 99. */
export const DEFAULT_PERCENTILES: readonly number[] = [50, 90, 95, 99];

/** {@link MetricStats} of `values` (any order, ms), or null for an empty sample. */
export function metricStats(
  values: readonly number[],
  percentiles: readonly number[] = DEFAULT_PERCENTILES,
): MetricStats | null {
  const stats = describeSample(values, percentiles);
  if (stats === undefined) return null;
  const { count, mean, median, std, min, max } = stats;
  return { count, mean, median, std, min, max, percentiles: stats.percentiles };
}

const PARSE =
  /unparsable|unexpected (response|record)|response without|protocol|malformed|not an HTTP/i;
const TIMEOUT = /timeout|timed out/i;
const CONNECT = /connect|refused|ECONN/i;

/**
 * The kind of a failed request's failure, the first that applies:
 * "http_status" (`status` ≥ 400); "stream_cut" (`error` starts with "stream cut");
 * "parse" (`error` mentions unparsable, unexpected response/record, response without,
 * protocol, malformed or not an HTTP: unparsable or protocol errors); "server_error"
 * (`error` starts with "stream error:": an error the server reported in the stream);
 * "timeout" (mentions timeout or timed out); "connect" (mentions connect, refused or
 * ECONN, case-insensitive, which includes ConnectionRefused); else "other".
 */
export function classifyFailure(result: Pick<RequestResult, "error" | "status">): FailureKind {
  const error = result.error;
  if (result.status !== undefined && result.status >= 400) return "http_status";
  if (error.startsWith("stream cut")) return "stream_cut";
  if (PARSE.test(error)) return "parse";
  if (error.startsWith("stream error:")) return "server_error";
  if (TIMEOUT.test(error)) return "timeout";
  if (CONNECT.test(error)) return "connect";
  return "other";
}

/** Tokens per gap when n tokens are spread over g gaps as evenly as integers allow. */
function spread(n: number, g: number): number[] {
  const base = Math.floor(n / g);
  const extra = n - base * g;
  return Array.from({ length: g }, (_, j) => base + (j < extra ? 1 : 0));
}

/** The request's per-chunk token counts when known for chunks 0..gaps, else undefined. */
function knownTokens(
  tokens: readonly (number | undefined)[] | undefined,
  gaps: number,
): number[] | undefined {
  if (tokens === undefined || tokens.length < gaps + 1) return undefined;
  const counts: number[] = [];
  for (let c = 0; c <= gaps; c++) {
    const k = tokens[c];
    if (k === undefined || !Number.isInteger(k) || k < 0) return undefined;
    counts.push(k);
  }
  return counts;
}

/** The largest number of half-open intervals [start, end) overlapping at one instant. */
function peakOverlap(intervals: readonly { start: number; end: number }[]): number {
  const events: [number, number][] = [];
  for (const { start, end } of intervals) {
    if (end <= start) continue;
    events.push([start, 1], [end, -1]);
  }
  // At equal times ends (−1) come first: [a, t) and [t, b) do not overlap.
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, delta] of events) {
    now += delta;
    if (now > peak) peak = now;
  }
  return peak;
}

/**
 * Computes the run's metrics (see {@link RunMetrics} for every definition).
 *
 * @example
 * ```ts
 * const m = computeRunMetrics(run.results, { duration: run.duration, goodput: { ttft: 200 } });
 * m.itlPerToken?.percentiles.p99; // ms
 * ```
 */
export function computeRunMetrics(
  results: readonly RequestResult[],
  options: RunMetricsOptions,
): RunMetrics {
  const { duration, goodput: slo = {} } = options;
  const percentiles = options.percentiles ?? DEFAULT_PERCENTILES;
  for (const p of percentiles) {
    if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of [0, 100]: ${p}`);
  }
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  const ms = (s: number) => s * 1000;
  const hasSlo = slo.ttft !== undefined || slo.tpot !== undefined || slo.e2el !== undefined;

  const ttfts: number[] = [];
  const tpots: number[] = [];
  const itlChunk: number[] = [];
  const itlToken: number[] = [];
  const e2els: number[] = [];
  let estimated = 0;
  let good = 0;
  let completed = 0;
  const failures: Record<FailureKind, number> = {
    connect: 0,
    timeout: 0,
    http_status: 0,
    stream_cut: 0,
    parse: 0,
    server_error: 0,
    other: 0,
  };
  /** Output tokens of successful requests by arrival time, seconds. */
  const tokenEvents: { time: number; tokens: number }[] = [];

  results.forEach((r, i) => {
    if (!r.success) {
      failures[classifyFailure(r)]++;
      return;
    }
    completed++;
    e2els.push(ms(r.latency));
    const timed = r.streamed && r.ttft !== null;
    const tpot = timePerOutputToken(r.latency, r.ttft, r.outputLen);
    if (r.ttft !== null) ttfts.push(ms(r.ttft));
    if (tpot !== undefined) tpots.push(ms(tpot));
    for (const gap of r.itl) itlChunk.push(ms(gap));

    const gaps = r.itl.length;
    const known = knownTokens(options.chunkTokens?.[i], gaps);
    if (timed) {
      const remaining = Math.max(0, r.outputLen - 1);
      let perGap: number[];
      if (known !== undefined) perGap = known.slice(1);
      else if (gaps > 0 && remaining > gaps) {
        perGap = spread(remaining, gaps);
        estimated++;
      } else perGap = r.itl.map(() => 1);
      r.itl.forEach((gap, j) => {
        const k = perGap[j];
        for (let s = 0; s < k; s++) itlToken.push(ms(gap) / k);
      });
      // Token placement: chunk c arrives at sendOffset + ttft + Σ itl[0..c−1].
      const counts = known ??
        [Math.min(1, r.outputLen), ...(gaps > 0 ? spread(remaining, gaps) : [])];
      let time = r.sendOffset + r.ttft!;
      counts.forEach((tokens, c) => {
        if (c > 0) time += r.itl[c - 1];
        tokenEvents.push({ time, tokens });
      });
    } else {
      tokenEvents.push({ time: r.sendOffset + r.latency, tokens: r.outputLen });
    }

    if (hasSlo) {
      const ttftOk = slo.ttft === undefined || (r.ttft !== null && r.ttft <= slo.ttft / 1000);
      const tpotValue = r.outputLen <= 1 ? 0 : tpot;
      const tpotOk = slo.tpot === undefined ||
        (tpotValue !== undefined && tpotValue <= slo.tpot / 1000);
      const e2elOk = slo.e2el === undefined || r.latency <= slo.e2el / 1000;
      if (ttftOk && tpotOk && e2elOk) good++;
    }
  });

  // Time series.
  const buckets = results.length === 0 ? 0 : Math.max(1, Math.ceil(duration));
  const bucketOf = (t: number) => Math.min(Math.max(0, Math.floor(t)), buckets - 1);
  const timeSeries: SecondBucket[] = Array.from({ length: buckets }, (_, second) => ({
    second,
    sent: 0,
    completed: 0,
    failed: 0,
    inFlight: 0,
    outputTokens: 0,
  }));
  let totalLatency = 0;
  for (const r of results) {
    totalLatency += r.latency;
    const sent = bucketOf(r.sendOffset);
    const ended = bucketOf(r.sendOffset + r.latency);
    timeSeries[sent].sent++;
    timeSeries[ended][r.success ? "completed" : "failed"]++;
    for (let s = sent; s < ended; s++) timeSeries[s].inFlight++;
  }
  for (const e of tokenEvents) timeSeries[bucketOf(e.time)].outputTokens += e.tokens;
  let peakTokens = 0;
  for (const b of timeSeries) peakTokens = Math.max(peakTokens, b.outputTokens);

  const sends = results.map((r) => r.sendOffset);
  const ends = results.map((r) => r.sendOffset + r.latency);
  return {
    duration,
    activeDuration: results.length === 0 ? 0 : Math.max(...ends) - Math.min(...sends),
    queue: metricStats(results.map((r) => ms(r.sendOffset - r.plannedOffset)), percentiles),
    total: results.length,
    completed,
    failed: results.length - completed,
    ttft: metricStats(ttfts, percentiles),
    tpot: metricStats(tpots, percentiles),
    itlPerChunk: metricStats(itlChunk, percentiles),
    itlPerToken: metricStats(itlToken, percentiles),
    perTokenItlEstimated: estimated,
    e2el: metricStats(e2els, percentiles),
    goodput: hasSlo ? per(good) : null,
    goodRequests: hasSlo ? good : null,
    failures,
    meanConcurrency: per(totalLatency),
    peakConcurrency: peakOverlap(
      results.map((r) => ({ start: r.sendOffset, end: r.sendOffset + r.latency })),
    ),
    peakOutputTokensPerSecond: peakTokens,
    timeSeries,
  };
}
