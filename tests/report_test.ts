import assert from "node:assert/strict";
import { readResultFile } from "../output/mod.ts";
import { describeSample, startSimulator } from "../mod.ts";
import { benchFlags, fakeRecord, runCli, tempDir } from "./_helpers.ts";

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

Deno.test("mib report reads mib's csv: the vllm file's top-level numbers", async () => {
  const sim = await startSimulator({ ttftMs: 10, tpotMs: 2 });
  await using dir = await tempDir();
  try {
    const file = `${dir.path}/s.csv`;
    const run = await runCli([
      ...benchFlags(sim.url, 4, 8, 6),
      "--output-format",
      "csv",
      "--output-file",
      file,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const [header, row] = (await Deno.readTextFile(file)).trim().split("\n");
    const cells = Object.fromEntries(header.split(",").map((k, i) => [k, row.split(",")[i]]));
    const column = await readResultFile(file);
    assert.equal(column.format, "csv");
    assert.equal(column.figures["completed"], 4);
    assert.equal(column.figures["mean TTFT (ms)"], Number(cells.mean_ttft_ms));
    assert.equal(column.figures["p99 ITL (ms)"], Number(cells.p99_itl_ms));
    assert.equal(column.figures["median E2E (ms)"], Number(cells.median_e2el_ms));
    const report = await runCli(["report", file]);
    assert.equal(report.code, 0, report.stderr);
    assert.ok(report.stdout.includes("s.csv (csv)"), report.stdout);
    // The page needs requests, which a csv file lacks.
    const html = await runCli(["report", "--html", `${dir.path}/x.html`, file]);
    assert.equal(html.code, 2);
    assert.match(html.stderr, /^mib: --html: .*s\.csv" is a csv file, which holds no per-request/);
  } finally {
    await sim.close();
  }
});

Deno.test("mib report: errors name the file once, after one mib:", async () => {
  await using dir = await tempDir();
  const foo = `${dir.path}/foo.json`;
  await Deno.writeTextFile(foo, '{"foo":1}\n');
  const notResult = await runCli(["report", foo]);
  assert.equal(notResult.code, 2);
  assert.equal(
    notResult.stderr.trim(),
    `mib: ${foo}: not a result file mib reads (formats: seed, jsonl, vllm, csv, record)`,
  );
  const missing = await runCli(["report", `${dir.path}/missing.json`]);
  assert.equal(missing.code, 2);
  assert.equal(
    missing.stderr.trim(),
    `mib: ${dir.path}/missing.json: cannot read the file (no such file)`,
  );
  const cut = `${dir.path}/cut.jsonl`;
  await Deno.writeTextFile(cut, `${JSON.stringify(fakeRecord(0, [0.01]))}\n{"success": tr\n`);
  const broken = await runCli(["report", cut]);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, new RegExp(`^mib: ${cut}: unreadable jsonl file: line 2: `));
  for (const run of [notResult, missing, broken]) assert.doesNotMatch(run.stderr, /mib report/);
});
