/**
 * `mib bench` (the default command): plan, run, report.
 *
 * @module
 */
import { dirname } from "node:path";
import {
  type Backend,
  type GenerationRequest,
  getBackend,
  type ModelList,
} from "../backends/mod.ts";
import { isTiktokenEncoding } from "../datasets/_encodings.ts";
import type { ResolvedTokenizer, Tokenizer } from "../datasets/tokenizer.ts";
import { UsageError } from "../errors.ts";
import { summarizeAccumulated } from "../metrics/summary.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import type { Summary } from "../metrics/types.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { needsEveryResult, openOutput, type OutputWriter, runRecordPath } from "../output/mod.ts";
import type { WorkerCounter } from "../datasets/tokenizer_worker.ts";
import { planFromPrompts, planRandomRun } from "../runner/plan.ts";
import type { PlannedRequest } from "../runner/run.ts";
import { arrivalOffsets, sampleLengths } from "../distributions/mod.ts";
import { randomPrompts } from "../datasets/random.ts";
import { runBenchmark, type RunResult } from "../runner/run.ts";
import type { BenchConfig } from "./resolve.ts";

/** What a finished benchmark hands back to its caller. */
export interface BenchOutcome {
  /** The run's results. */
  run: RunResult;
  /** Its summary. */
  summary: Summary;
  /** Model id used (given or resolved from the server). */
  model?: string;
}

async function checkOutputFolder(path: string): Promise<void> {
  const folder = dirname(path);
  try {
    const info = await Deno.stat(folder);
    if (!info.isDirectory) throw new Error("not a folder");
  } catch {
    throw new UsageError(
      "--output-file",
      `folder "${folder}" does not exist; give a path in an existing folder`,
    );
  }
}

/**
 * Asks the server for its model list and returns the first id, as `vllm bench
 * serve` does when `--model` is not given. Undefined when the server has no
 * such list.
 */
export async function resolveModel(
  baseUrl: string,
  list: ModelList,
  headers: Record<string, string>,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    const response = await fetch(baseUrl + list.path, { headers, signal });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    return list.pick(await response.json());
  } catch {
    return undefined;
  }
}

/** The model to name: given, listed by the server, or the backend's default. */
async function chooseModel(
  config: BenchConfig,
  backend: Backend,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (config.model !== undefined) return config.model;
  const needs = backend.features.model;
  if (needs === "required") {
    throw new UsageError(
      "--model",
      `backend ${config.backend} needs the model (deployment) name; give --model NAME`,
    );
  }
  const listed = backend.modelList &&
    await resolveModel(config.baseUrl, backend.modelList, config.headers, signal);
  if (listed !== undefined) return listed;
  if (needs !== "optional") return needs.default;
  log(
    `warning: ${config.baseUrl}${
      backend.modelList?.path ?? ""
    } named no model and --model is not set; requests name none`,
  );
  return undefined;
}

/** The endpoint path for `backend`, with `{model}` filled in. */
function endpointFor(config: BenchConfig, backend: Backend, model: string | undefined): string {
  const path = config.endpoint ??
    (config.disableStream ? backend.unstreamedEndpoint : undefined) ??
    backend.defaultEndpoint;
  return path.replaceAll("{model}", encodeURIComponent(model ?? ""));
}

/**
 * What `--tokenizer` names (or, without it, `--model`'s own tokenizer when it
 * is in the local Hugging Face cache, else cl100k_base with a warning).
 * Tiktoken encoding names are checked without loading anything, so the
 * common case costs nothing at start-up.
 */
async function chooseTokenizer(
  name: string | undefined,
  model: string | undefined,
  log: (line: string) => void,
): Promise<ResolvedTokenizer> {
  if (name !== undefined && isTiktokenEncoding(name)) return { kind: "tiktoken", name };
  const { resolveTokenizer, defaultTokenizerFor } = await import("../datasets/tokenizer.ts");
  if (name !== undefined) return await resolveTokenizer(name);
  const chosen = await defaultTokenizerFor(model);
  if (chosen.warning) log(`warning: ${chosen.warning}`);
  return await resolveTokenizer(chosen.name, { download: false });
}

/**
 * The tokenizer, loaded on first use (building one takes a few hundred
 * milliseconds, which a run that never counts a token should not pay).
 */
function lazyTokenizer(resolved: ResolvedTokenizer): () => Promise<Tokenizer> {
  let loading: Promise<Tokenizer> | undefined;
  return () =>
    loading ??= import("../datasets/tokenizer.ts").then(({ loadTokenizer }) =>
      loadTokenizer(resolved)
    );
}

/**
 * Plans a run whose prompts come from `--dataset-path` (ShareGPT, or a text or
 * JSONL file): the schedule and lengths from the distributions, the prompts
 * from the file, any prefix before each.
 */
async function planFileRun(
  config: BenchConfig,
  tokenizer: Tokenizer,
  shared: Omit<GenerationRequest, "prompt" | "maxTokens">,
  log: (line: string) => void,
): Promise<PlannedRequest[]> {
  const { seed } = config;
  const offsets = arrivalOffsets(config.requestDistribution, {
    seed,
    count: config.numOfReq,
    maxTime: config.maxTimeForReqs,
  });
  const count = offsets.length;
  const outputLens = sampleLengths(config.outputTokenDistribution, count, seed, "output-lengths");
  const fixed = config.outputTokenDistributionGiven ? outputLens : undefined;
  const path = config.datasetPath!;
  const loaded = config.datasetName === "sharegpt"
    ? await (await import("../datasets/sharegpt.ts")).loadShareGpt({
      path,
      tokenizer,
      count,
      seed,
      bounds: Object.fromEntries(
        Object.entries(config.sharegptBounds).filter(([, v]) => v !== undefined),
      ),
      outputLens: fixed,
    })
    : await (await import("../datasets/text_file.ts")).loadTextPrompts({
      path,
      tokenizer,
      count,
      seed,
      inputLens: sampleLengths(config.inputTokenDistribution, count, seed, "input-lengths"),
      outputLens: fixed,
      defaultOutputLens: outputLens,
    });
  for (const note of loaded.notes) log(`note: ${note}`);
  const prefixText = config.prefix.kind === "none"
    ? ""
    : randomPrompts({ tokenizer, lengths: [0], seed, prefix: config.prefix })[0].text;
  return planFromPrompts(offsets, loaded.prompts, { prefixText, count: tokenizer.count, shared });
}

/**
 * The most values a run's samples can get: one TTFT, E2E latency, … per
 * request; one gap per output token at most (Σ max tokens).
 */
function valueBound(requests: readonly PlannedRequest[]): { requests: number; tokens: number } {
  let tokens = 0;
  for (const r of requests) tokens += Math.max(1, r.request.maxTokens);
  return { requests: requests.length, tokens };
}

/** A terminal progress bar; cli-progress is loaded only when one is shown. */
async function progressBar() {
  const [{ default: cliProgress }, { default: process }] = await Promise.all([
    import("cli-progress"),
    import("node:process"),
  ]);
  return new cliProgress.SingleBar(
    { stream: process.stderr, etaBuffer: 50, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
}

/** Checks what the config asks for that this version cannot do yet. */
async function checkSupported(config: BenchConfig): Promise<void> {
  if (config.datasetName !== "random") {
    if (config.datasetPath === undefined) {
      throw new UsageError("--dataset-path", `required with --dataset-name ${config.datasetName}`);
    }
    try {
      await Deno.stat(config.datasetPath);
    } catch {
      throw new UsageError("--dataset-path", `no such file "${config.datasetPath}"`);
    }
  }
  const backend = getBackend(config.backend, config.endpoint);
  const { bestOf, beamSearch, stream } = backend.features;
  if (config.disableStream && stream === "always") {
    throw new UsageError("--disable-stream", `backend ${config.backend} always streams`);
  }
  const streamed = !config.disableStream && stream !== "never";
  if (config.bestOf !== undefined && (!bestOf || (bestOf === "unstreamed" && streamed))) {
    throw new UsageError(
      "--best-of",
      bestOf === "unstreamed"
        ? `backend ${config.backend} accepts best_of only with --disable-stream`
        : `backend ${config.backend} does not accept best_of`,
    );
  }
  if (config.useBeamSearch && !beamSearch) {
    throw new UsageError(
      "--use-beam-search",
      `backend ${config.backend} does not support beam search; use --backend vllm`,
    );
  }
  if (config.outputFile !== undefined) await checkOutputFolder(config.outputFile);
}

/** The run's schedule: random prompts, or prompts from `--dataset-path`. */
async function planRequests(
  config: BenchConfig,
  backend: Backend,
  model: string | undefined,
  resolved: ResolvedTokenizer,
  tokenizer: () => Promise<Tokenizer>,
  log: (line: string) => void,
): Promise<PlannedRequest[]> {
  // The shipped word pools of the tiktoken encodings fix every random prompt's
  // length without a tokenizer; anything else is loaded before the run.
  const fastPath = resolved.kind === "tiktoken" && config.prefix?.kind !== "text";
  const stream = !config.disableStream && backend.features.stream !== "never";
  const shared = {
    model,
    bestOf: config.bestOf,
    useBeamSearch: config.useBeamSearch || undefined,
    stream,
  };
  return config.datasetName === "random"
    ? planRandomRun({
      seed: config.seed,
      arrival: config.requestDistribution,
      input: config.inputTokenDistribution,
      output: config.outputTokenDistribution,
      count: config.numOfReq,
      maxTime: config.maxTimeForReqs,
      tokenizer: fastPath ? resolved.name : await tokenizer(),
      prefix: config.prefix,
      shared,
    })
    : await planFileRun(config, await tokenizer(), shared, log);
}

/**
 * Runs the benchmark `config` describes: prints a progress bar (unless
 * disabled or stderr is no terminal) and the summary, and writes the output
 * file. Input mistakes throw {@linkcode UsageError} before any request is sent.
 */
export async function benchCommand(
  config: BenchConfig,
  io: { log: (line: string) => void; signal?: AbortSignal } = { log: console.log },
): Promise<BenchOutcome> {
  await checkSupported(config);
  const backend = getBackend(config.backend, config.endpoint);
  // A bad --tokenizer fails before anything is sent to the server.
  const named = config.tokenizer === undefined
    ? undefined
    : await chooseTokenizer(config.tokenizer, undefined, io.log);
  const model = await chooseModel(config, backend, io.log, io.signal);
  const resolved = named ?? await chooseTokenizer(undefined, model, io.log);
  const tokenizer = lazyTokenizer(resolved);
  let counter: WorkerCounter | undefined;
  let output: OutputWriter | undefined;
  try {
    const requests = await planRequests(config, backend, model, resolved, tokenizer, io.log);
    // A run keeps its results when its output file lists every request, or
    // when it is small enough for every sample to stay exact. Any other run
    // keeps nothing per request: a worker thread counts each output as it
    // ends (loaded before t = 0, so loading competes with nothing measured).
    const bound = valueBound(requests);
    const large = bound.requests > config.exactLimit || bound.tokens > config.exactLimit;
    const listsEvery = config.outputFile !== undefined && needsEveryResult(config.outputFormat);
    const keepResults = listsEvery || !large;
    if (!keepResults) {
      counter = (await import("../datasets/tokenizer_worker.ts")).startTokenizerWorker(resolved);
      await counter.ready;
    }
    const accumulator = new RunAccumulator({
      goodput: config.goodput,
      exactLimit: config.exactLimit,
      hdr: keepResults ? undefined : await loadHdrLibrary(),
      expect: bound,
    });
    const url = config.baseUrl + endpointFor(config, backend, model);
    const showBar = !config.disableTqdm && Deno.stderr.isTerminal();
    const bar = showBar ? await progressBar() : undefined;
    output = config.outputFile === undefined
      ? undefined
      : await openOutput(config.outputFile, config.outputFormat);
    let run: RunResult;
    bar?.start(requests.length, 0);
    try {
      run = await runBenchmark({
        url,
        backend,
        requests,
        // Kept results are counted after the run (the tokenizer loads then);
        // a large run's as each ends, on the worker.
        countTokens: counter?.count ?? (async (text) => (await tokenizer()).count(text)),
        keepResults,
        transport: config.transport,
        headers: config.headers,
        onResult: (result) => {
          bar?.increment();
          output?.add(result);
          if (!keepResults) accumulator.add(result, result.chunkTokens);
        },
        signal: io.signal,
      });
    } finally {
      bar?.stop();
    }
    for (const result of run.results) accumulator.add(result, result.chunkTokens);
    // Taken once: sorting a large exact sample is the costly part.
    const metrics = accumulator.metrics({
      duration: run.duration,
      percentiles: [...new Set([...config.percentiles, 90, 99])].sort((a, b) => a - b),
    });
    const summary = summarizeAccumulated(accumulator, run.duration, run.eventLoopLag, metrics);
    // Only needed now: loading it at start-up would delay the first request.
    const { formatSummary } = await import("./summary_table.ts");
    if (output !== undefined) {
      const meta = { model, url, tokenizer: resolved.name, numPrompts: requests.length };
      await output.finish({ config, run, accumulator, metrics, summary, ...meta });
      output = undefined;
    }

    io.log(`mib: ${backend.name} ${url}  model=${model ?? "(none)"}  tokenizer=${resolved.name}`);
    io.log(formatSummary(summary));
    if (run.notSent > 0) io.log(`interrupted: ${run.notSent} planned request(s) were not sent`);
    if (config.outputFile !== undefined) {
      io.log(`results: ${config.outputFile} (run record: ${runRecordPath(config.outputFile)})`);
    }
    return { run, summary, model };
  } finally {
    counter?.close();
    // A run that failed keeps its jsonl lines, without a summary line.
    await output?.close();
  }
}
