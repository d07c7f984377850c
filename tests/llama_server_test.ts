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
const OUTPUT = 24;

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
    "--tokenizer",
    "cl100k_base",
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

for (const backend of BACKENDS) {
  Deno.test({
    name: `llama-server, ${backend}: every request succeeds with exactly the asked output length`,
    ignore,
    async fn() {
      await using server = await startLlamaServer(path());
      const run = await bench(server.url, [
        "--backend",
        backend,
        "--num-of-req",
        "8",
        "--request-distribution",
        "poisson",
        "20",
        "--input-token-distribution",
        "constant",
        "8",
        "--output-token-distribution",
        "constant",
        String(OUTPUT),
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout + server.log().slice(-1500));
      assert.equal(run.records.length, 8);
      for (const r of run.records) {
        assert.equal(r.success, true, r.error);
        // The server's own count of what it generated.
        assert.equal(r.output_len_source, "server");
        assert.equal(r.output_len, OUTPUT, `server generated ${r.output_len}, asked ${OUTPUT}`);
        assert.ok(r.ttft !== null && r.ttft > 0);
      }
    },
  });
}

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
