import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import { countOutputs } from "../runner/send.ts";
import {
  differsBeyondTolerance,
  MismatchCounter,
  mismatchesOf,
  mismatchTotal,
  noteMismatches,
} from "./mismatch.ts";
import { summarize } from "./summary.ts";

Deno.test("the tolerance: max(2 tokens, 2 %) either way; a BOS token is no mismatch", () => {
  assert.equal(differsBeyondTolerance(100, 101), false);
  assert.equal(differsBeyondTolerance(100, 102), false);
  assert.equal(differsBeyondTolerance(100, 103), true);
  assert.equal(differsBeyondTolerance(100, 97), true);
  assert.equal(differsBeyondTolerance(1000, 1020), false);
  assert.equal(differsBeyondTolerance(1000, 1021), true);
  assert.equal(differsBeyondTolerance(1000, 979), true);
});

Deno.test("mismatchesOf: each kind, only on success", () => {
  const ok = fakeResult({ promptLen: 40, promptLenServer: 41, outputLenAsked: 3, outputLen: 3 });
  assert.deepEqual(mismatchesOf(ok), []);
  assert.deepEqual(mismatchesOf({ ...ok, outputLen: 1960 }), ["outputLength"]);
  assert.deepEqual(mismatchesOf({ ...ok, promptLenServer: 212 }), ["promptLength"]);
  // A truncated prompt's server count is the truncated one: it is counted as truncated only.
  assert.deepEqual(mismatchesOf({ ...ok, promptLenServer: 20, truncated: true }), ["truncated"]);
  assert.deepEqual(mismatchesOf({ ...ok, truncated: false }), []);
  assert.deepEqual(mismatchesOf({ ...ok, outputLen: 9, success: false, error: "x" }), []);
  // Unknown is no mismatch: no asked length (an old file), no server prompt count.
  assert.deepEqual(
    mismatchesOf({ ...ok, outputLenAsked: undefined, promptLenServer: undefined, outputLen: 9 }),
    [],
  );
});

Deno.test("mismatchesOf: an output only the client counted gets the tolerance, once counted", () => {
  const client = fakeResult({ outputLenSource: "tokenizer", outputLenAsked: 100, outputLen: 0 });
  assert.deepEqual(mismatchesOf(client), [], "not counted yet");
  assert.deepEqual(mismatchesOf({ ...client, outputLenClient: 101 }), []);
  assert.deepEqual(mismatchesOf({ ...client, outputLenClient: 60 }), ["outputLength"]);
});

Deno.test("noteMismatches adds each note once; countOutputs notes a client-counted output", async () => {
  const r = fakeResult({ promptLen: 40, promptLenServer: 212, outputLenAsked: 3, outputLen: 5 });
  noteMismatches(r);
  noteMismatches(r);
  assert.equal(r.notes.length, 2);
  assert.match(r.notes[0], /asked for 3 output tokens, the server generated 5/);
  assert.match(r.notes[1], /the server counted 212 prompt tokens, the plan 40/);

  const counted = fakeResult({
    text: "a b c d e f g h",
    outputLenSource: "tokenizer",
    outputLenAsked: 40,
    outputLen: 0,
  });
  await countOutputs([counted], (text) => text.split(" ").length);
  assert.equal(counted.outputLen, 8);
  assert.ok(
    counted.notes.some((n) => /asked for 40 output tokens, the client tokenizer counted 8/.test(n)),
  );
});

Deno.test("the run counts each kind, with the asked and generated ranges and the prompt sums", () => {
  const counter = new MismatchCounter();
  const base = { promptLen: 100, outputLenAsked: 40, outputLen: 40 };
  for (
    const r of [
      fakeResult(base),
      fakeResult({ ...base, outputLenAsked: 30, outputLen: 1920 }),
      fakeResult({ ...base, outputLenAsked: 60, outputLen: 1973, promptLenServer: 530 }),
      fakeResult({ ...base, promptLenServer: 530 }),
      fakeResult({ ...base, promptLenServer: 50, truncated: true }),
      fakeResult({ ...base, outputLen: 1, success: false, error: "x" }),
    ]
  ) counter.add(r);
  const m = counter.counts();
  assert.deepEqual(m, {
    outputLength: 2,
    promptLength: 2,
    truncated: 1,
    asked: [30, 60],
    generated: [1920, 1973],
    generatedByServer: 2,
    plannedPromptTokens: 200,
    serverPromptTokens: 1060,
    promptExcess: [430, 430],
    promptPlanned: [100, 100],
  });
  assert.equal(mismatchTotal(m), 5);
  assert.equal(mismatchTotal(undefined), 0);
});

Deno.test("the summary and the run metrics carry the mismatches", () => {
  const s = summarize([fakeResult({ outputLenAsked: 4, outputLen: 3 })], 1);
  assert.equal(s.mismatches?.outputLength, 1);
  assert.deepEqual([s.mismatches?.asked, s.mismatches?.generated], [[4, 4], [3, 3]]);
});

Deno.test("a constant prompt excess (a chat template) is gathered as a range", () => {
  const counter = new MismatchCounter();
  for (const [planned, server] of [[10, 49], [9, 48], [16, 55]]) {
    counter.add(fakeResult({ promptLen: planned, promptLenServer: server }));
  }
  const m = counter.counts();
  assert.equal(m.promptLength, 3);
  assert.deepEqual(m.promptExcess, [39, 39]);
  assert.deepEqual(m.promptPlanned, [9, 16]);
});

Deno.test("mismatchesOf: a pooling request's tolerance is 4 special tokens per input", () => {
  // 8 inputs of 10 tokens: [CLS] … [SEP] on each is 16 more, within 4 · 8 = 32.
  const embed = fakeResult({ promptLen: 80, promptLenServer: 96, inputCount: 8, outputLen: 0 });
  assert.deepEqual(mismatchesOf({ ...embed, outputLenAsked: 0 }), []);
  assert.deepEqual(mismatchesOf({ ...embed, promptLenServer: 113 }), ["promptLength"]);
  // Without inputs the same counts are off.
  assert.deepEqual(mismatchesOf(fakeResult({ promptLen: 80, promptLenServer: 96 })), [
    "promptLength",
  ]);
});

Deno.test("mismatchesOf: with images the server's excess is image tokens; only a shortfall is off", () => {
  const withImages = fakeResult({ promptLen: 16, promptLenServer: 28, imageCount: 2 });
  assert.deepEqual(mismatchesOf(withImages), []);
  assert.deepEqual(mismatchesOf({ ...withImages, promptLenServer: 10 }), ["promptLength"]);
  assert.deepEqual(mismatchesOf({ ...withImages, imageCount: undefined }), ["promptLength"]);
});
