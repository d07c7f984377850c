import assert from "node:assert/strict";
import { planRandomSessions } from "./session_plan.ts";
import { followUp } from "./sessions.ts";

const options = {
  seed: 7,
  count: 20,
  tokenizer: "cl100k_base",
  arrival: { kind: "poisson", rate: 2 },
  turns: { kind: "uniform", min: 1, max: 5 },
  maxTurns: 4,
  thinkTime: { kind: "uniform", min: 100, max: 900 },
  input: { kind: "uniform", min: 8, max: 32 },
  output: { kind: "constant", value: 16 },
} as const;

Deno.test("planRandomSessions: the same seed gives the same sessions, every pass", () => {
  const a = planRandomSessions(options);
  const b = planRandomSessions(options);
  const first = JSON.stringify([...a.requests]);
  assert.equal(JSON.stringify([...a.requests]), first, "a second pass of the same plan");
  assert.equal(JSON.stringify([...b.requests]), first, "another plan of the same options");
  const other = planRandomSessions({ ...options, seed: 8 });
  assert.notEqual(JSON.stringify([...other.requests]), first);
});

Deno.test("planRandomSessions: turns, indices, lengths and think times as drawn", () => {
  const requests = [...planRandomSessions(options).requests];
  assert.equal(requests.length, 20);
  let index = 0;
  for (const [s, r] of requests.entries()) {
    const turns = r.session!.turns;
    assert.equal(r.session!.id, s);
    assert.equal(r.index, index, "turns are numbered session after session");
    assert.ok(turns.length >= 1 && turns.length <= 4, "--max-turns caps the draw");
    assert.equal(turns[0].thinkTime, 0);
    for (const [k, t] of turns.entries()) {
      assert.ok(t.promptLen >= 8 && t.promptLen <= 32);
      assert.equal(t.maxTokens, 16);
      if (k > 0) assert.ok(t.thinkTime >= 0.1 && t.thinkTime <= 0.9);
    }
    assert.deepEqual(r.request.messages, [{ role: "user", content: turns[0].prompt }]);
    index += turns.length;
  }
  assert.ok(requests.some((r) => r.session!.turns.length > 1));
});

Deno.test("followUp: the next turn carries the history and the reply, think time after the end", () => {
  const [first] = [
    ...planRandomSessions({ ...options, turns: { kind: "constant", value: 2 } })
      .requests,
  ];
  const next = followUp(first, { success: true, text: " a reply" }, 2, 1.5)!;
  const turn = first.session!.turns[1];
  assert.equal(next.turn, 1);
  assert.equal(next.index, first.index! + 1);
  assert.equal(next.offset, 1.5 + turn.thinkTime);
  assert.equal(next.promptLen, first.promptLen + 2 + turn.promptLen);
  assert.deepEqual(next.request.messages, [
    { role: "user", content: first.request.prompt },
    { role: "assistant", content: " a reply" },
    { role: "user", content: turn.prompt },
  ]);
  assert.equal(followUp(next, { success: true, text: "x" }, 1, 2), undefined, "the last turn");
  assert.equal(followUp(first, { success: false, text: "" }, 0, 2), undefined, "a failed turn");
});
