/**
 * Random prompts built with a counter that only counts, in batches (the
 * server's, under `--tokenizer server`): here local tokenizers behind the
 * same interface, so every count can be checked.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadTokenizer, type Tokenizer } from "../tokenizers/mod.ts";
import { randomPrompts } from "./random.ts";
import { serverRandomPrompts } from "./_server_prompts.ts";

/** `tokenizer` as a batch counter that also counts its calls. */
function counterOf(tokenizer: Tokenizer) {
  const calls: number[] = [];
  return {
    calls,
    countAll: (texts: readonly string[]) => {
      calls.push(texts.length);
      return Promise.resolve(texts.map((t) => tokenizer.count(t)));
    },
  };
}

const cl100k = await loadTokenizer("cl100k_base");
const stories = await loadTokenizer(
  fileURLToPath(new URL("../tests/fixtures/stories260K.gguf", import.meta.url)),
);
const LENGTHS = [1, 2, 5, 17, 64, 300, 1000];

Deno.test("server prompts under a server that counts with cl100k_base: today's prompts, one round", async () => {
  for (const prefix of [{ kind: "none" } as const, { kind: "tokens", len: 9 } as const]) {
    const counter = counterOf(cl100k);
    const { prompts, notes } = await serverRandomPrompts({
      counter,
      lengths: LENGTHS,
      seed: 5,
      prefix,
    });
    const local = randomPrompts({ tokenizer: "cl100k_base", lengths: LENGTHS, seed: 5, prefix });
    assert.deepEqual(prompts, local);
    assert.deepEqual(notes, []);
    // Calibration, (the prefix's round,) then one round that finds every prompt exact.
    assert.equal(counter.calls.length, prefix.kind === "none" ? 2 : 3);
  }
});

Deno.test("server prompts under a 512-token SentencePiece vocabulary: exact, in a few batched rounds", async () => {
  const counter = counterOf(stories);
  const lengths = [...LENGTHS, ...Array.from({ length: 200 }, (_, i) => 8 + i)];
  const { prompts, notes } = await serverRandomPrompts({ counter, lengths, seed: 1 });
  prompts.forEach((p, i) => {
    assert.equal(p.promptLen, stories.count(p.text), "prompt_len is the server's count");
    // One token: a text that starts with a space costs "▁" first, so no word fits.
    if (lengths[i] > 1) assert.equal(p.promptLen, lengths[i], JSON.stringify(p.text));
  });
  assert.deepEqual(notes, [
    "1 prompt(s) could not be brought to their sampled length in the server's tokenizer; their prompt_len is the server's count",
  ]);
  assert.ok(counter.calls.length <= 13, `${counter.calls.length} rounds`);
  assert.ok(counter.calls.slice(3).every((n) => n < lengths.length / 2), "few left after 2 rounds");
});

Deno.test("server prompts with a prefix: the prefix's tokens exact too, the body after it", async () => {
  for (
    const prefix of [
      { kind: "tokens", len: 33 } as const,
      { kind: "text", text: "System: be brief.\n" } as const,
    ]
  ) {
    const counter = counterOf(stories);
    const { prompts, notes } = await serverRandomPrompts({
      counter,
      lengths: [10, 50],
      seed: 2,
      prefix,
    });
    assert.deepEqual(notes, []);
    // The words both prompts start with are the prefix (seed 2: their bodies differ at once).
    const [a, b] = prompts.map((p) => p.text.split(/(?= )/));
    const shared = a.findIndex((word, i) => word !== b[i]);
    const prefixText = prefix.kind === "text" ? prefix.text : a.slice(0, shared).join("");
    assert.ok(prompts.every((p) => p.text.startsWith(prefixText)));
    const prefixLen = stories.count(prefixText);
    if (prefix.kind === "tokens") assert.equal(prefixLen, 33);
    assert.deepEqual(prompts.map((p) => p.promptLen), [prefixLen + 10, prefixLen + 50]);
    assert.deepEqual(prompts.map((p) => stories.count(p.text)), [prefixLen + 10, prefixLen + 50]);
  }
});
