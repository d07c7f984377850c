/**
 * mib, the Modular Inference Benchmarker, as a library.
 *
 * @example Benchmark the built-in simulator
 * ```ts
 * import { loadTokenizer, planRandomRun, runBenchmark, getBackend, startSimulator, summarize } from "jsr:@mib/cli";
 *
 * const sim = await startSimulator({ ttftMs: 20, tpotMs: 5 });
 * const tokenizer = await loadTokenizer();
 * const requests = planRandomRun({
 *   seed: 0,
 *   tokenizer,
 *   count: 20,
 *   arrival: { kind: "poisson", rate: 10 },
 *   input: { kind: "constant", value: 128 },
 *   output: { kind: "constant", value: 32 },
 * });
 * const run = await runBenchmark({
 *   url: `${sim.url}/v1/completions`,
 *   backend: getBackend("openai"),
 *   requests,
 *   countTokens: tokenizer.count,
 * });
 * console.log(summarize(run.results, run.duration).ttft?.median);
 * await sim.close();
 * ```
 *
 * @module
 */
export { UsageError } from "./errors.ts";
export * from "./backends/mod.ts";
export * from "./distributions/mod.ts";
export {
  DEFAULT_TOKENIZER,
  defaultTokenizerFor,
  loadTokenizer,
  type ResolvedTokenizer,
  resolveEncodingName,
  resolveTokenizer,
  TIKTOKEN_ENCODINGS,
  type Tokenizer,
} from "./datasets/tokenizer.ts";
export type { DatasetPrompt } from "./datasets/prompt.ts";
export {
  DEFAULT_SHAREGPT_BOUNDS,
  loadShareGpt,
  type ShareGptBounds,
  type ShareGptOptions,
  type ShareGptResult,
} from "./datasets/sharegpt.ts";
export {
  loadTextPrompts,
  type TextPromptOptions,
  type TextPromptResult,
} from "./datasets/text_file.ts";
export {
  type PrefixOption,
  type Prompt,
  type RandomPromptOptions,
  randomPrompts,
} from "./datasets/random.ts";
export {
  DEFAULT_PERCENTILES,
  type GoodputSlo,
  type MetricStats,
  type RunMetrics,
  type RunTotals,
  SAMPLE_NAMES,
  type SampleName,
  type SecondBucket,
  type Stats,
  type Summary,
  TIMING_METRICS,
  type TimingNames,
} from "./metrics/types.ts";
export { describeSample, percentile } from "./metrics/stats.ts";
export { type RequestTimings, requestTimings, timePerOutputToken } from "./metrics/request.ts";
export { summarize, summarizeAccumulated } from "./metrics/summary.ts";
export { computeRunMetrics, metricStats, type RunMetricsOptions } from "./metrics/run_metrics.ts";
export { classifyFailure, FAILURE_KINDS, type FailureKind } from "./metrics/failure.ts";
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
export { startTokenizerWorker, type WorkerCounter } from "./datasets/tokenizer_worker.ts";
export * from "./output/mod.ts";
export type { RequestResult } from "./runner/result.ts";
export {
  type PlannedRequest,
  runBenchmark,
  type RunOptions,
  type RunResult,
} from "./runner/run.ts";
export { planFromPrompts, type PlanOptions, planRandomRun } from "./runner/plan.ts";
export * from "./simulator/mod.ts";

// `deno run -A jsr:@mib/cli` runs this module: behave as the CLI then.
if (import.meta.main) {
  const { main } = await import("./main.ts");
  Deno.exit(await main(Deno.args));
}
