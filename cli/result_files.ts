/**
 * Result files: the seed's JSON array, newline-delimited JSON written as
 * requests finish, vLLM's result JSON and its CSV row.
 *
 * @module
 */
import { toSeedRecords } from "../metrics/seed_output.ts";

import type { RequestResult } from "../runner/result.ts";
import { type ArrivalSpec, formatSpec } from "../distributions/mod.ts";
import type { GoodputSlo, RunMetrics, RunTotals, Summary } from "../metrics/types.ts";
import { percentileKey } from "../metrics/stats.ts";

/** The result file formats of `--output-format`. */
export const OUTPUT_FORMATS = ["seed", "jsonl", "vllm", "csv"] as const;

/** A result file format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/**
 * Appends one JSON line per finished request to `path`, each written (not
 * buffered) the moment it is handed over, so a crash or a kill loses nothing
 * already measured. A run that keeps no results hands each over once its
 * output is counted; `output_len` is null on a line written before the
 * client tokenizer counted it (`output_len_client` null too).
 */
export async function openJsonlWriter(path: string): Promise<{
  write(result: RequestResult): void;
  /** Writes the summary line (when given) and closes the file. */
  close(summary?: Summary): Promise<void>;
}> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const writeLine = (value: unknown) => {
    const bytes = encoder.encode(JSON.stringify(value) + "\n");
    // A write to a file completes into the page cache, which outlives the process.
    for (let written = 0; written < bytes.length;) {
      written += file.writeSync(bytes.subarray(written));
    }
  };
  return {
    write(result) {
      const [record] = toSeedRecords([result]);
      writeLine({
        index: result.index,
        ...record,
        output_len: result.outputLenSource === "server" || result.outputLenClient !== undefined
          ? record.output_len
          : null,
      });
    },
    async close(summary) {
      if (summary !== undefined) writeLine({ summary });
      await file.sync();
      file.close();
    },
  };
}

/** Writes the seed's output file: a JSON array, one object per request. */
export async function writeSeedFile(
  path: string,
  results: readonly RequestResult[],
): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(toSeedRecords(results), null, 2) + "\n");
}

/** What the vLLM-compatible result file needs besides the results. */
export interface VllmMeta {
  /** `--backend`. */
  backend: string;
  /** Model id. */
  model?: string;
  /** Tokenizer name. */
  tokenizer: string;
  /** Requests planned. */
  numPrompts: number;
  /** Arrivals (for `request_rate`). */
  arrival: ArrivalSpec;
  /** Run start. */
  startedAt: Date;
  /** Run duration, seconds. */
  duration: number;
  /** Percentiles to report. */
  percentiles: readonly number[];
  /** Goodput SLOs, ms. */
  goodput?: GoodputSlo;
}

/** vLLM's `date`: `%Y%m%d-%H%M%S` in local time. */
function vllmDate(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${two(date.getMonth() + 1)}${two(date.getDate())}-${
    two(date.getHours())
  }${two(date.getMinutes())}${two(date.getSeconds())}`;
}

/**
 * The JSON `vllm bench serve --save-result --save-detailed` writes, with the
 * same field names and units (times in ms at the top level, seconds in the
 * per-request lists): the top-level numbers from the run's `metrics` (taken
 * with `meta.percentiles`) and `totals`, the per-request lists from `results`
 * when given (a run that kept none writes only the top level).
 */
export function vllmResult(
  metrics: RunMetrics,
  totals: RunTotals,
  meta: VllmMeta,
  results?: readonly RequestResult[],
): Record<string, unknown> {
  const { inputTokens, outputTokens } = totals;
  const per = (x: number) => (meta.duration > 0 ? x / meta.duration : 0);
  const rate = meta.arrival.kind === "poisson"
    ? (meta.arrival.rate === Infinity ? "inf" : meta.arrival.rate)
    : meta.arrival.kind === "exponential"
    ? 1 / meta.arrival.mean
    : null;
  const out: Record<string, unknown> = {
    date: vllmDate(meta.startedAt),
    endpoint_type: meta.backend,
    backend: meta.backend,
    label: null,
    model_id: meta.model ?? null,
    tokenizer_id: meta.tokenizer,
    num_prompts: meta.numPrompts,
    request_rate: rate,
    burstiness: 1.0,
    max_concurrency: null,
    mib_request_distribution: formatSpec(meta.arrival),
    duration: meta.duration,
    completed: metrics.completed,
    failed: metrics.failed,
    total_input_tokens: inputTokens,
    total_output_tokens: outputTokens,
    request_throughput: per(metrics.completed),
    request_goodput: metrics.goodput,
    output_throughput: per(outputTokens),
    total_token_throughput: per(inputTokens + outputTokens),
    max_output_tokens_per_s: metrics.peakOutputTokensPerSecond,
    max_concurrent_requests: metrics.peakConcurrency,
  };
  const named = {
    ttft: metrics.ttft,
    tpot: metrics.tpot,
    itl: metrics.itlPerChunk,
    e2el: metrics.e2el,
  };
  for (const [name, stats] of Object.entries(named)) {
    out[`mean_${name}_ms`] = stats?.mean ?? 0;
    out[`median_${name}_ms`] = stats?.median ?? 0;
    out[`std_${name}_ms`] = stats?.std ?? 0;
    for (const p of meta.percentiles) {
      const key = percentileKey(p);
      out[`${key}_${name}_ms`] = stats?.percentiles[key] ?? 0;
    }
  }
  if (results === undefined) return out;
  out.input_lens = results.map((r) => r.promptLen);
  out.output_lens = results.map((r) => r.outputLen);
  // Unknown (failed, unstreamed) stays null rather than a misleading 0.
  out.ttfts = results.map((r) => r.ttft);
  out.itls = results.map((r) => r.itl);
  out.start_times = results.map((r) => r.sendOffset);
  // Not in vLLM's file: per-request E2E latency, so charts need not rebuild it.
  out.mib_latencies = results.map((r) => r.latency);
  out.generated_texts = results.map((r) => r.text);
  out.errors = results.map((r) => r.error);
  return out;
}

/** The top-level numbers of a vLLM-format result as a CSV header and one row. */
export function csvSummary(result: Record<string, unknown>): string {
  const keys = Object.keys(result).filter((k) =>
    !Array.isArray(result[k]) && typeof result[k] !== "object"
  );
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${keys.join(",")}\n${keys.map((k) => cell(result[k])).join(",")}\n`;
}
