import assert from "node:assert/strict";
import { loadTokenizer } from "../mod.ts";
import { shippedWordPool } from "../datasets/word_pool.ts";
import { recordingServer, runCli, tempDir } from "./_helpers.ts";

const tokenizer = await loadTokenizer("cl100k_base");

const sentence = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 7}`).join(" ");

/** The flags of a run of `requests` ShareGPT prompts from `path` against `url`. */
function shareGptFlags(url: string, path: string, requests: number): string[] {
  return [
    ...["--base-url", url, "--model", "m", "--num-of-req", String(requests)],
    ...["--dataset-name", "sharegpt", "--dataset-path", path],
  ];
}

Deno.test("CLI --dataset-name sharegpt: prompts from the file, output lengths from the replies", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/sharegpt.json`;
  const conversations = Array.from({ length: 30 }, (_, i) => ({
    id: `c${i}`,
    conversations: [
      { from: "human", value: `Question ${i}: ${sentence(10 + i)}` },
      { from: "gpt", value: `Answer ${i}: ${sentence(20 + i)}` },
    ],
  }));
  await Deno.writeTextFile(path, JSON.stringify(conversations));
  const server = recordingServer();
  const sent = () => server.received.map((r) => r.body as { prompt: string; max_tokens: number });
  const out = `${dir.path}/out.json`;
  try {
    const run = await runCli([
      ...shareGptFlags(server.url, path, 5),
      "--prefix-text",
      "System: be brief.\n",
      "--output-file",
      out,
    ], { env: { XDG_CACHE_HOME: dir.path } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const records = JSON.parse(await Deno.readTextFile(out));
    assert.equal(sent().length, 5);
    const answers = new Map(
      conversations.map((
        c,
      ) => [c.conversations[0].value, tokenizer.count(c.conversations[1].value)]),
    );
    for (const { prompt, max_tokens } of sent()) {
      assert.ok(prompt.startsWith("System: be brief.\n"));
      const question = prompt.slice("System: be brief.\n".length);
      assert.equal(max_tokens, answers.get(question), "output length = the reply's token count");
    }
    const real = sent().map((s) => tokenizer.count(s.prompt)).sort((a, b) => a - b);
    const reported = records.map((r: { prompt_len: number }) => r.prompt_len).sort((
      a: number,
      b: number,
    ) => a - b);
    assert.deepEqual(reported, real);
  } finally {
    await server.close();
  }
});

Deno.test("CLI --dataset-name other: windows of a text file with exactly the sampled lengths", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/book.txt`;
  await Deno.writeTextFile(path, (await Deno.readTextFile("README.md")).repeat(3));
  const server = recordingServer();
  const sent = () => server.received.map((r) => r.body as { prompt: string; max_tokens: number });
  const out = `${dir.path}/out.json`;
  try {
    const run = await runCli([
      "--base-url",
      server.url,
      "--model",
      "m",
      "--dataset-name",
      "other",
      "--dataset-path",
      path,
      "--num-of-req",
      "4",
      "--input-token-distribution",
      "uniform",
      "50",
      "300",
      "--output-token-distribution",
      "constant",
      "7",
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const records = JSON.parse(await Deno.readTextFile(out));
    for (const { prompt, max_tokens } of sent()) {
      const n = tokenizer.count(prompt);
      assert.ok(n >= 50 && n <= 300, `window of ${n} tokens`);
      assert.equal(max_tokens, 7);
    }
    const real = sent().map((s) => tokenizer.count(s.prompt)).sort((a, b) => a - b);
    const reported = records.map((r: { prompt_len: number }) => r.prompt_len).sort((
      a: number,
      b: number,
    ) => a - b);
    assert.deepEqual(reported, real);
  } finally {
    await server.close();
  }
});

/** `n` words of cl100k's shipped pool from `start`: exactly `n` cl100k tokens. */
function tokens(n: number, start: number): string {
  const words = shippedWordPool("cl100k_base")!;
  let text = "";
  for (let i = 0; i < n; i++) text += words[(start + i) % words.length];
  return text;
}

/**
 * Six ordinary conversations and one that each `--sharegpt-*` default
 * removes: a 2-token prompt (min), a 1100-token prompt (max prompt), and
 * 1000 + 1100 tokens (max total).
 */
const SPECIAL = {
  min: { prompt: tokens(2, 0), reply: tokens(30, 10) },
  maxPrompt: { prompt: tokens(1100, 100), reply: tokens(10, 50) },
  maxTotal: { prompt: tokens(1000, 1300), reply: tokens(1100, 2400) },
};
const ORDINARY = Array.from({ length: 6 }, (_, i) => ({
  prompt: tokens(20, 3600 + 25 * i),
  reply: tokens(20, 3800 + 25 * i),
}));

async function shareGptRun(dir: string, flags: string[]): Promise<Set<string>> {
  const path = `${dir}/sharegpt.json`;
  const pairs = [...ORDINARY, ...Object.values(SPECIAL)];
  await Deno.writeTextFile(
    path,
    JSON.stringify(pairs.map(({ prompt, reply }, i) => ({
      id: `c${i}`,
      conversations: [{ from: "human", value: prompt }, { from: "gpt", value: reply }],
    }))),
  );
  const server = recordingServer();
  try {
    // As many requests as conversations: every usable one is used.
    const run = await runCli([
      ...shareGptFlags(server.url, path, pairs.length),
      "--tokenizer",
      "cl100k_base",
      ...flags,
    ], { env: { XDG_CACHE_HOME: dir } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    return new Set(server.received.map((r) => r.body.prompt as string));
  } finally {
    await server.close();
  }
}

/** Which of the special conversations a run sent. */
function specialsSent(sent: Set<string>): string[] {
  return Object.entries(SPECIAL).filter(([, c]) => sent.has(c.prompt)).map(([name]) => name);
}

Deno.test("CLI --sharegpt-*: each bound changes which conversations are used", async () => {
  await using dir = await tempDir();
  const plain = await shareGptRun(dir.path, []);
  assert.deepEqual(specialsSent(plain), [], "the defaults skip all three");
  for (const p of ORDINARY) assert.ok(plain.has(p.prompt));
  assert.deepEqual(specialsSent(await shareGptRun(dir.path, ["--sharegpt-min-len", "2"])), [
    "min",
  ]);
  assert.deepEqual(
    specialsSent(await shareGptRun(dir.path, ["--sharegpt-max-prompt-len", "1100"])),
    ["maxPrompt"],
  );
  assert.deepEqual(
    specialsSent(await shareGptRun(dir.path, ["--sharegpt-max-total-len", "2100"])),
    ["maxTotal"],
  );
});

Deno.test("CLI --sharegpt-*: the config file keys set the bounds, and flags override them", async () => {
  await using dir = await tempDir();
  const config = `${dir.path}/args.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      sharegpt_min_len: 0,
      sharegpt_max_prompt_len: 2000,
      sharegpt_max_total_len: 4000,
    }),
  );
  assert.deepEqual(specialsSent(await shareGptRun(dir.path, ["--config-file", config])), [
    "min",
    "maxPrompt",
    "maxTotal",
  ]);
  assert.deepEqual(
    specialsSent(
      await shareGptRun(dir.path, ["--config-file", config, "--sharegpt-max-prompt-len", "1024"]),
    ),
    ["min", "maxTotal"],
  );
});
