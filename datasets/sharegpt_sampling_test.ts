import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import { shippedWordPool } from "./word_pool.ts";
import { DEFAULT_SHAREGPT_BOUNDS } from "./sharegpt.ts";
import {
  loadShareGpt,
  type ShareGptOptions,
  type ShareGptSkipReason,
} from "./sharegpt_sampling.ts";
import { cachePath, readCache, sha256File, tokenizerProbe, writeCache } from "./_sharegpt_cache.ts";

const tokenizer = await loadTokenizer("cl100k_base");
const WORDS = shippedWordPool("cl100k_base")!;

/** `n` words of the shipped pool: exactly `n` cl100k tokens. */
function words(n: number, next: () => number): string {
  let text = "";
  for (let i = 0; i < n; i++) text += WORDS[Math.floor(next() * WORDS.length)];
  return text;
}

type Turn = { from: string; value: string };
const convo = (...turns: Turn[]) => ({ id: crypto.randomUUID(), conversations: turns });
const human = (value: string): Turn => ({ from: "human", value });
const gpt = (value: string): Turn => ({ from: "gpt", value });

/**
 * 20 usable conversations (one led by a system turn, some with escapes and
 * non-ASCII text) and one or two failing each rule, as `[element, reason]`.
 */
function ruleFixture(): { elements: unknown[]; usable: Map<string, number> } {
  const next = seededSource(7, "fixture");
  const usable = new Map<string, number>(); // prompt text → reply tokens
  const elements: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    let prompt = words(5 + Math.floor(next() * 200), next);
    if (i % 5 === 0) prompt = `Ünïcödé "quoted" \\ back\tslash\n${prompt} 你好`;
    const reply = words(4 + Math.floor(next() * 300), next);
    const turns = [human(prompt), gpt(reply), human(words(9, next)), gpt(words(9, next))];
    if (i === 3) turns.unshift({ from: "system", value: "You are helpful." });
    elements.push(convo(...turns));
    usable.set(prompt, tokenizer.count(reply));
  }
  elements.push(
    { id: "no conversations key" }, // notConversation
    42, // notConversation
    convo(human(words(10, next))), // tooFewTurns
    convo(gpt(words(10, next)), gpt(words(10, next))), // noPair: no human turn
    convo(human(words(10, next)), human(words(10, next))), // noPair: human not followed by gpt
    convo(human(words(3, next)), gpt(words(50, next))), // shortPrompt
    convo(human(words(1025, next)), gpt(words(50, next))), // longPrompt
    convo(human(words(50, next)), gpt(words(3, next))), // shortOutput
    convo(human(words(1000, next)), gpt(words(1049, next))), // longTotal
  );
  return { elements, usable };
}

const RULE_COUNTS: Record<ShareGptSkipReason, number> = {
  notConversation: 2,
  tooFewTurns: 1,
  noPair: 2,
  shortPrompt: 1,
  longPrompt: 1,
  shortOutput: 1,
  longTotal: 1,
};

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "mib-sharegpt-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const path = join(dir, name);
  await Deno.writeTextFile(path, JSON.stringify(value, null, 1));
  return path;
}

function load(options: Partial<ShareGptOptions> & { path: string }) {
  return loadShareGpt({ tokenizer, count: 10, seed: 0, cacheDir: null, ...options });
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UsageError, `a UsageError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("sharegpt: every rule removes its conversations; too few usable → replacement and a note", async () => {
  await withDir(async (dir) => {
    const { elements, usable } = ruleFixture();
    const path = await writeJson(dir, "rules.json", elements);
    const { prompts, notes, stats } = await load({ path, count: 25 });
    assert.equal(stats.conversations, elements.length);
    assert.equal(stats.examined, elements.length, "the file ran out, so all were examined");
    assert.equal(stats.usable, 20);
    assert.deepEqual(stats.skipped, RULE_COUNTS);
    assert.equal(prompts.length, 25, "never shrinks the run");
    assert.equal(new Set(prompts.map((p) => p.text)).size, 20, "all 20 usable, 5 again");
    for (const p of prompts) {
      assert.ok(usable.has(p.text), "only usable prompts");
      assert.equal(tokenizer.count(p.text), p.promptLen);
      assert.equal(p.outputLen, usable.get(p.text), "outputLen is the gpt turn's count");
    }
    assert.equal(notes.length, 1);
    assert.match(notes[0], /only 20 of 29 conversations/);
    assert.match(notes[0], /5 of 25 prompts were sampled from them again, with replacement/);
    assert.match(notes[0], /1 prompt over --sharegpt-max-prompt-len 1024 tokens/);
  });
});

Deno.test("sharegpt: enough usable conversations → the first N of the shuffle, no note", async () => {
  await withDir(async (dir) => {
    const { elements, usable } = ruleFixture();
    const path = await writeJson(dir, "rules.json", elements);
    const { prompts, notes, stats } = await load({ path, count: 12 });
    assert.deepEqual(notes, []);
    assert.equal(prompts.length, 12);
    assert.equal(new Set(prompts.map((p) => p.text)).size, 12, "without replacement");
    assert.ok(prompts.every((p) => usable.has(p.text)));
    assert.equal(stats.usable, 12);
    const skippedTotal = Object.values(stats.skipped).reduce((a, b) => a + b, 0);
    assert.equal(stats.examined, 12 + skippedTotal);
    assert.ok(stats.tokenized <= 2 * stats.examined, "only examined conversations tokenized");
  });
});

Deno.test("sharegpt: the seed decides, and only the seed", async () => {
  await withDir(async (dir) => {
    const path = await writeJson(dir, "rules.json", ruleFixture().elements);
    const a = await load({ path, seed: 1 });
    const b = await load({ path, seed: 1 });
    const c = await load({ path, seed: 2 });
    assert.deepEqual(a.prompts, b.prompts);
    assert.notDeepEqual(a.prompts.map((p) => p.text), c.prompts.map((p) => p.text));
    // More requests extend the same order.
    const longer = await load({ path, seed: 1, count: 15 });
    assert.deepEqual(longer.prompts.slice(0, 10), a.prompts);
  });
});

Deno.test("sharegpt: fixed output lengths replace the gpt turn's, and the output rules use them", async () => {
  await withDir(async (dir) => {
    const { elements } = ruleFixture();
    const path = await writeJson(dir, "rules.json", elements);
    const outputLens = Array.from({ length: 22 }, (_, k) => 10 + k);
    const { prompts, notes, stats } = await load({ path, count: 22, outputLens });
    assert.deepEqual(prompts.map((p) => p.outputLen), outputLens);
    // The short-output and long-total conversations fit these outputs: 22 usable.
    assert.equal(stats.usable, 22);
    assert.equal(stats.skipped.shortOutput, 0);
    assert.equal(stats.skipped.longTotal, 0);
    assert.deepEqual(notes, []);
    for (const p of prompts) assert.equal(tokenizer.count(p.text), p.promptLen);

    // 1000-token prompt + 1049 > 2048: set aside for the big output, used by a later small one.
    const big = [1040, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5];
    const mixed = await load({ path, count: big.length, outputLens: big, seed: 3 });
    assert.deepEqual(mixed.prompts.map((p) => p.outputLen), big);
    for (const p of mixed.prompts) assert.ok(p.promptLen + p.outputLen <= 2048);

    await rejects(
      load({ path, count: 3, outputLens: [10, 3, 10] }),
      /^--output-token-distribution: an output length of 3 is under --sharegpt-min-len 4/,
    );
    await rejects(
      load({ path, count: 1, outputLens: [2045] }),
      /^--output-token-distribution: an output length of 2045 leaves no room/,
    );
  });
});

Deno.test("sharegpt: bounds are options", async () => {
  await withDir(async (dir) => {
    const path = await writeJson(dir, "rules.json", ruleFixture().elements);
    const { stats } = await load({
      path,
      count: 40,
      bounds: { minLen: 1, maxPromptLen: 2000, maxTotalLen: 4000 },
    });
    // Short prompt, short output, long prompt and long total all pass now.
    assert.equal(stats.usable, 24);
    assert.equal(stats.skipped.shortPrompt + stats.skipped.longPrompt, 0);
    const tight = await load({ path, count: 40, bounds: { maxPromptLen: 50 } });
    assert.ok(tight.stats.skipped.longPrompt > 1);
    assert.deepEqual(DEFAULT_SHAREGPT_BOUNDS, { minLen: 4, maxPromptLen: 1024, maxTotalLen: 2048 });
    // A minimum of 0 turns the rule off; below that, or a maximum under 1, is an error.
    const open = await load({ path, count: 40, bounds: { minLen: 0 } });
    assert.equal(open.stats.skipped.shortPrompt + open.stats.skipped.shortOutput, 0);
    await rejects(
      load({ path, bounds: { minLen: -1 } }),
      /^--sharegpt-min-len: expected an integer ≥ 0, got -1/,
    );
    await rejects(
      load({ path, bounds: { maxPromptLen: 0 } }),
      /^--sharegpt-max-prompt-len: expected a positive integer, got 0/,
    );
    await rejects(
      load({ path, bounds: { maxTotalLen: 1.5 } }),
      /^--sharegpt-max-total-len: expected a positive integer, got 1.5/,
    );
    await rejects(
      load({ path, bounds: { maxPromptLen: 2, minLen: 4 } }),
      /^--sharegpt-max-prompt-len: 2 is under --sharegpt-min-len 4/,
    );
    await rejects(load({ path, bounds: { maxTotalLen: 7 } }), /^--sharegpt-max-total-len: 7/);
  });
});

Deno.test("sharegpt: the cache makes the second load fast, and a changed file or bad cache is not trusted", async () => {
  await withDir(async (dir) => {
    // Enough conversations that tokenizing dominates a cold load.
    const next = seededSource(11, "cache-fixture");
    const elements = Array.from(
      { length: 1500 },
      () => convo(human(words(20 + Math.floor(next() * 300), next)), gpt(words(300, next))),
    );
    const path = await writeJson(dir, "big.json", elements);
    const cacheDir = join(dir, "cache");
    const options = { path, cacheDir, count: 800, seed: 5 };
    const cold = await load(options);
    assert.equal(cold.stats.cached, false);
    assert.ok(cold.stats.tokenized >= 1600);
    const warm = await load(options);
    assert.equal(warm.stats.cached, true);
    assert.equal(warm.stats.tokenized, 0, "every length known");
    assert.deepEqual(warm.prompts, cold.prompts);
    assert.ok(
      warm.stats.loadMs < cold.stats.loadMs / 2,
      `cached ${warm.stats.loadMs} ms vs cold ${cold.stats.loadMs} ms`,
    );
    // Another seed reuses the index and adds the lengths it needs.
    const other = await load({ ...options, seed: 6 });
    assert.equal(other.stats.cached, true);
    assert.ok(other.stats.tokenized > 0);
    assert.equal((await load({ ...options, seed: 6 })).stats.tokenized, 0);

    // A different tokenizer has its own cache.
    const o200k = await loadTokenizer("o200k_base");
    assert.equal((await load({ ...options, tokenizer: o200k })).stats.cached, false);

    // Corrupt cache bytes: ignored, rewritten, same prompts.
    const key = {
      fileSha256: await sha256File(path),
      fileSize: (await Deno.stat(path)).size,
      tokenizer: tokenizer.name,
      probe: tokenizerProbe(tokenizer),
    };
    const file = cachePath(cacheDir, key);
    const bytes = await Deno.readFile(file);
    bytes[bytes.length - 3] ^= 0xff;
    await Deno.writeFile(file, bytes);
    const afterCorrupt = await load(options);
    assert.equal(afterCorrupt.stats.cached, false);
    assert.deepEqual(afterCorrupt.prompts, cold.prompts);
    assert.equal((await load(options)).stats.cached, true, "rewritten");
    await Deno.writeTextFile(file, "garbage");
    assert.equal((await load(options)).stats.cached, false);

    // The file changes (same size even): a different hash, so a miss.
    const text = await Deno.readTextFile(path);
    const changed = text.replace(/("value": ")(.)/, (_, head, c) => head + (c === "x" ? "y" : "x"));
    assert.notEqual(changed, text);
    assert.equal(changed.length, text.length);
    await Deno.writeTextFile(path, changed);
    const afterChange = await load(options);
    assert.equal(afterChange.stats.cached, false);
    for (const p of afterChange.prompts) assert.equal(tokenizer.count(p.text), p.promptLen);
  });
});

Deno.test("sharegpt: errors name --dataset-path and say why", async () => {
  await withDir(async (dir) => {
    const file = (name: string, text: string) => {
      const path = join(dir, name);
      Deno.writeTextFileSync(path, text);
      return path;
    };
    await rejects(load({ path: join(dir, "missing.json") }), /^--dataset-path: .*no such file/);
    await rejects(load({ path: dir }), /^--dataset-path: .* is a directory/);
    const good = '{"conversations": [{"from": "human", "value": "a b c d e"}, ';
    const bad = file("bad.json", `[${good}}]}]`); // a "}" where a turn should be
    await rejects(
      load({ path: bad }),
      new RegExp(
        `^--dataset-path: .* is not valid JSON: unexpected "}" at byte ${1 + good.length}$`,
      ),
    );
    const badChar = file("bad-char.json", '[{"conversations": [x]}]');
    await rejects(load({ path: badChar }), /is not valid JSON: unexpected "x" at byte 20$/);
    await rejects(load({ path: file("cut.json", `[${good}`) }), /unexpected end of file/);
    await rejects(load({ path: file("empty.json", "") }), /not valid JSON: the file is empty/);
    await rejects(
      load({ path: file("trailing.json", "[] []") }),
      /unexpected "\[" after the end of the top-level array at byte 3/,
    );
    await rejects(
      load({ path: file("object.json", '{"conversations": []}') }),
      /not a ShareGPT file: expected a JSON array of conversations, found an object/,
    );
    await rejects(load({ path: file("none.json", "[]") }), /is an empty array/);
    await rejects(
      load({ path: file("numbers.json", "[1, 2, {}]") }),
      /is not an array of ShareGPT conversations: none of its 3 elements/,
    );
    const allShort = JSON.stringify([
      convo(human("Hi"), gpt("Hello there, how can I help you today?")),
      convo(human("What is the capital of France, please?"), gpt("Paris")),
      convo(human("single turn")),
    ]);
    await rejects(
      load({ path: file("short.json", allShort) }),
      /^--dataset-path: no usable conversation in .*: of 3, skipped: 1 fewer than two turns, 1 prompt under --sharegpt-min-len 4 tokens, 1 output under --sharegpt-min-len 4 tokens$/,
    );
  });
});

Deno.test("sharegpt: a UTF-8 byte order mark and other assistant names are fine", async () => {
  await withDir(async (dir) => {
    const path = join(dir, "bom.json");
    const body = JSON.stringify([
      convo(human("Tell me a story about a cat."), { from: "chatgpt", value: "Once upon a time." }),
    ]);
    await Deno.writeFile(
      path,
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(body)]),
    );
    const { prompts } = await load({ path, count: 2 });
    assert.equal(prompts[0].text, "Tell me a story about a cat.");
    assert.equal(prompts[0].outputLen, tokenizer.count("Once upon a time."));
  });
});

Deno.test("sharegpt: with fixed outputs, a prompt too long for one request waits for a shorter output", async () => {
  await withDir(async (dir) => {
    const next = seededSource(3, "wait");
    const long = words(1000, next);
    const path = await writeJson(dir, "wait.json", [
      convo(human(long), gpt(words(10, next))),
      ...Array.from({ length: 3 }, () => convo(human(words(10, next)), gpt(words(10, next)))),
    ]);
    for (const seed of [0, 1, 2, 3]) {
      const { prompts, notes, stats } = await load({
        path,
        seed,
        count: 4,
        outputLens: [1100, 5, 5, 5],
      });
      assert.deepEqual(prompts.map((p) => p.outputLen), [1100, 5, 5, 5]);
      assert.equal(new Set(prompts.map((p) => p.text)).size, 4, `seed ${seed}: all four used`);
      assert.notEqual(prompts[0].text, long, "never the 1000-token prompt with 1100 out");
      assert.deepEqual(notes, []);
      assert.equal(stats.skipped.longTotal, 0);
    }
    // No request ever fits it: skipped, and the run is filled with replacement.
    const { prompts, notes, stats } = await load({
      path,
      count: 4,
      outputLens: [1100, 1100, 1100, 1100],
    });
    assert.equal(stats.skipped.longTotal, 1);
    assert.equal(stats.usable, 3);
    assert.ok(prompts.every((p) => p.text !== long && p.outputLen === 1100));
    assert.match(notes[0], /only 3 of 4 conversations .*1 prompt \+ output over/);
  });
});

Deno.test("sharegpt: a cache whose offsets do not match the file is dropped, not trusted", async () => {
  await withDir(async (dir) => {
    const path = await writeJson(dir, "rules.json", ruleFixture().elements);
    const cacheDir = join(dir, "cache");
    const cold = await load({ path, cacheDir });
    const key = {
      fileSha256: await sha256File(path),
      fileSize: (await Deno.stat(path)).size,
      tokenizer: tokenizer.name,
      probe: tokenizerProbe(tokenizer),
    };
    const entry = (await readCache(cacheDir, key))!;
    assert.ok(entry !== undefined);
    // Well-formed and checksummed, but every offset one byte off.
    const starts = entry.index.starts.map((s) => s + 1);
    await writeCache(cacheDir, key, { ...entry, index: { ...entry.index, starts } });
    assert.ok((await readCache(cacheDir, key)) !== undefined);
    const again = await load({ path, cacheDir });
    assert.equal(again.stats.cached, false);
    assert.deepEqual(again.prompts, cold.prompts);
  });
});
