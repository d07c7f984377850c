/**
 * The run's metrics gathered one finished request at a time, so a run need not
 * keep its per-request results: per request it holds 16 bytes (send and end
 * times, for peak concurrency) plus what its samples hold, and each sample is
 * exact up to its limit, then a fixed-size HDR histogram.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { timePerOutputToken } from "./request.ts";
import { classifyFailure, FAILURE_KINDS, type FailureKind } from "./failure.ts";
import { MismatchCounter } from "./mismatch.ts";
import {
  DEFAULT_PERCENTILES,
  type GoodputSlo,
  type RunMetrics,
  type RunTotals,
  type SampleName,
  type SecondBucket,
  type StructuredCounts,
} from "./types.ts";
import { DEFAULT_EXACT_LIMIT, type HdrLibrary, Sample } from "./sample.ts";
import { Doubles } from "./_doubles.ts";

/** Distinct error messages counted one by one; the rest are counted together. */
const MAX_ERROR_MESSAGES = 100;

/** The message under which errors beyond {@link MAX_ERROR_MESSAGES} distinct ones are counted. */
export const OTHER_ERRORS = "(other error messages)";

/** Options of a {@link RunAccumulator}. */
export interface RunAccumulatorOptions {
  /** Goodput SLOs (ms); goodput is null without any. */
  goodput?: GoodputSlo;
  /** Values each timing sample keeps exactly (see {@link Sample}). */
  exactLimit?: number;
  /** hdr-histogram-js, for samples that may outgrow `exactLimit`. */
  hdr?: HdrLibrary;
  /**
   * The most values the run can give (requests; output tokens, which bound
   * chunks and per-token gaps). With `hdr`, a sample whose bound exceeds
   * `exactLimit` starts as a histogram, so it never stops mid-run to convert
   * a million values.
   */
  expect?: { requests: number; tokens: number };
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

/** Per-second counts by ⌊t⌋ (t < 0 counts in second 0), grown as seconds come. */
class Seconds {
  readonly values: number[] = [];
  add(t: number, amount = 1): void {
    const s = Math.max(0, Math.floor(t));
    while (this.values.length <= s) this.values.push(0);
    this.values[s] += amount;
  }
  /** Second s of N buckets: everything at or after N − 1 folds into the last. */
  bucket(s: number, buckets: number): number {
    if (s < buckets - 1) return this.values[s] ?? 0;
    let sum = 0;
    for (let i = s; i < this.values.length; i++) sum += this.values[i];
    return sum;
  }
}

/**
 * Gathers a run's metrics from its results as they finish. `add` every
 * result (with its per-chunk token counts when known), then read
 * {@link RunAccumulator.metrics}; `computeRunMetrics` does both for a list.
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 * import { runSchedule } from "../runner/run.ts";
 *
 * const acc = new RunAccumulator({ goodput: { ttft: 200 } });
 * const run = await runSchedule({
 *   url: "http://127.0.0.1:8000/v1/completions",
 *   backend: getBackend("openai"),
 *   requests: [{ offset: 0, promptLen: 3, request: { prompt: "Hello there!", maxTokens: 16 } }],
 *   countTokens: (text) => text.split(" ").length,
 *   keepResults: false,
 *   onResult: (r) => acc.add(r, r.chunkTokens),
 * });
 * acc.metrics({ duration: run.duration }).ttft?.median;
 * ```
 */
export class RunAccumulator {
  /** TTFT of successful requests with a TTFT, ms. */
  readonly ttft: Sample;
  /** TPOT of successful requests with a TTFT and ≥ 2 output tokens, ms. */
  readonly tpot: Sample;
  /** Gaps between text chunks of successful requests, ms. */
  readonly itlPerChunk: Sample;
  /** Per-token gaps of successful streamed requests, ms. */
  readonly itlPerToken: Sample;
  /** E2E latency of successful requests, ms. */
  readonly e2el: Sample;
  /** Actual − planned send offset of every request, ms. */
  readonly queue: Sample;
  /** The same, of the requests that waited for a free `--max-concurrency` slot, ms. */
  readonly slotQueue: Sample;
  readonly #slo: GoodputSlo;
  readonly #hasSlo: boolean;
  #total = 0;
  #completed = 0;
  #estimated = 0;
  #good = 0;
  #totalLatency = 0;
  #firstSend = Infinity;
  #lastEnd = -Infinity;
  #inputTokens = 0;
  #outputTokens = 0;
  /** Σ inputs of successful pooling requests; undefined while none came. */
  #inputs: number | undefined;
  #multiToken = 0;
  #warmup = 0;
  #cooldown = 0;
  #warmupEnd = 0;
  #waitedForSlot = 0;
  readonly #failures = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<
    FailureKind,
    number
  >;
  /** Failed requests of kind "http_status", by status. */
  readonly #statuses = new Map<number, number>();
  readonly #errors = new Map<string, number>();
  readonly #mismatches = new MismatchCounter();
  #structured: StructuredCounts | undefined;
  readonly #starts = new Doubles();
  readonly #ends = new Doubles();
  readonly #sent = new Seconds();
  readonly #ended = { ok: new Seconds(), failed: new Seconds() };
  readonly #tokens = new Seconds();

  /** An empty accumulator. */
  constructor(options: RunAccumulatorOptions = {}) {
    const limit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
    const sample = (bound: number | undefined) =>
      new Sample({
        exactLimit: limit,
        hdr: options.hdr,
        histogram: bound !== undefined && bound > limit,
      });
    const { requests, tokens } = options.expect ?? {};
    this.ttft = sample(requests);
    this.tpot = sample(requests);
    this.itlPerChunk = sample(tokens);
    this.itlPerToken = sample(tokens);
    this.e2el = sample(requests);
    this.queue = sample(requests);
    this.slotQueue = sample(requests);
    this.#slo = options.goodput ?? {};
    const slo = this.#slo;
    this.#hasSlo = slo.ttft !== undefined || slo.tpot !== undefined || slo.e2el !== undefined;
  }

  /** The timing samples by their `RunMetrics` names. */
  samples(): Record<SampleName, Sample> {
    return {
      ttft: this.ttft,
      tpot: this.tpot,
      itlPerChunk: this.itlPerChunk,
      itlPerToken: this.itlPerToken,
      e2el: this.e2el,
      queue: this.queue,
    };
  }

  /** Measured results added (warm-up and cool-down ones are only counted). */
  get total(): number {
    return this.#total;
  }

  /**
   * The measured window, seconds from the run start: from the end of the last
   * warm-up request (0 without any) to the end of the last measured request
   * (the start when there is none).
   */
  window(): { start: number; end: number } {
    const start = this.#warmupEnd;
    return { start, end: this.#total === 0 ? start : Math.max(start, this.#lastEnd) };
  }

  /**
   * The duration statistics are over: `runDuration` (run start → last
   * response) for a run without warm-up or cool-down, else the measured
   * {@link RunAccumulator.window}'s length.
   */
  measuredDuration(runDuration: number): number {
    if (this.#warmup === 0 && this.#cooldown === 0) return runDuration;
    const { start, end } = this.window();
    return end - start;
  }

  /**
   * Adds one finished request. `chunkTokens` are the tokens each text chunk
   * carried, when known (usually `result.chunkTokens`). A warm-up or
   * cool-down request is only counted (and a warm-up one's end moves the
   * window's start); it enters no statistic.
   */
  add(r: RequestResult, chunkTokens?: readonly (number | undefined)[]): void {
    const end = r.sendOffset + r.latency;
    if (r.phase === "warmup") {
      this.#warmup++;
      this.#warmupEnd = Math.max(this.#warmupEnd, end);
      return;
    }
    if (r.phase === "cooldown") {
      this.#cooldown++;
      return;
    }
    this.#total++;
    this.#totalLatency += r.latency;
    this.#firstSend = Math.min(this.#firstSend, r.sendOffset);
    this.#lastEnd = Math.max(this.#lastEnd, end);
    this.queue.add((r.sendOffset - r.plannedOffset) * 1000);
    if (r.waitedForSlot) {
      this.#waitedForSlot++;
      this.slotQueue.add((r.sendOffset - r.plannedOffset) * 1000);
    }
    if (end > r.sendOffset) {
      this.#starts.push(r.sendOffset);
      this.#ends.push(end);
    }
    this.#sent.add(r.sendOffset);
    (r.success ? this.#ended.ok : this.#ended.failed).add(end);
    if (!r.success) {
      const kind = classifyFailure(r);
      this.#failures[kind]++;
      if (kind === "http_status") {
        this.#statuses.set(r.status!, (this.#statuses.get(r.status!) ?? 0) + 1);
      }
      const key = this.#errors.has(r.error) || this.#errors.size < MAX_ERROR_MESSAGES
        ? r.error
        : OTHER_ERRORS;
      this.#errors.set(key, (this.#errors.get(key) ?? 0) + 1);
      return;
    }
    this.#addSuccess(r, chunkTokens);
  }

  #addSuccess(r: RequestResult, chunkTokens?: readonly (number | undefined)[]): void {
    this.#completed++;
    this.#inputTokens += r.promptLen;
    this.#outputTokens += r.outputLen;
    if (r.inputCount !== undefined) this.#inputs = (this.#inputs ?? 0) + r.inputCount;
    if (r.streamed && r.outputLen > r.chunks) this.#multiToken++;
    this.#mismatches.add(r);
    if (typeof r.structuredValid === "boolean") {
      const counts = this.#structured ??= { valid: 0, invalid: 0 };
      if (r.structuredValid) counts.valid++;
      else {
        counts.invalid++;
        counts.firstError ??= r.structuredError;
      }
    }
    this.e2el.add(r.latency * 1000);
    const tpot = timePerOutputToken(r.latency, r.ttft, r.outputLen);
    if (r.ttft !== null) this.ttft.add(r.ttft * 1000);
    if (tpot !== undefined) this.tpot.add(tpot * 1000);
    for (const gap of r.itl) this.itlPerChunk.add(gap * 1000);

    const gaps = r.itl.length;
    if (r.streamed && r.ttft !== null) {
      const known = knownTokens(chunkTokens, gaps);
      const remaining = Math.max(0, r.outputLen - 1);
      let perGap: number[] | undefined;
      if (known !== undefined) perGap = known.slice(1);
      else if (gaps > 0 && remaining > gaps) {
        perGap = spread(remaining, gaps);
        this.#estimated++;
      }
      for (let j = 0; j < gaps; j++) {
        const k = perGap === undefined ? 1 : perGap[j];
        this.itlPerToken.add((r.itl[j] * 1000) / k, k);
      }
      // Chunk c arrives at sendOffset + ttft + Σ itl[0..c−1].
      const counts = known ??
        [Math.min(1, r.outputLen), ...(gaps > 0 ? spread(remaining, gaps) : [])];
      let time = r.sendOffset + r.ttft;
      for (let c = 0; c < counts.length; c++) {
        if (c > 0) time += r.itl[c - 1];
        this.#tokens.add(time, counts[c]);
      }
    } else {
      this.#tokens.add(r.sendOffset + r.latency, r.outputLen);
    }

    if (this.#hasSlo) {
      const slo = this.#slo;
      const ttftOk = slo.ttft === undefined || (r.ttft !== null && r.ttft <= slo.ttft / 1000);
      const tpotValue = r.outputLen <= 1 ? 0 : tpot;
      const tpotOk = slo.tpot === undefined ||
        (tpotValue !== undefined && tpotValue <= slo.tpot / 1000);
      const e2elOk = slo.e2el === undefined || r.latency <= slo.e2el / 1000;
      if (ttftOk && tpotOk && e2elOk) this.#good++;
    }
  }

  /** Input and output token totals, multi-token-chunk requests and errors by message. */
  totals(): RunTotals {
    return {
      inputTokens: this.#inputTokens,
      outputTokens: this.#outputTokens,
      multiTokenChunkRequests: this.#multiToken,
      ...(this.#inputs === undefined ? {} : { inputs: this.#inputs }),
      errors: [...this.#errors].map(([error, count]) => ({ error, count }))
        .sort((a, b) => b.count - a.count),
    };
  }

  /** The largest number of requests in flight at one instant. */
  #peakConcurrency(): number {
    const starts = this.#starts.sorted();
    const ends = this.#ends.sorted();
    let now = 0;
    let peak = 0;
    let j = 0;
    for (const start of starts) {
      // [a, t) and [t, b) do not overlap: ends at or before a start come first.
      while (j < ends.length && ends[j] <= start) {
        now--;
        j++;
      }
      now++;
      if (now > peak) peak = now;
    }
    return peak;
  }

  /**
   * The run's metrics (see {@link RunMetrics} for every definition) for a run
   * of `duration` seconds, with `percentiles` (default 50, 90, 95, 99).
   */
  metrics(options: { duration: number; percentiles?: readonly number[] }): RunMetrics {
    const { duration } = options;
    const percentiles = options.percentiles ?? DEFAULT_PERCENTILES;
    for (const p of percentiles) {
      if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of [0, 100]: ${p}`);
    }
    const per = (x: number) => (duration > 0 ? x / duration : 0);
    // On the run's clock: a measured window starting late still starts at second 0.
    const buckets = this.#total === 0 ? 0 : Math.max(1, Math.ceil(this.#warmupEnd + duration));
    const timeSeries: SecondBucket[] = [];
    let inFlight = 0;
    let peakTokens = 0;
    for (let second = 0; second < buckets; second++) {
      const outputTokens = this.#tokens.bucket(second, buckets);
      peakTokens = Math.max(peakTokens, outputTokens);
      const bucket = {
        second,
        sent: this.#sent.bucket(second, buckets),
        completed: this.#ended.ok.bucket(second, buckets),
        failed: this.#ended.failed.bucket(second, buckets),
        inFlight: 0,
        outputTokens,
      };
      // Everything has ended by the last bucket's end.
      inFlight += bucket.sent - bucket.completed - bucket.failed;
      bucket.inFlight = second === buckets - 1 ? 0 : inFlight;
      timeSeries.push(bucket);
    }
    const samples = this.samples();
    return {
      duration,
      activeDuration: this.#total === 0 ? 0 : this.#lastEnd - this.#firstSend,
      queue: this.queue.stats(percentiles),
      waitedForSlot: this.#waitedForSlot,
      slotQueue: this.slotQueue.stats(percentiles),
      warmup: this.#warmup,
      cooldown: this.#cooldown,
      window: this.window(),
      total: this.#total,
      completed: this.#completed,
      failed: this.#total - this.#completed,
      ttft: this.ttft.stats(percentiles),
      tpot: this.tpot.stats(percentiles),
      itlPerChunk: this.itlPerChunk.stats(percentiles),
      itlPerToken: this.itlPerToken.stats(percentiles),
      perTokenItlEstimated: this.#estimated,
      e2el: this.e2el.stats(percentiles),
      goodput: this.#hasSlo ? per(this.#good) : null,
      goodRequests: this.#hasSlo ? this.#good : null,
      failures: { ...this.#failures },
      httpStatuses: Object.fromEntries(
        [...this.#statuses].sort(([a], [b]) => a - b).map(([status, n]) => [String(status), n]),
      ),
      mismatches: this.#mismatches.counts(),
      ...(this.#structured === undefined ? {} : { structured: { ...this.#structured } }),
      meanConcurrency: per(this.#totalLatency),
      peakConcurrency: this.#peakConcurrency(),
      peakOutputTokensPerSecond: peakTokens,
      timeSeries,
      fromHistogram: Object.entries({ ...samples, slotQueue: this.slotQueue })
        .filter(([, s]) => !s.exact).map(([name]) => name),
    };
  }
}
