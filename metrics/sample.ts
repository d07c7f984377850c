/**
 * A sample of timings that is exact while small and an HDR histogram when
 * large: memory stays bounded for runs of millions of requests or tokens, and
 * two samples merge (several client machines, several runs).
 *
 * hdr-histogram-js takes ~35 ms to load, so it is passed in (see
 * {@link loadHdrLibrary}) only where a sample may outgrow its exact limit.
 *
 * @module
 */
import type * as Hdr from "npm:hdr-histogram-js@^3.0.1";
import { describeSample, percentileKey } from "./stats.ts";
import type { MetricStats } from "./types.ts";
import { Doubles } from "./_doubles.ts";

/** The hdr-histogram-js module. */
export type HdrLibrary = typeof Hdr;

/** An HDR histogram as hdr-histogram-js builds it in JavaScript (not WebAssembly). */
export type HdrHistogram = Hdr.JsHistogram;

/** Loads hdr-histogram-js. */
export function loadHdrLibrary(): Promise<HdrLibrary> {
  return import("npm:hdr-histogram-js@^3.0.1");
}

/** Values a sample keeps exactly before it becomes a histogram: 1,000,000 (8 MB). */
export const DEFAULT_EXACT_LIMIT = 1_000_000;

/**
 * Histogram precision: 3 significant digits, so every value shares its bucket
 * only with values within 1/1024 of it, and a bucket's middle is within 1/2048
 * (0.05 %) of every value in it.
 */
export const HISTOGRAM_DIGITS = 3;

/** Histogram unit: values (ms) are recorded as whole nanoseconds. */
const UNITS_PER_MS = 1e6;

/** Options of a {@link Sample}. */
export interface SampleOptions {
  /** Values kept exactly; beyond it the sample becomes a histogram. Default 1,000,000. */
  exactLimit?: number;
  /**
   * hdr-histogram-js. Without it the sample stays exact however large it
   * grows, which is right when every value is in memory anyway.
   */
  hdr?: HdrLibrary;
  /**
   * Start as a histogram (needs `hdr`): for a sample known to outgrow its
   * limit, so that it never stops to convert a million values mid-run.
   */
  histogram?: boolean;
}

function newHistogram(hdr: HdrLibrary): HdrHistogram {
  return hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: HISTOGRAM_DIGITS,
    useWebAssembly: false,
  }) as HdrHistogram;
}

/**
 * A value in whole histogram units. A histogram holds no negative value: one
 * is recorded as 0 (min stays exact). mib's samples are never negative.
 */
function toUnits(ms: number): number {
  return Math.max(0, Math.round(ms * UNITS_PER_MS));
}

/**
 * The values at 0-based ascending ranks `ranks` (ascending integers), each the
 * middle of the bucket holding it, in ms.
 */
function valuesAtRanks(histogram: HdrHistogram, ranks: readonly number[]): number[] {
  const out: number[] = [];
  let below = 0;
  for (let i = 0; i < histogram.countsArrayLength && out.length < ranks.length; i++) {
    const count = histogram.getCountAtIndex(i);
    if (count === 0) continue;
    below += count;
    const middle = histogram.medianEquivalentValue(histogram.valueFromIndex(i)) / UNITS_PER_MS;
    while (out.length < ranks.length && ranks[out.length] < below) out.push(middle);
  }
  return out;
}

/**
 * Values of one metric. Count, mean, standard deviation, min and max are exact
 * always (running sums); percentiles are exact while the sample holds at most
 * `exactLimit` values, then each value at a rank is the middle of its
 * histogram bucket (within 0.05 % of the true value), interpolated between
 * ranks exactly as the exact percentiles are.
 *
 * @example
 * ```ts
 * const ttft = new Sample();
 * for (const ms of [20, 22, 25]) ttft.add(ms);
 * ttft.stats([99])?.percentiles.p99; // 24.94
 * ```
 */
export class Sample {
  #values: Doubles | undefined = new Doubles();
  #histogram: HdrHistogram | undefined;
  #hdr: HdrLibrary | undefined;
  readonly #limit: number;
  #count = 0;
  #mean = 0;
  /** Σ (x − mean)², kept with Welford's update. */
  #squares = 0;
  #min = Infinity;
  #max = -Infinity;

  /** An empty sample. */
  constructor(options: SampleOptions = {}) {
    this.#limit = options.exactLimit ?? DEFAULT_EXACT_LIMIT;
    this.#hdr = options.hdr;
    if (options.histogram && options.hdr !== undefined) this.#becomeHistogram();
  }

  /** Number of values added. */
  get count(): number {
    return this.#count;
  }

  /** True while percentiles are exact (every value kept). */
  get exact(): boolean {
    return this.#values !== undefined;
  }

  /** Adds `value` (ms), `count` times (default once). */
  add(value: number, count = 1): void {
    if (count <= 0) return;
    const before = this.#count;
    const n = before + count;
    const delta = value - this.#mean;
    // Welford's update, for `count` equal values at once.
    this.#mean += (delta * count) / n;
    this.#squares += (delta * delta * before * count) / n;
    this.#count = n;
    if (value < this.#min) this.#min = value;
    if (value > this.#max) this.#max = value;
    if (this.#values === undefined) {
      this.#histogram!.recordValueWithCount(toUnits(value), count);
      return;
    }
    for (let i = 0; i < count; i++) this.#values.push(value);
    if (this.#values.length > this.#limit && this.#hdr !== undefined) this.#becomeHistogram();
  }

  #becomeHistogram(): void {
    this.#histogram = this.histogram(this.#hdr!);
    this.#values = undefined;
  }

  /**
   * Adds every value of `other` (left unchanged). Stays exact while both are
   * and the union fits the limit; otherwise becomes a histogram (given
   * hdr-histogram-js here or in either sample).
   */
  merge(other: Sample): void {
    if (other.#count === 0) return;
    // A sample merged with itself must read what it had before growing.
    const otherValues = other === this ? other.#values?.view().slice() : other.#values?.view();
    const n = this.#count + other.#count;
    const delta = other.#mean - this.#mean;
    // Chan et al.'s pairwise update of the mean and the sum of squares.
    this.#squares += other.#squares + delta * delta * this.#count * other.#count / n;
    this.#mean += delta * other.#count / n;
    this.#count = n;
    this.#min = Math.min(this.#min, other.#min);
    this.#max = Math.max(this.#max, other.#max);
    this.#hdr ??= other.#hdr;
    if (this.#values !== undefined && otherValues !== undefined) {
      for (const v of otherValues) this.#values.push(v);
      if (this.#values.length > this.#limit && this.#hdr !== undefined) this.#becomeHistogram();
      return;
    }
    if (this.#values !== undefined) this.#becomeHistogram();
    this.#histogram!.add(other.histogram(this.#hdr!));
  }

  /**
   * The sample as an HDR histogram of whole nanoseconds (3 significant
   * digits): the live one once the sample is a histogram, else a new one.
   */
  histogram(hdr: HdrLibrary): HdrHistogram {
    if (this.#histogram !== undefined) return this.#histogram;
    const histogram = newHistogram(hdr);
    for (const v of this.#values!.view()) histogram.recordValue(toUnits(v));
    return histogram;
  }

  /**
   * The sample in HdrHistogram's compressed base64 form (values in whole
   * nanoseconds), which HdrHistogram in Java, Python, Go or Rust decodes.
   */
  encode(hdr: HdrLibrary): string {
    return hdr.encodeIntoCompressedBase64(this.histogram(hdr));
  }

  /**
   * A sample from {@link Sample.encode}'s output. Only the histogram travels:
   * mean, standard deviation, min and max are the histogram's (bucket middles;
   * min and max the ends of the lowest and highest buckets, within 0.1 %)
   * unless `exact` gives them for the same count (a run summary's statistics).
   */
  static decode(
    hdr: HdrLibrary,
    encoded: string,
    exact?: Pick<MetricStats, "count" | "mean" | "std" | "min" | "max">,
  ): Sample {
    const histogram = hdr.decodeFromCompressedBase64(encoded, 64, false) as HdrHistogram;
    histogram.autoResize = true;
    const sample = new Sample({ hdr });
    sample.#values = undefined;
    sample.#histogram = histogram;
    const n = histogram.totalCount;
    sample.#count = n;
    if (n === 0) return sample;
    if (exact !== undefined && exact.count === n) {
      sample.#mean = exact.mean;
      sample.#squares = exact.std ** 2 * n;
      sample.#min = exact.min;
      sample.#max = exact.max;
      return sample;
    }
    sample.#mean = histogram.mean / UNITS_PER_MS;
    sample.#squares = (histogram.stdDeviation / UNITS_PER_MS) ** 2 * n;
    let first = -1;
    let last = -1;
    for (let i = 0; i < histogram.countsArrayLength; i++) {
      if (histogram.getCountAtIndex(i) === 0) continue;
      if (first < 0) first = i;
      last = i;
    }
    sample.#min = histogram.lowestEquivalentValue(histogram.valueFromIndex(first)) / UNITS_PER_MS;
    sample.#max = histogram.highestEquivalentValue(histogram.valueFromIndex(last)) / UNITS_PER_MS;
    return sample;
  }

  /**
   * The sample's {@link MetricStats} with `percentiles`; null when empty.
   *
   * @throws {RangeError} when a percentile is outside [0, 100].
   */
  stats(percentiles: readonly number[] = []): MetricStats | null {
    for (const p of percentiles) {
      if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile out of [0, 100]: ${p}`);
    }
    const n = this.#count;
    if (n === 0) return null;
    if (this.#values !== undefined) {
      const s = describeSample(this.#values.view(), percentiles)!;
      const { count, mean, median, std, min, max } = s;
      return { count, mean, median, std, min, max, percentiles: s.percentiles };
    }
    const wanted = [50, ...percentiles];
    const ranks = new Set<number>();
    for (const p of wanted) {
      const r = (p / 100) * (n - 1);
      ranks.add(Math.floor(r)).add(Math.ceil(r));
    }
    const sorted = [...ranks].sort((a, b) => a - b);
    const found = valuesAtRanks(this.#histogram!, sorted);
    const at = new Map<number, number>();
    sorted.forEach((rank, i) => {
      // The ends are known exactly; no bucket middle lies outside them.
      const v = rank === 0 ? this.#min : rank === n - 1 ? this.#max : found[i];
      at.set(rank, Math.min(this.#max, Math.max(this.#min, v)));
    });
    const value = (p: number) => {
      const r = (p / 100) * (n - 1);
      const lo = at.get(Math.floor(r))!;
      const hi = at.get(Math.ceil(r))!;
      return lo + (hi - lo) * (r - Math.floor(r));
    };
    return {
      count: n,
      mean: this.#mean,
      median: value(50),
      std: Math.sqrt(this.#squares / n),
      min: this.#min,
      max: this.#max,
      percentiles: Object.fromEntries(percentiles.map((p) => [percentileKey(p), value(p)])),
    };
  }
}
