/**
 * `mib bench` against a simulator set to disagree with it (real HTTP on
 * loopback, the CLI as a subprocess): each kind of mismatch noted per request,
 * counted in the summary and the run record, written in every format, and
 * `--strict` exiting 1 on it.
 */

import assert from "node:assert/strict";
import { getBackend } from "../backends/mod.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

const FAST = { ttftMs: 1, tpotMs: 0 };

/** The lines of `text` that are notes on mismatches or --strict's verdict. */
const verdicts = (text: string) =>
  text.split("\n").filter((l) =>
    /^note: .*(another length|prompt counts|truncated)|^strict:/.test(l)
  );

/** The chat length fields mib sends. */
const chatFields = Object.keys(
  JSON.parse(getBackend("openai-chat").buildRequest({ prompt: "x", maxTokens: 1 }).body),
).filter((k) => k === "max_tokens" || k === "max_completion_tokens");

Deno.test("output length: an early-2025 llama.cpp reads only max_tokens, and mib's chat sends it", async () => {
  assert.deepEqual(chatFields.sort(), ["max_completion_tokens", "max_tokens"]);
  await withSim({ ...FAST, naturalLen: 7, honour: "max_tokens" }, async (sim) => {
    const run = await runCli(["--backend", "openai-chat", ...benchFlags(sim.url, 4, 16, 12)]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(verdicts(run.stdout), []);
  });
});

Deno.test("output length: a server that stops early is noted per request and in the summary; --strict exits 1", async () => {
  await using dir = await tempDir();
  // Triton's generate extension has no ignore_eos: the simulated model ends after 7 tokens.
  await withSim({ ...FAST, naturalLen: 7 }, async (sim) => {
    const out = `${dir.path}/trt.json`;
    const flags = [
      "--backend",
      "tensorrt-llm",
      ...benchFlags(sim.url, 4, 16, ["uniform", 10, 12]),
      "--output-file",
      out,
    ];
    const run = await runCli(flags);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const [line] = verdicts(run.stdout);
    assert.match(
      line,
      /^note: 4 request\(s\) generated another length than asked \(asked 1[0-2](–1[0-2])?, the client tokenizer counted 7\): the server did not honour the length field or ignore_eos, or its tokenizer differs from the client's$/,
    );
    const records = JSON.parse(await Deno.readTextFile(out));
    for (const r of records) {
      assert.equal(r.output_len, 7);
      assert.ok(r.output_len_asked >= 10 && r.output_len_asked <= 12);
      assert.ok(
        r.notes.includes(
          `asked for ${r.output_len_asked} output tokens, the client tokenizer counted 7: the server did not honour the length field or ignore_eos`,
        ),
        r.notes.join("; "),
      );
      assert.equal(r.truncated, null);
      assert.equal(r.server_timings, null);
    }
    const record = JSON.parse(await Deno.readTextFile(`${dir.path}/trt.summary.json`));
    assert.equal(record.summary.mismatches.outputLength, 4);
    assert.equal(record.metrics.mismatches.outputLength, 4);
    assert.equal(record.config.strict, false);

    const strict = await runCli([...flags, "--strict"]);
    assert.equal(strict.code, 1, strict.stderr + strict.stdout);
    assert.match(
      verdicts(strict.stdout).at(-1)!,
      /^strict: exit status 1: the server disagreed with the plan \(4 output length; see the notes above\)$/,
    );
    assert.equal(JSON.parse(await Deno.readTextFile(out)).length, 4, "written before exiting");
  });
});

Deno.test("prompt length: a server counting 5.3× the client's tokens gets the ratio line; jsonl and csv carry it", async () => {
  await using dir = await tempDir();
  await withSim({ ...FAST, promptScale: 5.3 }, async (sim) => {
    const out = `${dir.path}/p.jsonl`;
    const run = await runCli([
      ...benchFlags(sim.url, 4, 40, 3),
      "--tokenizer",
      "cl100k_base",
      "--output-file",
      out,
      "--output-format",
      "jsonl",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(verdicts(run.stdout), [
      "note: server prompt counts differ from the planned ones in 4 request(s): the server counted 5.3× the client tokenizer's (cl100k_base) tokens; give --tokenizer server or the model's tokenizer",
    ]);
    const lines = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
    const requests = lines.filter((l) => l.summary === undefined);
    assert.equal(requests.length, 4);
    for (const r of requests) {
      assert.deepEqual(
        [r.prompt_len, r.prompt_len_server, r.output_len_asked, r.prompt_cached, r.truncated],
        [40, 212, 3, null, null],
      );
      assert.ok(
        r.notes.some((n: string) => /the server counted 212 prompt tokens, the plan 40/.test(n)),
      );
    }
    assert.equal(lines.at(-1).summary.mismatches.promptLength, 4);

    const csv = `${dir.path}/p.csv`;
    const again = await runCli([
      ...benchFlags(sim.url, 4, 40, 3),
      "--output-file",
      csv,
      "--output-format",
      "csv",
    ]);
    assert.equal(again.code, 0, again.stderr);
    const [header, row] = (await Deno.readTextFile(csv)).trim().split("\n").map((l) =>
      l.split(",")
    );
    const cell = (name: string) => row[header.indexOf(name)];
    assert.deepEqual(
      [
        cell("mib_output_length_mismatches"),
        cell("mib_prompt_length_mismatches"),
        cell("mib_truncated_prompts"),
      ],
      ["0", "4", "0"],
    );
  });
});

Deno.test("truncated: llama.cpp cutting prompts to its context is noted, written in the vllm format, and fails --strict", async () => {
  await using dir = await tempDir();
  await withSim({ ...FAST, maxContext: 50 }, async (sim) => {
    const out = `${dir.path}/llama.json`;
    const run = await runCli([
      "--backend",
      "llama.cpp",
      ...benchFlags(sim.url, 3, 100, 4),
      "--output-file",
      out,
      "--output-format",
      "vllm",
      "--strict",
    ]);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.deepEqual(verdicts(run.stdout), [
      "note: 3 prompt(s) were truncated by the server to its context: it processed fewer tokens than prompt_len says",
      "strict: exit status 1: the server disagreed with the plan (3 truncated; see the notes above)",
    ]);
    assert.doesNotMatch(run.stdout, /Failed requests +│ [1-9]/, "truncated requests succeed");
    const v = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(v.input_lens, [100, 100, 100], "vLLM's own keys unchanged");
    assert.deepEqual(v.mib_truncated, [true, true, true]);
    assert.deepEqual(v.mib_prompt_lens_server, [25, 25, 25]);
    assert.deepEqual(v.mib_prompt_cached, [0, 0, 0]);
    assert.deepEqual(v.mib_output_lens_asked, [4, 4, 4]);
    assert.deepEqual(v.mib_server_timings[0], {
      prompt_n: 25,
      prompt_ms: FAST.ttftMs,
      predicted_n: 4,
      predicted_ms: 0,
      predicted_per_token_ms: 0,
      cache_n: 0,
    });
    assert.equal(v.mib_truncated_prompts, 3);
    assert.equal(v.mib_prompt_length_mismatches, 0, "a truncated prompt counts as truncated only");

    // mib report reads the new files as before.
    const report = await runCli(["report", out, `${dir.path}/llama.summary.json`]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /completed +│ 3 +│ 3/);
  });
});

Deno.test("max-context on the OpenAI route: vLLM's 400 fails each request with its message", async () => {
  await withSim({ ...FAST, maxContext: 50 }, async (sim) => {
    const run = await runCli(benchFlags(sim.url, 2, 100, 4));
    assert.equal(run.code, 1);
    assert.match(
      run.stdout,
      /failed ×2: HTTP 400 Bad Request: .*This model's maximum context length is 50 tokens\. However, you requested 104 tokens \(100 in the messages, 4 in the completion\)/,
    );
    assert.deepEqual(verdicts(run.stdout), [], "failed requests are failures, not mismatches");
  });
});

Deno.test("a run whose server agrees has no mismatch notes, and --strict exits 0", async () => {
  await withSim(FAST, async (sim) => {
    const run = await runCli([...benchFlags(sim.url, 3, 20, 4), "--strict"]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.deepEqual(verdicts(run.stdout), [
      "strict: every successful request matched the plan (output length, prompt count, no truncation)",
    ]);
  });
});
