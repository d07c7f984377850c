/**
 * The benchmark run: send each planned request at its offset, gather results.
 *
 * @module
 */
import type { Backend, GenerationRequest } from "../backends/types.ts";
import { seededRequest } from "../backends/sampling.ts";
import { monitorEventLoop } from "./_health.ts";
import { createPacer } from "./_pacer.ts";
import type { RequestResult } from "./result.ts";
import { Sample } from "../metrics/sample.ts";
import type { MetricStats } from "../metrics/types.ts";
import { countOutputs, sendRequest } from "./send.ts";
import { redactSecrets, secretValues } from "./secrets.ts";
import { InFlight, RequestEnded, type Timeouts, watchTimeouts } from "./watchdog.ts";
import { createTransport, type OutgoingRequest, type TransportName } from "./transport.ts";
import type { Sequence } from "../distributions/mod.ts";
import { type PhaseOptions, PhaseSorter } from "./phases.ts";
import { Slots } from "./_slots.ts";
import { followUp, type SessionPlan, turnsLeft } from "./sessions.ts";

/** No timeouts: a request may take as long as it takes. */
const NO_TIMEOUTS: Timeouts = { request: Infinity, stall: Infinity };

/** One request of the schedule. */
export interface PlannedRequest {
  /** Seconds from the run start at which to send it. */
  offset: number;
  /** What to generate. */
  request: GenerationRequest;
  /** Token count of `request.prompt`. */
  promptLen: number;
  /**
   * Its index in the whole plan, when that is not its position here (a
   * shard's requests; see `runner/shard.ts`): its result's `index` and
   * request id. Default: its position in `requests`. A session's turns
   * have consecutive indices (see `runner/sessions.ts`).
   */
  index?: number;
  /**
   * The multi-turn session this request opens (or continues): after it
   * ends, its next turn is sent think-time later, carrying the history
   * (`runner/sessions.ts`). Absent: a lone request.
   */
  session?: SessionPlan;
  /** Which turn of `session` it is, 0-based (default 0). */
  turn?: number;
}

/** Options of {@linkcode runSchedule}. */
export interface RunOptions {
  /** Full URL of the endpoint (base URL + endpoint path). */
  url: string;
  /** Server protocol. */
  backend: Backend;
  /**
   * The schedule, in offset order: an array, or a sequence that makes each
   * request as it is read (read once, one request ahead of its send time).
   */
  requests: Sequence<PlannedRequest>;
  /**
   * Every offset is 0, so nothing is waited for and no clock thread is
   * started. Default: read from `requests` when it is an array, else false.
   */
  allAtOnce?: boolean;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /**
   * The client tokenizer's count of an output (every output is counted, and
   * replaces the length where the server gave none). With `keepResults`
   * (default) it is called only after every request has finished, so it may
   * load a tokenizer lazily; with `keepResults: false`, as each request ends.
   * Absent, outputs are not counted here (a worker thread leaves that to the
   * thread it hands its results to).
   */
  countTokens?: (text: string) => number | Promise<number>;
  /** `http1` (default) or `fetch`. */
  transport?: TransportName;
  /**
   * Each request carries `x-request-id: <prefix><index>` (vLLM and the
   * simulator use it as the request id). Default: `mib-<random>-`.
   */
  requestIdPrefix?: string;
  /**
   * Called as each request finishes (progress bars, incremental files,
   * a `RunAccumulator`). With `keepResults: false` its output is counted first.
   */
  onResult?: (result: RequestResult) => void;
  /** Called as each request is sent (the live view counts requests in flight). */
  onSend?: () => void;
  /**
   * Keep every result in `RunResult.results` (default true); outputs are then
   * counted after the run. With false, each result is counted as it finishes
   * (give a `countTokens` that works off the main thread, as the CLI's worker
   * counter does), handed to `onResult` and dropped, so memory per request
   * stays constant over runs of millions of requests.
   */
  keepResults?: boolean;
  /**
   * Stops sending and ends the requests in flight at once: each records
   * `aborted: …` (the reason's message when it is a `RequestEnded`).
   */
  signal?: AbortSignal;
  /** Stops sending; requests in flight go on (an interrupt's grace period). */
  stop?: AbortSignal;
  /**
   * Wall-clock instant (epoch milliseconds) that is t = 0 of the plan: the
   * run waits until then (`--start-at`, shared by every shard). Default: now.
   */
  startAt?: number;
  /** Request and stall timeouts, seconds (default none). */
  timeouts?: Timeouts;
  /**
   * At most this many requests in flight at once (`--max-concurrency`;
   * default no cap). A request whose send time has come while this many are
   * in flight waits for one of them to end (`waitedForSlot`: a wait for a slot,
   * its own or an earlier request's, ended after its planned time). In flight: from
   * the send (`sendOffset`) until the response has been read to its end or
   * has failed, its connection is back in the keep-alive pool or closed, and
   * its result is made.
   */
  maxConcurrency?: number;
  /**
   * Stop sending at this many seconds from the run start (`--duration`):
   * requests planned later are not sent; those in flight finish.
   */
  duration?: number;
  /** Warm-up and cool-down requests (see `runner/phases.ts`); each result gets its `phase`. */
  phases?: PhaseOptions;
  /**
   * Receives a line per finished request (planned and actual send, first
   * byte, end, status, outcome) and the raw bytes of any response that failed
   * to parse. Absent (the default), nothing is stamped or kept for it.
   */
  debug?: (line: string) => void;
}

/** The outcome of a run. */
export interface RunResult {
  /**
   * One result per request sent, in schedule order (empty with `keepResults:
   * false`); each result's `index` is its plan index.
   */
  results: RequestResult[];
  /** Wall-clock start of the run (t = 0: `startAt` when given). */
  startedAt: Date;
  /** Run start → last response finished, seconds. */
  duration: number;
  /**
   * Planned requests never sent because the run was stopped (interrupt or
   * `duration`); of a multi-turn plan, the sessions never started.
   */
  notSent: number;
  /**
   * Later turns of started sessions that were not sent: the session ended
   * early (a turn failed) or sending stopped. 0 (or absent) without sessions.
   */
  turnsNotSent?: number;
  /** What stopped sending before the plan's end, if anything. */
  stoppedBy?: "duration" | "interrupt";
  /**
   * When sending ended, seconds from the run start: the last send when every
   * planned request went out, else the moment it was stopped (`duration` itself
   * for a duration stop). 0 when nothing was sent.
   */
  sendingEnded: number;
  /** Delay of event-loop probes during the run, ms (the client's own lateness). */
  eventLoopLag: number[];
  /**
   * Pacing lag, ms: actual − planned send time of each request planned after
   * the previous request went out. A request planned earlier waits behind the
   * plan's own backlog (a burst at `poisson inf` sends one request after
   * another), which says nothing of the client; these lags do. Null when no
   * request qualified.
   */
  pacingLag: MetricStats | null;
}

/** Resolves at `deadline` (`performance.now()` ms; a timer, never early) or when `signal` aborts. */
function _sleepUntil(deadline: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      if (performance.now() < deadline && !signal?.aborted) {
        // A timer may fire up to 1 ms before a fractional delay.
        timer = setTimeout(done, 1);
        return;
      }
      signal?.removeEventListener("abort", done);
      clearTimeout(timer);
      resolve();
    };
    let timer = setTimeout(done, Math.max(0, Math.ceil(deadline - performance.now())));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/**
 * Sends every planned request at its offset (all that are due at once go out
 * together) and waits for all of them. Timing starts when this is called.
 *
 * @example
 * ```ts
 * import { getBackend } from "../backends/mod.ts";
 * import { runSchedule } from "./run.ts";
 *
 * const run = await runSchedule({
 *   url: "http://127.0.0.1:8000/v1/completions",
 *   backend: getBackend("openai"),
 *   requests: [{ offset: 0, promptLen: 3, request: { prompt: "Hello there!", maxTokens: 16 } }],
 *   countTokens: (text) => text.split(" ").length,
 * });
 * run.results[0].ttft; // seconds, or null
 * ```
 */
export async function runSchedule(options: RunOptions): Promise<RunResult> {
  const { requests, signal, backend } = options;
  const url = new URL(options.url);
  const transport = createTransport(options.transport ?? "http1", url.origin, {
    connectTimeout: options.timeouts?.connect,
  });
  // A server may echo the request's headers in an error body: no key leaves through it.
  const secrets = secretValues(options.headers);
  const debug = options.debug;
  const context = {
    transport,
    backend,
    signal,
    debug: debug && secrets.length > 0
      ? (line: string) => debug(redactSecrets(line, secrets))
      : debug,
  };
  const live = new Set<InFlight>();
  const stopWatching = watchTimeouts(live, options.timeouts ?? NO_TIMEOUTS);
  const abortLive = () => {
    const reason = signal?.reason;
    const message = reason instanceof RequestEnded
      ? reason.message
      : "aborted: the run was stopped";
    for (const request of live) request.end(message);
  };
  signal?.addEventListener("abort", abortLive, { once: true });
  // Sending stops on either signal; in flight, only `signal` ends requests.
  const stopSending = options.stop && signal
    ? AbortSignal.any([options.stop, signal])
    : options.stop ?? signal;
  const prefix = options.requestIdPrefix ??
    `mib-${crypto.randomUUID().slice(0, 8)}-`;
  const encoder = new TextEncoder();
  const path = url.pathname + url.search;
  // Built just before waiting for its send time, so serialising stays off the
  // send path without holding every request's bytes for the whole run.
  const outgoing = (i: number, planned: PlannedRequest): OutgoingRequest => {
    const built = backend.buildRequest(seededRequest(planned.request, i));
    return {
      path,
      headers: { ...built.headers, ...options.headers, "x-request-id": `${prefix}${i}` },
      body: encoder.encode(built.body),
    };
  };
  const pacer = createPacer();
  // A schedule that waits at all gets its clock thread started before t = 0.
  const allAtOnce = options.allAtOnce ??
    (Array.isArray(requests) && requests.every((r) => r.offset === 0));
  const waits = !allAtOnce || options.startAt !== undefined;
  if (waits && requests.length > 0) await pacer.start();
  const loop = monitorEventLoop();
  // t = 0 on this thread's clock: now, or the shared wall-clock instant.
  const start = options.startAt === undefined
    ? performance.now()
    : options.startAt - performance.timeOrigin;
  const startedAt = options.startAt === undefined
    ? new Date(performance.timeOrigin + start)
    : new Date(options.startAt);
  const keep = options.keepResults ?? true;
  const results: RequestResult[] = [];
  let failure: { error: unknown } | undefined;
  let lastEnd = start;
  // Requests in flight, plus 1 for the send loop itself until it is done.
  let pending = 1;
  const drained = Promise.withResolvers<void>();
  const settle = () => {
    if (--pending === 0) drained.resolve();
  };
  const finish = async (result: RequestResult) => {
    if (secrets.length > 0 && !result.success) {
      result.error = redactSecrets(result.error, secrets);
      result.notes = result.notes.map((note) => redactSecrets(note, secrets));
    }
    // Sorted by plan index at the end: a shard's indices are not positions.
    if (keep) results.push(result);
    else if (options.countTokens) await countOutputs([result], options.countTokens);
    options.onResult?.(result);
  };
  const fail = (error: unknown) => (failure ??= { error });
  // A result whose phase is known is handed over like any other.
  const phases = options.phases?.warmup === undefined && options.phases?.cooldown === undefined
    ? undefined
    : new PhaseSorter<RequestResult>(options.phases!, (result, phase) => {
      result.phase = phase;
      pending++;
      finish(result).catch(fail).finally(settle);
    });
  const slots = new Slots(options.maxConcurrency ?? Infinity);
  const stopAt = options.duration === undefined ? Infinity : start + options.duration * 1000;
  const byDuration = stopAt === Infinity ? undefined : new AbortController();
  // Rounded up: a timer may fire up to 1 ms before a fractional delay.
  const durationTimer = byDuration &&
    setTimeout(() => byDuration.abort(), Math.ceil(stopAt - performance.now()));
  const sendStop = byDuration === undefined
    ? stopSending
    : stopSending === undefined
    ? byDuration.signal
    : AbortSignal.any([stopSending, byDuration.signal]);
  const pacing = new Sample();
  let lastSend = -Infinity;
  let sent = 0;
  let stoppedBy: RunResult["stoppedBy"];
  /** When the send loop last got a slot it had waited for. */
  let slotFreed = -Infinity;
  // Which signal ended the wait: an interrupt wins over the duration.
  const stopped = () => (stoppedBy = stopSending?.aborted ? "interrupt" : "duration");
  /** Sessions whose later turns may still be sent, and what resolves when none are. */
  let following = 0;
  let turnsNotSent = 0;
  const followed = Promise.withResolvers<void>();
  const sessionEnded = (left: number) => {
    turnsNotSent += left;
    if (--following === 0 && sendLoopDone) followed.resolve();
  };
  let sendLoopDone = false;
  // Sends `planned` now (`sendTime`): the one path of every request, lone or a session's turn.
  const launch = (
    planned: PlannedRequest,
    i: number,
    request: OutgoingRequest,
    sendTime: number,
    waited: boolean,
  ) => {
    lastSend = Math.max(lastSend, sendTime);
    const plan = {
      index: i,
      plannedOffset: planned.offset,
      promptLen: planned.promptLen,
      request: planned.request,
    };
    const warmup = phases?.sent(i, (sendTime - start) / 1000) ?? false;
    pending++;
    slots.take();
    options.onSend?.();
    if (planned.session !== undefined && (planned.turn ?? 0) === 0) following++;
    // Not kept in a list: a million settled promises would outweigh the results.
    const watched = new InFlight(sendTime);
    live.add(watched);
    sendRequest(context, request, plan, start, watched, sendTime)
      .finally(() => {
        live.delete(watched);
        // No longer in flight: its response is read and its connection released.
        slots.release();
      })
      .then((result) => {
        // Now, not when handed over: a possible cool-down is handed over later.
        lastEnd = Math.max(lastEnd, performance.now());
        if (waited) result.waitedForSlot = true;
        if (planned.session !== undefined) {
          result.session = planned.session.id;
          result.turn = planned.turn ?? 0;
          continueSession(planned, result);
        }
        if (phases === undefined) return finish(result);
        phases.finished(result, i, result.sendOffset, warmup, (performance.now() - start) / 1000);
      })
      .catch(fail)
      .finally(settle);
  };
  // After a session's turn: its next turn, think-time after this one ended.
  const continueSession = (planned: PlannedRequest, result: RequestResult) => {
    if (turnsLeft(planned) === 0) return sessionEnded(0);
    const end = start + (result.sendOffset + result.latency) * 1000;
    pending++;
    (async () => {
      const replyLen = !result.success
        ? 0
        : options.countTokens
        ? await options.countTokens(result.text)
        : result.outputLen;
      const next = followUp(planned, result, replyLen, (end - start) / 1000);
      if (next === undefined || failure !== undefined) return sessionEnded(turnsLeft(planned));
      const i = next.index!;
      const due = start + next.offset * 1000;
      const request = outgoing(i, next);
      await _sleepUntil(Math.min(due, stopAt), sendStop);
      let slotWaitEnded = -Infinity;
      while (!slots.free && !sendStop?.aborted) {
        await slots.wait(sendStop);
        slotWaitEnded = performance.now();
      }
      const sendTime = performance.now();
      if (sendStop?.aborted || sendTime >= stopAt || failure !== undefined) {
        if (sendStop?.aborted || sendTime >= stopAt) stopped();
        return sessionEnded(turnsLeft(planned));
      }
      launch(next, i, request, sendTime, slotWaitEnded > due);
    })().catch(fail).finally(settle);
  };
  // Read one request ahead of its send time: a lazy plan is made as it goes.
  const planned = requests[Symbol.iterator]();
  try {
    for (; sent < requests.length && failure === undefined; sent++) {
      if (sendStop?.aborted) {
        stopped();
        break;
      }
      const position = sent;
      const next = planned.next();
      if (next.done) break;
      const { offset } = next.value;
      const i = next.value.index ?? position;
      const due = start + offset * 1000;
      if (due >= stopAt) {
        stoppedBy = "duration";
        break;
      }
      const request = outgoing(i, next.value);
      await pacer.until(due, sendStop);
      if (sendStop?.aborted) {
        stopped();
        break;
      }
      if (!slots.free) {
        // Again when woken: a session's next turn may have taken the slot first.
        while (!slots.free && !sendStop?.aborted) await slots.wait(sendStop);
        if (sendStop?.aborted) {
          stopped();
          break;
        }
        slotFreed = performance.now();
      }
      const sendTime = performance.now();
      if (sendTime >= stopAt) {
        stoppedBy = "duration";
        break;
      }
      // Held back by the cap: a wait for a slot (its own or an earlier
      // request's) ended after it was due. That wait is the cap's, not the
      // client's lateness: no pacing lag.
      const waited = slotFreed > due;
      if (!waited && due > lastSend) pacing.add(sendTime - due);
      launch(next.value, i, request, sendTime, waited);
    }
  } catch (error) {
    fail(error);
  }
  // Sessions send on after the last first turn: sending ends with their last turn.
  sendLoopDone = true;
  if (following > 0) await followed.promise;
  const sendingEnded = stoppedBy === "duration"
    ? options.duration!
    : stoppedBy === "interrupt"
    ? (performance.now() - start) / 1000
    : sent === 0
    ? 0
    : (lastSend - start) / 1000;
  clearTimeout(durationTimer);
  phases?.end(sendingEnded);
  try {
    // Requests already sent finish (and are handed over) before anything is closed.
    settle();
    await drained.promise;
    if (failure !== undefined) throw failure.error;
    const eventLoopLag = loop.stop();
    results.sort((a, b) => a.index - b.index);
    if (keep && options.countTokens) await countOutputs(results, options.countTokens);
    return {
      results,
      startedAt,
      duration: (lastEnd - start) / 1000,
      notSent: requests.length - sent,
      turnsNotSent,
      stoppedBy,
      sendingEnded,
      eventLoopLag,
      pacingLag: pacing.stats([90, 99]),
    };
  } finally {
    loop.stop();
    stopWatching();
    signal?.removeEventListener("abort", abortLive);
    pacer.close();
    transport.close();
  }
}
