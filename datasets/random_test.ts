import assert from "node:assert/strict";
import { loadTokenizer, TIKTOKEN_ENCODINGS, type Tokenizer } from "../tokenizers/mod.ts";
import { randomPrompts } from "./random.ts";
import { POOL_WORD, WORD_POOL_SIZE } from "./_word_scan.ts";
import { SHIPPED_WORD_POOLS, shippedWordPool, wordPoolOf } from "./word_pool.ts";
import { generateWordPools, WORD_POOLS_PATH } from "../scripts/gen_word_pools.ts";

const LENGTHS = [1, 2, 5, 64, 300, 1000];
const SEEDS = [0, 1, 11, 2024];

Deno.test("a pool ships for every tiktoken encoding", () => {
  assert.deepEqual([...SHIPPED_WORD_POOLS].sort(), [...TIKTOKEN_ENCODINGS].sort());
});

Deno.test("the shipped pools are exactly what scripts/gen_word_pools.ts generates", async () => {
  assert.equal(
    await Deno.readTextFile(WORD_POOLS_PATH),
    await generateWordPools(),
    "datasets/_word_pools.json is stale: run deno run -A scripts/gen_word_pools.ts",
  );
});

for (const name of TIKTOKEN_ENCODINGS) {
  Deno.test(`${name}: every pool word is one token, and prompts have exactly the asked count`, async () => {
    const tokenizer = await loadTokenizer(name);
    const pool = shippedWordPool(name)!;
    assert.equal(pool.length, WORD_POOL_SIZE);
    assert.equal(new Set(pool).size, pool.length, "no word twice");
    for (const word of pool) {
      assert.match(word, POOL_WORD);
      assert.equal(tokenizer.count(word), 1, `"${word}" is one token`);
    }
    for (const seed of SEEDS) {
      // By name: no tokenizer involved in making them; the real one checks.
      const prompts = randomPrompts({ tokenizer: name, lengths: LENGTHS, seed });
      prompts.forEach((p, i) => {
        assert.equal(p.promptLen, LENGTHS[i]);
        assert.equal(tokenizer.count(p.text), LENGTHS[i], `seed ${seed}, prompt ${i}`);
      });
      // A loaded tiktoken tokenizer uses the same shipped pool: the same prompts.
      assert.deepEqual(randomPrompts({ tokenizer, lengths: LENGTHS, seed }), prompts);
      const [shared] = randomPrompts({
        tokenizer: name,
        lengths: [37],
        seed,
        prefix: { kind: "tokens", len: 200 },
      });
      assert.equal(shared.promptLen, 237);
      assert.equal(tokenizer.count(shared.text), 237);
    }
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
  assert.equal(tokenizer.count(shared[0].text), 60);
  assert.equal(tokenizer.count(shared[1].text), 70);
  const prefix0 = tokenizer.decode(tokenizer.encode(shared[0].text).slice(0, 50));
  assert.ok(shared[1].text.startsWith(prefix0), "the same prefix leads every prompt");
  for (const text of ["You are a helpful assistant.", "Context:\n\n", "ends with a space ", "x"]) {
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

Deno.test("a name is enough except for a text prefix, and must have a shipped pool", () => {
  assert.throws(
    () =>
      randomPrompts({
        tokenizer: "cl100k_base",
        lengths: [4],
        seed: 0,
        prefix: { kind: "text", text: "Hi" },
      }),
    /text prefix needs the loaded tokenizer/,
  );
  assert.throws(
    () => randomPrompts({ tokenizer: "gpt-4o", lengths: [4], seed: 0 }),
    /no shipped word pool/,
  );
  const [p] = randomPrompts({
    tokenizer: "cl100k_base",
    lengths: [4],
    seed: 0,
    prefix: { kind: "none" },
  });
  assert.equal(p.promptLen, 4);
});

Deno.test("a tokenizer without a shipped pool gets one scanned from its vocabulary, and prompts are verified", async () => {
  const gpt2 = await loadTokenizer("gpt2");
  let counted = 0;
  const custom: Tokenizer = {
    ...gpt2,
    name: "custom",
    count: (text) => {
      counted++;
      return gpt2.count(text);
    },
  };
  const pool = wordPoolOf(custom);
  assert.equal(pool.shipped, false);
  // Same vocabulary, same scan: the scan is what the shipped pools were made with.
  assert.deepEqual(pool.words, shippedWordPool("gpt2"));
  assert.equal(wordPoolOf(custom).words, pool.words, "scanned once per tokenizer");
  const prompts = randomPrompts({ tokenizer: custom, lengths: LENGTHS, seed: 7 });
  assert.ok(counted >= LENGTHS.length, "every prompt re-encoded");
  prompts.forEach((p, i) => {
    assert.equal(p.promptLen, LENGTHS[i]);
    assert.equal(gpt2.count(p.text), LENGTHS[i]);
  });
});

Deno.test("a tokenizer that breaks additivity: prompts are adjusted to the asked count", async () => {
  const base = await loadTokenizer("cl100k_base");
  // One token more than the words past 10 words, so k words are not k tokens.
  const count = (text: string) => {
    const n = base.count(text);
    return n <= 10 ? n : n + 1;
  };
  const odd: Tokenizer = { ...base, name: "odd", count };
  const prompts = randomPrompts({ tokenizer: odd, lengths: [5, 30, 300], seed: 1 });
  assert.deepEqual(prompts.map((p) => p.promptLen), [5, 30, 300]);
  assert.deepEqual(prompts.map((p) => base.count(p.text)), [5, 29, 299]);
  for (const p of prompts) assert.equal(count(p.text), p.promptLen);
});

Deno.test("random prompts are seeded", async () => {
  const tokenizer = await loadTokenizer();
  const a = randomPrompts({ tokenizer, lengths: [50, 50], seed: 1 });
  const b = randomPrompts({ tokenizer, lengths: [50, 50], seed: 1 });
  const c = randomPrompts({ tokenizer, lengths: [50, 50], seed: 2 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.notEqual(a[0].text, a[1].text);
  assert.deepEqual(randomPrompts({ tokenizer: "cl100k_base", lengths: [50, 50], seed: 1 }), a);
});
