/**
 * The concurrency cap (`--max-concurrency`): a counter of requests in flight
 * and the one send loop that may wait for a free slot.
 *
 * @module
 */

/**
 * At most `limit` slots taken at once (`Infinity`: no cap, never waits). The
 * send loop takes a slot before each send and the request gives it back once
 * it is no longer in flight; only the send loop waits, so there is at most
 * one waiter.
 */
export class Slots {
  /** Slots taken now. */
  #taken = 0;
  /**
   * Wakes those waiting for a slot, first come first woken: the send loop,
   * and a multi-turn session's next turn (`runner/sessions.ts`).
   */
  #waiting: (() => void)[] = [];
  /** The cap. */
  readonly limit: number;

  /** A cap of `limit` slots (a positive integer, or `Infinity` for none). */
  constructor(limit: number) {
    this.limit = limit;
  }

  /** Whether a slot is free now. */
  get free(): boolean {
    return this.#taken < this.limit;
  }

  /** Slots taken now: the requests in flight. */
  get taken(): number {
    return this.#taken;
  }

  /** Takes a slot; call only when {@linkcode Slots.free}. */
  take(): void {
    this.#taken++;
  }

  /**
   * Gives a slot back, waking the first waiting for one. A woken waiter
   * checks {@linkcode Slots.free} again: another may have taken it meanwhile.
   */
  release(): void {
    this.#taken--;
    this.#waiting.shift()?.();
  }

  /** Resolves once a slot is free, or as soon as `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void> {
    if (this.free || signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        const at = this.#waiting.indexOf(done);
        if (at >= 0) this.#waiting.splice(at, 1);
        resolve();
      };
      this.#waiting.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
