/**
 * `mib bench`'s check of its plan against this host's calibrated client
 * ceiling (`mib calibrate`): one warning line before the run when the plan
 * asks more of one client thread than it was measured to keep time at.
 *
 * @module
 */
import { getBackend } from "../backends/mod.ts";
import { streams as streamsOf } from "../backends/request_options.ts";
import { meanLength, meanRequestRate } from "../distributions/mod.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import { type CalibrationRecord, readCalibration } from "../runner/calibration_cache.ts";

/** The load a benchmark plans for this process, as far as it can be told before the run. */
export interface PlannedLoad {
  /**
   * Streams in flight at once: the cap, or the rate × the mean planned
   * output length × the calibration's time per token (a server that fast
   * holds that many, and a slower one sends each of its streams' chunks less
   * often), or every request when all are sent at once; never more than
   * the requests planned. Undefined when nothing streams.
   */
  streams?: number;
  /** The planned request rate (a ramp's end rate), requests/s; undefined when all are sent at once. */
  rate?: number;
  /** The threads that share it: `--workers`. */
  threads: number;
}

/**
 * What `config` plans for this process (its shard's part), the streams
 * counted at `tpotMs` per token; undefined when it cannot be told up front
 * (a trace, multi-turn sessions).
 *
 * @example
 * ```ts
 * import { resolveBenchConfig } from "./resolve.ts";
 *
 * const config = resolveBenchConfig({
 *   num_of_req: 6000,
 *   request_distribution: ["poisson", 400],
 *   output_token_distribution: ["constant", 300],
 * }, {});
 * plannedLoad(config, true, 5); // { streams: 600, rate: 400, threads: 1 }
 * ```
 */
export function plannedLoad(
  config: BenchConfig,
  streamed: boolean,
  tpotMs: number,
): PlannedLoad | undefined {
  const distribution = config.requestDistribution;
  if (distribution.kind === "trace" || config.sessions !== undefined) return undefined;
  const parts = config.shard.count;
  const rate = (config.rampUp?.endRps ?? meanRequestRate(distribution)) / parts;
  const window = config.maxTimeForReqs ?? config.duration;
  const planned = Math.min(
    (config.numOfReq ?? Infinity) / parts,
    Number.isFinite(rate) && window !== undefined ? rate * window : Infinity,
  );
  const seconds = meanLength(config.outputTokenDistribution) * tpotMs / 1000;
  const inFlight = Math.min(
    Number.isFinite(rate) ? rate * seconds : Infinity,
    planned,
    config.maxConcurrency ?? Infinity,
  );
  return {
    streams: streamed && Number.isFinite(inFlight) ? inFlight : undefined,
    rate: Number.isFinite(rate) ? rate : undefined,
    threads: config.workers,
  };
}

const count = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Whether `planned` (per thread) is above a calibrated ceiling: above the
 * highest load that passed, or, when even the lowest step missed, at or
 * above that step (below it nothing was measured).
 */
function above(planned: number | undefined, top: number, missedAt: number | null): boolean {
  if (planned === undefined) return false;
  return top > 0 ? planned > top : missedAt !== null && planned >= missedAt;
}

/**
 * The one warning line for `load` against `record`'s ceiling, or undefined
 * when it stays within it: what is planned, the ceiling and when it was
 * measured, what may suffer, and how many `--workers` would share the load
 * under it.
 *
 * @example
 * ```ts
 * import type { CalibrationRecord } from "../runner/calibration_cache.ts";
 *
 * declare const record: CalibrationRecord; // 256 streams, 2,000 requests/s, of 2026-12-01
 * calibrationWarning({ streams: 600, rate: 400, threads: 1 }, record);
 * // "warning: planned ~600 streams exceeds this host's calibrated client ceiling of 256 streams
 * //  (mib calibrate, 2026-12-01); timing error may exceed 5 ms — spread the load with --workers 3"
 * ```
 */
export function calibrationWarning(
  load: PlannedLoad,
  record: CalibrationRecord,
): string | undefined {
  const c = record.ceiling;
  const perThread = (x: number | undefined) => x === undefined ? undefined : x / load.threads;
  const over = [
    above(perThread(load.streams), c.streams, c.streamsMissedAt) && {
      planned: load.streams!,
      top: c.streams,
      missedAt: c.streamsMissedAt,
      unit: "streams",
      harm: `timing error may exceed ${record.targets.tokenTimeErrorP99Ms} ms`,
    },
    above(perThread(load.rate), c.requestsPerSecond, c.rateMissedAt) && {
      planned: load.rate!,
      top: c.requestsPerSecond,
      missedAt: c.rateMissedAt,
      unit: "requests/s",
      harm: `schedule lag may exceed ${record.targets.scheduleLagP99Ms} ms`,
    },
  ].filter((o) => o !== false);
  if (over.length === 0) return undefined;
  const shared = load.threads > 1 ? ` over ${load.threads} worker threads` : "";
  const planned = over.map((o) => `~${count(o.planned)} ${o.unit}`).join(" and ");
  const ceiling = over.map((o) =>
    `${o.top > 0 ? count(o.top) : `under ${count(o.missedAt!)}`} ${o.unit}`
  ).join(" and ");
  const harm = over.map((o) => o.harm).join(", and ");
  // Threads that would bring each thread's share under the ceiling; unknown when nothing passed.
  const needed = over.every((o) => o.top > 0)
    ? Math.max(...over.map((o) => Math.ceil(o.planned / o.top)))
    : undefined;
  const cpus = record.host.cpus;
  const spread = needed === undefined
    ? "spread the load with --workers N, or --shard it across machines"
    : needed >= cpus
    ? `spread the load with --workers ${needed}, or --shard it across machines (this host has ${cpus} CPUs)`
    : `spread the load with --workers ${needed}`;
  return `warning: planned ${planned}${shared} ${
    over.length > 1 ? "exceed" : "exceeds"
  } this host's calibrated client ceiling of ${ceiling} (mib calibrate, ${
    record.date.slice(0, 10)
  }); ${harm} — ${spread}`;
}

/**
 * Before `mib bench` sends: this host's calibration of `config.transport`
 * (`fresh`, from `--calibrate`, else the cached one), and `warn` gets one
 * line when the plan exceeds it. Silent without a calibration, for a plan
 * whose load cannot be told up front, and on any error (the run reports its
 * own mistakes).
 */
export async function checkAgainstCalibration(
  config: BenchConfig,
  warn: (line: string) => void,
  fresh?: CalibrationRecord,
): Promise<void> {
  const record = fresh ?? await readCalibration(config.transport);
  if (record === undefined) return;
  let line: string | undefined;
  try {
    const streamed = streamsOf(getBackend(config.backend, config.endpoint), config);
    const load = plannedLoad(config, streamed, record.server.tpotMs);
    line = load === undefined ? undefined : calibrationWarning(load, record);
  } catch {
    return;
  }
  if (line !== undefined) warn(line);
}
