import assert from "node:assert/strict";
import { loadTokenizer, randomPrompts } from "../mod.ts";

for (const name of ["cl100k_base", "o200k_base", "gpt2"]) {
  Deno.test(`random prompts have exactly the asked token count under ${name}`, async () => {
    const tokenizer = await loadTokenizer(name);
    const lengths = [1, 2, 5, 64, 300, 1000];
    const prompts = randomPrompts({ tokenizer, lengths, seed: 11 });
    prompts.forEach((p, i) => {
      assert.equal(p.promptLen, lengths[i]);
      assert.equal(tokenizer.count(p.text), lengths[i], `round trip of prompt ${i}`);
    });
  });
}

Deno.test("prefixes: shared token prefix and custom text, prompt_len is the real count", async () => {
  const tokenizer = await loadTokenizer();
  const shared = randomPrompts({
    tokenizer,
    lengths: [10, 20],
    seed: 3,
    prefix: { kind: "tokens", len: 50 },
  });
  assert.equal(shared[0].promptLen, 60);
  assert.equal(shared[1].promptLen, 70);
  const prefix0 = tokenizer.decode(tokenizer.encode(shared[0].text).slice(0, 50));
  assert.ok(shared[1].text.startsWith(prefix0), "the same prefix leads every prompt");
  for (const text of ["You are a helpful assistant.", "Context:\n\n", "ends with a space "]) {
    const [p] = randomPrompts({
      tokenizer,
      lengths: [40],
      seed: 5,
      prefix: { kind: "text", text },
    });
    assert.ok(p.text.startsWith(text));
    assert.equal(p.promptLen, tokenizer.count(p.text));
    assert.equal(p.promptLen, tokenizer.count(text) + 40);
  }
});

Deno.test("random prompts are seeded", async () => {
  const tokenizer = await loadTokenizer();
  const a = randomPrompts({ tokenizer, lengths: [50, 50], seed: 1 });
  const b = randomPrompts({ tokenizer, lengths: [50, 50], seed: 1 });
  const c = randomPrompts({ tokenizer, lengths: [50, 50], seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notEqual(a[0].text, a[1].text);
});
