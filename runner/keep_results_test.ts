import assert from "node:assert/strict";
import { keepsResults, valueBound } from "./keep_results.ts";
import { lazySequence } from "../distributions/mod.ts";

Deno.test("valueBound: one value per request, one gap per planned output token (at least one)", () => {
  assert.deepEqual(valueBound(3, [128, 64, 0]), { requests: 3, tokens: 193 });
  assert.deepEqual(valueBound(0, []), { requests: 0, tokens: 0 });
});

Deno.test("valueBound: stops reading the plan once the sum passes the cap", () => {
  let read = 0;
  const endless = lazySequence(10_000_000, function* () {
    for (;;) {
      read++;
      yield 100;
    }
  });
  const bound = valueBound(10_000_000, endless, 1000);
  assert.equal(bound.requests, 10_000_000);
  assert.ok(bound.tokens > 1000);
  assert.equal(read, 11, "read past the cap and no further");
});

Deno.test("keepsResults: when the output file lists every request, or the run fits exactLimit", () => {
  const keeps = (requests: number, tokens: number, listsEveryRequest = false) =>
    keepsResults({ requests, tokens }, { exactLimit: 1000, listsEveryRequest });
  assert.equal(keeps(1000, 1000), true, "at the limit: exact");
  assert.equal(keeps(1001, 1000), false);
  assert.equal(keeps(10, 1001), false, "planned tokens count too");
  assert.equal(keeps(1e6, 1e8, true), true, "a file listing every request needs them all");
});
