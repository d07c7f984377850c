/** How many outputs met a run's output constraint (see `metrics/structured.ts`). */
export interface StructuredCounts {
  /** Successful requests whose output met it. */
  valid: number;
  /** Successful requests whose output did not. */
  invalid: number;
  /** Why the first invalid one was not, when there was one. */
  firstError?: string;
}

/**
 * The types of mib's metrics, and the one table of how each timing metric is
 * named wherever mib shows or writes it.
 *
 * @module
 */
import type { FailureKind } from "./failure.ts";
import type { TurnRow } from "./turns.ts";
import type { ReasoningSummary } from "./reasoning.ts";

/** The default percentiles: 50, 90, 95, 99. */
export const DEFAULT_PERCENTILES: readonly number[] = [50, 90, 95, 99];

/** Distribution of a sample, in its unit (milliseconds for timings). */
export interface MetricStats {
  /** Number of values. */
  count: number;
  /** Arithmetic mean. */
  mean: number;
  /** 50th percentile (linear interpolation, as `percentiles`). */
  median: number;
  /** Population standard deviation (divides by n, as numpy.std and vLLM). */
  std: number;
  /** Smallest value. */
  min: number;
  /** Largest value. */
  max: number;
  /**
   * The asked percentiles, keyed "p" + p written as vLLM does: an integer
   * without decimals ("p50", "p99"), anything else as given ("p99.9"). The
   * p-th percentile of the ascending sample x[0..n−1] is x[lo] + (x[hi] − x[lo])·(r − lo)
   * with rank r = p/100·(n − 1), lo = ⌊r⌋, hi = ⌈r⌉ (numpy's default, vLLM).
   */
  percentiles: Record<string, number>;
}

/** {@link MetricStats} with the 90th and 99th percentiles named (the console's columns). */
export interface Stats extends MetricStats {
  /** 90th percentile. */
  p90: number;
  /** 99th percentile. */
  p99: number;
}

/** The timing samples of a run, named as their `RunMetrics` fields. */
export type SampleName = "ttft" | "tpot" | "itlPerChunk" | "itlPerToken" | "e2el" | "queue";

/** How one timing metric is named where mib shows or writes it. */
export interface TimingNames {
  /** Its row in the console summary ("ITL (per chunk)"). */
  readonly console: string;
  /** Its name in vLLM's result file (`mean_NAME_ms`, …), when vLLM has the metric. */
  readonly vllm?: string;
  /** Its name in `mib report`'s figures ("mean NAME (ms)", …), when the report shows it. */
  readonly report?: string;
}

/**
 * The timing metrics, keyed by their {@link RunMetrics} (and {@link Summary})
 * names, in the order every table lists them: the one place a metric's
 * names live.
 *
 * @example
 * ```ts
 * TIMING_METRICS.itlPerChunk.vllm; // "itl": mean_itl_ms, p99_itl_ms, …
 * TIMING_METRICS.e2el.report; // "E2E": "mean E2E (ms)", …
 * ```
 */
export const TIMING_METRICS: Readonly<Record<SampleName, TimingNames>> = {
  ttft: { console: "TTFT", vllm: "ttft", report: "TTFT" },
  tpot: { console: "TPOT", vllm: "tpot", report: "TPOT" },
  itlPerChunk: { console: "ITL (per chunk)", vllm: "itl", report: "ITL" },
  itlPerToken: { console: "ITL (per token)" },
  e2el: { console: "E2E latency", vllm: "e2el", report: "E2E" },
  queue: { console: "Schedule lag" },
};

/**
 * Why a pooling run (embeddings, rerank) has no TTFT, TPOT or ITL: what the
 * console, the vllm and csv files and the run record say, once per run.
 */
export const NO_TOKEN_TIMINGS_REASON =
  "no TTFT, TPOT or ITL: an embeddings or rerank backend generates no tokens and answers each request whole; E2E latency is the whole request";

/** The timing metrics' names, in {@link TIMING_METRICS} order. */
export const SAMPLE_NAMES: readonly SampleName[] = Object.keys(TIMING_METRICS) as SampleName[];

/** One whole second [s, s + 1) of the run. */
export interface SecondBucket {
  /** s: the bucket covers send offsets t with s ≤ t < s + 1. */
  second: number;
  /** Requests (any outcome) with s ≤ `sendOffset` < s + 1. */
  sent: number;
  /** Successful requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  completed: number;
  /** Failed requests whose end (`sendOffset + latency`) is in [s, s + 1). */
  failed: number;
  /**
   * Requests (any outcome) in flight at the bucket's end: sent in bucket s or before,
   * ended in a later bucket (for all but the last bucket: `sendOffset` < s + 1 ≤
   * `sendOffset + latency`). So inFlight[s] = inFlight[s − 1] + sent[s] − completed[s] −
   * failed[s], and the last bucket's is 0.
   */
  inFlight: number;
  /**
   * Output tokens of successful requests that arrived in [s, s + 1), each
   * placed as in {@link RunMetrics.peakOutputTokensPerSecond}.
   */
  outputTokens: number;
}

/**
 * Successful requests whose server did something other than what was planned,
 * by kind (see `metrics/mismatch.ts` for each definition), with what the
 * console's notes say of them.
 */
export interface Mismatches {
  /** Requests that generated another length than `outputLenAsked`. */
  outputLength: number;
  /** Requests whose server prompt count differs from `promptLen` beyond the tolerance. */
  promptLength: number;
  /** Requests whose prompt the server truncated to its context. */
  truncated: number;
  /** Of the `outputLength` ones: the smallest and largest length asked; null when none. */
  asked: [number, number] | null;
  /** Of the `outputLength` ones: the smallest and largest length generated; null when none. */
  generated: [number, number] | null;
  /** Of the `outputLength` ones: those whose generated length the server counted. */
  generatedByServer: number;
  /** Of the `promptLength` ones: Σ `promptLen` (the client tokenizer's counts). */
  plannedPromptTokens: number;
  /** Of the `promptLength` ones: Σ `promptLenServer`. */
  serverPromptTokens: number;
  /**
   * Of the `promptLength` ones: the smallest and largest `promptLenServer` −
   * `promptLen`. Nearly equal (within the tolerance's 2 tokens) while the
   * planned lengths vary means a constant the server adds, such as a chat
   * template, not another tokenizer.
   */
  promptExcess?: [number, number];
  /** Of the `promptLength` ones: the smallest and largest `promptLen`. */
  promptPlanned?: [number, number];
}

/** The run's metrics. Timing distributions in ms over successful requests. */
export interface RunMetrics {
  /** The run duration given (run start → last response), seconds. */
  duration: number;
  /**
   * First send → last response finished, seconds (AIPerf's duration; the
   * given `duration` also counts any wait before the first planned send).
   */
  activeDuration: number;
  /**
   * Client queue time: actual − planned send offset of every request (sent or
   * failed), ms — how late the client was against the schedule.
   */
  queue: MetricStats | null;
  /**
   * Measured requests whose send time came while `--max-concurrency` requests
   * were in flight, so they waited in the client for a free slot.
   */
  waitedForSlot: number;
  /**
   * Queue time of those requests: actual − planned send offset, ms (their
   * wait for a slot, plus any backlog ahead of them). Null when none waited.
   */
  slotQueue: MetricStats | null;
  /** Warm-up requests: sent, left out of every other figure (see `runner/phases.ts`). */
  warmup: number;
  /** Cool-down requests: sent, left out of every other figure. */
  cooldown: number;
  /**
   * The measured window, seconds from the run start: `start` is the end of
   * the last warm-up request (0 without warm-up), `end` the end of the last
   * measured request (never before `start`). With warm-up or cool-down the
   * given `duration` is `end − start`.
   */
  window: { start: number; end: number };
  /** Measured requests in the results (warm-up and cool-down ones are not). */
  total: number;
  /** Requests with `success`. */
  completed: number;
  /** Requests without `success`. */
  failed: number;
  /** TTFT: `ttft`·1000 of every successful request whose `ttft` is not null. Null when none. */
  ttft: MetricStats | null;
  /**
   * TPOT (vLLM): per successful request with `ttft` not null and `outputLen` ≥ 2,
   * (`latency` − `ttft`) / (`outputLen` − 1), in ms. Null when none.
   */
  tpot: MetricStats | null;
  /**
   * ITL per chunk (vLLM's "itl"): every entry of `itl`·1000 of every successful
   * request, pooled: one sample per gap between successive text chunks, a
   * multi-token chunk not split. Null when none.
   */
  itlPerChunk: MetricStats | null;
  /**
   * ITL per token (SGLang): over successful streamed requests with `ttft` not null,
   * each gap g = `itl[j]` (before chunk j + 1) yields k samples of g/k (ms), where k is
   * the tokens chunk j + 1 carried: `chunkTokens[i][j + 1]` when that request's counts
   * are known (entries 0..itl.length all integers ≥ 0; a 0-token chunk yields none);
   * else, when n = `outputLen` − 1 exceeds G = `itl.length`, the n tokens are spread
   * over the G gaps as evenly as integers allow (gap j gets ⌊n/G⌋, plus 1 when
   * j < n mod G) and the request counts in `perTokenItlEstimated`; else k = 1 (same
   * as per chunk). The first chunk's tokens yield no sample. Null when none.
   */
  itlPerToken: MetricStats | null;
  /**
   * Successful requests whose `itlPerToken` samples were estimated (token counts
   * unknown and `outputLen` − 1 > `itl.length` ≥ 1).
   */
  perTokenItlEstimated: number;
  /** E2E latency: `latency`·1000 of every successful request. Null when none. */
  e2el: MetricStats | null;
  /**
   * Goodput (vLLM): successful requests meeting every given SLO, per second of
   * `duration` (0 when duration ≤ 0); null when no SLO was given. Compared in seconds
   * as vLLM: `ttft` ≤ slo/1000 (a null `ttft` fails), TPOT ≤ slo/1000 where TPOT is as
   * `tpot` for `outputLen` ≥ 2 (a null `ttft` fails) and 0 for `outputLen` ≤ 1 (vLLM),
   * `latency` ≤ slo/1000.
   */
  goodput: number | null;
  /** The successful requests meeting every given SLO; null when no SLO was given. */
  goodRequests: number | null;
  /** Failed requests by kind (every kind present), classified by `classifyFailure`. */
  failures: Record<FailureKind, number>;
  /**
   * The failures of kind "http_status" by status code (`"429": 7`), in
   * ascending order of status; only statuses that occurred.
   */
  httpStatuses: Record<string, number>;
  /** Successful requests whose server disagreed with the plan, by kind (see `mismatchesOf`). */
  mismatches: Mismatches;
  /**
   * Successful requests whose output met the run's constraint (`--json-schema`,
   * `--regex`, `--choice`) and those whose output did not; absent without one.
   */
  structured?: StructuredCounts;
  /**
   * Mean concurrency: Σ `latency` of all requests / `duration` (0 when duration ≤ 0),
   * i.e. the time-average of requests in flight.
   */
  meanConcurrency: number;
  /**
   * Peak concurrency: the largest number of requests (any outcome) whose half-open
   * intervals [`sendOffset`, `sendOffset + latency`) overlap at one instant (a request
   * ending at t and one sent at t do not overlap; a request of zero latency never counts).
   */
  peakConcurrency: number;
  /**
   * Peak output tokens/s: the largest `outputTokens` of `timeSeries` (0 when empty).
   * Tokens of successful requests are placed at the arrival of the chunk that carried
   * them: chunk c (0-based, c ≤ G = `itl.length`) arrives at `sendOffset + ttft` +
   * Σ `itl[0..c−1]` and carries `chunkTokens[i][c]` when known (as in `itlPerToken`),
   * else chunk 0 carries min(1, `outputLen`) and chunk j + 1 the share of gap j of
   * max(0, `outputLen` − 1) spread as in `itlPerToken` (⌊n/G⌋, +1 when j < n mod G).
   * An unstreamed response or one with a null `ttft` has all `outputLen` tokens at
   * its end, `sendOffset + latency`.
   */
  peakOutputTokensPerSecond: number;
  /**
   * One bucket per whole second s = 0, 1, …, N − 1 of the run, N = ⌈`window.start` +
   * duration⌉ (⌈duration⌉ without warm-up; at least 1 when there are results; none when
   * there are none), of measured requests only. An event (send, end,
   * token arrival) at t goes to bucket min(max(0, ⌊t⌋), N − 1): an event at or after
   * N (such as the last response ending at exactly t = duration, a whole number) is in
   * the last bucket. The last bucket may be partial; counts are not scaled.
   */
  timeSeries: SecondBucket[];
  /**
   * The distributions (of "ttft", "tpot", "itlPerChunk", "itlPerToken", "e2el",
   * "queue") whose percentiles came from an HDR histogram because they outgrew
   * the exact limit, or were bound to (see `RunAccumulatorOptions.expect`):
   * each value at a rank is then the middle of its bucket,
   * within 0.05 % of the true value (min and max stay exact). Empty while
   * every percentile is exact.
   */
  fromHistogram: string[];
}

/** SLOs for goodput, in milliseconds. */
export interface GoodputSlo {
  /** TTFT ≤ this. */
  ttft?: number;
  /** TPOT ≤ this. */
  tpot?: number;
  /** E2E latency ≤ this. */
  e2el?: number;
}

/** Totals the console summary shows besides {@link RunMetrics}. */
export interface RunTotals {
  /** Σ `promptLen` of successful requests. */
  inputTokens: number;
  /** Σ `outputLen` of successful requests. */
  outputTokens: number;
  /** Successful streamed requests with `outputLen` > `chunks`. */
  multiTokenChunkRequests: number;
  /**
   * Σ `inputCount` of successful pooling requests (texts embedded, documents
   * scored); absent when no request carried inputs (a generation run).
   */
  inputs?: number;
  /** Failed requests by error message, most frequent first. */
  errors: { error: string; count: number }[];
}

/**
 * Run summary. Times in the `Stats` are milliseconds; throughputs per second.
 * Its timings are named as in {@link RunMetrics} (see {@link TIMING_METRICS}).
 */
export interface Summary {
  /**
   * Multi-turn sessions' figures by turn index (`metrics/turns.ts`); absent
   * without sessions.
   */
  turns?: TurnRow[];
  /**
   * Reasoning models: TTFT to the first reasoning and first answer token, and
   * the tokens of each, over the requests that had reasoning (see
   * `metrics/reasoning.ts`); absent when none had.
   */
  reasoning?: ReasoningSummary;
  /** Requests sent, but warm-up and cool-down ones. */
  total: number;
  /** Requests that succeeded. */
  completed: number;
  /** Requests that failed. */
  failed: number;
  /**
   * Run start → last response finished, seconds; with warm-up or cool-down,
   * the measured window's length (see `RunMetrics.window`).
   */
  duration: number;
  /** Warm-up requests (sent, in no other figure); absent in older summaries. */
  warmup?: number;
  /** Cool-down requests (sent, in no other figure); absent in older summaries. */
  cooldown?: number;
  /** The measured window, seconds from the run start; absent in older summaries. */
  window?: { start: number; end: number };
  /** Measured requests that waited for a free `--max-concurrency` slot; absent in older summaries. */
  waitedForSlot?: number;
  /** Their queue time (actual − planned send), ms; absent when none waited. */
  slotQueue?: Stats;
  /** completed / duration. */
  requestThroughput: number;
  /** Sum of prompt_len over completed requests. */
  totalInputTokens: number;
  /** Sum of output_len over completed requests. */
  totalOutputTokens: number;
  /** totalInputTokens / duration. */
  inputThroughput: number;
  /**
   * A pooling run's Σ `inputCount` over successful requests (texts embedded,
   * documents scored); absent for a generation run.
   */
  totalInputs?: number;
  /** totalInputs / duration: inputs per second; absent for a generation run. */
  inputsThroughput?: number;
  /** totalOutputTokens / duration. */
  outputThroughput: number;
  /** (totalInputTokens + totalOutputTokens) / duration. */
  totalTokenThroughput: number;
  /** First send → last response finished, seconds. */
  activeDuration: number;
  /** Goodput (vLLM): requests meeting every `--goodput` SLO / duration; null without SLOs. */
  goodput: number | null;
  /** Requests meeting every SLO; null without SLOs. */
  goodRequests: number | null;
  /** Σ latency of all requests / duration: the time-average of requests in flight. */
  meanConcurrency: number;
  /** The most requests in flight at one instant. */
  peakConcurrency: number;
  /** The largest per-second count of output tokens arriving. */
  peakOutputTokensPerSecond: number;
  /** Failed requests by kind (see `classifyFailure`). */
  failures: Record<FailureKind, number>;
  /**
   * The "http_status" failures by status code, as in `RunMetrics.httpStatuses`
   * (absent in summaries an older mib wrote).
   */
  httpStatuses?: Record<string, number>;
  /**
   * Successful requests whose server disagreed with the plan, by kind (absent
   * in summaries an older mib wrote).
   */
  mismatches?: Mismatches;
  /** Outputs that met the run's constraint and those that did not; absent without one. */
  structured?: StructuredCounts;
  /** Time to first token over completed requests, ms. */
  ttft?: Stats;
  /** Time per output token after the first, per completed request with ≥ 2 tokens, ms. */
  tpot?: Stats;
  /** Gaps between successive text chunks, pooled over completed requests, ms. */
  itlPerChunk?: Stats;
  /** Per-token gaps (a k-token chunk after gap g gives k gaps of g/k, as SGLang), ms. */
  itlPerToken?: Stats;
  /** End-to-end latency of completed requests, ms. */
  e2el?: Stats;
  /** Actual − planned send offset of every sent request, ms. */
  queue?: Stats;
  /** Delay of event-loop probes during the run, ms: the client's own lateness. */
  eventLoopLag?: Stats;
  /**
   * Pacing lag, ms: schedule lag of the requests planned after the previous
   * one was sent (see `RunResult.pacingLag`): the client's own lateness at
   * sending, without the backlog a burst plans. Absent when none qualified.
   */
  pacingLag?: Stats;
  /** Completed requests whose chunks carried several tokens each (ITL is per chunk there). */
  multiTokenChunkRequests: number;
  /**
   * Failed requests' errors by message, most frequent first (beyond 100
   * distinct messages, the rest counted under "(other error messages)").
   */
  errors: { error: string; count: number }[];
  /**
   * Distributions whose percentiles came from an HDR histogram (within 0.05 %),
   * named as in `RunMetrics.fromHistogram`; empty while all are exact.
   */
  fromHistogram: string[];
}
