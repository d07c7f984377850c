/**
 * Planned send times of requests.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { checkCount, COUNT_FLAG, MAX_PLANNED_REQUESTS } from "./_limits.ts";
import { checkedEntry } from "./_check.ts";
import { type Entry, entryFor, formatEntry } from "./_entry.ts";
import { ARRIVAL_FORMS, type ArrivalSpec } from "./arrival_forms.ts";
import type { ArrivalForm, FormArgs, FormTable, VllmArrivalFields } from "./form.ts";
import { checkRamp, RAMP_FLAG, rampClock, type RampSpec } from "./ramp.ts";
import { seededSource } from "./seeded_source.ts";
import type { Sequence } from "./sequence.ts";

/** The `seededSource` stream name that arrival gaps are drawn from; use other names elsewhere. */
export const ARRIVAL_STREAM = "arrivals";

const SPEC_FLAG = "--request-distribution";
const TIME_FLAG = "--max-time-for-reqs";

// Each entry typed for its own fields, read here as a form over any numbers.
const FORMS: FormTable<ArrivalForm<FormArgs>> = ARRIVAL_FORMS;

/** How many offsets a plan has, and from which seed and ramp. */
export interface ArrivalOptions {
  /** Seed of the `ARRIVAL_STREAM` the gaps are drawn from. */
  seed: number;
  /** Number of offsets (exclusive with `maxTime`). */
  count?: number;
  /** Every offset strictly below this many seconds (exclusive with `count`). */
  maxTime?: number;
  /** A ramp of the rate over the `count` requests (`--ramp-up`). */
  ramp?: RampSpec;
}

/** Planned send offsets, made as read, and whether they are all 0. */
export interface ArrivalSequence extends Sequence<number> {
  /** Every offset is 0 (`poisson inf`, …): nothing is ever waited for. */
  readonly allAtOnce: boolean;
}

/**
 * Planned send offsets in seconds from the run start, made as they are read:
 * `offsets[0] = 0` and `offsets[i]` is the sum of the first `i` gaps drawn
 * from `spec`. Every pass draws from a fresh `seededSource(seed,
 * ARRIVAL_STREAM)`, so it yields the same offsets and costs no memory however
 * many are planned.
 *
 * Give exactly one of `count` (that many offsets) or `maxTime` (every offset
 * strictly below it: one pass counts them, so `length` is known at once). A
 * `maxTime` plan is a prefix of a long enough `count` plan.
 *
 * With `ramp` (which needs `count`), the rate is the ramp's (see
 * `distributions/ramp.ts`) and `spec` gives only the gaps' shape: it must be a
 * form with a rate whose rate is `inf` (`poisson inf`, `gamma inf BURSTINESS`),
 * as vLLM refuses `--request-rate` with `--ramp-up-strategy`.
 *
 * @throws {UsageError} on `--request-distribution` for an out-of-range spec; on
 * `--num-of-req` for a count that is not an integer in [0, 10,000,000] or when
 * both or neither of `count`/`maxTime` are given; on `--max-time-for-reqs` for a
 * `maxTime` that is not a finite number > 0, for a spec whose gaps are all 0
 * (the run would never end), or when more than 10,000,000 requests would fit; on
 * `--seed` for a non-finite seed; on `--ramp-up` (and its rate flags) for a
 * ramp without `count` or out of range, and on `--request-distribution` for a
 * spec a ramp cannot shape.
 *
 * @example
 * ```ts
 * const offsets = arrivalSequence({ kind: "poisson", rate: 50 }, { seed: 1, count: 10_000_000 });
 * offsets.length; // 10000000, and nothing drawn yet
 * const [first] = offsets; // 0: only the first offset was drawn
 * ```
 */
export function arrivalSequence(
  spec: ArrivalSpec,
  opts: ArrivalOptions,
): ArrivalSequence {
  const entry = checkedEntry(FORMS, spec, SPEC_FLAG);
  const { seed, count, maxTime, ramp } = opts;
  if (ramp !== undefined) return rampedSequence(entry, ramp, seed, count);
  if (count !== undefined && maxTime !== undefined) {
    throw new UsageError(
      COUNT_FLAG,
      `expected either ${COUNT_FLAG} or ${TIME_FLAG}, got both (${count} requests and ${maxTime} s)`,
    );
  }
  const clock = () => entry.form.clock(entry.values, seededSource(seed, ARRIVAL_STREAM));
  const allAtOnce = entry.form.gapsAllZero(entry.values);
  if (count !== undefined) checkCount(count);
  else if (maxTime === undefined) {
    throw new UsageError(COUNT_FLAG, `expected either ${COUNT_FLAG} or ${TIME_FLAG}, got neither`);
  }
  const length = count ?? countBefore(entry, maxTime!, clock());
  return {
    length,
    allAtOnce,
    *[Symbol.iterator]() {
      const next = clock();
      for (let i = 0; i < length; i++) yield next();
    },
  };
}

/**
 * Planned send offsets in seconds, in an array: {@linkcode arrivalSequence}
 * read once. Throws as it does.
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
  opts: ArrivalOptions,
): number[] {
  return Array.from(arrivalSequence(spec, opts));
}

/** The offsets of `ramp` over `count` requests in the shape of `entry`'s form. */
function rampedSequence(
  entry: Entry<ArrivalForm<FormArgs>>,
  ramp: RampSpec,
  seed: number,
  count: number | undefined,
): ArrivalSequence {
  checkRamp(ramp);
  if (count === undefined) {
    throw new UsageError(
      RAMP_FLAG,
      `the rate at request i of N is set by i/(N - 1), so give ${COUNT_FLAG} N, not ${TIME_FLAG}`,
    );
  }
  checkCount(count);
  const shaped = entry.form.unitGaps(entry.values, () => 0) !== undefined;
  if (!shaped || !entry.form.gapsAllZero(entry.values)) {
    throw new UsageError(
      SPEC_FLAG,
      `expected "poisson inf" or "gamma inf BURSTINESS" with ${RAMP_FLAG} (the ramp sets the rate, ` +
        `the distribution only the shape of the gaps), got ${JSON.stringify(formatEntry(entry))}`,
    );
  }
  const unitGaps = (source: () => number) => entry.form.unitGaps(entry.values, source)!;
  return {
    length: count,
    allAtOnce: false,
    *[Symbol.iterator]() {
      const next = rampClock(ramp, count, unitGaps(seededSource(seed, ARRIVAL_STREAM)));
      for (let i = 0; i < count; i++) yield next();
    },
  };
}

/** How many offsets `next` yields strictly below `maxTime`. */
function countBefore(
  entry: Entry<ArrivalForm<FormArgs>>,
  maxTime: number,
  next: () => number,
): number {
  if (typeof maxTime !== "number" || !Number.isFinite(maxTime) || maxTime <= 0) {
    throw new UsageError(TIME_FLAG, `expected a number of seconds > 0, got ${String(maxTime)}`);
  }
  const described = JSON.stringify(formatEntry(entry));
  if (entry.form.gapsAllZero(entry.values)) {
    throw new UsageError(
      TIME_FLAG,
      `${described} sends every request at 0 s, so a run bounded by time would never end; ` +
        `use ${COUNT_FLAG} with it, or a distribution with gaps > 0`,
    );
  }
  let count = 0;
  for (let t = next(); t < maxTime; t = next()) {
    // Also stops gaps too small to move the clock (e.g. "exponential 1e-300") from looping forever.
    if (count === MAX_PLANNED_REQUESTS) {
      throw new UsageError(
        TIME_FLAG,
        `${maxTime} s of ${described} plans more than ${MAX_PLANNED_REQUESTS} requests; ` +
          `shorten the time or lengthen the gaps`,
      );
    }
    count++;
  }
  return count;
}

/**
 * `request_rate` and `burstiness` for vLLM's result file: the rate of a Poisson
 * process (`"inf"` for all at once), null for shapes vLLM has no rate for.
 *
 * @example
 * ```ts
 * vllmArrivalFields({ kind: "poisson", rate: Infinity }); // { request_rate: "inf", burstiness: 1 }
 * vllmArrivalFields({ kind: "exponential", mean: 0.5 }); // { request_rate: 2, burstiness: 1 }
 * vllmArrivalFields({ kind: "constant", gap: 1 }); // { request_rate: null, burstiness: 1 }
 * ```
 */
export function vllmArrivalFields(spec: ArrivalSpec): VllmArrivalFields {
  const entry = entryFor(FORMS, spec);
  // A kind no form has (a spec from untyped JSON) gets what vLLM would say of a non-Poisson one.
  return entry === undefined
    ? { request_rate: null, burstiness: 1 }
    : entry.form.vllm(entry.values);
}

/**
 * The planned mean request rate of `spec`, requests/s: 1 / its mean gap,
 * `Infinity` when every request is sent at once.
 *
 * @throws {UsageError} on `--request-distribution` for an out-of-range spec.
 *
 * @example
 * ```ts
 * meanRequestRate({ kind: "poisson", rate: 4 }); // 4
 * meanRequestRate({ kind: "uniform", min: 0.1, max: 0.3 }); // 5
 * meanRequestRate({ kind: "poisson", rate: Infinity }); // Infinity
 * ```
 */
export function meanRequestRate(spec: ArrivalSpec): number {
  const entry = checkedEntry(FORMS, spec, SPEC_FLAG);
  return 1 / entry.form.meanGap(entry.values);
}
