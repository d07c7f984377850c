import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { loadHdrLibrary, Sample } from "../metrics/sample.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("jsonl: a run killed with SIGKILL leaves one valid line per finished request", async () => {
  const sim = await startSimulator({ ttftMs: 5, tpotMs: 2 });
  await using dir = await tempDir();
  const out = `${dir.path}/run.jsonl`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      ...benchFlags(sim.url, 200, 8, 4),
      "--request-distribution",
      "constant",
      "0.05",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // Wait for a few finished requests, then kill without warning.
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const text = await Deno.readTextFile(out).catch(() => "");
      if (text.split("\n").filter(Boolean).length >= 5) break;
    }
    child.kill("SIGKILL");
    await child.status;
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean);
    assert.ok(lines.length >= 5, `${lines.length} lines`);
    const indexes = lines.map((line) => JSON.parse(line)).map((r) => {
      assert.equal(r.success, true);
      assert.equal(r.output_len, 4);
      assert.equal(r.itl.length, 3);
      return r.index;
    });
    assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
  } finally {
    await sim.close();
  }
});

Deno.test("jsonl ends with a summary line; the run record redacts secrets and names the seed", async () => {
  const sim = await startSimulator({ ttftMs: 2, tpotMs: 1 });
  await using dir = await tempDir();
  const out = `${dir.path}/run.jsonl`;
  try {
    const run = await runCli([
      ...benchFlags(sim.url, 3, 8, 4),
      "--seed",
      "7",
      "--header",
      "X-Api-Key: hunter2",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
    ], { env: { OPENAI_API_KEY: "sk-secret-xyz" } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean).map((l) =>
      JSON.parse(l)
    );
    assert.equal(lines.length, 4);
    assert.equal(lines[3].summary.completed, 3);
    const recordText = await Deno.readTextFile(`${dir.path}/run.summary.json`);
    assert.ok(!recordText.includes("sk-secret-xyz") && !recordText.includes("hunter2"));
    const record = JSON.parse(recordText);
    assert.equal(record.seed, 7);
    assert.equal(record.tool, "mib");
    assert.equal(record.config.headers.authorization, "[redacted]");
    assert.equal(record.config.headers["x-api-key"], "[redacted]");
    assert.equal(record.config.requestDistribution.rate, "inf");
    assert.equal(record.summary.totalOutputTokens, 12);
    // Every run metric, with the time series: 3 requests sent at once, all in second 0.
    assert.equal(record.metrics.total, 3);
    assert.equal(record.summary.peakConcurrency, 3);
    assert.equal(record.metrics.timeSeries[0].sent, 3);
    assert.equal(
      record.metrics.timeSeries.reduce(
        (n: number, b: { outputTokens: number }) => n + b.outputTokens,
        0,
      ),
      12,
    );
    assert.ok("p99" in record.metrics.ttft.percentiles);
  } finally {
    await sim.close();
  }
});

Deno.test("--output-format vllm writes vllm bench serve's fields; csv its summary row", async () => {
  const sim = await startSimulator({ ttftMs: 10, tpotMs: 2 });
  await using dir = await tempDir();
  try {
    const args = [
      ...benchFlags(sim.url, 4, 8, 6),
      "--request-distribution",
      "poisson",
      "50",
      "--percentiles",
      "50,99.9",
      "--goodput",
      "ttft:5000",
      "e2el:10000",
    ];
    const run = await runCli([
      ...args,
      "--output-format",
      "vllm",
      "--output-file",
      `${dir.path}/v.json`,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /Request goodput \(req\/s\)/);
    const v = JSON.parse(await Deno.readTextFile(`${dir.path}/v.json`));
    assert.match(v.date, /^\d{8}-\d{6}$/);
    assert.equal(v.backend, "openai");
    assert.equal(v.model_id, "mib-sim");
    assert.equal(v.num_prompts, 4);
    assert.equal(v.request_rate, 50);
    assert.equal(v.completed, 4);
    assert.equal(v.failed, 0);
    assert.equal(v.total_input_tokens, 32);
    assert.equal(v.total_output_tokens, 24);
    assert.equal(v.request_goodput, v.request_throughput, "every request meets generous SLOs");
    for (const m of ["ttft", "tpot", "itl", "e2el"]) {
      for (const k of ["mean", "median", "std", "p50", "p99.9"]) {
        assert.equal(typeof v[`${k}_${m}_ms`], "number", `${k}_${m}_ms`);
      }
    }
    assert.ok(v.mean_ttft_ms >= 10 && v.mean_ttft_ms < 60, `ttft ${v.mean_ttft_ms}`);
    assert.ok(Math.abs(v.median_tpot_ms - 2) < 1, `tpot ${v.median_tpot_ms}`);
    assert.deepEqual(v.input_lens, [8, 8, 8, 8]);
    assert.deepEqual(v.output_lens, [6, 6, 6, 6]);
    assert.equal(v.itls.length, 4);
    assert.equal(v.itls[0].length, 5);
    assert.equal(v.generated_texts.length, 4);
    assert.deepEqual(v.errors, ["", "", "", ""]);

    const csv = await runCli([
      ...args,
      "--output-format",
      "csv",
      "--output-file",
      `${dir.path}/s.csv`,
    ]);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, row] = (await Deno.readTextFile(`${dir.path}/s.csv`)).trim().split("\n");
    const cells = Object.fromEntries(header.split(",").map((k, i) => [k, row.split(",")[i]]));
    assert.equal(cells.completed, "4");
    assert.equal(cells.total_output_tokens, "24");
    assert.ok("p99.9_ttft_ms" in cells);
  } finally {
    await sim.close();
  }
});

Deno.test("bad --percentiles and --goodput are usage errors", async () => {
  for (
    const [args, flag] of [
      [["--percentiles", "50,abc"], "--percentiles"],
      [["--percentiles", "101"], "--percentiles"],
      [["--goodput", "ttft=5"], "--goodput"],
      [["--output-format", "xml"], "--output-format"],
    ] as const
  ) {
    const run = await runCli(["--num-of-req", "1", "--output-file", "out.json", ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(flag), run.stderr);
  }
});

Deno.test("--output-format and --percentiles without --output-file are usage errors", async () => {
  for (const args of [["--output-format", "jsonl"], ["--percentiles", "50,99"]]) {
    const run = await runCli(["--base-url", "http://127.0.0.1:9", "--num-of-req", "1", ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, new RegExp(`^mib: ${args[0]}: .*--output-file`, "m"));
  }
});

Deno.test("a large run keeps no results: outputs counted on the worker, histograms past the limit", async () => {
  // Triton's generate_stream gives no token counts: the client tokenizer's are the only ones.
  const sim = await startSimulator({ ttftMs: 3, tpotMs: 1 });
  await using dir = await tempDir();
  const out = `${dir.path}/run.jsonl`;
  try {
    const run = await runCli([
      ...benchFlags(sim.url, 5, 8, 6),
      "--backend",
      "tensorrt-llm",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
      // 30 planned output tokens > 10: a large run, whose gaps outgrow the exact limit.
      "--exact-limit",
      "10",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /percentiles of itlPerChunk, itlPerToken come from HDR histograms/);
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean).map((l) =>
      JSON.parse(l)
    );
    assert.equal(lines.length, 6);
    for (const line of lines.slice(0, 5)) {
      assert.equal(line.output_len_source, "tokenizer");
      assert.equal(line.output_len, 6);
      assert.equal(line.output_len_client, 6);
    }
    const { summary } = lines[5];
    assert.equal(summary.totalOutputTokens, 30);
    assert.equal(summary.tpot.count, 5, "TPOT needs every output counted");
    assert.equal(summary.itlPerToken.count, 25);
    assert.deepEqual(summary.fromHistogram, ["itlPerChunk", "itlPerToken"]);

    const record = JSON.parse(await Deno.readTextFile(`${dir.path}/run.summary.json`));
    assert.match(record.histograms.format, /HdrHistogram V2/);
    const hdr = await loadHdrLibrary();
    const e2el = Sample.decode(hdr, record.histograms.metrics.e2el).stats([50])!;
    assert.equal(e2el.count, 5);
    assert.ok(Math.abs(e2el.median - summary.e2el.median) <= summary.e2el.median * 1e-3);
    assert.equal(Sample.decode(hdr, record.histograms.metrics.itlPerChunk).count, 25);
  } finally {
    await sim.close();
  }
});
