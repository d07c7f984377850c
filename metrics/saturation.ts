/**
 * When a server is saturated: the two rules `mib sweep` applies to each of
 * its points.
 *
 * - **rate**: the server finished requests at less than 90 % of the asked
 *   request rate. The rate it finished them at is `(n − 1) / (last end −
 *   first end)` over the n measured successful requests: the span of the
 *   completions, not the run's duration, so the tail of one request's latency
 *   does not count against a short run that kept up.
 * - **ttft-growth**: TTFT grew without bound across the run. The measured
 *   successful requests that have a TTFT, in send order, are cut in thirds
 *   (at least 2 requests each); the last third's median TTFT is more than
 *   twice the first third's and more than 10 ms above it (so the jitter of a
 *   fast server does not count), and the least-squares slope of TTFT against
 *   send time is positive. A queue that grows as long as requests keep
 *   coming does exactly that; a loaded but stable server keeps its TTFT level.
 *
 * @module
 */

/** The share of the asked rate below which a point is saturated (rule `rate`). */
export const RATE_SHARE = 0.9;

/** How many times the first third's median TTFT the last third's must exceed (rule `ttft-growth`). */
export const TTFT_GROWTH = 2;

/** How many ms the last third's median TTFT must exceed the first third's by (rule `ttft-growth`). */
export const TTFT_GROWTH_FLOOR_MS = 10;

/** One measured successful request, as the rules see it. */
export interface SaturationSample {
  /** Send time from the run start, seconds. */
  sendOffset: number;
  /** Send → end, seconds. */
  latency: number;
  /** Time to first token, seconds; null when unknown. */
  ttft: number | null;
}

/** The numbers behind the rules, for one point. */
export interface SaturationCheck {
  /** Requests per second the server finished them at, `null` with fewer than 2. */
  completionRate: number | null;
  /** The asked rate, when the point asked one. */
  askedRate: number | null;
  /** Median TTFT (ms) of the first and last thirds by send time; `null` with fewer than 6. */
  ttftFirstThird: number | null;
  ttftLastThird: number | null;
  /** Least-squares slope of TTFT (ms) against send time (s), ms per s; `null` with fewer than 6. */
  ttftSlope: number | null;
  /** The first rule that fired, or `null`. */
  rule: "rate" | "ttft-growth" | null;
  /** The rule's numbers in words, e.g. `"finished 3.1 req/s < 90 % of 4 req/s asked"`. */
  detail: string | null;
}

function median(sorted: readonly number[]): number {
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
}

/** The least-squares slope of `ys` against `xs` (0 when every x is the same). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

const round = (v: number) => Number(v.toPrecision(3));

/**
 * Applies both rules to the measured successful requests of one point;
 * `askedRate` is the point's asked request rate (`null` for points that ask
 * none: synchronous, throughput, concurrency).
 *
 * @example
 * ```ts
 * const samples = Array.from({ length: 9 }, (_, i) => ({ sendOffset: i, latency: 1, ttft: 0.01 * (i + 1) }));
 * checkSaturation(samples, null).rule; // "ttft-growth"
 * ```
 */
export function checkSaturation(
  samples: readonly SaturationSample[],
  askedRate: number | null,
): SaturationCheck {
  const ends = samples.map((s) => s.sendOffset + s.latency).sort((a, b) => a - b);
  const span = ends.length < 2 ? 0 : ends[ends.length - 1] - ends[0];
  const completionRate = span > 0 ? (ends.length - 1) / span : null;
  const timed = samples.filter((s) => s.ttft !== null).sort((a, b) => a.sendOffset - b.sendOffset);
  const third = Math.floor(timed.length / 3);
  let ttftFirstThird: number | null = null;
  let ttftLastThird: number | null = null;
  let ttftSlope: number | null = null;
  if (third >= 2) {
    const ms = timed.map((s) => s.ttft! * 1000);
    ttftFirstThird = median(ms.slice(0, third).sort((a, b) => a - b));
    ttftLastThird = median(ms.slice(-third).sort((a, b) => a - b));
    ttftSlope = slope(timed.map((s) => s.sendOffset), ms);
  }
  const check = { completionRate, askedRate, ttftFirstThird, ttftLastThird, ttftSlope };
  if (askedRate !== null && completionRate !== null && completionRate < RATE_SHARE * askedRate) {
    return {
      ...check,
      rule: "rate",
      detail: `finished ${round(completionRate)} req/s < ${RATE_SHARE * 100} % of ${
        round(askedRate)
      } req/s asked`,
    };
  }
  if (
    ttftFirstThird !== null && ttftLastThird !== null && ttftSlope !== null &&
    ttftLastThird > TTFT_GROWTH * ttftFirstThird &&
    ttftLastThird - ttftFirstThird > TTFT_GROWTH_FLOOR_MS && ttftSlope > 0
  ) {
    return {
      ...check,
      rule: "ttft-growth",
      detail: `TTFT median ${round(ttftFirstThird)} → ${round(ttftLastThird)} ms from the first ` +
        `to the last third, slope +${round(ttftSlope)} ms/s`,
    };
  }
  return { ...check, rule: null, detail: null };
}
