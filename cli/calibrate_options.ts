/**
 * The options of `mib calibrate`, and the calibration they describe.
 *
 * @module
 */
import {
  type CalibrationPlan,
  DEFAULT_DURATION_PER_STEP,
  DEFAULT_RATE_STEPS,
  DEFAULT_STREAM_STEPS,
  DEFAULT_TIMING_ERROR_TARGET_MS,
} from "../runner/calibration.ts";
import { type TransportName, TRANSPORTS } from "../runner/transport.ts";
import type { OptionSpec, RawOptions } from "./options.ts";
import { parseList } from "./sweep_options.ts";

/** Every option of `mib calibrate`, in help order. */
export const CALIBRATE_OPTIONS: readonly OptionSpec[] = [
  {
    key: "transport",
    flag: "--transport",
    arg: "<name>",
    kind: "choice",
    choices: TRANSPORTS,
    help: "the transport to measure: http1 (mib's own HTTP/1.1 client, default) or fetch",
  },
  {
    key: "duration_per_step",
    flag: "--duration-per-step",
    arg: "<s>",
    kind: "positive-number",
    help: `seconds each step lasts (default ${DEFAULT_DURATION_PER_STEP}); a stream step's ` +
      "outputs are as long as fit in it, up to 256 tokens",
  },
  {
    key: "timing_error_target",
    flag: "--timing-error-target",
    arg: "<ms>",
    kind: "positive-number",
    help: "a stream step passes only with token-time error p99 at most this many ms (default " +
      `${DEFAULT_TIMING_ERROR_TARGET_MS})`,
  },
  {
    key: "streams",
    flag: "--streams",
    arg: "<n1,n2,...>",
    kind: "string",
    help: `concurrent streams of the stream steps, tried in ascending order until one misses ` +
      `(default ${DEFAULT_STREAM_STEPS.join(",")})`,
  },
  {
    key: "rates",
    flag: "--rates",
    arg: "<r1,r2,...>",
    kind: "string",
    help: `request rates (Poisson, requests/s) of the rate steps, tried in ascending order until ` +
      `one misses (default ${DEFAULT_RATE_STEPS.join(",")})`,
  },
  {
    key: "json",
    flag: "--json",
    kind: "boolean",
    help: "print the figures as JSON on stdout (the tables go to stderr)",
  },
  {
    key: "output_file",
    flag: "--output-file",
    arg: "<path>",
    kind: "string",
    help: "also write the figures as JSON to this file",
  },
  {
    key: "no_save",
    flag: "--no-save",
    kind: "boolean",
    help: "do not save the result to the per-user cache mib bench reads " +
      "($XDG_CACHE_HOME/mib/calibration.json, else ~/.cache/mib/calibration.json)",
  },
];

/** What `mib calibrate` is asked to do: the measurement and where its figures go. */
export interface CalibrateRequest extends CalibrationPlan {
  /** Print the figures as JSON on stdout. */
  json: boolean;
  /** Also write them to this file. */
  outputFile?: string;
  /** Save them to the per-user cache. */
  save: boolean;
}

/**
 * The calibration the typed options `values` describe, defaults filled in.
 *
 * @throws {UsageError} for a list that is not ascending-sortable positive
 *   numbers (integers for `--streams`).
 *
 * @example
 * ```ts
 * resolveCalibrate({ streams: "32,16" }).streams; // [16, 32]
 * ```
 */
export function resolveCalibrate(values: RawOptions): CalibrateRequest {
  const v = values as {
    transport?: TransportName;
    duration_per_step?: number;
    timing_error_target?: number;
    streams?: string;
    rates?: string;
    json?: boolean;
    output_file?: string;
    no_save?: boolean;
  };
  return {
    transport: v.transport ?? "http1",
    durationPerStep: v.duration_per_step ?? DEFAULT_DURATION_PER_STEP,
    timingErrorTarget: v.timing_error_target ?? DEFAULT_TIMING_ERROR_TARGET_MS,
    streams: v.streams === undefined
      ? DEFAULT_STREAM_STEPS
      : parseList("--streams", v.streams, true),
    rates: v.rates === undefined ? DEFAULT_RATE_STEPS : parseList("--rates", v.rates, false),
    json: v.json === true,
    outputFile: v.output_file,
    save: v.no_save !== true,
  };
}
