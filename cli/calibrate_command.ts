/**
 * `mib calibrate`: the client's own ceiling on this host (the most streams,
 * tokens/s and requests/s it keeps time at), measured against the recording
 * simulator on loopback, printed, and saved for `mib bench` to warn before a
 * run above it. Also `mib bench --calibrate`'s short calibration.
 *
 * @module
 */
import {
  CALIBRATION_TPOT_MS,
  CALIBRATION_TTFT_MS,
  ceilingOf,
  DEFAULT_RATE_STEPS,
  DEFAULT_STREAM_STEPS,
  DEFAULT_TIMING_ERROR_TARGET_MS,
  RATE_TOLERANCE,
  runCalibration,
  SCHEDULE_LAG_TARGET_MS,
} from "../runner/calibration.ts";
import {
  calibrationCachePath,
  type CalibrationRecord,
  hostKey,
  saveCalibration,
} from "../runner/calibration_cache.ts";
import { startCalibrationServer } from "../runner/calibration_server.ts";
import type { TransportName } from "../runner/transport.ts";
import { dirname } from "node:path";
import denoJson from "../deno.json" with { type: "json" };
import { UsageError } from "../errors.ts";
import type { CalibrateRequest } from "./calibrate_options.ts";
import { calibrationTables, ceilingLine, conservativeLine, stepLine } from "./calibration_table.ts";

/** Where `mib calibrate` prints, and what stops it. */
export interface CalibrateIo {
  /** The tables, the ceiling line and the notes (stdout; stderr under `--json`). */
  log: (line: string) => void;
  /** A line as each step ends, and `--json`'s tables (stderr). */
  progress: (line: string) => void;
  /** The JSON figures of `--json` (stdout). */
  json?: (text: string) => void;
  /** Ends the step under way; the steps so far are reported. */
  signal?: AbortSignal;
}

/** Seconds per step of `mib bench --calibrate`'s calibration. */
export const BENCH_CALIBRATION_STEP_SECONDS = 0.5;

/** Where the result was saved, or why it was not, in one line. */
async function save(record: CalibrationRecord, known: boolean): Promise<string> {
  if (!known) return "not saved: this host's name cannot be read (--allow-sys=hostname)";
  const path = calibrationCachePath();
  if (path === undefined) {
    return "not saved: neither XDG_CACHE_HOME nor HOME is set or readable (--allow-env)";
  }
  try {
    await saveCalibration(record, path);
    return `saved: ${path} (mib bench warns before a run above this ceiling)`;
  } catch (error) {
    const why = error instanceof Deno.errors.NotCapable
      ? `no permission: --allow-read and --allow-write ${path}`
      : (error as Error).message;
    return `not saved to ${path}: ${why}`;
  }
}

/** Refuses an `--output-file` whose folder is missing. */
async function checkFolder(path: string): Promise<void> {
  const folder = dirname(path);
  const isFolder = await Deno.stat(folder).then((info) => info.isDirectory, () => false);
  if (!isFolder) {
    throw new UsageError(
      "--output-file",
      `folder "${folder}" does not exist; give a path in an existing folder`,
    );
  }
}

/**
 * Runs the calibration `request` describes and reports it: a line per step
 * as it ends (`progress`), the two tables, the ceiling line and where the
 * result went (`log`), the JSON figures with `--json`; writes
 * `--output-file` and saves to the cache unless `--no-save`.
 *
 * @throws {UsageError} when `--output-file`'s folder cannot be written.
 * @throws {RunError} when the simulator cannot be started.
 */
export async function calibrateCommand(
  request: CalibrateRequest,
  io: CalibrateIo,
): Promise<CalibrationRecord> {
  // Before the steps: a wrong path fails now, not twenty seconds on.
  if (request.outputFile !== undefined) await checkFolder(request.outputFile);
  const key = hostKey();
  const server = await startCalibrationServer({
    ttftMs: CALIBRATION_TTFT_MS,
    tpotMs: CALIBRATION_TPOT_MS,
  });
  const date = new Date();
  let steps;
  try {
    io.progress(
      `mib calibrate: ${request.transport} client against the recording simulator ${
        server.where === "process" ? "in its own process" : "in this process"
      } at ${server.url}; up to ${
        request.rates.length + request.streams.length
      } steps of ${request.durationPerStep} s`,
    );
    steps = await runCalibration(server, request, {
      onStep: (step) => io.progress(stepLine(step)),
      signal: io.signal,
    });
  } finally {
    await server.close();
  }
  const record: CalibrationRecord = {
    mib_calibration: 1,
    date: date.toISOString(),
    // Without a hostname it is still printed and written, but never saved.
    host: key ?? {
      mib: denoJson.version,
      deno: Deno.version.deno,
      hostname: "",
      cpus: navigator.hardwareConcurrency,
    },
    transport: request.transport,
    server: { where: server.where, ttftMs: CALIBRATION_TTFT_MS, tpotMs: CALIBRATION_TPOT_MS },
    durationPerStep: request.durationPerStep,
    targets: {
      tokenTimeErrorP99Ms: request.timingErrorTarget,
      scheduleLagP99Ms: SCHEDULE_LAG_TARGET_MS,
      rateTolerance: RATE_TOLERANCE,
    },
    ceiling: ceilingOf(steps),
    steps,
  };
  const text = JSON.stringify(record, null, 2) + "\n";
  const say = request.json ? io.progress : io.log;
  say(calibrationTables(record, request));
  say(ceilingLine(record));
  say(conservativeLine(record));
  if (request.json) io.json?.(text);
  if (request.outputFile !== undefined) {
    try {
      await Deno.writeTextFile(request.outputFile, text);
    } catch (error) {
      throw new UsageError(
        "--output-file",
        `cannot write "${request.outputFile}": ${(error as Error).message}`,
      );
    }
    say(`figures: ${request.outputFile}`);
  }
  // An interrupted calibration is no ceiling: it is not kept for bench.
  if (io.signal?.aborted) say("interrupted: the steps before the interrupt only; not saved");
  else if (request.save) say(await save(record, key !== undefined));
  return record;
}

/**
 * `mib bench --calibrate`'s short calibration of `transport` (the default
 * steps, {@linkcode BENCH_CALIBRATION_STEP_SECONDS} s each), saved like any
 * other; every line goes to `log` (the bench's stderr, so its stdout stays
 * the benchmark's).
 */
export function calibrateForBench(
  transport: TransportName,
  log: (line: string) => void,
): Promise<CalibrationRecord> {
  return calibrateCommand({
    transport,
    durationPerStep: BENCH_CALIBRATION_STEP_SECONDS,
    timingErrorTarget: DEFAULT_TIMING_ERROR_TARGET_MS,
    streams: DEFAULT_STREAM_STEPS,
    rates: DEFAULT_RATE_STEPS,
    json: false,
    save: true,
  }, { log, progress: log });
}
