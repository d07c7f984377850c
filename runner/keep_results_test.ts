import assert from "node:assert/strict";
import { keepsResults, valueBound } from "./keep_results.ts";
import type { PlannedRequest } from "./run.ts";

const planned = (maxTokens: number[]): PlannedRequest[] =>
  maxTokens.map((n, i) => ({ offset: i, promptLen: 1, request: { prompt: "x", maxTokens: n } }));

Deno.test("valueBound: one value per request, one gap per planned output token (at least one)", () => {
  assert.deepEqual(valueBound(planned([128, 64, 0])), { requests: 3, tokens: 193 });
  assert.deepEqual(valueBound([]), { requests: 0, tokens: 0 });
});

Deno.test("keepsResults: when the output file lists every request, or the run fits exactLimit", () => {
  const keeps = (requests: number, tokens: number, listsEveryRequest = false) =>
    keepsResults({ requests, tokens }, { exactLimit: 1000, listsEveryRequest });
  assert.equal(keeps(1000, 1000), true, "at the limit: exact");
  assert.equal(keeps(1001, 1000), false);
  assert.equal(keeps(10, 1001), false, "planned tokens count too");
  assert.equal(keeps(1e6, 1e8, true), true, "a file listing every request needs them all");
});
