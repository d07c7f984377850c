/**
 * Requests read back from a result file: as points, as results for the
 * accumulator, and gathered into report figures.
 *
 * @module
 */
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import type { HdrLibrary } from "../metrics/sample.ts";
import type { RequestResult } from "../runner/result.ts";
import { finite } from "./_json.ts";
import { toFigures } from "./figures.ts";
import type { Figures, RequestPoint } from "./types.ts";

/** A seed or jsonl record (see `SeedRecord`) as a point. */
export function pointOfRecord(record: Record<string, unknown>): RequestPoint {
  return {
    success: record.success === true,
    sendOffset: finite(record.send_offset),
    ttft: finite(record.ttft),
    itl: Array.isArray(record.itl) ? record.itl.filter((x) => finite(x) !== null) : [],
    latency: finite(record.latency),
    outputLen: finite(record.output_len) ?? 0,
    phase: phaseOf(record.phase),
    ...(finite(record.input_count) === null ? {} : { inputCount: finite(record.input_count)! }),
  };
}

/** A file's phase value: "warmup" or "cooldown", else measured (undefined). */
export function phaseOf(value: unknown): RequestPoint["phase"] {
  return value === "warmup" || value === "cooldown" ? value : undefined;
}

/**
 * A point as a result the accumulator takes: what a file does not say counts
 * as 0 (a send offset, a latency); a request is streamed when it has a TTFT.
 */
export function resultOfPoint(point: RequestPoint): RequestResult {
  const sendOffset = point.sendOffset ?? 0;
  return {
    index: 0,
    success: point.success,
    error: point.success ? "" : "failed",
    text: "",
    promptLen: 0,
    outputLen: point.outputLen,
    outputLenSource: "server",
    ttft: point.ttft,
    itl: point.itl,
    latency: point.latency ?? 0,
    chunks: point.itl.length + 1,
    streamed: point.ttft !== null,
    plannedOffset: sendOffset,
    sendOffset,
    phase: point.phase,
    notes: [],
    ...(point.inputCount === undefined ? {} : { inputCount: point.inputCount }),
  };
}

/**
 * The report figures of a file's points, gathered one at a time into a
 * {@link RunAccumulator} (histograms past its exact limit when given
 * hdr-histogram-js, so a streamed file's size is not bounded by memory).
 */
export class PointFigures {
  readonly #accumulator: RunAccumulator;
  #end = 0;

  /** No points yet. */
  constructor(options: { hdr?: HdrLibrary } = {}) {
    this.#accumulator = new RunAccumulator({ hdr: options.hdr });
  }

  /** The last response's end (send offset + latency) so far, seconds; 0 before any. */
  get end(): number {
    return this.#end;
  }

  /**
   * What the figures are over by default, seconds: to the last response's
   * end, or the measured window when some points are warm-up or cool-down.
   */
  get duration(): number {
    return this.#accumulator.measuredDuration(this.#end);
  }

  /** Adds one request. */
  add(point: RequestPoint): void {
    const result = resultOfPoint(point);
    this.#accumulator.add(result);
    this.#end = Math.max(this.#end, result.sendOffset + result.latency);
  }

  /** The figures of a run of `duration` seconds (default: {@link PointFigures.duration}). */
  figures(duration: number = this.duration): Figures {
    const m = this.#accumulator.metrics({ duration, percentiles: [50, 99] });
    const per = (x: number) => (duration > 0 ? x / duration : null);
    const totals = this.#accumulator.totals();
    return toFigures({
      completed: m.completed,
      failed: m.failed,
      duration,
      requestThroughput: per(m.completed),
      outputThroughput: per(this.#accumulator.totals().outputTokens),
      inputsThroughput: totals.inputs === undefined ? undefined : per(totals.inputs),
      timing: (name) => {
        const s = m[name];
        return s && { mean: s.mean, median: s.median, p99: s.percentiles.p99 };
      },
    });
  }
}
