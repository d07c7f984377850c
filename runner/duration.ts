/**
 * `--duration`: how many requests a run bounded by the real clock plans.
 *
 * `--duration S` stops sending S seconds after the run start, whatever the
 * plan says (see `RunOptions.duration`). Given with `--num-of-req N`, the run
 * sends until N are sent or S seconds have passed, whichever comes first;
 * with `--max-time-for-reqs T`, every request planned before T, until S.
 * Alone, the plan is as long as S can use: every request planned before S
 * when the arrivals are spaced, or an open-ended count when they all come at
 * once (which only a `--max-concurrency` closed loop can pace).
 *
 * @module
 */
import { MAX_PLANNED_REQUESTS } from "../distributions/mod.ts";

/** The count of an open-ended plan: the most a run may plan, made as sent. */
export const OPEN_ENDED_COUNT: number = MAX_PLANNED_REQUESTS;

/** What bounds a plan: a count or a planned time, exactly one of them. */
export interface PlanSize {
  /** Number of requests. */
  count?: number;
  /** Every request planned before this many seconds. */
  maxTime?: number;
  /** The count is {@linkcode OPEN_ENDED_COUNT}: only `--duration` ends the run. */
  openEnded: boolean;
}

/**
 * The plan's size from the given bounds: `count` or `maxTime` when either is
 * given, else (with `duration`) `maxTime = duration` for spaced arrivals and
 * an open-ended count for arrivals all at once.
 *
 * @example
 * ```ts
 * planSize({ count: 100, duration: 60, allAtOnce: false }); // { count: 100, openEnded: false }
 * planSize({ duration: 60, allAtOnce: false }); // { maxTime: 60, openEnded: false }
 * planSize({ duration: 60, allAtOnce: true }); // { count: 10000000, openEnded: true }
 * ```
 */
export function planSize(bounds: {
  count?: number;
  maxTime?: number;
  duration?: number;
  allAtOnce: boolean;
}): PlanSize {
  const { count, maxTime, duration } = bounds;
  if (count !== undefined || maxTime !== undefined || duration === undefined) {
    return { count, maxTime, openEnded: false };
  }
  return bounds.allAtOnce
    ? { count: OPEN_ENDED_COUNT, openEnded: true }
    : { maxTime: duration, openEnded: false };
}
