/**
 * The serving model: how a simulated engine admits, batches and slows down,
 * as vLLM's scheduler does with continuous batching.
 *
 * - At most `maxNumSeqs` requests run at once (in prefill or decode); the
 *   others wait in one queue, first come first served: the head of the queue
 *   waits for room even when a later request would fit (vLLM's FCFS policy).
 * - A request is admitted only when its KV need (prompt tokens plus every
 *   token it will generate) fits in what the running requests leave of
 *   `kvCacheTokens`. Reserving the peak up front is what vLLM's block
 *   allocation reaches at the end of the request, so nothing is ever
 *   preempted; a request needing more than the whole budget runs alone.
 * - Once admitted, its first token is due `ttftMs + prefillMsPerToken ·
 *   promptTokens` later; the gap before each later chunk of k tokens is
 *   `k · (tpotMs + tpotGrowthMs · (b − 1))`, with `b` the running count when
 *   the chunk before it was written (for the first chunk, at admission).
 *
 * With the defaults (no limits, no prefill cost, no growth) every request is
 * admitted as it arrives and its deadlines are the fixed schedule of
 * `TokenPlan`: the engine only counts.
 *
 * @module
 */

import { TokenPlan } from "./_engine.ts";
import type { ChunkFault, StreamEncoder } from "./_engine.ts";
import type { ResolvedOptions } from "./_options.ts";

/** A request's place in the engine: waiting, then running, then done. */
export interface Ticket {
  /** KV-cache tokens it reserves while running. */
  readonly kvTokens: number;
  /** When it arrived (`performance.now()`): the admission time of a request admitted at once. */
  readonly arrival: number;
  /** Called once when it is admitted, with the admission time. */
  admitted(at: number): void;
  /** Called when the engine closes while it still waits. */
  aborted(reason: unknown): void;
}

/** What the engine holds at one moment (served as `GET /metrics`). */
export interface EngineStats {
  /** Requests admitted and not yet ended. */
  readonly running: number;
  /** Requests in the queue. */
  readonly waiting: number;
  /** KV-cache tokens reserved by the running requests. */
  readonly kvUsed: number;
  /** The budget, `null` when unlimited. */
  readonly kvTotal: number | null;
}

type State = "waiting" | "running" | "done";

/**
 * The admission queue and running batch of one simulated server. Requests
 * {@linkcode ServingEngine.enter} when the server starts serving them and
 * {@linkcode ServingEngine.leave} when they end for any reason (finished,
 * failed, cancelled while waiting).
 */
export class ServingEngine {
  readonly #maxRunning: number;
  readonly #kvTotal: number | null;
  readonly #states = new Map<Ticket, State>();
  /** Waiting tickets in arrival order; entries already gone are skipped. */
  #queue: Ticket[] = [];
  #head = 0;
  #waiting = 0;
  #running = 0;
  #kvUsed = 0;
  #closed = false;
  #closedReason: unknown;

  /** An engine with the limits of `options` (`maxNumSeqs`, `kvCacheTokens`). */
  constructor(options: Pick<ResolvedOptions, "maxNumSeqs" | "kvCacheTokens">) {
    this.#maxRunning = options.maxNumSeqs ?? Infinity;
    this.#kvTotal = options.kvCacheTokens;
  }

  /** Requests running now. */
  get running(): number {
    return this.#running;
  }

  /** What the engine holds now. */
  stats(): EngineStats {
    return {
      running: this.#running,
      waiting: this.#waiting,
      kvUsed: this.#kvUsed,
      kvTotal: this.#kvTotal,
    };
  }

  /**
   * Admits `ticket` at once (calling `admitted(ticket.arrival)` inside this
   * call) when nobody waits and it fits, else queues it. After
   * {@linkcode ServingEngine.close} it is aborted instead.
   */
  enter(ticket: Ticket): void {
    if (this.#closed) {
      ticket.aborted(this.#closedReason);
      return;
    }
    if (this.#waiting === 0 && this.#fits(ticket)) {
      this.#admit(ticket);
      ticket.admitted(ticket.arrival);
      return;
    }
    this.#states.set(ticket, "waiting");
    this.#queue.push(ticket);
    this.#waiting++;
  }

  /** `ticket` ended: frees its place, or takes it out of the queue, then admits who fits. */
  leave(ticket: Ticket): void {
    const state = this.#states.get(ticket);
    if (state === undefined || state === "done") return;
    this.#states.delete(ticket);
    if (state === "waiting") {
      this.#waiting--;
      return;
    }
    this.#running--;
    this.#kvUsed -= ticket.kvTokens;
    this.#drain();
  }

  /** Aborts every waiting request and every later one. Idempotent. */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedReason = reason;
    const waiting = this.#queue.slice(this.#head).filter((t) => this.#states.get(t) === "waiting");
    this.#queue = [];
    this.#head = 0;
    this.#waiting = 0;
    for (const ticket of waiting) {
      this.#states.delete(ticket);
      ticket.aborted(reason);
    }
  }

  /** Room for `ticket`: a free sequence and its KV need (or an empty engine). */
  #fits(ticket: Ticket): boolean {
    if (this.#running >= this.#maxRunning) return false;
    if (this.#kvTotal === null || this.#running === 0) return true;
    return this.#kvUsed + ticket.kvTokens <= this.#kvTotal;
  }

  #admit(ticket: Ticket): void {
    this.#states.set(ticket, "running");
    this.#running++;
    this.#kvUsed += ticket.kvTokens;
  }

  /** Admits from the head of the queue while it fits (FCFS: the head is never skipped). */
  #drain(): void {
    const admitted: Ticket[] = [];
    while (this.#head < this.#queue.length) {
      const ticket = this.#queue[this.#head];
      if (this.#states.get(ticket) !== "waiting") {
        this.#head++;
        continue;
      }
      if (!this.#fits(ticket)) break;
      this.#head++;
      this.#waiting--;
      this.#admit(ticket);
      admitted.push(ticket);
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    // Called after the state is settled: an admitted request may end (and
    // call leave) inside its callback.
    const now = performance.now();
    for (const ticket of admitted) ticket.admitted(now);
  }
}

/** Whether the time per token depends on the batch (`tpotGrowthMs > 0`). */
export function growsWithBatch(options: ResolvedOptions): boolean {
  return options.tpotGrowthMs > 0;
}

/** The time per token at a running batch of `b`: `tpotMs + tpotGrowthMs · (b − 1)`. */
export function tpotAt(
  options: Pick<ResolvedOptions, "tpotMs" | "tpotGrowthMs">,
  b: number,
): number {
  return options.tpotMs + options.tpotGrowthMs * Math.max(0, b - 1);
}

/**
 * The deadlines of one request's chunks when the time per token grows with
 * the running batch: each chunk is due a gap after the one before (planned,
 * not written, so timer lateness does not add up), the gap sampled from the
 * engine's running count when it is asked for, i.e. when the chunk before was
 * written. Chunks must be asked for in order, each once (as a paced stream
 * does).
 */
export class BatchClock {
  readonly #engine: ServingEngine;
  readonly #options: Pick<ResolvedOptions, "tpotMs" | "tpotGrowthMs">;
  readonly #tokens: number;
  readonly #perChunk: number;
  readonly #stallAt: number;
  readonly #stallMs: number;
  #firstDue: number;
  #lastToken = -1;
  #lastDue = 0;

  /** Times `tokens` tokens, `perChunk` a chunk, token 0 due at `firstDue` (before any queue wait). */
  constructor(engine: ServingEngine, options: ResolvedOptions, settings: {
    firstDue: number;
    tokens: number;
    tokensPerChunk: number;
    fault?: ChunkFault;
  }) {
    this.#engine = engine;
    this.#options = options;
    this.#firstDue = settings.firstDue;
    this.#tokens = settings.tokens;
    this.#perChunk = settings.tokensPerChunk;
    const { fault } = settings;
    this.#stallAt = fault?.kind === "stall" ? fault.chunk : Infinity;
    this.#stallMs = fault?.kind === "stall" ? fault.stallMs : 0;
  }

  /** The request waited `waitMs` in the queue: its first token moves by as much. */
  admittedAfter(waitMs: number): void {
    this.#firstDue += waitMs;
  }

  /** When chunk `index` is due; asked for in order. */
  dueAt(index: number): number {
    const lastToken = Math.min(this.#tokens, (index + 1) * this.#perChunk) - 1;
    const tpot = tpotAt(this.#options, this.#engine.running);
    const due = this.#lastToken < 0
      ? this.#firstDue + lastToken * tpot
      : this.#lastDue + (lastToken - this.#lastToken) * tpot;
    this.#lastToken = lastToken;
    this.#lastDue = index === this.#stallAt ? due + this.#stallMs : due;
    return this.#lastDue;
  }
}

/** A {@linkcode TokenPlan} whose deadlines come from a {@linkcode BatchClock}. */
export class BatchTokenPlan extends TokenPlan {
  readonly #clock: BatchClock;

  /** The plan of `TokenPlan`, timed by `clock` (which already carries any stall). */
  constructor(
    encoder: StreamEncoder,
    settings: ConstructorParameters<typeof TokenPlan>[1],
    clock: BatchClock,
  ) {
    super(encoder, settings);
    this.#clock = clock;
  }

  override admittedAfter(waitMs: number): void {
    this.#clock.admittedAfter(waitMs);
  }

  override dueAt(index: number): number {
    return this.#clock.dueAt(index);
  }
}
