/**
 * The live view: with a terminal, the progress line shows running TTFT and
 * ITL percentiles (p50, p99), requests in flight, failures and output
 * tokens/s, redrawn a few times a second.
 *
 * Nothing here runs per chunk. Per request, {@linkcode LiveStats.sent} adds
 * 1 to a counter and {@linkcode LiveStats.add} copies the finished result's
 * TTFT and gaps into fixed rings of the most recent values; the
 * percentiles are taken on a timer ({@linkcode LiveStats.snapshot}), from
 * those rings only, so the timer's cost is bounded whatever the run's size.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";

/** Most recent values each ring keeps. */
export const LIVE_WINDOW = 1024;

/** Timer ticks the output rate is measured over (at 4 a second: the last 2 s). */
const RATE_TICKS = 8;

/** What the live line shows at one moment; times in ms, null before any value. */
export interface LiveSnapshot {
  /** TTFT p50 and p99 of the most recent successful requests. */
  ttft: { p50: number; p99: number } | null;
  /** ITL (per chunk) p50 and p99 of the most recent gaps. */
  itl: { p50: number; p99: number } | null;
  /** Requests sent and not yet finished. */
  inFlight: number;
  /** Requests failed so far. */
  failed: number;
  /** Output tokens per second over the last ticks (null before two ticks). */
  outputTokensPerSecond: number | null;
}

/** A ring of the last {@linkcode LIVE_WINDOW} values. */
class Ring {
  readonly #values = new Float64Array(LIVE_WINDOW);
  #next = 0;
  #size = 0;

  /** Values pushed since the last {@linkcode Ring.percentiles}. */
  #changed = true;
  #last: { p50: number; p99: number } | null = null;

  push(value: number): void {
    this.#values[this.#next] = value;
    this.#next = (this.#next + 1) % LIVE_WINDOW;
    if (this.#size < LIVE_WINDOW) this.#size++;
    this.#changed = true;
  }

  /**
   * p50 and p99 (nearest rank) of what it holds, or null when empty: two
   * selections on a copy (linear time; a sort of 2,048 doubles took 240 µs here),
   * and nothing at all when no value came since the last call.
   */
  percentiles(): { p50: number; p99: number } | null {
    if (this.#size === 0) return null;
    if (!this.#changed) return this.#last;
    const copy = this.#values.slice(0, this.#size);
    const rank = (p: number) => Math.min(this.#size - 1, Math.floor((p / 100) * this.#size));
    const p99 = select(copy, rank(99), 0, copy.length - 1);
    // After selecting rank 99 everything below it sits left of it.
    const p50 = select(copy, rank(50), 0, rank(99));
    this.#changed = false;
    this.#last = { p50, p99 };
    return this.#last;
  }
}

/** The `k`-th smallest of `a[lo..hi]` (Hoare's quickselect, in place). */
function select(a: Float64Array, k: number, lo: number, hi: number): number {
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k];
  }
  return a[k];
}

/** The running figures of the live line, gathered a request at a time. */
export class LiveStats {
  readonly #ttft = new Ring();
  readonly #itl = new Ring();
  #sent = 0;
  #finished = 0;
  #failed = 0;
  #tokens = 0;
  /** (time ms, tokens so far) at each of the last snapshots. */
  readonly #ticks: [number, number][] = [];

  /** A request was sent. */
  sent(): void {
    this.#sent++;
  }

  /** A request finished: its TTFT and gaps (ms) go into the rings. */
  add(result: RequestResult): void {
    this.#finished++;
    if (!result.success) {
      this.#failed++;
      return;
    }
    if (result.ttft !== null) this.#ttft.push(result.ttft * 1000);
    // Only the last gaps of a long response: the ring keeps no more anyway.
    const itl = result.itl;
    for (let i = Math.max(0, itl.length - LIVE_WINDOW); i < itl.length; i++) {
      this.#itl.push(itl[i] * 1000);
    }
    // The server's count, else one token a chunk until the client counts it.
    this.#tokens += result.outputLen > 0 ? result.outputLen : result.chunks;
  }

  /** The figures now (`now`: `performance.now()` ms); call it from the timer. */
  snapshot(now: number = performance.now()): LiveSnapshot {
    this.#ticks.push([now, this.#tokens]);
    if (this.#ticks.length > RATE_TICKS + 1) this.#ticks.shift();
    const [t0, n0] = this.#ticks[0];
    const seconds = (now - t0) / 1000;
    return {
      ttft: this.#ttft.percentiles(),
      itl: this.#itl.percentiles(),
      inFlight: this.#sent - this.#finished,
      failed: this.#failed,
      outputTokensPerSecond: seconds > 0 ? (this.#tokens - n0) / seconds : null,
    };
  }
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));

/** Whole numbers with thousands separators (one formatter: toLocaleString costs 30 µs a call). */
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/**
 * The live line of `s`.
 *
 * @example
 * ```ts
 * import { formatLive } from "./live_view.ts";
 *
 * formatLive({
 *   ttft: { p50: 12.34, p99: 45.6 },
 *   itl: { p50: 5, p99: 9.12 },
 *   inFlight: 16,
 *   failed: 0,
 *   outputTokensPerSecond: 1234.5,
 * });
 * // "TTFT p50/p99 12.3/45.6 ms | ITL 5.0/9.1 ms | in flight 16 | failed 0 | 1,235 tok/s"
 * ```
 */
export function formatLive(s: LiveSnapshot): string {
  const pair = (p: { p50: number; p99: number } | null) =>
    p === null ? "–" : `${ms(p.p50)}/${ms(p.p99)}`;
  const rate = s.outputTokensPerSecond === null
    ? "–"
    : WHOLE.format(Math.round(s.outputTokensPerSecond));
  return `TTFT p50/p99 ${pair(s.ttft)} ms | ITL ${
    pair(s.itl)
  } ms | in flight ${s.inFlight} | failed ${s.failed} | ${rate} tok/s`;
}

/** How often the live line is recomputed, ms. */
export const LIVE_INTERVAL_MS = 250;

/**
 * Recomputes the line every {@linkcode LIVE_INTERVAL_MS} and hands it to
 * `show`; the returned function stops it.
 */
export function startLiveView(stats: LiveStats, show: (line: string) => void): () => void {
  const timer = setInterval(() => show(formatLive(stats.snapshot())), LIVE_INTERVAL_MS);
  return () => clearInterval(timer);
}
