/**
 * Timer-driven delivery on an absolute schedule, shared by every response of
 * one server.
 *
 * Deadlines are absolute `performance.now()` values computed from the
 * request's arrival, never "previous write + delay", so timer lateness does
 * not accumulate over a long response.
 *
 * One {@linkcode Scheduler} per server keeps every pending deadline in a
 * min-heap and arms a single timer for the earliest. Thousands of streams at a
 * few milliseconds per token would otherwise keep thousands of timers in
 * flight and pay one timer callback per chunk; with one timer, a wake-up
 * writes the chunks that have come due, so the per-chunk cost in JavaScript is
 * a heap step, the chunk's bytes and the enqueue.
 *
 * @module
 */

import { clearImmediate, setImmediate } from "node:timers";
import { splitPieces } from "./_fault_bytes.ts";

/** How many 1 ms waits a cut gives the reader to pull the chunks before it. */
const CUT_DRAIN_TRIES = 50;
/**
 * Chunks written per event-loop turn while the schedule is being kept.
 *
 * Enqueued bytes reach the socket only after the JavaScript turn ends, when
 * Deno's HTTP layer runs: a wake-up that wrote fifty due chunks in a row would
 * send the first only after the other forty-nine were built, so the write
 * times in the record would run ahead of the wire by most of a millisecond at
 * a few hundred streams, and the ground truth would carry the server's own
 * batching. Yielding through `setImmediate` (microseconds; a timer would cost
 * at least a millisecond) after each chunk keeps that gap to tens of
 * microseconds, for about two microseconds of event-loop work per chunk.
 */
const FIRES_PER_TURN = 1;

/**
 * How late the next chunk must be for the scheduler to count as behind. Then
 * it writes up to {@linkcode CATCH_UP_FIRES} chunks per turn: the extra turns
 * would cost throughput exactly when the server cannot keep up (thousands of
 * connections opening at once), and the timing is already off by more than
 * the batching adds. Above the usual lateness of a wake-up (Deno's timers
 * fire up to about two milliseconds late).
 */
const BEHIND_MS = 5;

/**
 * Chunks written per turn while behind; still bounded, so what was enqueued
 * keeps flowing to the sockets instead of piling up in memory.
 */
const CATCH_UP_FIRES = 64;

/** Something the {@linkcode Scheduler} runs at a deadline. */
export interface Timed {
  /** Absolute `performance.now()` time of the next action; read when (re)scheduled. */
  due: number;
  /** Index in the scheduler's heap, `-1` when not scheduled. Owned by the scheduler. */
  slot: number;
  /**
   * Runs the action that is due. Returns `true` to be scheduled again at the
   * (updated) `due`, `false` when done.
   */
  fire(): boolean;
  /** The scheduler is closing: end without further actions. */
  abort(reason: unknown): void;
}

/**
 * A min-heap of {@linkcode Timed} items keyed by `due`, driven by one timer.
 *
 * Items never run before their deadline: a wake-up runs only what is due by a
 * fresh `performance.now()`, and the timer is armed for a whole number of
 * milliseconds rounded up, because Deno truncates fractional delays (a timer
 * asked for 4.9 ms may fire after 4). Items that come due while earlier ones
 * are being written run in the same wake-up, one per event-loop turn (see
 * {@linkcode FIRES_PER_TURN}).
 */
export class Scheduler {
  readonly #heap: Timed[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #immediate: ReturnType<typeof setImmediate> | undefined;
  /** The deadline the timer is armed for (`Infinity` when unarmed). */
  #timerDue = Infinity;
  #closedReason: unknown = undefined;
  #closed = false;

  /** Number of scheduled items. */
  get size(): number {
    return this.#heap.length;
  }

  /**
   * Schedules `item` at `item.due`. An item already due runs at once, inside
   * this call, so a zero delay adds no timer latency. After
   * {@linkcode Scheduler.close} the item is aborted instead.
   */
  add(item: Timed): void {
    if (this.#closed) {
      item.abort(this.#closedReason);
      return;
    }
    this.#push(item);
    if (item.due <= performance.now()) this.#run();
    else this.#arm();
  }

  /** Unschedules `item` (a no-op when it is not scheduled). */
  remove(item: Timed): void {
    if (item.slot < 0) return;
    this.#removeAt(item.slot);
    if (this.#heap.length === 0) this.#disarm();
  }

  /**
   * Aborts every scheduled item with `reason`, clears the timer and aborts any
   * item added later. Idempotent.
   */
  close(reason: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closedReason = reason;
    this.#disarm();
    const items = this.#heap.splice(0);
    for (const item of items) {
      item.slot = -1;
      item.abort(reason);
    }
  }

  /** The timer callback: write what is due, then re-arm for the rest. */
  #wake = (): void => {
    this.#timer = undefined;
    this.#timerDue = Infinity;
    this.#run();
  };

  #run(): void {
    const heap = this.#heap;
    let now = performance.now();
    let fired = 0;
    while (heap.length > 0) {
      const item = heap[0];
      if (item.due > now) break;
      if (fired >= (now - item.due > BEHIND_MS ? CATCH_UP_FIRES : FIRES_PER_TURN)) {
        this.#yield();
        return;
      }
      const again = item.fire();
      fired++;
      // fire() may have changed the heap (an abort reached through the
      // stream), so the item is found again by its slot rather than assumed
      // to be still on top.
      if (item.slot >= 0) {
        if (again) this.#update(item.slot);
        else this.#removeAt(item.slot);
      }
      now = performance.now();
    }
    this.#arm();
  }

  /** Continues on the next event-loop turn, after the HTTP layer has sent what is queued. */
  #yield(): void {
    this.#immediate ??= setImmediate(this.#resume);
  }

  #resume = (): void => {
    this.#immediate = undefined;
    this.#run();
  };

  /** Arms the timer for the earliest deadline. */
  #arm(): void {
    if (this.#heap.length === 0) {
      this.#disarm();
      return;
    }
    const due = this.#heap[0].due;
    if (this.#timer !== undefined && this.#timerDue <= due) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timerDue = due;
    this.#timer = setTimeout(this.#wake, Math.max(0, Math.ceil(due - performance.now())));
  }

  /** Nothing left to run: drop the timer and any pending continuation. */
  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#timerDue = Infinity;
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#immediate = undefined;
  }

  // Binary heap on `due`; every move keeps `slot` in step so items can be
  // removed or re-keyed in O(log n) wherever they sit.

  #push(item: Timed): void {
    item.slot = this.#heap.length;
    this.#heap.push(item);
    this.#siftUp(item.slot);
  }

  #removeAt(index: number): void {
    const heap = this.#heap;
    const item = heap[index];
    const last = heap.pop()!;
    item.slot = -1;
    if (last !== item) {
      heap[index] = last;
      last.slot = index;
      this.#update(index);
    }
  }

  /** Restores the heap order after the item at `index` changed its `due`. */
  #update(index: number): void {
    if (index > 0 && this.#heap[index].due < this.#heap[(index - 1) >> 1].due) {
      this.#siftUp(index);
    } else {
      this.#siftDown(index);
    }
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const item = heap[index];
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent.due <= item.due) break;
      heap[index] = parent;
      parent.slot = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.slot = index;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const item = heap[index];
    while (true) {
      let child = 2 * index + 1;
      if (child >= length) break;
      if (child + 1 < length && heap[child + 1].due < heap[child].due) child++;
      if (heap[child].due >= item.due) break;
      heap[index] = heap[child];
      heap[index].slot = index;
      index = child;
    }
    heap[index] = item;
    item.slot = index;
  }
}

/**
 * Resolves `true` once `performance.now()` reaches `deadline`, or `false` if
 * `scheduler` closes first (nothing is left pending either way).
 */
export function waitUntil(scheduler: Scheduler, deadline: number): Promise<boolean> {
  const { promise, resolve } = Promise.withResolvers<boolean>();
  scheduler.add({
    due: deadline,
    slot: -1,
    fire: () => {
      resolve(true);
      return false;
    },
    abort: () => resolve(false),
  });
  return promise;
}

/** What a paced stream writes and when. Chunks are built lazily, when due. */
export interface PacedPlan {
  /** Written as soon as the stream opens, unpaced (e.g. the chat role chunk). */
  readonly initial: Uint8Array | undefined;
  /** Number of paced chunks; at least 1. */
  readonly count: number;
  /** Absolute `performance.now()` time at which chunk `index` is due. */
  dueAt(index: number): number;
  /** Bytes of chunk `index`. */
  chunk(index: number): Uint8Array;
  /** Tokens carried by chunk `index`. */
  tokens(index: number): number;
  /** Written right after the last chunk (usage chunk and `[DONE]`), then the stream closes. */
  trailer(): Uint8Array;
  /**
   * Index of the chunk whose deadline brings an injected failure instead of
   * the chunk, or `-1` for none. Chunks before it go out as usual.
   */
  readonly failAt: number;
  /**
   * The bytes of the injected failure (the protocol's mid-stream error
   * form), after which the stream closes; `undefined` cuts the response off
   * instead, as a server process dying mid-stream does.
   */
  failure(): Uint8Array | undefined;
  /**
   * Index of the chunk written a few bytes at a time, one piece every
   * {@linkcode SPLIT_GAP_MS} (an injected `junk:split` fault), or `-1`.
   */
  readonly splitAt: number;
}

/**
 * The place a paced stream holds in the server's serving engine (see
 * `_serving.ts`): it starts writing once admitted and frees the place however
 * it ends.
 */
export interface Seat {
  /**
   * Calls `start` once the stream is admitted (inside this call when at
   * once), or `abort` when the server closes while it still waits.
   */
  take(start: () => void, abort: (reason: unknown) => void): void;
  /** The stream ended, failed or was cancelled (perhaps while still waiting). */
  free(): void;
}

/** Milliseconds between the pieces of a chunk written a few bytes at a time. */
export const SPLIT_GAP_MS = 1;

/**
 * Where a paced stream notes when it wrote what: parallel arrays, one entry per
 * paced chunk, kept as plain numbers so that long runs stay compact.
 */
export interface WriteLog {
  /** `performance.now()` right after each paced chunk was enqueued. */
  readonly writes: number[];
  /** Tokens carried by each of those chunks. */
  readonly tokens: number[];
  /** `performance.now()` when the stream closed, errored or was cancelled; `null` until then. */
  end: number | null;
  /** Set when the stream ended with an injected failure (see {@linkcode PacedPlan.failAt}). */
  error?: true;
}

/**
 * One streamed response: writes `plan`'s chunks at their deadlines through
 * `scheduler`, noting each write in `log` when one is given.
 *
 * When the scheduler closes (the server is shutting down) the body errors, so
 * the client sees a truncated response rather than one that looks complete.
 * Cancellation by the reader (Deno cancels the body when the client
 * disconnects) unschedules it.
 */
class PacedStream implements Timed {
  due: number;
  slot = -1;
  readonly body: ReadableStream<Uint8Array>;
  readonly #plan: PacedPlan;
  readonly #scheduler: Scheduler;
  readonly #log: WriteLog | undefined;
  readonly #seat: Seat | undefined;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #next = 0;
  #done = false;
  /** The pieces of a split chunk still to write (see `PacedPlan.splitAt`). */
  #pieces: Uint8Array[] | undefined;

  constructor(
    plan: PacedPlan,
    scheduler: Scheduler,
    log: WriteLog | undefined,
    seat: Seat | undefined,
  ) {
    this.#plan = plan;
    this.#scheduler = scheduler;
    this.#log = log;
    this.#seat = seat;
    this.due = 0;
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        if (plan.initial) controller.enqueue(plan.initial);
        if (seat === undefined) this.#begin();
        else seat.take(this.#begin, (reason) => this.abort(reason));
      },
      cancel: () => {
        this.#finish();
        this.#scheduler.remove(this);
      },
    });
  }

  /** Admitted: the first chunk's deadline is read now (it may depend on the wait). */
  #begin = (): void => {
    if (this.#done) return;
    this.due = this.#plan.dueAt(0);
    this.#scheduler.add(this);
  };

  fire(): boolean {
    if (this.#pieces !== undefined) return this.#piece();
    const plan = this.#plan;
    const index = this.#next++;
    if (index === plan.failAt) {
      this.#fail();
      return false;
    }
    if (index === plan.splitAt) {
      this.#pieces = splitPieces(plan.chunk(index)).reverse();
      return this.#piece();
    }
    if (!this.#enqueue(plan.chunk(index))) return false;
    return this.#wrote(index);
  }

  /**
   * Enqueues `bytes`; `false` (and the stream stops) when the body can no
   * longer take bytes (it was errored or cancelled in a way that did not reach
   * cancel()): a throw here would escape the timer callback and end the
   * process.
   */
  #enqueue(bytes: Uint8Array): boolean {
    try {
      this.#controller.enqueue(bytes);
      return true;
    } catch {
      this.#finish();
      return false;
    }
  }

  /** Writes the next piece of a split chunk; the chunk counts as written with its last piece. */
  #piece(): boolean {
    const pieces = this.#pieces!;
    if (!this.#enqueue(pieces.pop()!)) return false;
    if (pieces.length > 0) {
      this.due = performance.now() + SPLIT_GAP_MS;
      return true;
    }
    this.#pieces = undefined;
    return this.#wrote(this.#next - 1);
  }

  /** Notes that chunk `index` went out, then schedules the next or ends the stream. */
  #wrote(index: number): boolean {
    const plan = this.#plan;
    const log = this.#log;
    if (log) {
      log.writes.push(performance.now());
      log.tokens.push(plan.tokens(index));
    }
    if (this.#next < plan.count) {
      this.due = plan.dueAt(this.#next);
      return true;
    }
    this.#controller.enqueue(plan.trailer());
    this.#controller.close();
    this.#finish();
    return false;
  }

  /** Sends the injected failure in place of the chunk that was due, and ends. */
  #fail(): void {
    if (this.#log) this.#log.error = true;
    const bytes = this.#plan.failure();
    this.#finish();
    try {
      if (bytes === undefined) {
        // Deno ends an errored body without its terminating chunk: to the
        // client, a connection that broke mid-response. (The server's onError
        // hook receives the reason and stays quiet.)
        this.#cutWhenDrained(CUT_DRAIN_TRIES);
      } else {
        this.#controller.enqueue(bytes);
        this.#controller.close();
      }
    } catch {
      // The reader already went away; nothing left to tell it.
    }
  }

  /**
   * Errors the body once the reader has pulled every chunk already written:
   * an error drops what is still queued, and a chunk the record says went
   * out must reach the wire before the cut (a loaded server pulls late).
   * Gives up waiting after `tries` ms.
   */
  #cutWhenDrained(tries: number): void {
    const queued = this.#controller.desiredSize;
    if (queued !== null && queued < 1 && tries > 0) {
      setTimeout(() => this.#cutWhenDrained(tries - 1), 1);
      return;
    }
    try {
      this.#controller.error(new DOMException("Injected failure (failAfter).", "AbortError"));
    } catch {
      // The reader already went away; nothing left to tell it.
    }
  }

  abort(reason: unknown): void {
    if (this.#done) return;
    this.#finish();
    try {
      this.#controller.error(reason);
    } catch {
      // The body was already cancelled by the reader; nothing left to end.
    }
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    if (this.#log) this.#log.end = performance.now();
    this.#seat?.free();
  }
}

/**
 * A response body that writes `plan`'s chunks at their deadlines, noting each
 * write in `log` when one is given, once `seat` (when given) admits it. See
 * {@linkcode Scheduler} for the timing guarantees; chunks already overdue (the
 * event loop was busy) go out back to back rather than shifting the rest of
 * the schedule.
 */
export function pacedStream(
  plan: PacedPlan,
  scheduler: Scheduler,
  log?: WriteLog,
  seat?: Seat,
): ReadableStream<Uint8Array> {
  return new PacedStream(plan, scheduler, log, seat).body;
}
