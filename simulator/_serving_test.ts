import assert from "node:assert/strict";
import { ServingEngine, type Ticket, tpotAt } from "./_serving.ts";

/** A ticket noting what happened to it in `events`. */
function ticket(name: string, kvTokens: number, events: string[]): Ticket {
  return {
    kvTokens,
    arrival: 0,
    admitted: () => events.push(`${name} admitted`),
    aborted: () => events.push(`${name} aborted`),
  };
}

Deno.test("ServingEngine: first come first served, the head of the queue is never skipped", () => {
  const events: string[] = [];
  const engine = new ServingEngine({ maxNumSeqs: 2, kvCacheTokens: 100 });
  const a = ticket("a", 60, events);
  const b = ticket("b", 50, events); // does not fit beside a
  const c = ticket("c", 10, events); // would fit, but b is ahead of it
  for (const t of [a, b, c]) engine.enter(t);
  assert.deepEqual(events, ["a admitted"]);
  assert.deepEqual(engine.stats(), { running: 1, waiting: 2, kvUsed: 60, kvTotal: 100 });
  engine.leave(a);
  assert.deepEqual(events, ["a admitted", "b admitted", "c admitted"]);
  assert.deepEqual(engine.stats(), { running: 2, waiting: 0, kvUsed: 60, kvTotal: 100 });
});

Deno.test("ServingEngine: leaving the queue, a ticket too large for the budget, close", () => {
  const events: string[] = [];
  const engine = new ServingEngine({ maxNumSeqs: 1, kvCacheTokens: 10 });
  const big = ticket("big", 50, events); // larger than the budget: runs alone
  const gone = ticket("gone", 1, events);
  const last = ticket("last", 1, events);
  for (const t of [big, gone, last]) engine.enter(t);
  engine.leave(gone);
  engine.leave(gone); // twice is a no-op
  assert.deepEqual(engine.stats(), { running: 1, waiting: 1, kvUsed: 50, kvTotal: 10 });
  engine.close("closing");
  engine.enter(ticket("late", 1, events));
  assert.deepEqual(events, ["big admitted", "last aborted", "late aborted"]);
  engine.leave(big);
  assert.deepEqual(engine.stats(), { running: 0, waiting: 0, kvUsed: 0, kvTotal: 10 });
});

Deno.test("tpotAt: tpot + G·(b − 1)", () => {
  const options = { tpotMs: 5, tpotGrowthMs: 0.5 };
  assert.deepEqual([1, 2, 8].map((b) => tpotAt(options, b)), [5, 5.5, 8.5]);
});
