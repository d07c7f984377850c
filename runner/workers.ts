/**
 * `--workers N`: one run on N Deno workers, each with its own transport and
 * event loop, for hosts where one core cannot keep up with the plan. Worker j
 * makes the same plan from the same options and sends its shard j of N (see
 * `runner/shard.ts`) from one common t = 0; the main thread receives every
 * finished result and counts, records and writes it as a one-thread run does.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { MetricStats } from "../metrics/types.ts";
import type { ResolvedTokenizer } from "../tokenizers/tokenizer.ts";
import type { DatasetPlanOptions } from "./plan.ts";
import type { RequestResult } from "./result.ts";
import type { RunResult } from "./run.ts";
import { countOutputs } from "./send.ts";
import { type Shard, subShard } from "./shard.ts";
import type { TransportName } from "./transport.ts";
import { RequestEnded, type Timeouts } from "./watchdog.ts";

/** From t = 0 being chosen to t = 0: time for every worker to get the order and start its clock. */
const LEAD_MS = 250;

/** What a worker is given to make and send its part of the plan. */
export interface WorkerJob {
  /** Always "job". */
  type: "job";
  /** The plan's options, but the tokenizer (a worker loads its own). */
  plan: Omit<DatasetPlanOptions, "tokenizer">;
  /** The run's tokenizer. */
  tokenizer: ResolvedTokenizer;
  /** The part of the whole plan this worker sends. */
  shard: Shard;
  /** `--backend`. */
  backend: string;
  /** `--endpoint`. */
  endpoint?: string;
  /** Full URL of the endpoint. */
  url: string;
  /** Headers for every request (secret: never logged). */
  headers: Record<string, string>;
  /** How requests are sent. */
  transport: TransportName;
  /** Connect, request and stall timeouts, seconds. */
  timeouts: Timeouts;
  /** Every worker's requests carry `x-request-id: <prefix><plan index>`. */
  requestIdPrefix: string;
  /** Whether debug lines are wanted. */
  debug: boolean;
}

/** What the main thread tells a worker once it is ready. */
export type WorkerOrder =
  | { type: "go"; startAt: number }
  | { type: "stop" }
  | { type: "abort"; reason: string };

/** What a worker tells the main thread. */
export type WorkerReport =
  | { type: "ready"; length: number }
  | { type: "result"; result: RequestResult }
  | { type: "debug"; line: string }
  | {
    type: "done";
    duration: number;
    notSent: number;
    sendingEnded: number;
    eventLoopLag: number[];
    pacingLag: MetricStats | null;
  }
  | { type: "error"; message: string; usage?: { flag: string; detail: string } };

/** Options of {@linkcode runOnWorkers}. */
export interface WorkersOptions {
  /** How many workers. */
  workers: number;
  /** The part of the plan this process sends (`--shard`); the workers split it. */
  shard: Shard;
  /** The job, but the shard each worker gets. */
  job: Omit<WorkerJob, "type" | "shard">;
  /** t = 0, epoch ms (`--start-at`); default: as soon as every worker is ready. */
  startAt?: number;
  /** Keep every result in `RunResult.results` (outputs then counted after the run). */
  keepResults: boolean;
  /** The client tokenizer's count of an output, on this thread (see `RunOptions.countTokens`). */
  countTokens: (text: string) => number | Promise<number>;
  /** Each finished result, as it arrives (counted first when results are not kept). */
  onResult?: (result: RequestResult) => void;
  /** Called once every worker has its plan, just before t = 0 is set. */
  onReady?: (length: number) => void;
  /** Receives the workers' debug lines. */
  debug?: (line: string) => void;
  /** Ends requests in flight at once (see `RunOptions.signal`). */
  signal?: AbortSignal;
  /** Stops sending (see `RunOptions.stop`). */
  stop?: AbortSignal;
}

/** The worst of the workers' pacing lags (largest p99): the client's lateness is its worst thread's. */
function worstLag(lags: readonly (MetricStats | null)[]): MetricStats | null {
  let worst: MetricStats | null = null;
  for (const lag of lags) {
    if (lag !== null && (worst === null || lag.percentiles.p99 > worst.percentiles.p99)) {
      worst = lag;
    }
  }
  return worst;
}

/**
 * Runs shard `shard` of the plan on `workers` threads from one t = 0 and
 * gathers one {@linkcode RunResult}: results in plan order, the duration to
 * the last response of any worker, every worker's event-loop probes, the
 * worst worker's pacing lag.
 *
 * @throws {UsageError} or Error as a worker's planning or run threw it.
 */
export async function runOnWorkers(options: WorkersOptions): Promise<RunResult> {
  const threads: Worker[] = [];
  const results: RequestResult[] = [];
  const counting = new Set<Promise<void>>();
  const done: Extract<WorkerReport, { type: "done" }>[] = [];
  const ready = Promise.withResolvers<number>();
  const finished = Promise.withResolvers<void>();
  let readyCount = 0;
  let length = 0;
  const fail = (report: Extract<WorkerReport, { type: "error" }>) => {
    const error = report.usage
      ? new UsageError(report.usage.flag, report.usage.detail)
      : new Error(report.message);
    ready.reject(error);
    finished.reject(error);
  };
  ready.promise.catch(() => {});
  finished.promise.catch(() => {});
  const receive = async (result: RequestResult) => {
    if (options.keepResults) results.push(result);
    else await countOutputs([result], options.countTokens);
    options.onResult?.(result);
  };
  for (let j = 0; j < options.workers; j++) {
    const worker = new Worker(new URL("./_run_worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<WorkerReport>) => {
      const report = event.data;
      if (report.type === "result") {
        const counted = receive(report.result).catch((error) =>
          fail({ type: "error", message: String(error) })
        );
        counting.add(counted);
        counted.finally(() => counting.delete(counted));
      } else if (report.type === "debug") options.debug?.(report.line);
      else if (report.type === "ready") {
        length += report.length;
        if (++readyCount === options.workers) ready.resolve(length);
      } else if (report.type === "done") {
        done.push(report);
        if (done.length === options.workers) finished.resolve();
      } else fail(report);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      fail({ type: "error", message: `worker ${j}: ${event.message}` });
    };
    threads.push(worker);
    const shard = subShard(options.shard, { index: j, count: options.workers });
    worker.postMessage({ type: "job", ...options.job, shard } satisfies WorkerJob);
  }
  const order = (message: WorkerOrder) => {
    for (const worker of threads) worker.postMessage(message);
  };
  const onStop = () => order({ type: "stop" });
  const onAbort = () => {
    const reason = options.signal?.reason;
    order({
      type: "abort",
      reason: reason instanceof RequestEnded ? reason.message : "aborted: the run was stopped",
    });
  };
  options.stop?.addEventListener("abort", onStop, { once: true });
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    options.onReady?.(await ready.promise);
    const startAt = options.startAt ?? Date.now() + LEAD_MS;
    order({ type: "go", startAt });
    await finished.promise;
    // Every result was posted before its worker's "done": all have arrived.
    await Promise.all(counting);
    results.sort((a, b) => a.index - b.index);
    if (options.keepResults) await countOutputs(results, options.countTokens);
    return {
      results,
      startedAt: new Date(startAt),
      duration: Math.max(0, ...done.map((d) => d.duration)),
      notSent: done.reduce((sum, d) => sum + d.notSent, 0),
      // Sessions do not run on workers (refused by --multi-turn).
      turnsNotSent: 0,
      sendingEnded: Math.max(0, ...done.map((d) => d.sendingEnded)),
      eventLoopLag: done.flatMap((d) => d.eventLoopLag),
      pacingLag: worstLag(done.map((d) => d.pacingLag)),
    };
  } finally {
    options.stop?.removeEventListener("abort", onStop);
    options.signal?.removeEventListener("abort", onAbort);
    for (const worker of threads) worker.terminate();
  }
}
