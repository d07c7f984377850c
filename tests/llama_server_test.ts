/**
 * mib against a real llama.cpp `llama-server` (built from source by
 * scripts/build_llama_server.sh, running the 260K-parameter test model on a
 * CPU): what the server reports must agree with what mib asked and recorded.
 * Without a binary these tests are ignored with the reason printed, or fail
 * under MIB_REQUIRE_LLAMA_SERVER=1 (CI).
 */
import assert from "node:assert/strict";
import type { SeedRecord } from "../mod.ts";
import { runCli, tempDir } from "./_helpers.ts";
import { llamaServerBinary, llamaServerRequired, startLlamaServer } from "./_llama_server.ts";

const binary = llamaServerBinary();
const ignore = "missing" in binary && !llamaServerRequired();
if ("missing" in binary) {
  console.error(`llama_server_test: ${binary.missing}; ${ignore ? "skipped" : "required"}`);
}
const path = () => {
  if ("missing" in binary) throw new Error(binary.missing);
  return binary.path;
};

const BACKENDS = ["openai", "openai-chat", "llama.cpp"] as const;

async function bench(url: string, args: string[]): Promise<{
  code: number;
  stdout: string;
  stderr: string;
  records: SeedRecord[];
}> {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const run = await runCli([
    "--base-url",
    url,
    "--output-file",
    out,
    ...args,
  ]);
  let records: SeedRecord[] = [];
  try {
    records = JSON.parse(await Deno.readTextFile(out));
  } catch {
    // No file: the run stopped before writing; the caller's asserts say why.
  }
  return { ...run, records };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const backend of BACKENDS) {
  Deno.test({
    name:
      `llama-server, ${backend}: lengths as asked, prompts as planned, timings as the server's own`,
    ignore,
    async fn() {
      await using server = await startLlamaServer(path());
      // No --tokenizer: the model's own, read from the GGUF file llama-server names as its model.
      const run = await bench(server.url, [
        "--backend",
        backend,
        "--num-of-req",
        "12",
        "--request-distribution",
        "poisson",
        "20",
        "--input-token-distribution",
        "uniform",
        "8",
        "16",
        "--output-token-distribution",
        "uniform",
        "30",
        "60",
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout + server.log().slice(-1500));
      assert.match(run.stdout, /^tokenizer: .*stories260K\.gguf \(the model's own\)$/m);
      assert.equal(run.records.length, 12);
      const excess: number[] = [];
      for (const r of run.records) {
        assert.equal(r.success, true, r.error);
        // The server's own count of what it generated is exactly what was asked.
        assert.equal(r.output_len_source, "server");
        assert.equal(r.output_len, r.output_len_asked);
        assert.ok(r.prompt_len_server !== null);
        excess.push(r.prompt_len_server! - r.prompt_len);
        // TTFT holds the server's prompt processing (and a slot wait, a decode step, loopback).
        const t = r.server_timings!;
        assert.ok(
          r.ttft! * 1000 >= t.prompt_ms! - 0.5,
          `ttft ${r.ttft} vs prompt_ms ${t.prompt_ms}`,
        );
        // TPOT and the server's ms per token time the same decode loop.
        const tpot = ((r.latency - r.ttft!) / (r.output_len - 1)) * 1000;
        assert.ok(
          Math.abs(tpot - t.predicted_per_token_ms!) <= 1,
          `TPOT ${tpot} vs server ${t.predicted_per_token_ms} ms`,
        );
      }
      if (backend === "openai-chat") {
        // The chat template: a constant the server adds, said so, not called another tokenizer.
        assert.ok(Math.max(...excess) - Math.min(...excess) <= 2, `excess ${excess}`);
        assert.match(
          run.stdout,
          /^note: the server counted \d+(–\d+)? prompt tokens more than planned in each of 12 request\(s\), a constant: a chat template/m,
        );
      } else {
        // Exact in the server's tokenizer, but for the BOS token the server adds.
        assert.deepEqual([...new Set(excess)], [1], `server − planned prompt tokens: ${excess}`);
        assert.ok(!/^note: .*prompt/m.test(run.stdout), run.stdout);
      }
      assert.ok(!/another length than asked/.test(run.stdout), run.stdout);
      // What TTFT holds beyond the server's prompt time is the wait the whole request saw
      // (slot, loopback), not client time: it matches latency − prompt_ms − predicted_ms,
      // whatever the machine's load makes that wait.
      const ttftExcess = run.records.map((r) => r.ttft! * 1000 - r.server_timings!.prompt_ms!);
      const wait = run.records.map((r) =>
        r.latency * 1000 - r.server_timings!.prompt_ms! - r.server_timings!.predicted_ms!
      );
      assert.ok(
        median(ttftExcess) <= median(wait) + 10,
        `median TTFT − prompt_ms ${median(ttftExcess)} ms, median wait ${median(wait)} ms`,
      );
    },
  });
}

Deno.test({
  name: "llama-server: a prompt longer than the context is never a silent success",
  ignore,
  async fn() {
    await using server = await startLlamaServer(path());
    const run = await bench(server.url, [
      "--backend",
      "llama.cpp",
      "--num-of-req",
      "2",
      "--input-token-distribution",
      "constant",
      "600",
      "--output-token-distribution",
      "constant",
      "8",
    ]);
    for (const r of run.records) {
      if (r.success) {
        // Builds of early 2025 cut the prompt and said so.
        assert.equal(r.truncated, true);
        assert.ok(r.notes.some((n) => n.startsWith("the server truncated the prompt")));
      } else {
        // Current builds refuse it.
        assert.equal(r.status, 400);
        assert.match(r.error, /exceeds the available context size/);
      }
    }
    assert.equal(run.code, 1, run.stdout);
  },
});

Deno.test({
  name: "llama-server killed mid-run: failures are stream_cut or connect, never parse",
  ignore,
  async fn() {
    const server = await startLlamaServer(path());
    try {
      setTimeout(() => server.kill(), 600);
      const run = await bench(server.url, [
        "--backend",
        "openai",
        "--num-of-req",
        "40",
        "--request-distribution",
        "poisson",
        "25",
        "--input-token-distribution",
        "constant",
        "8",
        "--output-token-distribution",
        "constant",
        "400",
      ]);
      assert.equal(run.code, 1, run.stdout);
      const failed = run.records.filter((r) => !r.success);
      assert.ok(failed.length > 0, "the kill failed some requests");
      const kinds = /Failures by kind\s*│?\s*([^\n│]+)/.exec(run.stdout)?.[1] ?? "";
      assert.ok(!/parse/.test(kinds), `failures by kind: ${kinds}`);
      assert.match(kinds, /stream_cut|connect/);
    } finally {
      await server[Symbol.asyncDispose]();
    }
  },
});

Deno.test({
  name: "llama-server, openai-chat: a short multi-turn session carries its history",
  ignore,
  async fn() {
    await using server = await startLlamaServer(path());
    // Small turns: a slot's context is 512 / 4 = 128 tokens, and turn 2 holds 3 turns and 2 replies.
    const run = await bench(server.url, [
      "--backend",
      "openai-chat",
      "--num-of-req",
      "2",
      "--request-distribution",
      "poisson",
      "10",
      "--turns",
      "constant",
      "3",
      "--think-time",
      "constant",
      "10",
      "--input-token-distribution",
      "constant",
      "6",
      "--output-token-distribution",
      "constant",
      "8",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout + server.log().slice(-1500));
    assert.equal(run.records.length, 6);
    assert.match(run.stdout, /^By turn +requests/m);
    for (const session of [0, 1]) {
      const turns = run.records.filter((r) => r.session === session)
        .sort((a, b) => a.turn! - b.turn!);
      assert.deepEqual(turns.map((r) => r.turn), [0, 1, 2]);
      for (const [k, r] of turns.entries()) {
        assert.ok(r.success, r.error);
        assert.equal(r.output_len, 8);
        if (k === 0) continue;
        const before = turns[k - 1];
        // The history: the previous prompt, its reply as the client counted it, and 6 new tokens.
        assert.equal(r.prompt_len, before.prompt_len + before.output_len_client! + 6);
        // The server counts the whole templated conversation, which grows with it.
        assert.ok(r.prompt_len_server! > before.prompt_len_server!);
        assert.ok(r.send_offset >= before.send_offset + before.latency + 0.01 - 1e-3);
      }
    }
  },
});

for (const backend of ["llama.cpp", "openai-chat"] as const) {
  Deno.test({
    name: `llama-server, ${backend}: a JSON-schema run, every output valid against the schema`,
    ignore,
    async fn() {
      await using server = await startLlamaServer(path());
      await using dir = await tempDir();
      const schema = `${dir.path}/answer.json`;
      await Deno.writeTextFile(
        schema,
        JSON.stringify({
          type: "object",
          required: ["answer"],
          properties: { answer: { enum: ["yes", "no"] } },
        }),
      );
      const run = await bench(server.url, [
        "--backend",
        backend,
        "--num-of-req",
        "4",
        "--input-token-distribution",
        "constant",
        "12",
        "--output-token-distribution",
        "constant",
        "60",
        "--json-schema",
        schema,
        "--no-ignore-eos",
        "--temperature",
        "0",
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout + server.log().slice(-1500));
      for (const r of run.records) {
        assert.equal(r.success, true, r.error);
        assert.equal(r.structured_valid, true, `${r.structured_error}: ${r.text}`);
        // The grammar ends the output; the asked length was only a cap.
        assert.ok(r.output_len < 60, `${r.output_len} tokens`);
      }
      assert.match(run.stdout, /structured outputs: 4 valid, 0 invalid/);
      assert.ok(!/another length than asked/.test(run.stdout), run.stdout);
    },
  });
}
