/**
 * `mib calibrate`'s measurement: mib's own client (`runSchedule`, the
 * transport a benchmark uses, the `openai` backend's parser) against a
 * recording simulator on loopback, load stepped up until the client misses
 * its timing targets. The steps' plans and verdicts are pure functions; only
 * {@linkcode runCalibration} sends.
 *
 * @module
 */
import { getBackend } from "../backends/mod.ts";
import { arrivalOffsets } from "../distributions/mod.ts";
import {
  achievedOverAsked,
  overlapTokenRate,
  peakInFlight,
  scheduleLags,
  type ServerWrites,
  tokenTimeErrors,
} from "../metrics/client_timing.ts";
import { describeSample } from "../metrics/stats.ts";
import type { RequestResult } from "./result.ts";
import { type PlannedRequest, runSchedule } from "./run.ts";
import type { TransportName } from "./transport.ts";

/** The simulator's time to first token in every step, ms. */
export const CALIBRATION_TTFT_MS = 2;
/** The simulator's time per output token in every step, ms. */
export const CALIBRATION_TPOT_MS = 5;
/** Output tokens of a stream step's requests, at most (fewer when the step is too short). */
export const STREAM_TOKENS = 256;
/** Output tokens of a rate step's (short) requests. */
export const RATE_TOKENS = 2;
/** A rate step passes only with schedule lag p99 at most this, ms. */
export const SCHEDULE_LAG_TARGET_MS = 1;
/** A rate step passes only with achieved / asked rate within 1 ± this. */
export const RATE_TOLERANCE = 0.01;
/** Concurrent streams of the stream steps unless told otherwise. */
export const DEFAULT_STREAM_STEPS: readonly number[] = [64, 128, 256, 512, 1024];
/** Request rates of the rate steps unless told otherwise, requests/s. */
export const DEFAULT_RATE_STEPS: readonly number[] = [500, 1000, 2000, 4000];
/** Seconds each step lasts unless told otherwise. */
export const DEFAULT_DURATION_PER_STEP = 2;
/** A stream step passes only with token-time error p99 at most this unless told otherwise, ms. */
export const DEFAULT_TIMING_ERROR_TARGET_MS = 5;

/** Words of every calibration prompt: the simulator counts " hello" as one token. */
const PROMPT_WORDS = 8;
const PROMPT = " hello".repeat(PROMPT_WORDS);

/** What `mib calibrate` is asked to measure. */
export interface CalibrationPlan {
  /** The transport under test. */
  transport: TransportName;
  /** Seconds each step lasts. */
  durationPerStep: number;
  /** A stream step passes only with token-time error p99 at most this, ms. */
  timingErrorTarget: number;
  /** Concurrent streams of the stream steps, ascending. */
  streams: readonly number[];
  /** Request rates of the rate steps, ascending, requests/s. */
  rates: readonly number[];
}

/** Median, p99 and largest of a sample, ms. */
export interface Spread {
  p50: number;
  p99: number;
  max: number;
}

/** One stream step, measured: `load` streams of `outputTokens` tokens at once. */
export interface StreamStep {
  kind: "streams";
  /** The streams asked to be in flight at once. */
  load: number;
  /** Requests sent (one per stream). */
  requests: number;
  /** Output tokens of each. */
  outputTokens: number;
  /** Requests that failed. */
  failed: number;
  /** Token-time error over every chunk after the first (see `metrics/client_timing.ts`). */
  tokenTimeError: Spread | null;
  /** The most requests that were in flight at once. */
  peakInFlight: number;
  /** Output tokens/s received while every stream was streaming. */
  tokensPerSecond: number;
  /** The client's event-loop lag p99, ms. */
  eventLoopLagP99: number | null;
  /** Whether the step met every target. */
  passed: boolean;
  /** Why not, in words; null when it passed. */
  missed: string | null;
}

/** One rate step, measured: Poisson arrivals at `load` requests/s of short requests. */
export interface RateStep {
  kind: "rate";
  /** The asked rate, requests/s. */
  load: number;
  /** Requests planned and sent. */
  requests: number;
  /** Requests that failed. */
  failed: number;
  /** Schedule lag (actual − planned send) of every request, ms. */
  scheduleLag: Spread | null;
  /** Planned span of the sends over their actual span (1: the plan's pace was kept). */
  achievedOverAsked: number;
  /** The client's event-loop lag p99, ms. */
  eventLoopLagP99: number | null;
  /** Whether the step met every target. */
  passed: boolean;
  /** Why not, in words; null when it passed. */
  missed: string | null;
}

/** A measured step. */
export type CalibrationStep = StreamStep | RateStep;

/** The client's ceiling on this host, from the steps. */
export interface Ceiling {
  /** The most streams of a step that passed, before any that missed; 0 when the first missed. */
  streams: number;
  /** Output tokens/s of that step; 0 without one. */
  tokensPerSecond: number;
  /** The highest rate of a step that passed, before any that missed; 0 when the first missed. */
  requestsPerSecond: number;
  /** The stream step that missed (the lowest load known to be too much); null when none did. */
  streamsMissedAt: number | null;
  /** The rate step that missed; null when none did. */
  rateMissedAt: number | null;
}

/** A recording server to calibrate against. */
export interface CalibrationTarget {
  /** Its base URL. */
  url: string;
  /** Its record of every request since the last clear. */
  record(): Promise<{ requests: readonly ServerWrites[] }>;
  /** Clears the record. */
  clear(): Promise<void>;
}

/**
 * The plan of a stream step: `streams` requests whose sends are spread
 * evenly over the step's first quarter (so their chunks are not written in
 * lockstep and the connections are not opened in one instant), each long
 * enough to stream until about the step's end, at most {@linkcode STREAM_TOKENS}
 * tokens: every stream is in flight at once for most of the step.
 *
 * @example
 * ```ts
 * const { requests, outputTokens } = streamStepPlan(64, 2);
 * requests.length; // 64, sent over the first 0.5 s
 * outputTokens; // 256
 * ```
 */
export function streamStepPlan(
  streams: number,
  durationPerStep: number,
): { requests: PlannedRequest[]; outputTokens: number } {
  const ramp = durationPerStep / 4;
  const fits = Math.floor(
    ((durationPerStep - ramp) * 1000 - CALIBRATION_TTFT_MS) / CALIBRATION_TPOT_MS,
  ) + 1;
  const outputTokens = Math.max(2, Math.min(STREAM_TOKENS, fits));
  const requests = Array.from({ length: streams }, (_, i) => ({
    offset: (i * ramp) / streams,
    promptLen: PROMPT_WORDS,
    request: { prompt: PROMPT, maxTokens: outputTokens },
  }));
  return { requests, outputTokens };
}

/**
 * The plan of a rate step: Poisson arrivals at `rate` requests/s for
 * `durationPerStep` seconds (seed 0), each a short request of
 * {@linkcode RATE_TOKENS} tokens.
 */
export function rateStepPlan(rate: number, durationPerStep: number): PlannedRequest[] {
  return arrivalOffsets({ kind: "poisson", rate }, { seed: 0, maxTime: durationPerStep })
    .map((offset) => ({
      offset,
      promptLen: PROMPT_WORDS,
      request: { prompt: PROMPT, maxTokens: RATE_TOKENS },
    }));
}

function spread(values: readonly number[]): Spread | null {
  const stats = describeSample(values);
  return stats === undefined ? null : { p50: stats.median, p99: stats.p99, max: stats.max };
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/**
 * The verdict of a stream step of `streams` from its `results` and the
 * server's `record` (request ids `prefix` + index): it passes when no
 * request failed, `streams` were in flight at once, and the token-time
 * error p99 is at most `target` ms.
 */
export function judgeStreamStep(
  streams: number,
  outputTokens: number,
  results: readonly RequestResult[],
  record: readonly ServerWrites[],
  prefix: string,
  target: number,
  eventLoopLag: readonly number[],
): StreamStep {
  const failed = results.filter((r) => !r.success).length + (streams - results.length);
  const error = spread(tokenTimeErrors(results, record, prefix));
  const peak = peakInFlight(results);
  const missed = [
    failed > 0 ? `${failed} failed` : undefined,
    error === null ? "no token timings" : undefined,
    error !== null && error.p99 > target
      ? `token-time error p99 ${ms(error.p99)} > ${target} ms`
      : undefined,
    peak < streams ? `only ${peak} in flight at once` : undefined,
  ].filter((m) => m !== undefined);
  return {
    kind: "streams",
    load: streams,
    requests: results.length,
    outputTokens,
    failed,
    tokenTimeError: error,
    peakInFlight: peak,
    tokensPerSecond: overlapTokenRate(results),
    eventLoopLagP99: spread(eventLoopLag)?.p99 ?? null,
    passed: missed.length === 0,
    missed: missed.length === 0 ? null : missed.join("; "),
  };
}

/**
 * The verdict of a rate step at `rate` from its `results` (of `planned`
 * requests): it passes when no request failed, the schedule lag p99 is at
 * most {@linkcode SCHEDULE_LAG_TARGET_MS} and achieved / asked rate is
 * within {@linkcode RATE_TOLERANCE} of 1.
 */
export function judgeRateStep(
  rate: number,
  planned: number,
  results: readonly RequestResult[],
  eventLoopLag: readonly number[],
): RateStep {
  const failed = results.filter((r) => !r.success).length + (planned - results.length);
  const lag = spread(scheduleLags(results));
  const ratio = achievedOverAsked(results);
  const missed = [
    failed > 0 ? `${failed} failed` : undefined,
    lag !== null && lag.p99 > SCHEDULE_LAG_TARGET_MS
      ? `schedule lag p99 ${ms(lag.p99)} > ${SCHEDULE_LAG_TARGET_MS} ms`
      : undefined,
    !(Math.abs(ratio - 1) <= RATE_TOLERANCE)
      ? `achieved/asked rate ${ratio.toFixed(3)} outside 1 ± ${RATE_TOLERANCE}`
      : undefined,
  ].filter((m) => m !== undefined);
  return {
    kind: "rate",
    load: rate,
    requests: results.length,
    failed,
    scheduleLag: lag,
    achievedOverAsked: ratio,
    eventLoopLagP99: spread(eventLoopLag)?.p99 ?? null,
    passed: missed.length === 0,
    missed: missed.length === 0 ? null : missed.join("; "),
  };
}

/**
 * The ceiling the steps show: per kind, the highest load that passed below
 * the first that missed (steps run in ascending order and stop at a miss).
 *
 * @example
 * ```ts
 * import type { CalibrationStep } from "./calibration.ts";
 *
 * declare const steps: CalibrationStep[]; // streams 64 ok, 128 ok, 256 missed; rates 500 missed
 * ceilingOf(steps); // { streams: 128, …, requestsPerSecond: 0, streamsMissedAt: 256, rateMissedAt: 500 }
 * ```
 */
export function ceilingOf(steps: readonly CalibrationStep[]): Ceiling {
  const series = (kind: CalibrationStep["kind"]) => {
    const own = steps.filter((s) => s.kind === kind).sort((a, b) => a.load - b.load);
    const miss = own.findIndex((s) => !s.passed);
    const passed = miss < 0 ? own : own.slice(0, miss);
    return { top: passed.at(-1), missedAt: miss < 0 ? null : own[miss].load };
  };
  const streams = series("streams");
  const rates = series("rate");
  return {
    streams: streams.top?.load ?? 0,
    tokensPerSecond: Math.round((streams.top as StreamStep | undefined)?.tokensPerSecond ?? 0),
    requestsPerSecond: rates.top?.load ?? 0,
    streamsMissedAt: streams.missedAt,
    rateMissedAt: rates.missedAt,
  };
}

/** Where a calibration reports, and what stops it. */
export interface CalibrationIo {
  /** Called as each step ends. */
  onStep?: (step: CalibrationStep) => void;
  /** Ends the step under way (left out of the steps returned) and every later one. */
  signal?: AbortSignal;
}

/**
 * Runs `plan` against `target`: a short unjudged warm-up (at most 0.5 s of
 * up to 100 requests/s), the rate steps, then the stream steps, each
 * series in ascending order until its first step that misses (the lighter,
 * shorter rate steps first, so the stream steps' garbage is not collected
 * during them). Each step's requests carry ids `cal-<step>-<index>`, matched
 * with the server's record of that step alone.
 */
export async function runCalibration(
  target: CalibrationTarget,
  plan: CalibrationPlan,
  io: CalibrationIo = {},
): Promise<CalibrationStep[]> {
  const backend = getBackend("openai");
  const url = `${target.url}/v1/completions`;
  const steps: CalibrationStep[] = [];
  // Long enough for any step that keeps up; a client far behind fails its step, not the run.
  const timeouts = { request: plan.durationPerStep + 30, stall: 10, connect: 10 };
  const send = async (requests: PlannedRequest[], prefix: string) => {
    await target.clear();
    return await runSchedule({
      url,
      backend,
      requests,
      transport: plan.transport,
      requestIdPrefix: prefix,
      // The simulator reports its counts; the client's own is no figure here.
      countTokens: () => 0,
      timeouts,
      signal: io.signal,
    });
  };
  // Unjudged: a fresh process's first sends pay for compiling the send path and opening connections.
  const warmup = Math.min(0.5, plan.durationPerStep / 2);
  await send(rateStepPlan(Math.min(100, plan.rates[0] ?? 100), warmup), "cal-warmup-");
  for (const rate of plan.rates) {
    if (io.signal?.aborted) break;
    const requests = rateStepPlan(rate, plan.durationPerStep);
    const run = await send(requests, `cal-${steps.length}-`);
    // A step cut short measured the interrupt, not the client.
    if (io.signal?.aborted) break;
    const step = judgeRateStep(rate, requests.length, run.results, run.eventLoopLag);
    steps.push(step);
    io.onStep?.(step);
    if (!step.passed) break;
  }
  for (const streams of plan.streams) {
    if (io.signal?.aborted) break;
    const { requests, outputTokens } = streamStepPlan(streams, plan.durationPerStep);
    const prefix = `cal-${steps.length}-`;
    const run = await send(requests, prefix);
    if (io.signal?.aborted) break;
    const { requests: record } = await target.record();
    const step = judgeStreamStep(
      streams,
      outputTokens,
      run.results,
      record,
      prefix,
      plan.timingErrorTarget,
      run.eventLoopLag,
    );
    steps.push(step);
    io.onStep?.(step);
    if (!step.passed) break;
  }
  return steps;
}
