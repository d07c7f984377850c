import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parsePhaseBound, type Phase, type PhaseOptions, PhaseSorter } from "./phases.ts";
import { OPEN_ENDED_COUNT, planSize } from "./duration.ts";
import { Slots } from "./_slots.ts";

Deno.test("parsePhaseBound: requests as an integer, seconds with an s, 0 for none", () => {
  assert.deepEqual(parsePhaseBound("20", "--warmup"), { requests: 20 });
  assert.deepEqual(parsePhaseBound(20, "--warmup"), { requests: 20 });
  assert.deepEqual(parsePhaseBound("10s", "--warmup"), { seconds: 10 });
  assert.deepEqual(parsePhaseBound("2.5s", "--cooldown"), { seconds: 2.5 });
  assert.equal(parsePhaseBound("0", "--warmup"), undefined);
  assert.equal(parsePhaseBound("0s", "--warmup"), undefined);
  for (const bad of ["-1", "1.5", "10 m", "s", "10ms", "abc", ""]) {
    assert.throws(
      () => parsePhaseBound(bad, "--warmup"),
      (e: unknown) => e instanceof UsageError && e.message.includes("--warmup"),
      bad,
    );
  }
});

/**
 * Drives a sorter through sends at `offsets` (request k sent at offsets[k]),
 * each finishing `finishAfter` seconds later, in time order, then ends
 * sending at `end`; returns each request's phase.
 */
function phasesOf(
  options: PhaseOptions,
  offsets: number[],
  finishAfter: number,
  end: number,
): Phase[] {
  const phases: Phase[] = [];
  const sorter = new PhaseSorter<number>(options, (k, phase) => (phases[k] = phase));
  const events = [
    ...offsets.map((t, k) => ({ t, k, send: true })),
    ...offsets.map((t, k) => ({ t: t + finishAfter, k, send: false })),
  ].sort((a, b) => a.t - b.t || Number(b.send) - Number(a.send));
  const warm: boolean[] = [];
  let ended = false;
  for (const { t, k, send } of events) {
    if (!ended && t > end) {
      sorter.end(end);
      ended = true;
    }
    if (send) warm[k] = sorter.sent(k, t);
    else sorter.finished(k, k, offsets[k], warm[k], t);
  }
  if (!ended) sorter.end(end);
  return phases;
}

const each = (n: number, gap: number) => Array.from({ length: n }, (_, k) => k * gap);

Deno.test("PhaseSorter: warm-up and cool-down by requests are the first and last N sent", () => {
  const phases = phasesOf(
    { warmup: { requests: 2 }, cooldown: { requests: 3 } },
    each(10, 1),
    2.5,
    9,
  );
  assert.deepEqual(phases, [
    "warmup",
    "warmup",
    ...Array(5).fill("measured"),
    "cooldown",
    "cooldown",
    "cooldown",
  ]);
});

Deno.test("PhaseSorter: by seconds, warm-up is sent before S, cool-down in the last S of sending", () => {
  // Sends at 0, 0.5, …, 4.5; sending ends at 4.5: cool-down 1.2 s is s ≥ 3.3.
  const phases = phasesOf(
    { warmup: { seconds: 1 }, cooldown: { seconds: 1.2 } },
    each(10, 0.5),
    0.2,
    4.5,
  );
  assert.deepEqual(phases, [
    "warmup",
    "warmup",
    ...Array(5).fill("measured"),
    "cooldown",
    "cooldown",
    "cooldown",
  ]);
});

Deno.test("PhaseSorter: a stop before the plan's end (E) decides the seconds cool-down", () => {
  // Sent at 0..4, sending stopped at E = 6 (a --duration stop): s ≥ 6 − 2.5 = 3.5 is cool-down.
  const phases = phasesOf({ cooldown: { seconds: 2.5 } }, each(5, 1), 0.1, 6);
  assert.deepEqual(phases, ["measured", "measured", "measured", "measured", "cooldown"]);
});

Deno.test("PhaseSorter: a request that is both warm-up and cool-down is warm-up", () => {
  const phases = phasesOf(
    { warmup: { requests: 3 }, cooldown: { requests: 3 } },
    each(4, 1),
    0.5,
    3,
  );
  assert.deepEqual(phases, ["warmup", "warmup", "warmup", "cooldown"]);
});

Deno.test("PhaseSorter: a request is held only while it could still be cool-down", () => {
  const delivered: number[] = [];
  const sorter = new PhaseSorter<number>({ cooldown: { requests: 2 } }, (k) => delivered.push(k));
  for (let k = 0; k < 3; k++) sorter.sent(k, k);
  sorter.finished(0, 0, 0, false, 3); // two sent after it: measured for sure
  sorter.finished(1, 1, 1, false, 3); // one after it: held
  assert.deepEqual(delivered, [0]);
  sorter.sent(3, 4); // now two after request 1
  assert.deepEqual(delivered, [0, 1]);
  sorter.finished(2, 2, 2, false, 5);
  assert.deepEqual(delivered, [0, 1]);
  sorter.end(4);
  assert.deepEqual(delivered, [0, 1, 2]);
});

Deno.test("planSize: --duration alone plans by time with gaps, open-ended all at once", () => {
  assert.deepEqual(planSize({ count: 5, duration: 60, allAtOnce: true }), {
    count: 5,
    maxTime: undefined,
    openEnded: false,
  });
  assert.deepEqual(planSize({ maxTime: 9, duration: 60, allAtOnce: false }), {
    count: undefined,
    maxTime: 9,
    openEnded: false,
  });
  assert.deepEqual(planSize({ duration: 60, allAtOnce: false }), { maxTime: 60, openEnded: false });
  assert.deepEqual(planSize({ duration: 60, allAtOnce: true }), {
    count: OPEN_ENDED_COUNT,
    openEnded: true,
  });
});

Deno.test("Slots: never more than the cap taken; a release wakes the one waiter", async () => {
  const slots = new Slots(2);
  slots.take();
  slots.take();
  assert.equal(slots.free, false);
  let woke = false;
  const waiting = slots.wait().then(() => (woke = true));
  await Promise.resolve();
  assert.equal(woke, false);
  slots.release();
  await waiting;
  assert.equal(slots.free, true);
  assert.equal(slots.taken, 1);
  const stop = new AbortController();
  slots.take();
  const aborted = slots.wait(stop.signal);
  stop.abort();
  await aborted; // resolves on abort, slot still taken
  assert.equal(slots.taken, 2);
  assert.equal(new Slots(Infinity).free, true);
});
