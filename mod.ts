/**
 * mib, the Modular Inference Benchmarker, as a library.
 *
 * {@linkcode runBenchmark} runs `mib bench` from a plain configuration
 * object (the config file's keys) and returns every result and the summary,
 * printing nothing; {@linkcode benchmarkStream} yields the results as they
 * end; {@linkcode registerBackend} adds a protocol of one's own;
 * {@linkcode readResults}, {@linkcode mergeResults} and {@linkcode summarize}
 * work on result files; {@linkcode startSimulator} serves every protocol for
 * tests. The building blocks (planning, the send loop {@linkcode runSchedule},
 * tokenizers, metrics, output formats) are exported too.
 *
 * @example Benchmark the built-in simulator
 * ```ts
 * import { runBenchmark, startSimulator } from "jsr:@mib/cli";
 *
 * const sim = await startSimulator({ ttftMs: 20, tpotMs: 5 });
 * const { summary, results } = await runBenchmark({
 *   base_url: sim.url,
 *   backend: "openai",
 *   num_of_req: 20,
 *   request_distribution: "poisson 10",
 *   input_token_distribution: "constant 128",
 *   output_token_distribution: "constant 32",
 * });
 * console.log(results.length, summary.ttft?.median);
 * await sim.close();
 * ```
 *
 * @module
 */
export { RunError, UsageError } from "./errors.ts";
export {
  backendRegistry,
  type Benchmark,
  type BenchmarkConfig,
  type BenchmarkOptions,
  resolveBenchmarkConfig,
  runBenchmark,
} from "./library/benchmark.ts";
export { benchmarkStream } from "./library/stream.ts";
export { type Benchmarker, registerBackend } from "./library/registry.ts";
export { mergeResults, readResults } from "./library/results.ts";
export * from "./backends/mod.ts";
export * from "./distributions/mod.ts";
export {
  chooseTokenizer,
  DEFAULT_TOKENIZER,
  type DefaultTokenizer,
  defaultTokenizerFor,
  type HubOptions,
  type LazyTokenizer,
  lazyTokenizer,
  loadTokenizer,
  type ResolvedTokenizer,
  resolveEncodingName,
  resolveTokenizer,
  type ResolveTokenizerOptions,
  SERVER_TOKENIZER,
  type ServerCounter,
  serverCounter,
  type ServerCounterOptions,
  serverTokenizer,
  startTokenizerWorker,
  TIKTOKEN_ENCODINGS,
  type TiktokenEncodingName,
  TokenizeError,
  type Tokenizer,
  type WorkerCounter,
} from "./tokenizers/mod.ts";
export * from "./datasets/mod.ts";
export {
  DEFAULT_SHAREGPT_BOUNDS,
  type ShareGptBounds,
  shareGptBounds,
} from "./datasets/sharegpt.ts";
export {
  loadShareGpt,
  type ShareGptOptions,
  type ShareGptResult,
  type ShareGptSkipReason,
  type ShareGptStats,
} from "./datasets/sharegpt_sampling.ts";
export {
  loadTextPrompts,
  type TextPromptOptions,
  type TextPromptResult,
} from "./datasets/other.ts";
export { type JsonlPromptOptions, loadJsonlPrompts } from "./datasets/jsonl.ts";
export { loadTextWindows, type TextWindowOptions } from "./datasets/text_windows.ts";
export {
  type Prompt,
  type RandomPromptOptions,
  randomPrompts,
  randomPromptSequence,
  type RandomPromptSequenceOptions,
  withOutputLens,
} from "./datasets/random.ts";
export {
  DEFAULT_PERCENTILES,
  type GoodputSlo,
  type MetricStats,
  type Mismatches,
  type RunMetrics,
  type RunTotals,
  SAMPLE_NAMES,
  type SampleName,
  type SecondBucket,
  type Stats,
  type StructuredCounts,
  type Summary,
  TIMING_METRICS,
  type TimingNames,
} from "./metrics/types.ts";
export { describeSample, percentile } from "./metrics/stats.ts";
export { type ReasoningSummary, ReasoningTally } from "./metrics/reasoning.ts";
export { splitThinkTags } from "./backends/_reasoning.ts";
export { isPrometheusText, parsePrometheus, type PromSample } from "./server_metrics/prometheus.ts";
export {
  type HistogramMean,
  type RawValue,
  reduceScrape,
  type Scrape,
  type ServerMetricsRecord,
  serverMetricsRecord,
} from "./server_metrics/series.ts";
export {
  type MetricSource,
  SERVER_METRIC_NAMES,
  SERVER_METRICS,
  type ServerMetric,
  type ServerMetricName,
} from "./server_metrics/vocabulary.ts";
export { probeMetrics, type ProbeResult, Scraper, type Scrapes } from "./server_metrics/scraper.ts";
export { serverComparisonLines, serverMetricsLine } from "./server_metrics/compare.ts";
export { callProfiler, type ProfileCall as ProfilerCall } from "./runner/profile.ts";
export { type RequestTimings, requestTimings, timePerOutputToken } from "./metrics/request.ts";
export { resultsSpan, summarize, summarizeAccumulated } from "./metrics/summary.ts";
export { computeRunMetrics, metricStats, type RunMetricsOptions } from "./metrics/run_metrics.ts";
export { classifyFailure, FAILURE_KINDS, type FailureKind } from "./metrics/failure.ts";
export {
  differsBeyondTolerance,
  type GeneratedLength,
  generatedLength,
  LENGTH_TOLERANCE,
  MISMATCH_KINDS,
  MismatchCounter,
  mismatchesOf,
  type MismatchKind,
  mismatchNote,
  mismatchTotal,
  noMismatches,
  noteMismatches,
} from "./metrics/mismatch.ts";
export {
  OTHER_ERRORS,
  RunAccumulator,
  type RunAccumulatorOptions,
} from "./metrics/run_accumulator.ts";
export {
  DEFAULT_EXACT_LIMIT,
  type HdrHistogram,
  type HdrLibrary,
  loadHdrLibrary,
  Sample,
  type SampleOptions,
} from "./metrics/sample.ts";
export * from "./output/mod.ts";
export type { RequestResult } from "./runner/result.ts";
export type { BenchConfig } from "./runner/bench_config.ts";
export { type PlannedRequest, type RunOptions, type RunResult, runSchedule } from "./runner/run.ts";
export { type TransportName, TRANSPORTS } from "./runner/transport.ts";
export {
  firstTurn,
  followUp,
  type PlannedTurn,
  type SessionPlan,
  turnsLeft,
} from "./runner/sessions.ts";
export {
  planRandomSessions,
  type SessionPlanOptions,
  type SessionRunPlan,
  type SessionShape,
} from "./runner/session_plan.ts";
export { TurnAccumulator, type TurnRow } from "./metrics/turns.ts";
export {
  checkRequestOptions,
  checkWorkload,
  endpointPath,
  type RequestOptions,
  type WorkloadOptions,
} from "./backends/request_options.ts";
export {
  batchedRequests,
  type BatchPrompt,
  type PoolingShape,
  promptsPerRequest,
} from "./runner/batches.ts";
export { dataUrlBytes, type ImageHeader, imageHeader } from "./images/header.ts";
export { type ImageSpec, loadImagePool, SYNTHETIC_POOL, withImages } from "./images/pool.ts";
export { IMAGE_FORMATS, type ImageFormat, syntheticImage } from "./images/synthetic.ts";
export * from "./backends/sampling.ts";
export {
  judgeStructured,
  type StructuredCheck,
  structuredCheck,
  type StructuredVerdict,
} from "./metrics/structured.ts";
export { pythonFloat, type ResultNameParts, vllmResultName } from "./output/result_name.ts";
export { chooseModel, type ModelChoice, servedModels } from "./runner/model.ts";
export { type ReadyCheck, type ServerAnswer, waitForServer } from "./runner/ready.ts";
export { InFlight, RequestEnded, type Timeouts, watchTimeouts } from "./runner/watchdog.ts";
export {
  type DatasetPlan,
  type DatasetPlanOptions,
  planDatasetRun,
  planFromPrompts,
  type PlanOptions,
  planRandomRun,
  type ScheduleOptions,
  type SharedRequestFields,
} from "./runner/plan.ts";
export { keepsResults, type ValueBound, valueBound } from "./runner/keep_results.ts";
export {
  formatPhaseBound,
  parsePhaseBound,
  type Phase,
  type PhaseBound,
  type PhaseOptions,
  PhaseSorter,
} from "./runner/phases.ts";
export { OPEN_ENDED_COUNT, type PlanSize, planSize } from "./runner/duration.ts";
export {
  parseShard,
  type PlanIdentity,
  planIdentity,
  type Shard,
  shardRequests,
  shardValues,
  WHOLE_PLAN,
} from "./runner/shard.ts";
export { type MergedRun, mergeShards, type ShardRun } from "./output/shard_merge.ts";
export * from "./simulator/mod.ts";

// `deno run -A jsr:@mib/cli` runs this module: behave as the CLI then.
if (import.meta.main) {
  const { main } = await import("./main.ts");
  Deno.exit(await main(Deno.args));
}
