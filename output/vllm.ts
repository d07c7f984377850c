/**
 * `--output-format vllm`: the JSON `vllm bench serve --save-result
 * --save-detailed` writes, with its field names and units, written at the end
 * of the run; read back as mib writes it or as vLLM does (on one line).
 *
 * @module
 */
import {
  formatSpec,
  type RampSpec,
  type RequestDistribution,
  vllmArrivalFields,
} from "../distributions/mod.ts";
import { percentileKey } from "../metrics/stats.ts";
import {
  type GoodputSlo,
  NO_TOKEN_TIMINGS_REASON,
  type RunMetrics,
  type RunTotals,
  SAMPLE_NAMES,
  type SampleName,
  TIMING_METRICS,
} from "../metrics/types.ts";
import type { RequestResult } from "../runner/result.ts";
import { finite, isObject } from "./_json.ts";
import { serverTimingsRecord } from "./seed.ts";
import { phaseOf } from "./_points.ts";
import { readFileRamp, rpsChangeEvents } from "./_ramp.ts";
import { writtenAtEnd } from "./_write.ts";
import { type FigureSource, toFigures } from "./figures.ts";
import type { Figures, FinishedRun, OutputFormat, RequestPoint } from "./types.ts";

/** The timings vLLM's file has, with their names there (`mean_NAME_ms`, …). */
const VLLM_TIMINGS: readonly (readonly [SampleName, string])[] = SAMPLE_NAMES.flatMap((name) => {
  const vllm = TIMING_METRICS[name].vllm;
  return vllm === undefined ? [] : [[name, vllm] as const];
});

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
  arrival: RequestDistribution;
  /** The ramp of the rate, if any (for `ramp_up_*` and `rps_change_events`). */
  ramp?: RampSpec;
  /** Run start. */
  startedAt: Date;
  /** What throughputs are over, seconds: the run's duration, or its measured window's. */
  duration: number;
  /** `--max-concurrency`, when given. */
  maxConcurrency?: number;
  /** `--label`, when given. */
  label?: string;
  /** `--metadata` pairs, written at the top level as vLLM writes them. */
  metadata?: Readonly<Record<string, string>>;
  /** Percentiles to report. */
  percentiles: readonly number[];
  /** Goodput SLOs, ms. */
  goodput?: GoodputSlo;
}

/** vLLM's `date`: `%Y%m%d-%H%M%S` in local time. */
export function vllmDate(date: Date): string {
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
  const { arrival } = meta;
  // A trace has no rate, as no other shape but a Poisson or gamma process has.
  const { request_rate, burstiness } = arrival.kind === "trace"
    ? { request_rate: null, burstiness: 1 }
    : vllmArrivalFields(arrival);
  const out: Record<string, unknown> = {
    date: vllmDate(meta.startedAt),
    endpoint_type: meta.backend,
    backend: meta.backend,
    label: meta.label ?? null,
    model_id: meta.model ?? null,
    tokenizer_id: meta.tokenizer,
    num_prompts: meta.numPrompts,
    // vLLM's --metadata: each pair a top-level key (after num_prompts, before the traffic).
    ...meta.metadata,
    request_rate,
    burstiness,
    max_concurrency: meta.maxConcurrency ?? null,
    ...(meta.ramp === undefined ? {} : {
      ramp_up_strategy: meta.ramp.strategy,
      ramp_up_start_rps: meta.ramp.startRps,
      ramp_up_end_rps: meta.ramp.endRps,
    }),
    mib_request_distribution: arrival.kind === "trace"
      ? `trace ${arrival.path}`
      : formatSpec(arrival),
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
  // A metric with no sample (a pooling run's TTFT) is null, not vLLM's misleading 0.
  for (const [metric, name] of VLLM_TIMINGS) {
    const stats = metrics[metric];
    out[`mean_${name}_ms`] = stats?.mean ?? null;
    out[`median_${name}_ms`] = stats?.median ?? null;
    out[`std_${name}_ms`] = stats?.std ?? null;
    for (const p of meta.percentiles) {
      const key = percentileKey(p);
      out[`${key}_${name}_ms`] = stats?.percentiles[key] ?? null;
    }
  }
  // Not in vLLM's file: a pooling run's inputs, and why it has no token timings.
  if (totals.inputs !== undefined) {
    out.mib_total_inputs = totals.inputs;
    out.mib_input_throughput = per(totals.inputs);
    out.mib_no_token_timings = NO_TOKEN_TIMINGS_REASON;
  }
  // Not in vLLM's file: successful requests whose server disagreed with the plan.
  out.mib_output_length_mismatches = metrics.mismatches.outputLength;
  out.mib_prompt_length_mismatches = metrics.mismatches.promptLength;
  out.mib_truncated_prompts = metrics.mismatches.truncated;
  // Not in vLLM's file: outputs that missed the run's constraint (--json-schema, …).
  if (metrics.structured !== undefined) {
    out.mib_structured_valid_outputs = metrics.structured.valid;
    out.mib_structured_invalid_outputs = metrics.structured.invalid;
  }
  // Not in vLLM's file: the load shape's counts, none of them in the figures above.
  out.mib_warmup_requests = metrics.warmup;
  out.mib_cooldown_requests = metrics.cooldown;
  out.mib_measured_window_start = metrics.window.start;
  out.mib_measured_window_end = metrics.window.end;
  out.mib_waited_for_slot_requests = metrics.waitedForSlot;
  if (results === undefined) return out;
  if (meta.ramp !== undefined) {
    // Stamped with each request's actual send, as vLLM stamps the moment it sends.
    out.rps_change_events = rpsChangeEvents(
      meta.ramp,
      meta.numPrompts,
      meta.startedAt,
      (i) => results[i]?.sendOffset,
    );
  }
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
  // Not in vLLM's file either: what the server says it did, per request (null: it did not say).
  out.mib_output_lens_asked = results.map((r) => r.outputLenAsked ?? null);
  out.mib_prompt_lens_server = results.map((r) => r.promptLenServer ?? null);
  out.mib_prompt_cached = results.map((r) => r.promptCached ?? null);
  out.mib_truncated = results.map((r) => r.truncated ?? null);
  out.mib_server_timings = results.map((r) => serverTimingsRecord(r.serverTimings));
  // Every list holds every request sent, warm-up and cool-down ones too (as
  // vLLM's lists hold its failed requests): this one says which is which.
  out.mib_phases = results.map((r) => r.phase ?? "measured");
  out.mib_waited_for_slot = results.map((r) => r.waitedForSlot ?? false);
  if (results.some((r) => r.session !== undefined)) {
    // Multi-turn sessions: which session and turn each request was (null for none).
    out.mib_sessions = results.map((r) => r.session ?? null);
    out.mib_turns = results.map((r) => r.turn ?? null);
  }
  // A pooling run's inputs per request; the images sent with each prompt.
  if (results.some((r) => r.inputCount !== undefined)) {
    out.mib_input_counts = results.map((r) => r.inputCount ?? null);
  }
  if (results.some((r) => r.imageCount !== undefined)) {
    out.mib_image_counts = results.map((r) => r.imageCount ?? 0);
  }
  if (results.some((r) => r.structuredValid !== undefined)) {
    out.mib_structured_valid = results.map((r) => r.structuredValid ?? null);
  }
  return out;
}

/** The {@link VllmMeta} of a finished run. */
export function vllmMeta(finished: FinishedRun): VllmMeta {
  const { config, run } = finished;
  return {
    backend: config.backend,
    model: finished.model,
    tokenizer: finished.tokenizer,
    numPrompts: finished.numPrompts,
    arrival: config.requestDistribution,
    ramp: config.rampUp,
    startedAt: run.startedAt,
    duration: finished.summary.duration,
    maxConcurrency: config.maxConcurrency,
    label: config.label,
    metadata: config.metadata,
    percentiles: config.percentiles,
    goodput: config.goodput,
  };
}

/**
 * The report figures of vLLM's top-level numbers, each looked up by its
 * field name with `value` (the parsed JSON's, or a CSV row's).
 */
export function vllmFigures(value: (field: string) => number | null): Figures {
  const names = new Map(VLLM_TIMINGS);
  const source: FigureSource = {
    completed: value("completed"),
    failed: value("failed"),
    duration: value("duration"),
    requestThroughput: value("request_throughput"),
    outputThroughput: value("output_throughput"),
    inputsThroughput: value("mib_input_throughput") ?? undefined,
    timing: (metric) => {
      const name = names.get(metric);
      if (name === undefined) return undefined;
      const at = (stat: string) => value(`${stat}_${name}_ms`);
      return { mean: at("mean"), median: at("median"), p99: at("p99") };
    },
  };
  return toFigures(source);
}

/**
 * The requests of a vllm-format file. Its lists are `ttfts`, `itls`,
 * `start_times`, `output_lens`, `errors` (seconds). mib adds `mib_latencies`
 * (per-request E2E); a file vLLM wrote has none, so E2E is taken there as
 * `ttft` + Σ `itls` (the last chunk's arrival, before the response's end) and
 * is unknown when `ttft` is null.
 */
function* vllmPoints(v: Record<string, unknown>): Generator<RequestPoint> {
  const list = (key: string): unknown[] => (Array.isArray(v[key]) ? v[key] as unknown[] : []);
  const ttfts = list("ttfts");
  const itls = list("itls");
  const starts = list("start_times");
  const outs = list("output_lens");
  const errors = list("errors");
  const latencies = list("mib_latencies");
  const phases = list("mib_phases");
  const n = Math.max(ttfts.length, itls.length, outs.length, errors.length);
  for (let i = 0; i < n; i++) {
    const ttft = finite(ttfts[i]);
    const itl = Array.isArray(itls[i])
      ? (itls[i] as unknown[]).filter((x): x is number => finite(x) !== null)
      : [];
    const error = errors[i];
    yield {
      success: error === undefined || error === null || error === "",
      sendOffset: finite(starts[i]),
      ttft,
      itl,
      latency: finite(latencies[i]) ??
        (ttft === null ? null : ttft + itl.reduce((a, b) => a + b, 0)),
      outputLen: finite(outs[i]) ?? 0,
      phase: phaseOf(phases[i]),
    };
  }
}

/** The vllm format. */
export const vllm: OutputFormat<"vllm"> = {
  name: "vllm",
  help: "vllm bench serve's result JSON",
  listsEveryRequest: true,
  streams: false,
  open: (path, options) =>
    writtenAtEnd(async (run) => {
      const result = vllmResult(
        run.metrics,
        run.accumulator.totals(),
        vllmMeta(run),
        run.run.results,
      );
      if (!options?.append) return Deno.writeTextFile(path, JSON.stringify(result, null, 2) + "\n");
      // vLLM's --append-result: one object on one line, after a newline when the file has any.
      const size = await Deno.stat(path).then((s) => s.size, () => 0);
      await Deno.writeTextFile(path, (size > 0 ? "\n" : "") + JSON.stringify(result), {
        append: true,
      });
    }),
  detect: ({ json }) => isObject(json) && ("ttfts" in json || "mean_ttft_ms" in json),
  read(head, onRequest) {
    const v = head.json as Record<string, unknown>;
    let end = 0;
    for (const point of vllmPoints(v)) {
      end = Math.max(end, (point.sendOffset ?? 0) + (point.latency ?? 0));
      onRequest?.(point);
    }
    const count = finite(v.num_prompts) ?? (Array.isArray(v.ttfts) ? v.ttfts.length : null);
    return Promise.resolve({
      figures: vllmFigures((field) => finite(v[field])),
      duration: finite(v.duration) ?? end,
      ramp: readFileRamp(v, count),
    });
  },
};
