import assert from "node:assert/strict";
import { readResultFile } from "../output/mod.ts";
import { describeSample, startSimulator, type Summary } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

Deno.test("mib report reads every result format and puts runs side by side", async () => {
  const sim = await startSimulator({ ttftMs: 10, tpotMs: 2 });
  await using dir = await tempDir();
  try {
    const files: Record<string, string> = {
      seed: `${dir.path}/a.json`,
      jsonl: `${dir.path}/b.jsonl`,
      vllm: `${dir.path}/c.json`,
    };
    for (const [format, file] of Object.entries(files)) {
      const run = await runCli([
        ...benchFlags(sim.url, 4, 8, 6),
        "--output-format",
        format,
        "--output-file",
        file,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
    }
    // The vllm file round-trips: the report shows the file's own numbers.
    const vllm = JSON.parse(await Deno.readTextFile(files.vllm));
    const column = await readResultFile(files.vllm);
    assert.equal(column.format, "vllm");
    assert.equal(column.figures["completed"], 4);
    assert.equal(column.figures["mean TTFT (ms)"], vllm.mean_ttft_ms);
    assert.equal(column.figures["p99 E2E (ms)"], vllm.p99_e2el_ms);
    for (const file of [files.seed, files.jsonl]) {
      const c = await readResultFile(file);
      assert.equal(c.figures["completed"], 4);
      assert.ok(
        Math.abs(c.figures["median TPOT (ms)"]! - 2) < 1,
        `${file}: ${c.figures["median TPOT (ms)"]}`,
      );
      assert.ok(c.figures["mean TTFT (ms)"]! >= 10);
    }
    const report = await runCli(["report", files.seed, files.jsonl, files.vllm]);
    assert.equal(report.code, 0, report.stderr);
    for (const name of ["a.json (seed)", "b.jsonl (jsonl)", "c.json (vllm)", "median TPOT (ms)"]) {
      assert.ok(report.stdout.includes(name), `${name} in\n${report.stdout}`);
    }
    const bad = await runCli(["report", `${dir.path}/missing.json`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read/);
  } finally {
    await sim.close();
  }
});

Deno.test("mib report --merge adds up run records of two clients driving one server", async () => {
  const sim = await startSimulator({ ttftMs: 8, tpotMs: 2 });
  await using dir = await tempDir();
  try {
    const client = (name: string, seed: string) =>
      runCli([
        ...benchFlags(sim.url, 12, 8, ["uniform", 4, 12]),
        "--seed",
        seed,
        "--request-distribution",
        "poisson",
        "40",
        "--output-format",
        "jsonl",
        "--output-file",
        `${dir.path}/${name}.jsonl`,
      ]);
    // Two client machines at once, as a load spread over several hosts.
    const runs = await Promise.all([client("a", "1"), client("b", "2")]);
    for (const run of runs) assert.equal(run.code, 0, run.stderr + run.stdout);
    const records = ["a", "b"].map((n) => `${dir.path}/${n}.summary.json`);

    const report = await runCli(["report", "--merge", ...records]);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stdout, /merged \(2 runs\)/);

    const { mergeRecords } = await import("../output/merge.ts");
    const { toRunRecord } = await import("../output/run_record.ts");
    const parsed = await Promise.all(
      records.map(async (file) => ({
        file,
        record: toRunRecord(JSON.parse(await Deno.readTextFile(file))),
      })),
    );
    const merged = await mergeRecords(parsed);
    assert.equal(merged["completed"], 24);
    // The pooled per-request TTFTs of both jsonl files, exactly.
    const ttfts: number[] = [];
    for (const name of ["a", "b"]) {
      const lines = (await Deno.readTextFile(`${dir.path}/${name}.jsonl`)).split("\n")
        .filter(Boolean).map((l) => JSON.parse(l)).filter((l) => !("summary" in l));
      for (const l of lines) ttfts.push(l.ttft * 1000);
    }
    const exact = describeSample(ttfts, [99])!;
    const close = (got: number | null, want: number, what: string) =>
      assert.ok(Math.abs(got! - want) <= want * 5e-4 + 1e-6, `${what}: ${got} vs ${want}`);
    close(merged["median TTFT (ms)"], exact.median, "median");
    close(merged["p99 TTFT (ms)"], exact.percentiles.p99, "p99");
    close(merged["mean TTFT (ms)"], exact.mean, "mean");
    // The span: earliest start → latest end (start + duration), so runs side by side count once.
    const starts = parsed.map((p) => p.record.startedAt.getTime() / 1000);
    const ends = parsed.map((p, i) => starts[i] + p.record.summary.duration!);
    const span = merged["duration (s)"]!;
    assert.ok(Math.abs(span - (Math.max(...ends) - Math.min(...starts))) < 1e-9, `span ${span}`);
    assert.equal(merged["request throughput (req/s)"], 24 / span);

    const bad = await runCli(["report", "--merge", `${dir.path}/a.jsonl`]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--merge.*not a run record/);
    const both = await runCli(["report", "--merge", "--html", `${dir.path}/x.html`, ...records]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--html.*not both/);
  } finally {
    await sim.close();
  }
});

/** One jsonl/seed record of a successful streamed request. */
function record(i: number, itl: number[], text = "x"): Record<string, unknown> {
  return {
    index: i,
    text,
    success: true,
    latency: 0.02 + itl.reduce((a, b) => a + b, 0),
    ttft: 0.02,
    itl,
    prompt_len: 8,
    error: "",
    output_len: itl.length + 1,
    output_len_source: "server",
    output_len_client: itl.length + 1,
    chunks: itl.length + 1,
    streamed: true,
    planned_offset: i * 0.01,
    send_offset: i * 0.01,
    status: 200,
    notes: [],
  };
}

Deno.test("mib report streams a jsonl file past the exact limit, long first lines included", async () => {
  await using dir = await tempDir();
  // 2,600 requests × 400 gaps = 1.04 M gaps: more than a sample keeps exactly.
  const file = `${dir.path}/big.jsonl`;
  const gaps: number[] = [];
  const lines: string[] = [];
  for (let i = 0; i < 2_600; i++) {
    const itl = Array.from({ length: 400 }, (_, j) => 0.001 + ((i * 400 + j) % 997) * 1e-5);
    gaps.push(...itl.map((g) => g * 1000));
    // The first line's text is longer than the 64 KiB read to tell formats apart.
    lines.push(JSON.stringify(record(i, itl, i === 0 ? "y".repeat(70_000) : "x")));
  }
  lines.push(JSON.stringify({ summary: { duration: 30 } }));
  await Deno.writeTextFile(file, lines.join("\n") + "\n");
  const column = await readResultFile(file);
  assert.equal(column.format, "jsonl");
  assert.equal(column.figures["completed"], 2_600);
  assert.equal(column.figures["duration (s)"], 30);
  const exact = describeSample(gaps, [99])!;
  const close = (got: number | null, want: number) =>
    assert.ok(Math.abs(got! - want) <= want * 5e-4, `${got} vs ${want}`);
  close(column.figures["median ITL (ms)"], exact.median);
  close(column.figures["p99 ITL (ms)"], exact.percentiles.p99);
  close(column.figures["mean ITL (ms)"], exact.mean);
});

Deno.test("mib report reads vLLM's own one-line result file as vllm", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/vllm.json`;
  // vLLM writes its result with json.dump: one line, no trailing newline.
  await Deno.writeTextFile(
    file,
    JSON.stringify({ completed: 3, failed: 0, duration: 2, mean_ttft_ms: 12.5, ttfts: [0.01] }),
  );
  const column = await readResultFile(file);
  assert.equal(column.format, "vllm");
  assert.equal(column.figures["mean TTFT (ms)"], 12.5);
  await Deno.writeTextFile(file, JSON.stringify({ completed: 3, ttfts: [0.01] }) + "\n");
  assert.equal((await readResultFile(file)).format, "vllm");
});

Deno.test("mergeRecords: counts add up, the span runs from the earliest start to the latest end", async () => {
  const { mergeRecords } = await import("../output/merge.ts");
  const { loadHdrLibrary, Sample } = await import("../metrics/sample.ts");
  const hdr = await loadHdrLibrary();
  const histograms = (values: number[]) => {
    const sample = new Sample();
    for (const v of values) sample.add(v);
    const encoded = sample.encode(hdr);
    return { ttft: encoded, tpot: encoded, itlPerChunk: encoded, e2el: encoded };
  };
  const run = (startSecond: number, duration: number, values: number[]) => ({
    file: `run-${startSecond}`,
    record: {
      startedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, startSecond)),
      summary: {
        completed: values.length,
        failed: 1,
        duration,
        totalOutputTokens: 100,
        // The summary's exact statistics: the merge pools them rather than bucket middles.
        ttft: describeSample(values),
      } as Summary,
      histograms: histograms(values),
    },
  });
  // 0–10 s and 5–12 s overlap: the span is 12 s, not 17.
  const overlapping = await mergeRecords([run(0, 10, [10, 20]), run(5, 7, [30, 40, 50])]);
  assert.equal(overlapping["completed"], 5);
  assert.equal(overlapping["failed"], 2);
  assert.equal(overlapping["duration (s)"], 12);
  assert.equal(overlapping["output throughput (tok/s)"], 200 / 12);
  assert.ok(Math.abs(overlapping["median TTFT (ms)"]! - 30) <= 30 * 5e-4);
  assert.equal(overlapping["mean TTFT (ms)"], 30);
  // p99 of 10…50: rank 3.96, between 40 (a bucket middle) and 50 (the exact max).
  assert.ok(Math.abs(overlapping["p99 TTFT (ms)"]! - 49.6) <= 49.6 * 5e-4);
  // One after the other, with a 5 s pause: 0–10 s and 15–20 s span 20 s.
  const sequential = await mergeRecords([run(0, 10, [10]), run(15, 5, [20])]);
  assert.equal(sequential["duration (s)"], 20);
  assert.equal(sequential["request throughput (req/s)"], 2 / 20);
});
