import assert from "node:assert/strict";
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import { loadTextPrompts, type TextPromptOptions } from "./other.ts";

const tokenizer = await loadTokenizer("cl100k_base");

/** Text that is hard to cut: words, numbers, code, runs of spaces, CJK, emoji, accents. */
function prose(pieces: number, seed: number): string {
  const next = seededSource(seed, "prose");
  const parts = [
    "the",
    "quick",
    "brown",
    "fox",
    "jumps",
    "over",
    "lazy",
    "dogs",
    "benchmark",
    "inference",
    "tokenization",
    "unbelievably",
    "naïve",
    "café",
    "Straße",
    "12345",
    "3.14159",
    "你好世界",
    "東京都",
    "🙂",
    "👩‍💻",
    "def f(x):\n    return x**2",
    "https://example.com/a?b=c",
    "don't",
    "we'll",
    "—",
    "(",
    ")",
    "!",
    "?",
  ];
  const gaps = [" ", " ", " ", " ", "  ", "\n", "\n\n", ", ", ". ", "\t", ""];
  let text = "";
  for (let i = 0; i < pieces; i++) {
    text += parts[Math.floor(next() * parts.length)] + gaps[Math.floor(next() * gaps.length)];
  }
  return text;
}

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "mib-text-test-" });
  try {
    return await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function write(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  Deno.writeTextFileSync(path, text);
  return path;
}

function load(options: Partial<TextPromptOptions> & { path: string; count: number }) {
  return loadTextPrompts({
    tokenizer,
    seed: 0,
    inputLens: Array(options.count).fill(10),
    outputLens: Array(options.count).fill(64),
    ...options,
  });
}

async function rejects(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof UsageError, `a UsageError, got ${error}`);
    assert.match(error.message, pattern);
    return true;
  });
}

Deno.test("text: every window re-encodes to exactly its length and is cut from the file", async () => {
  await withDir(async (dir) => {
    const text = prose(20_000, 1);
    const path = write(dir, "prose.txt", text);
    const next = seededSource(2, "lens");
    const inputLens = [1, 2, 3, 7, 50, 333, 1000, 2000];
    while (inputLens.length < 120) inputLens.push(1 + Math.floor(next() * 800));
    const outputLens = inputLens.map((_, k) => 100 + k);
    const { prompts, notes, format } = await load({
      path,
      count: inputLens.length,
      inputLens,
      outputLens,
    });
    assert.equal(format, "text");
    assert.deepEqual(notes, []);
    prompts.forEach((p, k) => {
      assert.equal(p.promptLen, inputLens[k]);
      assert.equal(tokenizer.count(p.text), inputLens[k], `window ${k}`);
      assert.ok(text.includes(p.text), "a window of the file, not decoded ids");
      assert.equal(p.outputLen, outputLens[k]);
    });
    assert.ok(new Set(prompts.map((p) => p.text)).size > 100, "starts spread over the file");
  });
});

Deno.test("text: exact under other encodings and in text without spaces", async () => {
  await withDir(async (dir) => {
    const cjk = write(dir, "cjk.txt", "你好世界東京都🙂。".repeat(2000));
    const lens = [1, 5, 64, 300];
    for (const name of ["cl100k_base", "o200k_base", "gpt2"]) {
      const tok = await loadTokenizer(name);
      for (const path of [cjk, write(dir, "prose.txt", prose(5000, 3))]) {
        const { prompts } = await load({ path, tokenizer: tok, count: 4, inputLens: lens });
        prompts.forEach((p, k) => assert.equal(tok.count(p.text), lens[k], `${name} ${path}`));
      }
    }
  });
});

Deno.test("text: exact even when decoding does not give the text back", async () => {
  await withDir(async (dir) => {
    const path = write(dir, "prose.txt", prose(3000, 6));
    // A decode that "cleans up" its output, as some Hugging Face decoders do.
    const lossy = { ...tokenizer, decode: (ids: number[]) => tokenizer.decode(ids).toUpperCase() };
    const inputLens = [1, 9, 120, 400];
    const { prompts } = await load({ path, tokenizer: lossy, count: 4, inputLens });
    prompts.forEach((p, k) => {
      assert.equal(tokenizer.count(p.text), inputLens[k]);
      assert.ok(prompts[k].text !== p.text.toUpperCase() || !/[a-z]/.test(p.text));
    });
  });
});

Deno.test("text: the seed decides the windows", async () => {
  await withDir(async (dir) => {
    const path = write(dir, "prose.txt", prose(5000, 4));
    const inputLens = [40, 80, 120, 160];
    const a = await load({ path, count: 4, inputLens, seed: 1 });
    const b = await load({ path, count: 4, inputLens, seed: 1 });
    const c = await load({ path, count: 4, inputLens, seed: 2 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.prompts.map((p) => p.text), c.prompts.map((p) => p.text));
  });
});

Deno.test("text: a file shorter than a window is an error; one exactly as long is the window", async () => {
  await withDir(async (dir) => {
    const short = prose(30, 5);
    const path = write(dir, "short.txt", short);
    const tokens = tokenizer.count(short);
    await rejects(
      load({ path, count: 2, inputLens: [5, tokens + 1] }),
      new RegExp(
        `^--dataset-path: ".*short.txt" holds ${tokens} tokens, fewer than the longest prompt asked for \\(${
          tokens + 1
        } tokens`,
      ),
    );
    const { prompts } = await load({ path, count: 1, inputLens: [tokens] });
    assert.equal(prompts[0].text, short);
    await rejects(load({ path: write(dir, "blank.txt", "\n  \n"), count: 1 }), /is empty/);
    await rejects(load({ path: join(dir, "missing.txt"), count: 1 }), /no such file/);
    await rejects(
      load({ path, count: 1, inputLens: [3], outputLens: undefined }),
      /^--dataset-path: a window of .* has no output length: give --output-token-distribution$/,
    );
    const fallback = await load({
      path,
      count: 1,
      inputLens: [3],
      outputLens: undefined,
      defaultOutputLens: [77],
    });
    assert.equal(fallback.prompts[0].outputLen, 77);
  });
});

Deno.test("jsonl: prompts as given, lengths measured, output lengths from the caller, the line or the default", async () => {
  await withDir(async (dir) => {
    const rows = [
      { prompt: "Explain transformers in one paragraph.", output_len: 200 },
      { prompt: "Translate 'bonjour' to English.", max_tokens: 16 },
      { prompt: "Write a haiku about benchmarks.\nMake it rhyme.", output_len: 30, max_tokens: 99 },
      { prompt: "  leading and trailing spaces are kept  ", id: 7 },
    ];
    const body = rows.map((row) => JSON.stringify(row)).join("\n\n") + "\n";
    const path = write(dir, "prompts.jsonl", body);
    const base = { path, count: 4, outputLens: undefined, defaultOutputLens: [1, 2, 3, 4] };
    const ordered = await load({ ...base, inOrder: true });
    assert.equal(ordered.format, "jsonl");
    assert.deepEqual(ordered.prompts.map((p) => p.text), rows.map((r) => r.prompt));
    assert.deepEqual(ordered.prompts.map((p) => p.outputLen), [200, 16, 30, 4]);
    for (const p of ordered.prompts) assert.equal(p.promptLen, tokenizer.count(p.text));
    assert.deepEqual(ordered.notes, []);

    // Shuffled by the seed, the same set; the caller's lengths win.
    const shuffled = await load({ path, count: 4, seed: 9, outputLens: [5, 6, 7, 8] });
    assert.deepEqual(
      shuffled.prompts.map((p) => p.text).sort(),
      rows.map((r) => r.prompt).sort(),
    );
    assert.deepEqual(shuffled.prompts.map((p) => p.outputLen), [5, 6, 7, 8]);
    assert.deepEqual((await load({ path, count: 4, seed: 9 })).prompts.map((p) => p.text), [
      ...shuffled.prompts.map((p) => p.text),
    ]);

    // More requests than lines: all lines, then drawn with replacement, and a note.
    const many = await load({ path, count: 10, seed: 1 });
    assert.equal(many.prompts.length, 10);
    assert.equal(new Set(many.prompts.slice(0, 4).map((p) => p.text)).size, 4);
    assert.match(many.notes[0], /has 4 prompts for 10 requests: .*6 requests reuse prompts/);

    // A line without a length and no default.
    await rejects(
      load({ path, count: 4, inOrder: true, outputLens: undefined }),
      /^--dataset-path: line 7 of ".*" has no output length/,
    );
  });
});

Deno.test("jsonl: detected by content, and bad lines are named", async () => {
  await withDir(async (dir) => {
    const sniffed = write(dir, "prompts.txt", '\n{"prompt": "Hi there, model."}\n');
    const { prompts, format } = await load({ path: sniffed, count: 1 });
    assert.equal(format, "jsonl");
    assert.equal(prompts[0].text, "Hi there, model.");
    await rejects(
      load({ path: write(dir, "a.jsonl", '{"prompt": "ok"}\n{"prompt": \n'), count: 1 }),
      /^--dataset-path: ".*a.jsonl" line 2 is not valid JSON/,
    );
    await rejects(
      load({ path: write(dir, "b.jsonl", '{"prompt": "ok"}\n{"text": "no prompt"}\n'), count: 1 }),
      /line 2: expected a non-empty string "prompt", got none/,
    );
    await rejects(
      load({ path: write(dir, "c.jsonl", '{"prompt": "ok", "output_len": -3}\n'), count: 1 }),
      /line 1: "output_len" must be a positive integer, got -3/,
    );
    await rejects(
      load({ path: write(dir, "d.jsonl", "[1, 2]\n"), count: 1 }),
      /line 1: expected an object/,
    );
  });
});
