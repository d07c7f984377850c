import assert from "node:assert/strict";
import { loadTokenizer } from "../mod.ts";
import { recordingServer, runCli, tempDir } from "./_helpers.ts";

const tokenizer = await loadTokenizer("cl100k_base");

const sentence = (n: number) => Array.from({ length: n }, (_, i) => `word${i % 7}`).join(" ");

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
      "--base-url",
      server.url,
      "--model",
      "m",
      "--dataset-name",
      "sharegpt",
      "--dataset-path",
      path,
      "--num-of-req",
      "5",
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
