/**
 * Reasoning models: the simulator's `--reasoning-tokens N` in each form
 * (chat `delta.reasoning_content`, `<think>` tags in completions text,
 * Ollama's `thinking`), and newer vLLM's `delta.reasoning`, recorded per
 * request and summarised.
 */
import assert from "node:assert/strict";
import { getBackend } from "../backends/mod.ts";
import type { SeedRecord } from "../mod.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

for (const backend of ["openai-chat", "openai", "ollama"]) {
  Deno.test(`reasoning, ${backend}: time to the first reasoning and answer token, both counts, output_len the total`, async () => {
    await using dir = await tempDir();
    const out = `${dir.path}/r.json`;
    await withSim({ ttftMs: 10, tpotMs: 4, reasoningTokens: 4 }, async (sim) => {
      const run = await runCli([
        ...benchFlags(sim.url, 3, 8, 10),
        "--backend",
        backend,
        "--no-server-metrics",
        "--output-file",
        out,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
      for (const r of records) {
        assert.ok(r.success);
        // The first chunk is reasoning: TTFT is its time.
        assert.equal(r.ttft_reasoning, r.ttft);
        // The answer starts with token 4, after the reasoning's.
        assert.ok(r.ttft_answer! > r.ttft!, `${r.ttft_answer} vs ${r.ttft}`);
        assert.equal(r.output_len, 10);
        // The simulator's words are one cl100k token each: 4 reasoning, 6 answer.
        assert.equal(r.reasoning_len, 4);
        assert.equal(r.answer_len, 6);
        // ITL over both parts: one gap per chunk after the first.
        assert.equal(r.itl.length, 9);
      }
      assert.match(run.stdout, /TTFT \(reasoning\)\s*│?\s*[\d.]+/);
      assert.match(run.stdout, /TTFT \(answer\)\s*│?\s*[\d.]+/);
      assert.match(
        run.stdout,
        /Reasoning \/ answer tokens\s*│?\s*12 \/ 18 \(3 requests with reasoning\)/,
      );
      const record = JSON.parse(await Deno.readTextFile(`${dir.path}/r.summary.json`));
      assert.equal(record.summary.reasoning.requests, 3);
      assert.equal(record.summary.reasoning.ttftAnswer.count, 3);
    });
  });
}

Deno.test("no reasoning: no reasoning fields, rows or counts", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/r.json`;
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    const run = await runCli([
      ...benchFlags(sim.url, 2, 8, 5),
      "--backend",
      "openai-chat",
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(records.map((r) => [r.ttft_reasoning, r.ttft_answer, r.reasoning_len]), [
      [null, null, null],
      [null, null, null],
    ]);
    assert.doesNotMatch(run.stdout, /reasoning/i);
  });
});

Deno.test("openai-chat: newer vLLM's delta.reasoning and usage's reasoning_tokens", () => {
  const parser = getBackend("openai-chat").createParser({ prompt: "p", maxTokens: 3 });
  const event = (delta: unknown, usage?: unknown) =>
    new TextEncoder().encode(
      `data: ${
        JSON.stringify({ choices: [{ index: 0, delta }], ...(usage ? { usage } : {}) })
      }\n\n`,
    );
  parser.feed(event({ role: "assistant", content: "" }), 1);
  parser.feed(event({ reasoning: "Hmm" }), 2);
  parser.feed(event({ reasoning: ".", content: "" }), 3);
  parser.feed(event({ content: "Yes" }), 4);
  parser.feed(
    new TextEncoder().encode(
      `data: ${
        JSON.stringify({
          choices: [],
          usage: {
            prompt_tokens: 1,
            completion_tokens: 3,
            completion_tokens_details: { reasoning_tokens: 2 },
          },
        })
      }\n\ndata: [DONE]\n\n`,
    ),
    5,
  );
  const parsed = parser.finish();
  assert.deepEqual(parsed.reasoning, {
    text: "Hmm.",
    firstTime: 2,
    answerTime: 4,
    serverTokens: 2,
  });
  assert.deepEqual(parsed.chunks.map((c) => c.text), ["Hmm", ".", "Yes"]);
});
