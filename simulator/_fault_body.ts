/**
 * Faults that strike a response once it has begun, for answers sent in one
 * body (not streamed): the body is re-sent through the pacing scheduler in
 * parts, so a `cut` breaks it half-way, a `stall` pauses half-way and a
 * `junk` mangles it, exactly as the same faults strike a stream.
 *
 * @module
 */

import { type ChunkFault, NO_BYTES } from "./_engine.ts";
import { junkBytes } from "./_fault_bytes.ts";
import { type PacedPlan, pacedStream, type Scheduler } from "./_pacing.ts";

/** A body in one or two parts, due at fixed times. */
class BodyPlan implements PacedPlan {
  readonly initial = undefined;
  readonly count: number;
  readonly failAt: number;
  readonly splitAt: number;
  readonly #parts: readonly Uint8Array[];
  readonly #due: readonly number[];

  constructor(parts: Uint8Array[], due: number[], fault: ChunkFault) {
    this.#parts = parts;
    this.#due = due;
    this.count = parts.length;
    this.failAt = fault.kind === "cut" ? 1 : -1;
    this.splitAt = fault.kind === "junk" && fault.variant === "split" ? 0 : -1;
  }

  dueAt(index: number): number {
    return this.#due[index];
  }

  chunk(index: number): Uint8Array {
    return this.#parts[index];
  }

  tokens(): number {
    return 0;
  }

  trailer(): Uint8Array {
    return NO_BYTES;
  }

  failure(): undefined {
    return undefined;
  }
}

/**
 * `answer` with `fault` applied to its body: `cut` sends the first half and
 * breaks the connection, `stall` sends the first half and the rest
 * `fault.stallMs` later, `junk` sends the body in its malformed form (`split`:
 * a few bytes at a time). Status and headers are kept (but the length: the
 * body goes out chunked).
 */
export async function faultyBody(
  answer: Response,
  fault: ChunkFault,
  scheduler: Scheduler,
): Promise<Response> {
  const body = new Uint8Array(await answer.arrayBuffer());
  const now = performance.now();
  const half = Math.floor(body.length / 2);
  const plan = fault.kind === "junk"
    ? new BodyPlan([junkBytes(fault.variant ?? "bad-json", body)], [now], fault)
    : new BodyPlan(
      [body.subarray(0, half), body.subarray(half)],
      [now, fault.kind === "stall" ? now + fault.stallMs : now],
      fault,
    );
  const headers = new Headers(answer.headers);
  headers.delete("content-length");
  return new Response(pacedStream(plan, scheduler), { status: answer.status, headers });
}
