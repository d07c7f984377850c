/**
 * A request rate that ramps over the run, as `vllm bench serve
 * --ramp-up-strategy` defines it: the rate in force at request i of N is set
 * by i/(N − 1), and each gap is drawn at that rate in the arrival form's shape.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import type { RandomSource } from "./_d3.ts";

/** The ways a ramp goes from its start rate to its end rate. */
export const RAMP_STRATEGIES = ["linear", "exponential"] as const;

/** `--ramp-up linear|exponential`. */
export type RampStrategy = typeof RAMP_STRATEGIES[number];

/**
 * A ramp of the request rate from `startRps` at the first request to `endRps`
 * at the last (`--ramp-up`, `--ramp-up-start-rps`, `--ramp-up-end-rps`).
 *
 * @example
 * ```ts
 * const ramp: RampSpec = { strategy: "linear", startRps: 1, endRps: 20 };
 * ```
 */
export interface RampSpec {
  /** How the rate goes from start to end. */
  readonly strategy: RampStrategy;
  /** Requests/s at the first request, > 0. */
  readonly startRps: number;
  /** Requests/s at the last request, ≥ `startRps`. */
  readonly endRps: number;
}

/** The flag that turns a ramp on, blamed for what the ramp cannot go with. */
export const RAMP_FLAG = "--ramp-up";

/**
 * Throws a UsageError unless `ramp` is a ramp vLLM would run: a known
 * strategy, rates finite and > 0, start ≤ end.
 *
 * @example
 * ```ts
 * checkRamp({ strategy: "exponential", startRps: 1, endRps: 64 }); // fine
 * checkRamp({ strategy: "linear", startRps: 10, endRps: 1 }); // throws on --ramp-up-end-rps
 * ```
 */
export function checkRamp(ramp: RampSpec): void {
  if (!(RAMP_STRATEGIES as readonly string[]).includes(ramp.strategy)) {
    throw new UsageError(
      RAMP_FLAG,
      `expected ${RAMP_STRATEGIES.join(" or ")}, got ${JSON.stringify(String(ramp.strategy))}`,
    );
  }
  for (
    const [flag, rps] of [["--ramp-up-start-rps", ramp.startRps], [
      "--ramp-up-end-rps",
      ramp.endRps,
    ]] as const
  ) {
    if (typeof rps !== "number" || !Number.isFinite(rps) || rps <= 0) {
      throw new UsageError(flag, `expected a finite number of requests/s > 0, got ${String(rps)}`);
    }
  }
  if (ramp.startRps > ramp.endRps) {
    throw new UsageError(
      "--ramp-up-end-rps",
      `expected a rate >= --ramp-up-start-rps (${ramp.startRps}), got ${ramp.endRps}: a ramp goes up, as vLLM's`,
    );
  }
}

/**
 * The rate the ramp asks for at request `index` of `count` (0-based), in
 * requests/s: with progress p = index / max(count − 1, 1), linear is
 * start + (end − start)·p, exponential start·(end/start)^p. The first request
 * is at the start rate, the last at the end rate.
 *
 * @example
 * ```ts
 * const ramp = { strategy: "linear", startRps: 2, endRps: 10 } as const;
 * rampRate(ramp, 0, 5); // 2
 * rampRate(ramp, 2, 5); // 6
 * rampRate({ ...ramp, strategy: "exponential", startRps: 1, endRps: 16 }, 2, 5); // 4
 * ```
 */
export function rampRate(ramp: RampSpec, index: number, count: number): number {
  const progress = index / Math.max(count - 1, 1);
  const { startRps: start, endRps: end } = ramp;
  return ramp.strategy === "linear"
    ? start + (end - start) * progress
    : start * (end / start) ** progress;
}

/**
 * Send offsets of a ramp of `count` requests: 0 for the first, then each gap
 * (before request i) is `unitGap()` divided by {@link rampRate} at i. With
 * unit gaps of mean 1 (a form's `unitGaps`) the gap before request i has mean
 * 1/rate(i) and the form's shape.
 *
 * @example
 * ```ts
 * const next = rampClock({ strategy: "linear", startRps: 1, endRps: 3 }, 3, () => 1);
 * [next(), next(), next()]; // [0, 0.5, 0.8333333333333333]
 * ```
 */
export function rampClock(ramp: RampSpec, count: number, unitGap: RandomSource): () => number {
  let i = 0;
  let t = 0;
  return () => {
    if (i > 0) t += unitGap() / rampRate(ramp, i, count);
    i++;
    return t;
  };
}

/** One entry of vLLM's `rps_change_events`, by the request at which it happens. */
export interface RampChange {
  /** Requests/s: the start rate, then each whole number the rate reaches. */
  readonly rps: number;
  /** The request whose send the change is stamped with (0: the run start). */
  readonly index: number;
}

/**
 * The rate changes vLLM records in `rps_change_events`: the start rate at the
 * run start, then, at the first request whose asked rate reaches each whole
 * number above it, that number (several at one request when the rate jumps
 * by more than 1). vLLM stamps each with the wall time that request is sent.
 *
 * @example
 * ```ts
 * rampChanges({ strategy: "linear", startRps: 1, endRps: 3 }, 5);
 * // [{ rps: 1, index: 0 }, { rps: 2, index: 2 }, { rps: 3, index: 4 }]
 * ```
 */
export function rampChanges(ramp: RampSpec, count: number): RampChange[] {
  const changes: RampChange[] = [{ rps: ramp.startRps, index: 0 }];
  let last = Math.floor(ramp.startRps);
  for (let i = 0; i < count; i++) {
    const whole = Math.floor(rampRate(ramp, i, count));
    for (let rps = last + 1; rps <= whole; rps++) changes.push({ rps, index: i });
    last = Math.max(last, whole);
  }
  return changes;
}
