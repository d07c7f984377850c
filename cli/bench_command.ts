/**
 * `mib bench` (the default command): plan, run, report.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { vllmResultName } from "../output/result_name.ts";
import { type Backend, BACKENDS, getBackend } from "../backends/mod.ts";
import {
  checkRequestOptions,
  checkWorkload,
  endpointPath,
  streams,
} from "../backends/request_options.ts";
import { chooseModel } from "../runner/model.ts";
import { waitForServer } from "../runner/ready.ts";
// choose.ts, not mod.ts: the start-up path must not load the tokenizer library.
import { chooseRunTokenizer, chooseTokenizer, lazyTokenizer } from "../tokenizers/choose.ts";
import { SERVER_TOKENIZER, serverCounter } from "../tokenizers/server.ts";
import type { LazyTokenizer, WorkerCounter } from "../tokenizers/mod.ts";
import type { RequestResult } from "../runner/result.ts";
import { UsageError } from "../errors.ts";
import { summarizeAccumulated } from "../metrics/summary.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { MISMATCH_KINDS, mismatchTotal } from "../metrics/mismatch.ts";
import type { Summary } from "../metrics/types.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { needsEveryResult, openOutput, type OutputWriter, runRecordPath } from "../output/mod.ts";
import { checkDatasetInput, getDataset, statDatasetFile } from "../datasets/mod.ts";
import { keepsResults, valueBound } from "../runner/keep_results.ts";
import {
  type DatasetPlan,
  type DatasetPlanOptions,
  planDatasetRun,
  planTraceRun,
} from "../runner/plan.ts";
import { detectTrace } from "../traces/read.ts";
import { type RunResult, runSchedule } from "../runner/run.ts";
import { planGivenSessions, planRandomSessions } from "../runner/session_plan.ts";
import { loadShareGptSessions } from "../datasets/sharegpt_sessions.ts";
import { shippedWordPool } from "../datasets/word_pool.ts";
import { TurnAccumulator } from "../metrics/turns.ts";
import { planSize } from "../runner/duration.ts";
import {
  arrivalSequence,
  type ArrivalSpec,
  lengthSequence,
  MAX_PLANNED_REQUESTS,
} from "../distributions/mod.ts";
import {
  formatShard,
  planIdentity,
  shardRequests,
  shardValues,
  startAtProblem,
} from "../runner/shard.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import { STRUCTURED_FLAGS, type StructuredOutput } from "../backends/sampling.ts";
import type { StructuredCheck } from "../metrics/structured.ts";
import type { Sources } from "./options.ts";
import { debugConfig, debugPlan } from "./debug_log.ts";
import type { Scraper } from "../server_metrics/scraper.ts";
import { type ServerMetricsRecord, serverMetricsRecord } from "../server_metrics/series.ts";
import { serverComparisonLines, serverMetricsLine } from "../server_metrics/compare.ts";
import { callProfiler } from "../runner/profile.ts";
import { ReasoningTally } from "../metrics/reasoning.ts";
import { formatLive, LiveStats, startLiveView } from "./live_view.ts";

/** Where `mib bench` prints, and what can stop it. */
export interface BenchIo {
  /** Receives the console lines (summary, notes, warnings). */
  log: (line: string) => void;
  /** Receives debug lines (`--debug`); absent, nothing is logged or kept for them. */
  debug?: (line: string) => void;
  /** Where each option value came from, for the debug log. */
  sources?: Sources;
  /** Stops sending and ends requests in flight at once (their reason says why). */
  signal?: AbortSignal;
  /** Stops sending; requests in flight go on (an interrupt's grace). */
  stop?: AbortSignal;
  /** Receives every request's result as it ends (any phase, failed ones too). */
  onResult?: (result: RequestResult) => void;
  /** The backends `config.backend` names one of (the built-in ones unless given). */
  backends?: Readonly<Record<string, Backend>>;
  /**
   * Called once every check has passed and the plan is made, just before
   * the run starts: the CLI's warning against the calibrated client ceiling.
   */
  beforeRun?: () => void | Promise<void>;
}

/** What a finished benchmark hands back to its caller. */
export interface BenchOutcome {
  /** The run's results. */
  run: RunResult;
  /** Its summary. */
  summary: Summary;
  /** Model id used (given or resolved from the server). */
  model?: string;
  /** The server's metrics scraped during the run, when any were. */
  serverMetrics?: ServerMetricsRecord;
}

async function checkOutputFolder(path: string): Promise<void> {
  const folder = dirname(path);
  try {
    const info = await Deno.stat(folder);
    if (!info.isDirectory) throw new Error("not a folder");
  } catch (error) {
    if (error instanceof Deno.errors.NotCapable) {
      throw new UsageError(
        "--output-file",
        `no permission to write in "${folder}": run with --allow-write=${folder} --allow-read=${folder}`,
      );
    }
    throw new UsageError(
      "--output-file",
      `folder "${folder}" does not exist; give a path in an existing folder`,
    );
  }
}

/** Creates `--result-dir` (and its parents) when missing, as vLLM does. */
async function makeResultDir(path: string): Promise<void> {
  try {
    await Deno.mkdir(path, { recursive: true });
  } catch (error) {
    const why = error instanceof Deno.errors.NotCapable
      ? `no permission: run with --allow-write=${path} --allow-read=${path}`
      : (error as Error).message;
    throw new UsageError("--result-dir", `cannot create "${path}" (${why})`);
  }
}

/**
 * The result file's path: `--output-file`, inside `--result-dir` when both
 * are given; `--result-dir` alone names it as vLLM does (see
 * `output/result_name.ts`), with the format's extension.
 */
function resultPath(config: BenchConfig, model: string | undefined): string | undefined {
  if (config.resultDir === undefined) return config.outputFile;
  const name = config.outputFile ?? vllmResultName({
    label: config.label,
    backend: config.backend,
    arrival: config.requestDistribution,
    ramp: config.rampUp,
    maxConcurrency: config.maxConcurrency,
    model,
    date: new Date(),
    extension: config.outputFormat === "jsonl" || config.outputFormat === "csv"
      ? `.${config.outputFormat}`
      : ".json",
  });
  return join(config.resultDir, name);
}

/**
 * A terminal progress bar; cli-progress is loaded only when one is shown.
 * With `live`, the line ends with the live view's figures (payload `live`).
 */
async function progressBar(live: boolean) {
  const [{ default: cliProgress }, { default: process }] = await Promise.all([
    import("npm:cli-progress@^3.12.0"),
    import("node:process"),
  ]);
  return new cliProgress.SingleBar(
    {
      stream: process.stderr,
      etaBuffer: 50,
      hideCursor: true,
      ...(live ? { format: " {bar} {percentage}% | {value}/{total} | {live}" } : {}),
    },
    cliProgress.Presets.shades_classic,
  );
}

/** Checks what the config asks for that this version cannot do yet. */
async function checkSupported(
  config: BenchConfig,
  backends: Readonly<Record<string, Backend>> | undefined,
): Promise<void> {
  const dataset = getDataset(config.datasetName);
  checkDatasetInput(dataset, { path: config.datasetPath, options: config.datasetOptions });
  // Before any network call: the loader checks the file the same way, later.
  if (dataset.needsPath) await statDatasetFile(config.datasetPath!);
  const backend = getBackend(config.backend, config.endpoint, backends);
  checkRequestOptions(backend, { ...config, multiTurn: config.sessions !== undefined });
  checkWorkload(backend, {
    batch: config.batch,
    imagesFlag: config.images && (config.images.kind === "dir" ? "--image-dir" : "--image-size"),
    outputGiven: config.outputTokenDistributionGiven,
    trace: config.requestDistribution.kind === "trace",
    goodput: config.goodput,
  });
  if (config.resultDir !== undefined) await makeResultDir(config.resultDir);
  else if (config.outputFile !== undefined) await checkOutputFolder(config.outputFile);
  // Its format, from the first line: a wrong file fails before the server is asked.
  if (config.requestDistribution.kind === "trace") {
    await detectTrace(config.requestDistribution.path);
  }
  checkStartAt(config);
}

/**
 * The judge of every output against the run's constraint, or a usage error
 * when it cannot be made. The schema validator loads only for such a run.
 */
async function structuredJudge(
  structured: StructuredOutput,
): Promise<(result: RequestResult) => void> {
  const { judgeStructured, structuredCheck } = await import("../metrics/structured.ts");
  let check: StructuredCheck;
  try {
    check = structuredCheck(structured);
  } catch (error) {
    throw new UsageError(
      STRUCTURED_FLAGS[structured.kind],
      `cannot be checked: ${(error as Error).message}`,
    );
  }
  return (result) => judgeStructured(result, check);
}

/** Bytes in MiB, for the debug log. */
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

/** The process's peak resident set so far (Linux's VmHWM), or why it is unknown. */
function peakRss(): string {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    return kb === undefined ? "unknown" : mib(Number(kb) * 1024);
  } catch {
    return "unknown here (Linux's /proc/self/status only)";
  }
}

/** Refuses a `--start-at` already past by more than a little. */
function checkStartAt(config: BenchConfig): void {
  if (config.startAt === undefined) return;
  const problem = startAtProblem(config.startAt, Date.now());
  if (problem !== undefined) throw new UsageError("--start-at", problem);
}

/** Request fields every request of the run carries. */
function sharedFields(config: BenchConfig, backend: Backend, model: string | undefined) {
  return {
    model,
    bestOf: config.bestOf,
    useBeamSearch: config.useBeamSearch || undefined,
    stream: streams(backend, config),
    sampling: config.sampling,
    seedBase: config.seedPerRequest ? config.seed : undefined,
    ignoreEos: config.ignoreEos,
    structured: config.structured,
    extraBody: config.extraBody,
  };
}

/**
 * The options of the run's plan (the same in every shard and worker), but
 * its tokenizer; `size` is the count or time bound `planSize` gave.
 */
function planOptions(
  config: BenchConfig,
  backend: Backend,
  model: string | undefined,
  arrival: ArrivalSpec,
  size: { count?: number; maxTime?: number },
): Omit<DatasetPlanOptions, "tokenizer"> {
  return {
    dataset: config.datasetName,
    seed: config.seed,
    arrival,
    ramp: config.rampUp,
    input: config.inputTokenDistribution,
    output: config.outputTokenDistribution,
    outputGiven: config.outputTokenDistributionGiven,
    count: size.count,
    maxTime: size.maxTime,
    prefix: config.prefix,
    path: config.datasetPath,
    datasetOptions: config.datasetOptions,
    shared: sharedFields(config, backend, model),
    pooling: backend.features.pooling === undefined
      ? undefined
      : { task: backend.features.pooling, batch: config.batch ?? 1 },
  };
}

/**
 * The run's schedule and prompts, from the trace or the dataset `config`
 * names, with the plan options a worker repeats (none for a trace).
 */
async function planRequests(
  config: BenchConfig,
  backend: Backend,
  model: string | undefined,
  tokenizer: LazyTokenizer,
): Promise<
  DatasetPlan & { openEnded: boolean; options?: Omit<DatasetPlanOptions, "tokenizer"> }
> {
  const arrival = config.requestDistribution;
  if (config.sessions?.turns === undefined && config.sessions !== undefined) {
    // ShareGPT conversations: each one's human turns, the dataset's reply lengths.
    if (arrival.kind === "trace") throw new UsageError("--multi-turn", "not with a trace");
    const loaded = await tokenizer.load();
    const { sessions, notes } = await loadShareGptSessions({
      path: config.datasetPath!,
      tokenizer: loaded,
      count: config.numOfReq!,
      seed: config.seed,
      maxTurns: config.sessions.maxTurns,
      outputLens: config.outputTokenDistributionGiven
        ? lengthSequence(
          config.outputTokenDistribution,
          MAX_PLANNED_REQUESTS,
          config.seed,
          "output-lengths",
        )
        : undefined,
    });
    const plan = planGivenSessions({
      sessions,
      seed: config.seed,
      arrival,
      ramp: config.rampUp,
      thinkTime: config.sessions.thinkTime,
      shared: sharedFields(config, backend, model),
    });
    return { ...plan, notes, openEnded: false };
  }
  if (config.sessions?.turns !== undefined && arrival.kind !== "trace") {
    // Each turn's prompt counts the replies before it: loaded before t = 0.
    const loaded = await tokenizer.load();
    const plan = planRandomSessions({
      ...config.sessions,
      turns: config.sessions.turns,
      seed: config.seed,
      arrival,
      ramp: config.rampUp,
      count: config.numOfReq,
      maxTime: config.maxTimeForReqs,
      input: config.inputTokenDistribution,
      output: config.outputTokenDistribution,
      tokenizer: shippedWordPool(loaded.name) === undefined ? loaded : loaded.name,
      shared: sharedFields(config, backend, model),
    });
    return { ...plan, notes: [], openEnded: false };
  }
  if (arrival.kind === "trace") {
    const plan = await planTraceRun({
      trace: arrival,
      maxTime: config.maxTimeForReqs,
      seed: config.seed,
      tokenizer,
      shared: sharedFields(config, backend, model),
    });
    return { ...plan, openEnded: false };
  }
  const size = planSize({
    count: config.numOfReq,
    maxTime: config.maxTimeForReqs,
    duration: config.duration,
    allAtOnce: arrivalSequence(arrival, { seed: 0, count: 0 }).allAtOnce,
  });
  if (size.openEnded && tokenizer.server !== undefined) {
    // The server's tokenizer measures every prompt before the run: ten million of them.
    throw new UsageError(
      "--duration",
      "a closed loop without --num-of-req needs a local tokenizer (the server's counts every prompt up front): give --num-of-req N or --tokenizer NAME",
    );
  }
  const options = planOptions(config, backend, model, arrival, size);
  const plan = await planDatasetRun({ ...options, tokenizer });
  return { ...plan, openEnded: size.openEnded, options };
}

/** What stopped sending early, in one line; undefined when the whole plan went out. */
function stopLine(
  config: BenchConfig,
  run: RunResult,
  plan: { planned: number; openEnded: boolean },
): string | undefined {
  if (run.stoppedBy === "interrupt") {
    return `interrupted: ${run.notSent} planned request(s) were not sent`;
  }
  if (run.stoppedBy !== "duration") return undefined;
  const count = (n: number) => n.toLocaleString("en-US");
  const notSent = plan.openEnded ? "" : `; ${count(run.notSent)} planned request(s) not sent`;
  return `sending stopped at --duration ${config.duration} s after ${
    count(plan.planned - run.notSent)
  } request(s)${notSent}; the requests in flight then finished and count`;
}

/**
 * Whether `--strict` fails the run: some request's server disagreed with the
 * plan (see `metrics/mismatch.ts`).
 */
export function strictFails(config: BenchConfig, summary: Summary): boolean {
  return config.strict && mismatchTotal(summary.mismatches) > 0;
}

/** What `--strict` makes of the run, in one line. */
function strictLine(summary: Summary): string {
  const m = summary.mismatches;
  if (m === undefined || mismatchTotal(m) === 0) {
    return "strict: every successful request matched the plan (output length, prompt count, no truncation)";
  }
  const words = {
    outputLength: "output length",
    promptLength: "prompt count",
    truncated: "truncated",
  };
  const kinds = MISMATCH_KINDS.filter((k) => m[k] > 0).map((k) => `${m[k]} ${words[k]}`);
  return `strict: exit status 1: the server disagreed with the plan (${
    kinds.join(", ")
  }; see the notes above)`;
}

/**
 * Runs the benchmark `config` describes: prints a progress bar (unless
 * disabled or stderr is no terminal) and the summary, and writes the output
 * file. Input mistakes throw {@linkcode UsageError} before any request is sent.
 */
export async function benchCommand(
  given: BenchConfig,
  io: BenchIo,
): Promise<BenchOutcome> {
  let config = given;
  // Start-up, by stage: performance.now() counts from the process's start.
  const stage = (what: string) =>
    io.debug?.(
      `start-up: ${what} at ${performance.now().toFixed(1)} ms after the process started, RSS ${
        mib(Deno.memoryUsage().rss)
      }`,
    );
  stage("modules loaded, flags read");
  if (io.debug) debugConfig(io.debug, config, io.sources ?? {});
  await checkSupported(config, io.backends);
  // A schema that does not compile fails before anything is sent.
  const judge = config.structured && await structuredJudge(config.structured);
  const backend = getBackend(config.backend, config.endpoint, io.backends);
  if (
    config.workers > 1 && io.backends !== undefined &&
    io.backends[config.backend] !== BACKENDS[config.backend]
  ) {
    throw new UsageError(
      "--workers",
      `backend "${config.backend}" is registered in this process only; worker threads know the built-in backends`,
    );
  }
  // The Prometheus parser loads only for a run that may scrape, while the server is asked.
  const scraping = config.serverMetrics === false ? undefined : Promise.all([
    import("../server_metrics/resolve_url.ts"),
    import("../server_metrics/scraper.ts"),
  ]).then(([url, scraper]) => ({ ...url, ...scraper }));
  scraping?.catch(() => {});
  // A bad --tokenizer fails before anything is sent to the server.
  const named = config.tokenizer === undefined || config.tokenizer === SERVER_TOKENIZER
    ? undefined
    : await chooseTokenizer(config.tokenizer, undefined, io.log);
  const answer = await waitForServer({
    url: config.baseUrl + (backend.modelList?.path ?? "/"),
    timeoutSeconds: config.readyCheckTimeout,
    headers: config.headers,
    signal: io.signal,
  });
  const model = await chooseModel({
    model: config.model,
    backend,
    baseUrl: config.baseUrl,
    headers: config.headers,
    warn: io.log,
    signal: io.signal,
    answer: backend.modelList === undefined ? undefined : answer,
    strict: config.strict,
  });
  stage("server ready, model known");
  // Named once the model is known (vLLM's name has it); the rest of the run reads outputFile.
  config = { ...config, outputFile: resultPath(config, model) };
  // The server's own tokenizer is asked only when named, or when no local one is known.
  const { tokenizer, resolved } = named !== undefined
    ? { tokenizer: lazyTokenizer(named), resolved: named }
    : await chooseRunTokenizer({
      name: config.tokenizer,
      model,
      backend: backend.name,
      log: io.log,
      server: backend.tokenize && serverCounter({
        baseUrl: config.baseUrl,
        endpoint: backend.tokenize,
        model,
        headers: config.headers,
        signal: io.signal,
      }),
    });
  let counter: WorkerCounter | undefined;
  let output: OutputWriter | undefined;
  let scraper: Scraper | undefined;
  try {
    const metricsUrl = await (await scraping)?.metricsPage(
      config.serverMetrics,
      config.baseUrl,
      config.headers,
      io.debug,
      io.signal,
    );
    const plan = await planRequests(config, backend, model, tokenizer);
    const { notes, allAtOnce, openEnded } = plan;
    // Encoded before t = 0, once per distinct image; each request names its own.
    if (config.images !== undefined) {
      const { loadImagePool, withImages } = await import("../images/pool.ts");
      const { count } = config.images;
      const pool = await loadImagePool(config.images, {
        seed: config.seed,
        planned: openEnded ? Infinity : plan.requests.length * count,
      });
      plan.requests = withImages(plan.requests, pool, count);
    }
    // A shard draws the whole plan and keeps its part, each with its plan index.
    const requests = shardRequests(plan.requests, config.shard);
    const maxTokens = shardValues(plan.maxTokens, config.shard);
    for (const note of notes) io.log(`note: ${note}`);
    if (config.shard.count > 1) {
      io.log(
        `shard ${
          formatShard(config.shard)
        }: ${requests.length} of the plan's ${plan.requests.length} requests`,
      );
    }
    stage("plan made");
    if (io.debug) debugPlan(io.debug, requests, backend);
    // A run that keeps nothing per request counts each output as it ends, on
    // a worker thread loaded before t = 0 (so loading competes with nothing
    // measured).
    const bound = valueBound(requests.length, maxTokens, config.exactLimit);
    const keepResults = keepsResults(bound, {
      exactLimit: config.exactLimit,
      listsEveryRequest: config.outputFile !== undefined && needsEveryResult(config.outputFormat),
    });
    if (!keepResults && resolved !== undefined) {
      counter = (await import("../tokenizers/tokenizer_worker.ts")).startTokenizerWorker(resolved);
      // Awaited below; until then a failure to load must not count as unhandled.
      counter.ready.catch(() => {});
    }
    const accumulator = new RunAccumulator({
      goodput: config.goodput,
      exactLimit: config.exactLimit,
      hdr: keepResults ? undefined : await loadHdrLibrary(),
      expect: bound,
    });
    const reasoning = new ReasoningTally();
    const url = config.baseUrl + endpointPath(backend, { ...config, model });
    const showBar = !config.disableTqdm && Deno.stderr.isTerminal();
    // The live view needs every send: not with --workers (they send on their threads).
    const live = showBar && config.workers <= 1 ? new LiveStats() : undefined;
    const bar = showBar ? await progressBar(live !== undefined) : undefined;
    output = config.outputFile === undefined
      ? undefined
      : await openOutput(config.outputFile, config.outputFormat, { append: config.append });
    // Loaded while the rest was set up, and ready before t = 0.
    await counter?.ready;
    // Set-up may have taken the start past.
    checkStartAt(config);
    await io.beforeRun?.();
    // Before the first request: a user watching a long run knows what it measures.
    io.log(`mib: ${backend.name} ${url}  model=${model ?? "(none)"}  tokenizer=${tokenizer.name}`);
    let run: RunResult;
    // Profiling and scraping start before t = 0, so the whole run is in both.
    if (config.profile) await callProfiler(config.baseUrl, "start", config.headers, io.signal);
    if (metricsUrl !== undefined) {
      scraper = await (await scraping)!.Scraper.start(
        metricsUrl,
        config.scrapeInterval,
        config.headers,
      );
    }
    // With sessions, the bar counts requests: every turn of every session.
    const total = config.sessions === undefined
      ? requests.length
      : [...requests].reduce((n, r) => n + (r.session?.turns.length ?? 1), 0);
    stage("ready to send (output open, tokenizer and server metrics started)");
    bar?.start(total, 0, live && { live: formatLive(live.snapshot()) });
    const stopLive = live && bar && startLiveView(live, (line) => bar.update({ live: line }));
    // Kept results are counted after the run (the tokenizer loads then);
    // a large run's as each ends, on the worker. The server's tokenizer
    // counts through its endpoint either way.
    const countTokens = counter?.count ?? tokenizer.server?.count ??
      (async (text: string) => (await tokenizer.load()).count(text));
    const turns = config.sessions === undefined ? undefined : new TurnAccumulator();
    const onResult = (result: RequestResult) => {
      if (judge) judge(result);
      live?.add(result);
      bar?.increment();
      io.onResult?.(result);
      turns?.add(result);
      output?.add(result);
      if (!keepResults) {
        accumulator.add(result, result.chunkTokens);
        reasoning.add(result);
      }
    };
    // Shards started at one instant share their request ids' prefix.
    const requestIdPrefix = config.startAt === undefined ? undefined : `mib-${config.startAt}-`;
    const startAt = config.startAt === undefined ? undefined : config.startAt * 1000;
    try {
      if (config.workers > 1) {
        if (resolved === undefined) {
          throw new UsageError(
            "--workers",
            `the tokenizer is the server's (${tokenizer.name}), which every worker would ask again; give a local --tokenizer`,
          );
        }
        if (plan.options === undefined) {
          throw new UsageError("--workers", "not with --request-distribution trace (yet)");
        }
        const { runOnWorkers } = await import("../runner/workers.ts");
        run = await runOnWorkers({
          workers: config.workers,
          shard: config.shard,
          job: {
            plan: plan.options,
            tokenizer: resolved,
            backend: config.backend,
            endpoint: config.endpoint,
            url,
            headers: config.headers,
            transport: config.transport,
            timeouts: config.timeouts,
            requestIdPrefix: requestIdPrefix ?? `mib-${crypto.randomUUID().slice(0, 8)}-`,
            debug: io.debug !== undefined,
          },
          startAt,
          keepResults,
          countTokens,
          onResult,
          debug: io.debug,
          signal: io.signal,
          stop: io.stop,
        });
      } else {
        run = await runSchedule({
          url,
          backend,
          requests,
          allAtOnce,
          countTokens,
          keepResults,
          transport: config.transport,
          headers: config.headers,
          requestIdPrefix,
          startAt,
          onResult,
          signal: io.signal,
          stop: io.stop,
          timeouts: config.timeouts,
          debug: io.debug,
          maxConcurrency: config.maxConcurrency,
          onSend: live && (() => live.sent()),
          duration: config.duration,
          phases: { warmup: config.warmup, cooldown: config.cooldown },
        });
      }
    } finally {
      stopLive?.();
      bar?.stop();
    }
    // The last scrape and the profiler's stop, at once: stopping may take minutes.
    const [scraped] = await Promise.all([
      scraper?.stop(),
      config.profile ? callProfiler(config.baseUrl, "stop", config.headers) : undefined,
    ]);
    const serverMetrics = scraped && metricsUrl !== undefined
      ? serverMetricsRecord(scraped.scrapes, {
        url: metricsUrl,
        interval: config.scrapeInterval,
        startedAt: run.startedAt.getTime(),
        failed: scraped.failed,
      })
      : undefined;
    for (const result of run.results) {
      accumulator.add(result, result.chunkTokens);
      reasoning.add(result);
    }
    // With warm-up or cool-down, throughputs are over the measured window.
    const duration = accumulator.measuredDuration(run.duration);
    // Taken once: sorting a large exact sample is the costly part.
    const metrics = accumulator.metrics({
      duration,
      percentiles: [...new Set([...config.percentiles, 90, 99])].sort((a, b) => a - b),
    });
    const summary = summarizeAccumulated(
      accumulator,
      duration,
      run.eventLoopLag,
      metrics,
      run.pacingLag,
    );
    if (turns !== undefined) summary.turns = turns.rows();
    const reasoningSummary = reasoning.summary();
    if (reasoningSummary !== undefined) summary.reasoning = reasoningSummary;
    // Only needed now: loading it at start-up would delay the first request.
    const { formatSummary } = await import("./summary_table.ts");
    if (output !== undefined) {
      const meta = {
        model,
        url,
        tokenizer: tokenizer.name,
        // An open-ended plan's length is no figure of the run: what was sent is.
        numPrompts: openEnded ? requests.length - run.notSent : requests.length,
        plan: planIdentity(config, plan.requests.length),
      };
      await output.finish({ config, run, accumulator, metrics, summary, serverMetrics, ...meta });
      output = undefined;
    }

    io.log(formatSummary(summary, undefined, tokenizer.name, config.maxConcurrency));
    if (summary.turns !== undefined) {
      io.log((await import("./turn_table.ts")).formatTurnTable(summary.turns));
    }
    if (serverMetrics !== undefined) {
      io.log(serverMetricsLine(serverMetrics));
      for (const line of serverComparisonLines(serverMetrics, summary.ttft?.mean)) io.log(line);
    }
    const stopped = stopLine(config, run, { planned: requests.length, openEnded });
    if (stopped !== undefined) io.log(stopped);
    if ((run.turnsNotSent ?? 0) > 0) {
      io.log(
        `${run.turnsNotSent} later turn(s) of started sessions were not sent: a turn of their session failed${
          run.stoppedBy === undefined ? "" : ", or sending stopped"
        }`,
      );
    }
    if (config.outputFile !== undefined) {
      io.log(`results: ${config.outputFile} (run record: ${runRecordPath(config.outputFile)})`);
    }
    if (config.strict) io.log(strictLine(summary));
    if (io.debug) {
      io.debug(`memory: peak RSS ${peakRss()} (RSS now ${mib(Deno.memoryUsage().rss)})`);
    }
    return { run, summary, model, serverMetrics };
  } finally {
    scraper?.cancel();
    counter?.close();
    // A run that failed keeps its jsonl lines, without a summary line.
    await output?.close();
  }
}
