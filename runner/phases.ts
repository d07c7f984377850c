/**
 * Warm-up and cool-down (`--warmup`, `--cooldown`): which requests of a run
 * are sent under the same load but left out of every statistic.
 *
 * Requests are numbered k = 0, 1, … in the order they are sent, and s_k is
 * request k's send offset (seconds from the run start). With E the moment
 * sending ended (the last send when every planned request went out; the
 * `--duration` or interrupt stop otherwise):
 *
 * - warm-up `N` requests: k < N; warm-up `S` s: s_k < S. Known at the send.
 * - cool-down `N` requests: k ≥ sent − N (the last N sent); cool-down `S` s:
 *   s_k ≥ E − S (sent in the last S seconds of sending). A request that is
 *   both is warm-up.
 * - every other request is measured.
 *
 * Cool-down is known for sure only once sending has gone N requests or S
 * seconds past a request, or has ended; until then a finished request is held
 * back (so a streamed result file gets its line a little later).
 *
 * @module
 */
import { UsageError } from "../errors.ts";

/** The phase of a request: how the run's statistics treat it. */
export type Phase = "warmup" | "measured" | "cooldown";

/** A warm-up or cool-down length: a number of requests or of seconds. */
export type PhaseBound = { readonly requests: number } | { readonly seconds: number };

/** The run's warm-up and cool-down, each absent for none. */
export interface PhaseOptions {
  /** The first requests sent, or those sent in the first seconds. */
  warmup?: PhaseBound;
  /** The last requests sent, or those sent in the last seconds of sending. */
  cooldown?: PhaseBound;
}

/**
 * `--warmup` / `--cooldown`'s value: an integer ≥ 0 of requests (`20`, or
 * the number 20 from a config file) or seconds ≥ 0 with an `s` (`10s`,
 * `2.5s`). Zero of either means none (undefined).
 *
 * @throws {UsageError} naming `flag` for any other form.
 *
 * @example
 * ```ts
 * parsePhaseBound("20", "--warmup"); // { requests: 20 }
 * parsePhaseBound("2.5s", "--warmup"); // { seconds: 2.5 }
 * parsePhaseBound(0, "--cooldown"); // undefined
 * ```
 */
export function parsePhaseBound(value: string | number, flag: string): PhaseBound | undefined {
  const text = String(value).trim();
  const seconds = /^(\d+(?:\.\d+)?|\.\d+)s$/.exec(text);
  if (seconds !== null) {
    return Number(seconds[1]) === 0 ? undefined : { seconds: Number(seconds[1]) };
  }
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) {
    return Number(text) === 0 ? undefined : { requests: Number(text) };
  }
  throw new UsageError(
    flag,
    `expected a number of requests like 20 or of seconds like 10s, got ${JSON.stringify(value)}`,
  );
}

/**
 * A bound in words: "20 requests", "10 s".
 *
 * @example
 * ```ts
 * formatPhaseBound({ seconds: 10 }); // "10 s"
 * ```
 */
export function formatPhaseBound(bound: PhaseBound): string {
  return "requests" in bound ? `${bound.requests} request(s)` : `${bound.seconds} s`;
}

/** A finished request waiting for its phase to be known. */
interface Held<T> {
  item: T;
  sendOffset: number;
}

/**
 * Sorts a run's requests into phases as they are sent and finish (see the
 * module documentation for the definitions), handing each finished one to
 * `deliver` with its phase once the phase is known: at once for warm-up and
 * whenever no cool-down can apply, else once sending is far enough past it
 * (see {@linkcode PhaseSorter.sent}) or has ended ({@linkcode PhaseSorter.end}).
 */
export class PhaseSorter<T> {
  readonly #warmup: PhaseBound | undefined;
  readonly #cooldown: PhaseBound | undefined;
  readonly #deliver: (item: T, phase: Phase) => void;
  /** Finished requests whose phase is not known yet, by send number. */
  readonly #held = new Map<number, Held<T>>();
  /** Every request numbered below this is measured (or warm-up). */
  #measuredBelow = 0;
  /** Requests sent so far. */
  #sent = 0;
  /** Send offsets of requests numbered from `#recentFrom` on (seconds cool-down only). */
  #recent: number[] = [];
  #recentHead = 0;
  #recentFrom = 0;
  /** The moment sending ended, once it has: offset seconds. */
  #end: number | undefined;

  /** A sorter for `options`, handing each finished request to `deliver`. */
  constructor(options: PhaseOptions, deliver: (item: T, phase: Phase) => void) {
    this.#warmup = options.warmup;
    this.#cooldown = options.cooldown;
    this.#deliver = deliver;
  }

  /**
   * Request number `k` (the `k`-th sent, 0-based) goes out at `sendOffset`
   * seconds: whether it is warm-up. Call it for every send, in order.
   */
  sent(k: number, sendOffset: number): boolean {
    this.#sent = k + 1;
    const cooldown = this.#cooldown;
    if (cooldown !== undefined && "seconds" in cooldown) this.#recent.push(sendOffset);
    this.#advance(sendOffset);
    const warmup = this.#warmup;
    if (warmup === undefined) return false;
    return "requests" in warmup ? k < warmup.requests : sendOffset < warmup.seconds;
  }

  /**
   * Request `k`, sent at `sendOffset` (and warm-up when `warmup`), finished
   * at offset `now`: delivered now, or held until its phase is known.
   */
  finished(item: T, k: number, sendOffset: number, warmup: boolean, now: number): void {
    if (warmup) return this.#deliver(item, "warmup");
    if (this.#cooldown === undefined) return this.#deliver(item, "measured");
    if (this.#end !== undefined) return this.#deliver(item, this.#phaseAtEnd(k, sendOffset));
    this.#advance(now);
    if (k < this.#measuredBelow) return this.#deliver(item, "measured");
    this.#held.set(k, { item, sendOffset });
  }

  /**
   * Sending ended at offset `end` seconds: every held request, and every one
   * still to finish, gets its phase from the definitions.
   */
  end(end: number): void {
    this.#end = end;
    this.#recent = [];
    const held = [...this.#held].sort(([a], [b]) => a - b);
    this.#held.clear();
    for (const [k, { item, sendOffset }] of held) {
      this.#deliver(item, this.#phaseAtEnd(k, sendOffset));
    }
  }

  /** The phase of non-warm-up request `k` once sending has ended. */
  #phaseAtEnd(k: number, sendOffset: number): Phase {
    const cooldown = this.#cooldown!;
    const inCooldown = "requests" in cooldown
      ? k >= this.#sent - cooldown.requests
      : sendOffset >= this.#end! - cooldown.seconds;
    return inCooldown ? "cooldown" : "measured";
  }

  /**
   * Sending is still going on at offset `now`: requests N sends back (or
   * sent more than S seconds before `now`) are measured for sure.
   */
  #advance(now: number): void {
    const cooldown = this.#cooldown;
    if (cooldown === undefined) return;
    let below: number;
    if ("requests" in cooldown) below = this.#sent - cooldown.requests;
    else {
      const recent = this.#recent;
      while (
        this.#recentHead < recent.length && recent[this.#recentHead] < now - cooldown.seconds
      ) {
        this.#recentHead++;
        this.#recentFrom++;
      }
      if (this.#recentHead > 1024 && this.#recentHead * 2 > recent.length) {
        this.#recent = recent.slice(this.#recentHead);
        this.#recentHead = 0;
      }
      below = this.#recentFrom;
    }
    for (let k = this.#measuredBelow; k < below; k++) {
      const held = this.#held.get(k);
      if (held === undefined) continue;
      this.#held.delete(k);
      this.#deliver(held.item, "measured");
    }
    this.#measuredBelow = Math.max(this.#measuredBelow, below);
  }
}
