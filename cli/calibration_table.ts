/**
 * How `mib calibrate` prints its steps and the ceiling they show.
 *
 * @module
 */
import type { CalibrationRecord } from "../runner/calibration_cache.ts";
import {
  type CalibrationStep,
  RATE_TOKENS,
  type RateStep,
  type StreamStep,
} from "../runner/calibration.ts";
import { figureTable } from "./_figure_table.ts";

/** An integer with thousands separators. */
export const count = (n: number): string => Math.round(n).toLocaleString("en-US");

/** A figure to 3 significant digits, with separators (51,234 → "51,200"). */
const rounded = (n: number): string => count(Number(n.toPrecision(3)));

const ms = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "n/a" : v.toFixed(2);

/** One line on a step just measured (the progress lines on stderr). */
export function stepLine(step: CalibrationStep): string {
  const verdict = step.passed ? "ok" : `missed: ${step.missed}`;
  if (step.kind === "streams") {
    return `mib calibrate: ${count(step.load)} streams of ${step.outputTokens} tokens: ` +
      `token-time error p99 ${ms(step.tokenTimeError?.p99)} ms, ${
        rounded(step.tokensPerSecond)
      } tokens/s, ${step.failed} failed: ${verdict}`;
  }
  return `mib calibrate: ${count(step.load)} requests/s (${count(step.requests)} requests): ` +
    `schedule lag p99 ${ms(step.scheduleLag?.p99)} ms, achieved/asked ${
      Number.isFinite(step.achievedOverAsked) ? step.achievedOverAsked.toFixed(3) : "n/a"
    }, ${step.failed} failed: ${verdict}`;
}

/** The table of the stream steps run, and of those left out after a miss. */
function streamTable(steps: StreamStep[], notRun: readonly number[]): string {
  const table = figureTable([
    "streams",
    "tokens each",
    "failed",
    "in flight",
    "token-time error p50 / p99 / max (ms)",
    "tokens/s",
    "event-loop lag p99 (ms)",
    "verdict",
  ]);
  for (const s of steps) {
    const e = s.tokenTimeError;
    table.push([
      count(s.load),
      String(s.outputTokens),
      String(s.failed),
      count(s.peakInFlight),
      e === null ? "n/a" : `${ms(e.p50)} / ${ms(e.p99)} / ${ms(e.max)}`,
      rounded(s.tokensPerSecond),
      ms(s.eventLoopLagP99),
      s.passed ? "ok" : s.missed!,
    ]);
  }
  for (const load of notRun) table.push([count(load), "", "", "", "", "", "", "not run"]);
  return table.toString();
}

/** The table of the rate steps run, and of those left out after a miss. */
function rateTable(steps: RateStep[], notRun: readonly number[]): string {
  const table = figureTable([
    "requests/s",
    "requests",
    "failed",
    "schedule lag p50 / p99 / max (ms)",
    "achieved / asked",
    "event-loop lag p99 (ms)",
    "verdict",
  ]);
  for (const s of steps) {
    const l = s.scheduleLag;
    table.push([
      count(s.load),
      count(s.requests),
      String(s.failed),
      l === null ? "n/a" : `${ms(l.p50)} / ${ms(l.p99)} / ${ms(l.max)}`,
      Number.isFinite(s.achievedOverAsked) ? s.achievedOverAsked.toFixed(3) : "n/a",
      ms(s.eventLoopLagP99),
      s.passed ? "ok" : s.missed!,
    ]);
  }
  for (const load of notRun) table.push([count(load), "", "", "", "", "", "not run"]);
  return table.toString();
}

/**
 * The two tables of a calibration (rate steps, stream steps), each with the
 * steps of `planned` that were not run because a lower one missed.
 */
export function calibrationTables(
  record: CalibrationRecord,
  planned: { streams: readonly number[]; rates: readonly number[] },
): string {
  const rates = record.steps.filter((s): s is RateStep => s.kind === "rate");
  const streams = record.steps.filter((s): s is StreamStep => s.kind === "streams");
  const left = (all: readonly number[], run: CalibrationStep[]) =>
    all.filter((load) => !run.some((s) => s.load === load));
  return [
    `request rate: Poisson arrivals for ${record.durationPerStep} s of ${RATE_TOKENS}-token ` +
    `requests; target schedule lag p99 ≤ ${record.targets.scheduleLagP99Ms} ms, achieved/asked ` +
    `within 1 ± ${record.targets.rateTolerance}`,
    rateTable(rates, left(planned.rates, rates)),
    `streams at once: ${record.server.tpotMs} ms per token, sends spread over the first quarter ` +
    `of the step; target token-time error p99 ≤ ${record.targets.tokenTimeErrorP99Ms} ms`,
    streamTable(streams, left(planned.streams, streams)),
  ].join("\n");
}

/**
 * The final line: `client ceiling on this host: 256 streams, 51,200
 * tokens/s, 2,000 requests/s (token-time error p99 ≤ 5 ms, schedule lag p99
 * ≤ 1 ms)`; a series whose first step missed reads "under N", one whose
 * every step passed "at least N".
 */
export function ceilingLine(record: CalibrationRecord): string {
  const c = record.ceiling;
  const bound = (top: number, missedAt: number | null) =>
    top === 0
      ? `under ${count(missedAt ?? 0)}`
      : missedAt === null
      ? `at least ${count(top)}`
      : count(top);
  const streams = c.streams === 0 && c.streamsMissedAt === null
    ? "no stream step"
    : `${bound(c.streams, c.streamsMissedAt)} streams${
      c.streams > 0 ? `, ${rounded(c.tokensPerSecond)} tokens/s` : ""
    }`;
  const rates = c.requestsPerSecond === 0 && c.rateMissedAt === null
    ? "no rate step"
    : `${bound(c.requestsPerSecond, c.rateMissedAt)} requests/s`;
  return `client ceiling on this host: ${streams}, ${rates} (token-time error p99 ≤ ${record.targets.tokenTimeErrorP99Ms} ms, schedule lag p99 ≤ ${record.targets.scheduleLagP99Ms} ms)`;
}

/** Why the ceiling is a lower bound, in one line, by where the simulator ran. */
export function conservativeLine(record: CalibrationRecord): string {
  return record.server.where === "process"
    ? "the simulator ran in its own process on this host, taking CPU the client would have " +
      "against a remote server: the ceiling is conservative"
    : "the simulator ran in this process (no subprocess allowed: a compiled binary, or no " +
      "--allow-run), sharing the client's thread: the ceiling is very conservative";
}
