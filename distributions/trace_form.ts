/**
 * `--request-distribution trace FILE`: the one form whose argument is a file,
 * not a number. It sits beside the arrival forms in help and errors; reading
 * the file is `traces/`'s business.
 *
 * @module
 */

import type { ArrivalSpec } from "./arrival_forms.ts";
import type { DistributionForm } from "./form.ts";

/** The argument of the trace form. */
export const TRACE_ARGS = { FILE: "path" } as const;

/**
 * A trace to replay: the file, and how much of it and how fast
 * (`--trace-speedup`, `--trace-start`, `--trace-limit`).
 *
 * @example
 * ```ts
 * const replay: TraceSpec = { kind: "trace", path: "azure.csv", speedup: 2, start: 60 };
 * ```
 */
export interface TraceSpec {
  /** Always `"trace"`. */
  readonly kind: "trace";
  /** The trace file. */
  readonly path: string;
  /** Offsets are divided by this (1: real time). */
  readonly speedup: number;
  /** Rows less than this many seconds into the trace are skipped. */
  readonly start: number;
  /** At most this many rows are replayed; all when undefined. */
  readonly limit?: number;
}

/** What `--request-distribution` takes: gaps from a form, or a trace to replay. */
export type RequestDistribution = ArrivalSpec | TraceSpec;

/**
 * How the trace form reads in help and errors. It is never sampled: the
 * trace gives the offsets and both lengths of every request.
 */
export const TRACE_FORM: DistributionForm<typeof TRACE_ARGS> = {
  args: TRACE_ARGS,
  rule: "an Azure LLM inference trace or BurstGPT CSV, or a Mooncake JSONL: " +
    "offsets and both lengths from its rows",
  problem: () => undefined,
};
