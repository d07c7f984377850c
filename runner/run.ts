/**
 * The benchmark run: send each planned request at its offset, gather results.
 *
 * @module
 */
import type { Backend, GenerationRequest } from "../backends/types.ts";
import type { RequestResult } from "./result.ts";
import { sendRequest } from "./send.ts";

/** One request of the schedule. */
export interface PlannedRequest {
  /** Seconds from the run start at which to send it. */
  offset: number;
  /** What to generate. */
  request: GenerationRequest;
  /** Token count of `request.prompt`. */
  promptLen: number;
}

/** Options of {@linkcode runBenchmark}. */
export interface RunOptions {
  /** Full URL of the endpoint (base URL + endpoint path). */
  url: string;
  /** Server protocol. */
  backend: Backend;
  /** The schedule, in offset order. */
  requests: readonly PlannedRequest[];
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Client-side token counter for outputs the server does not count. */
  countTokens: (text: string) => number;
  /** Called as each request finishes (progress bars). */
  onResult?: (result: RequestResult) => void;
  /** Stops sending and aborts requests in flight. */
  signal?: AbortSignal;
}

/** The outcome of a run. */
export interface RunResult {
  /** One result per request sent, in schedule order. */
  results: RequestResult[];
  /** Wall-clock start of the run. */
  startedAt: Date;
  /** Run start → last response finished, seconds. */
  duration: number;
  /** Planned requests never sent because the run was aborted. */
  notSent: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(id);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const id = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Sends every planned request at its offset (all that are due at once go out
 * together) and waits for all of them. Timing starts when this is called.
 *
 * @example
 * ```ts
 * const run = await runBenchmark({
 *   url: "http://127.0.0.1:8000/v1/completions",
 *   backend: getBackend("openai"),
 *   requests: [{ offset: 0, promptLen: 3, request: { prompt: "Hello there!", maxTokens: 16 } }],
 *   countTokens: (text) => tokenizer.count(text),
 * });
 * ```
 */
export async function runBenchmark(options: RunOptions): Promise<RunResult> {
  const { requests, signal } = options;
  const context = {
    url: options.url,
    backend: options.backend,
    headers: options.headers,
    countTokens: options.countTokens,
    signal,
  };
  // Build every body up front so serialisation stays out of the send path.
  const bodies = requests.map((planned) => options.backend.buildRequest(planned.request));
  const startedAt = new Date();
  const start = performance.now();
  const pending: Promise<RequestResult>[] = [];
  let lastEnd = start;
  for (let i = 0; i < requests.length && !signal?.aborted; i++) {
    const due = start + requests[i].offset * 1000;
    // Timers may fire a fraction of a millisecond early: never send before the plan.
    for (
      let wait = due - performance.now();
      wait > 0 && !signal?.aborted;
      wait = due - performance.now()
    ) {
      await sleep(wait, signal);
    }
    if (signal?.aborted) break;
    const plan = {
      index: i,
      plannedOffset: requests[i].offset,
      promptLen: requests[i].promptLen,
      maxTokens: requests[i].request.maxTokens,
    };
    pending.push(
      sendRequest(context, bodies[i], plan, start).then((result) => {
        lastEnd = Math.max(lastEnd, performance.now());
        options.onResult?.(result);
        return result;
      }),
    );
  }
  const results = await Promise.all(pending);
  return {
    results,
    startedAt,
    duration: (lastEnd - start) / 1000,
    notSent: requests.length - results.length,
  };
}
