import assert from "node:assert/strict";
import { formatSpec } from "./format.ts";

Deno.test("formatSpec: the words a user would type", () => {
  assert.equal(formatSpec({ kind: "poisson", rate: 5 }), "poisson 5");
  assert.equal(formatSpec({ kind: "poisson", rate: Infinity }), "poisson inf");
  assert.equal(formatSpec({ kind: "exponential", mean: 0.25 }), "exponential 0.25");
  assert.equal(formatSpec({ kind: "uniform", min: 200, max: 300 }), "uniform 200 300");
  assert.equal(formatSpec({ kind: "normal", mean: 1, std: 0.5 }), "normal 1 0.5");
  assert.equal(formatSpec({ kind: "constant", gap: 2 }), "constant 2");
  assert.equal(formatSpec({ kind: "constant", value: 128 }), "constant 128");
});
