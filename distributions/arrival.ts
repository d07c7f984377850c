/**
 * Planned send times of requests.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { ARRIVAL_FORMS, specProblem } from "./_forms.ts";
import { randomExponential, randomNormal, randomUniform, type Source } from "./_d3.ts";
import { checkCount, COUNT_FLAG, MAX_PLANNED_REQUESTS } from "./_limits.ts";
import { arrivalProblem } from "./_validate.ts";
import { formatSpec } from "./format.ts";
import { seededSource } from "./seeded_source.ts";
import type { ArrivalSpec } from "./types.ts";

/** The `seededSource` stream name that arrival gaps are drawn from; use other names elsewhere. */
export const ARRIVAL_STREAM = "arrivals";

const SPEC_FLAG = "--request-distribution";
const TIME_FLAG = "--max-time-for-reqs";

/**
 * Planned send offsets in seconds from the run start: `offsets[0] = 0` and
 * `offsets[i]` is the sum of the first `i` gaps drawn from `spec`.
 *
 * Give exactly one of `count` (returns that many offsets) or `maxTime` (returns
 * every offset strictly below it). The gaps come from `seededSource(seed,
 * ARRIVAL_STREAM)`, so the same seed gives the same plan, and a `maxTime` plan
 * is a prefix of a long enough `count` plan.
 *
 * @throws {UsageError} on `--request-distribution` for an out-of-range spec; on
 * `--num-of-req` for a count that is not an integer in [0, 10,000,000] or when
 * both or neither of `count`/`maxTime` are given; on `--max-time-for-reqs` for a
 * `maxTime` that is not a finite number > 0, for a spec whose gaps are all 0
 * (the run would never end), or when more than 10,000,000 requests would fit; on
 * `--seed` for a non-finite seed.
 *
 * @example
 * ```ts
 * arrivalOffsets({ kind: "constant", gap: 0.5 }, { seed: 1, count: 4 }); // [0, 0.5, 1, 1.5]
 * arrivalOffsets({ kind: "constant", gap: 0.5 }, { seed: 1, maxTime: 1.5 }); // [0, 0.5, 1]
 * arrivalOffsets({ kind: "poisson", rate: Infinity }, { seed: 1, count: 3 }); // [0, 0, 0]
 * ```
 */
export function arrivalOffsets(
  spec: ArrivalSpec,
  opts: { seed: number; count?: number; maxTime?: number },
): number[] {
  const problem = arrivalProblem(spec);
  if (problem !== undefined) {
    const received = JSON.stringify(formatSpec(spec));
    throw new UsageError(SPEC_FLAG, specProblem(ARRIVAL_FORMS, spec.kind, received, problem));
  }
  const { seed, count, maxTime } = opts;
  if (count !== undefined && maxTime !== undefined) {
    throw new UsageError(
      COUNT_FLAG,
      `expected either ${COUNT_FLAG} or ${TIME_FLAG}, got both (${count} requests and ${maxTime} s)`,
    );
  }
  const next = offsetClock(spec, seededSource(seed, ARRIVAL_STREAM));
  if (count !== undefined) {
    checkCount(count);
    return Array.from({ length: count }, () => next());
  }
  if (maxTime === undefined) {
    throw new UsageError(COUNT_FLAG, `expected either ${COUNT_FLAG} or ${TIME_FLAG}, got neither`);
  }
  return offsetsBefore(spec, maxTime, next);
}

function offsetsBefore(spec: ArrivalSpec, maxTime: number, next: () => number): number[] {
  if (typeof maxTime !== "number" || !Number.isFinite(maxTime) || maxTime <= 0) {
    throw new UsageError(TIME_FLAG, `expected a number of seconds > 0, got ${String(maxTime)}`);
  }
  const described = JSON.stringify(formatSpec(spec));
  if (gapsAllZero(spec)) {
    throw new UsageError(
      TIME_FLAG,
      `${described} sends every request at 0 s, so a run bounded by time would never end; ` +
        `use ${COUNT_FLAG} with it, or a distribution with gaps > 0`,
    );
  }
  const offsets: number[] = [];
  for (let t = next(); t < maxTime; t = next()) {
    // Also stops gaps too small to move the clock (e.g. "exponential 1e-300") from looping forever.
    if (offsets.length === MAX_PLANNED_REQUESTS) {
      throw new UsageError(
        TIME_FLAG,
        `${maxTime} s of ${described} plans more than ${MAX_PLANNED_REQUESTS} requests; ` +
          `shorten the time or lengthen the gaps`,
      );
    }
    offsets.push(t);
  }
  return offsets;
}

// Only specs that are exactly zero every time: a normal with mean > 0 can't be, and a
// mostly-zero one (tiny mean, huge std) is caught by the request cap instead.
function gapsAllZero(spec: ArrivalSpec): boolean {
  return (spec.kind === "poisson" && spec.rate === Infinity) ||
    (spec.kind === "constant" && spec.gap === 0) ||
    (spec.kind === "uniform" && spec.max === 0);
}

/** Each call returns the next offset, starting at 0. */
function offsetClock(spec: ArrivalSpec, source: Source): () => number {
  if (spec.kind === "constant") {
    // i * gap rather than a running sum: summing 0.1 ten times gives 0.9999999999999999,
    // which would sneak an 11th request into "constant 0.1" over 1 s.
    let i = 0;
    return () => i++ * spec.gap;
  }
  const gap = gapSampler(spec, source);
  let t = 0;
  return () => {
    const now = t;
    t += gap();
    return now;
  };
}

function gapSampler(spec: Exclude<ArrivalSpec, { kind: "constant" }>, source: Source): Source {
  switch (spec.kind) {
    case "poisson":
      return spec.rate === Infinity ? () => 0 : randomExponential.source(source)(spec.rate);
    case "exponential":
      return randomExponential.source(source)(1 / spec.mean);
    case "uniform":
      return randomUniform.source(source)(spec.min, spec.max);
    case "normal": {
      const normal = randomNormal.source(source)(spec.mean, spec.std);
      return () => Math.max(0, normal());
    }
  }
}
