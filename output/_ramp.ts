/**
 * A ramp's rate changes as vLLM's result file records them
 * (`rps_change_events`), shared by the vllm writer and the run record.
 *
 * @module
 */
import {
  RAMP_STRATEGIES,
  rampChanges,
  type RampSpec,
  type RampStrategy,
} from "../distributions/mod.ts";
import type { FileRamp } from "./types.ts";

/** One entry of vLLM's `rps_change_events`. */
export interface RpsChangeEvent {
  /** The rate reached, requests/s. */
  rps: number;
  /** When: local wall time as Python's `datetime.now().isoformat()` prints it. */
  timestamp: string;
}

/**
 * Local time `ms` (epoch milliseconds, fractions kept to the microsecond) as
 * Python's `datetime.isoformat()` writes a naive local datetime:
 * `2025-01-02T03:04:05.123456`, the fraction left out when it is 0.
 *
 * @example
 * ```ts
 * pythonLocalIso(new Date(2025, 0, 2, 3, 4, 5, 123).getTime() + 0.456); // "2025-01-02T03:04:05.123456"
 * ```
 */
export function pythonLocalIso(ms: number): string {
  const micros = Math.round(ms * 1000);
  const date = new Date(Math.floor(micros / 1000));
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const two = (n: number) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  const time = `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
  return `${day}T${time}${fraction === 0 ? "" : `.${String(fraction).padStart(6, "0")}`}`;
}

/**
 * vLLM's `rps_change_events` of a ramp over `count` requests of a run started
 * at `startedAt`: the start rate stamped with the run start, then each whole
 * rate stamped with the send of the first request asking for it (seconds from
 * the start, by `sendOffset`; a request never sent, as in an interrupted run,
 * records none, as in vLLM).
 *
 * @example
 * ```ts
 * const events = rpsChangeEvents({ strategy: "linear", startRps: 1, endRps: 3 }, 5, new Date(), (i) => i * 0.5);
 * events.map((e) => e.rps); // [1, 2, 3]
 * ```
 */
export function rpsChangeEvents(
  ramp: RampSpec,
  count: number,
  startedAt: Date,
  sendOffset: (index: number) => number | undefined,
): RpsChangeEvent[] {
  const start = startedAt.getTime();
  return rampChanges(ramp, count).flatMap(({ rps, index }, i) => {
    const offset = i === 0 ? 0 : sendOffset(index);
    return offset === undefined ? [] : [{ rps, timestamp: pythonLocalIso(start + offset * 1000) }];
  });
}

/**
 * The ramp a result file records with vLLM's names (`ramp_up_strategy`,
 * `ramp_up_start_rps`, `ramp_up_end_rps`), over `count` requests; undefined
 * when it records none or `count` is unknown.
 *
 * @example
 * ```ts
 * readFileRamp({ ramp_up_strategy: "linear", ramp_up_start_rps: 1, ramp_up_end_rps: 9 }, 100);
 * // { spec: { strategy: "linear", startRps: 1, endRps: 9 }, count: 100 }
 * ```
 */
export function readFileRamp(fields: unknown, count: unknown): FileRamp | undefined {
  if (typeof fields !== "object" || fields === null) return undefined;
  const f = fields as Record<string, unknown>;
  const strategy = f.ramp_up_strategy;
  const [startRps, endRps] = [f.ramp_up_start_rps, f.ramp_up_end_rps];
  const known = (RAMP_STRATEGIES as readonly unknown[]).includes(strategy) &&
    typeof startRps === "number" && typeof endRps === "number" &&
    typeof count === "number" && count > 0;
  return known
    ? { spec: { strategy: strategy as RampStrategy, startRps, endRps }, count: count as number }
    : undefined;
}
