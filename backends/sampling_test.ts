import assert from "node:assert/strict";
import {
  choiceGrammar,
  choiceRegex,
  requestSeed,
  samplingBody,
  seededRequest,
} from "./sampling.ts";

Deno.test("requestSeed: run seed + plan index, mod 2^31, never negative", () => {
  assert.equal(requestSeed(40, 2), 42);
  assert.equal(requestSeed(2 ** 31 - 1, 1), 0);
  assert.equal(requestSeed(-1, 0), 2 ** 31 - 1);
});

Deno.test("seededRequest: the seed only with a seed base, other sampling options kept", () => {
  const request = { prompt: "p", maxTokens: 1, sampling: { temperature: 0 } };
  assert.equal(seededRequest(request, 3), request);
  assert.deepEqual(seededRequest({ ...request, seedBase: 10 }, 3).sampling, {
    temperature: 0,
    seed: 13,
  });
});

Deno.test("samplingBody: only the options given, under the protocol's names", () => {
  assert.deepEqual(
    samplingBody({ topK: 5, repetitionPenalty: 1.1, stop: ["x"] }, {
      topK: "top_k",
      repetitionPenalty: "repeat_penalty",
      stop: "stop",
    }),
    { top_k: 5, repeat_penalty: 1.1, stop: ["x"] },
  );
  assert.deepEqual(samplingBody(undefined, { topK: "top_k" }), {});
});

Deno.test("a choice as a regex and as a GBNF grammar, specials escaped", () => {
  const regex = choiceRegex(["a.b", "c|d", "e"]);
  assert.equal(regex, "(a\\.b|c\\|d|e)");
  assert.ok(new RegExp(`^${regex}$`).test("c|d"));
  assert.ok(!new RegExp(`^${regex}$`).test("axb"));
  assert.equal(choiceGrammar(['say "hi"', "a\\b"]), 'root ::= "say \\"hi\\"" | "a\\\\b"');
});
