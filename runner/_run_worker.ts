/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
/**
 * One sending thread of `--workers N`: it makes the plan itself from the
 * same options (so the main thread sends it nothing per request), keeps its
 * shard, and runs it on its own transport and event loop, handing each
 * finished result to the main thread, which counts, records and writes it.
 *
 * Messages in: a {@link WorkerJob}, then `{ type: "go", startAt }`, and
 * `{ type: "stop" }` or `{ type: "abort", reason }` on an interrupt.
 * Messages out: {@link WorkerReport}s.
 *
 * @module
 */
import { getBackend } from "../backends/mod.ts";
import { UsageError } from "../errors.ts";
import { lazyTokenizer } from "../tokenizers/choose.ts";
import { planDatasetRun } from "./plan.ts";
import { runSchedule } from "./run.ts";
import { shardRequests } from "./shard.ts";
import { RequestEnded } from "./watchdog.ts";
import type { WorkerJob, WorkerOrder, WorkerReport } from "./workers.ts";

const post = (report: WorkerReport) => self.postMessage(report);
const stop = new AbortController();
const abort = new AbortController();
let go: ((startAt: number) => void) | undefined;
const started = new Promise<number>((resolve) => (go = resolve));

async function work(job: WorkerJob): Promise<void> {
  const backend = getBackend(job.backend, job.endpoint);
  const plan = await planDatasetRun({ ...job.plan, tokenizer: lazyTokenizer(job.tokenizer) });
  const requests = shardRequests(plan.requests, job.shard);
  post({ type: "ready", length: requests.length });
  const startAt = await started;
  const run = await runSchedule({
    url: job.url,
    backend,
    requests,
    allAtOnce: plan.allAtOnce,
    headers: job.headers,
    transport: job.transport,
    requestIdPrefix: job.requestIdPrefix,
    keepResults: false,
    onResult: (result) => post({ type: "result", result }),
    signal: abort.signal,
    stop: stop.signal,
    startAt,
    timeouts: job.timeouts,
    debug: job.debug ? (line) => post({ type: "debug", line }) : undefined,
  });
  post({
    type: "done",
    duration: run.duration,
    notSent: run.notSent,
    sendingEnded: run.sendingEnded,
    eventLoopLag: run.eventLoopLag,
    pacingLag: run.pacingLag,
  });
}

self.onmessage = (event: MessageEvent<WorkerJob | WorkerOrder>) => {
  const message = event.data;
  if (message.type === "job") {
    work(message).catch((error) =>
      post({
        type: "error",
        message: error instanceof Error ? error.message : String(error),
        usage: error instanceof UsageError ? { flag: error.flag, detail: error.detail } : undefined,
      })
    );
  } else if (message.type === "go") go?.(message.startAt);
  else if (message.type === "stop") stop.abort();
  else abort.abort(new RequestEnded(message.reason));
};
