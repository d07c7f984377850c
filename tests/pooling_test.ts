/**
 * Embeddings and rerank runs end to end: `mib bench` with a pooling backend
 * against the simulator, its batches as the simulator recorded them, every
 * result format and `mib report` of them without token timings, and the
 * usage errors of options a pooling backend cannot carry.
 */
import assert from "node:assert/strict";
import type { SeedRecord } from "../mod.ts";
import { runCli, tempDir, withSim } from "./_helpers.ts";

/** The flags of a small pooling run against `url`. */
const poolingFlags = (url: string, requests: number, batch: number, input: number) => [
  "--base-url",
  url,
  "--num-of-req",
  String(requests),
  "--batch",
  String(batch),
  "--input-token-distribution",
  "constant",
  String(input),
  "--tokenizer",
  "cl100k_base",
];

Deno.test("embeddings run: batches as the simulator recorded them, summarised, every format reported", async () => {
  await using dir = await tempDir();
  await withSim({ record: true, ttftMs: 5, poolingTokenMs: 0.1, embeddingDim: 8 }, async (sim) => {
    const files: string[] = [];
    for (const format of ["seed", "jsonl", "vllm", "csv"]) {
      const ext = { seed: "json", jsonl: "jsonl", vllm: "json", csv: "csv" }[format];
      const out = `${dir.path}/emb-${format}.${ext}`;
      const run = await runCli([
        "--backend",
        "openai-embeddings",
        ...poolingFlags(sim.url, 5, 4, 10),
        "--output-file",
        out,
        "--output-format",
        format,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.match(run.stdout, /Inputs\s+│ 20 /);
      assert.match(run.stdout, /Input throughput \(inputs\/s\)/);
      assert.match(run.stdout, /Input tokens\s+│ 200 /);
      // No token timings, and the reason said once.
      assert.doesNotMatch(run.stdout, /│ (TTFT|TPOT|ITL)/);
      assert.equal(run.stdout.match(/note: no TTFT, TPOT or ITL/g)?.length, 1);
      files.push(out);
    }
    // Every request carried the batch: 4 inputs, 40 tokens by the server's count.
    const { requests } = sim.record();
    assert.equal(requests.length, 20);
    for (const r of requests) {
      assert.equal(r.endpoint, "embeddings");
      assert.equal(r.inputs, 4);
      assert.equal(r.promptTokens, 40);
    }
    const seed: SeedRecord[] = JSON.parse(await Deno.readTextFile(files[0]));
    for (const r of seed) {
      assert.equal(r.success, true, r.error);
      assert.equal(r.input_count, 4);
      assert.equal(r.prompt_len, 40);
      assert.equal(r.prompt_len_server, 40);
      assert.equal(r.ttft, null);
      assert.deepEqual(r.itl, []);
    }
    const vllm = JSON.parse(await Deno.readTextFile(files[2]));
    assert.equal(vllm.mean_ttft_ms, null, "no sample: null, not a misleading 0");
    assert.equal(vllm.p99_itl_ms, null);
    assert.ok(vllm.mean_e2el_ms > 0);
    assert.equal(vllm.mib_total_inputs, 20);
    assert.deepEqual(vllm.mib_input_counts, [4, 4, 4, 4, 4]);
    assert.match(vllm.mib_no_token_timings, /no TTFT, TPOT or ITL/);
    const record = JSON.parse(await Deno.readTextFile(`${dir.path}/emb-seed.summary.json`));
    assert.equal(record.summary.totalInputs, 20);
    assert.equal(record.summary.ttft, undefined);
    assert.match(record.no_token_timings, /generates no tokens/);

    const report = await runCli(["report", ...files, `${dir.path}/emb-seed.summary.json`]);
    assert.equal(report.code, 0, report.stderr);
    const ttftRow = report.stdout.split("\n").find((line) => line.includes("mean TTFT"))!;
    assert.equal(ttftRow.match(/n\/a/g)?.length, 5, ttftRow);
    assert.match(report.stdout, /input throughput \(inputs\/s\)/);
    assert.equal(report.stdout.match(/no TTFT, TPOT or ITL/g)?.length, 5);

    const html = await runCli(["report", "--html", `${dir.path}/emb.html`, files[0], files[1]]);
    assert.equal(html.code, 0, html.stderr);
    assert.ok((await Deno.stat(`${dir.path}/emb.html`)).size > 0);
  });
});

Deno.test("rerank run: a query and --batch documents per request, from the dataset's prompts", async () => {
  await using dir = await tempDir();
  await withSim({ record: true, ttftMs: 5, poolingTokenMs: 0.1 }, async (sim) => {
    const out = `${dir.path}/rerank.json`;
    for (
      const [backend, endpoint, recorded] of [
        ["tei", "/rerank", "tei-rerank"],
        ["vllm-pooling", "/v1/rerank", "rerank"],
      ]
    ) {
      sim.clearRecord();
      const run = await runCli([
        "--backend",
        backend,
        "--endpoint",
        endpoint,
        ...poolingFlags(sim.url, 3, 5, 8),
        "--output-file",
        out,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
      // The query's 8 tokens once per document, plus the 5 documents' 8 each.
      for (const r of records) {
        assert.equal(r.input_count, 5);
        assert.equal(r.prompt_len, 5 * 8 + 5 * 8);
        assert.equal(r.prompt_len_server, 80, `${backend}: the server's count`);
      }
      const { requests } = sim.record();
      assert.deepEqual(requests.map((r) => [r.endpoint, r.inputs]), [
        [recorded, 5],
        [recorded, 5],
        [recorded, 5],
      ]);
    }
  });
});

Deno.test("pooling: options a pooling backend cannot carry are usage errors naming the backend", async () => {
  const cases: [string[], RegExp][] = [
    [["--backend", "openai", "--batch", "4"], /--batch: backend openai generates/],
    [
      ["--backend", "tei", "--output-token-distribution", "constant", "8"],
      /--output-token-distribution: backend tei generates no tokens \(embed\)/,
    ],
    [
      ["--backend", "vllm-pooling", "--endpoint", "/rerank", "--goodput", "ttft:100"],
      /--goodput: ttft: backend vllm-pooling generates no tokens \(rerank\); give e2el:MS/,
    ],
    [["--backend", "tei", "--image-size", "8x8"], /--image-size: backend tei cannot carry images/],
  ];
  for (const [args, message] of cases) {
    const run = await runCli([...args, "--num-of-req", "1", "--base-url", "http://127.0.0.1:9"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
  }
});
