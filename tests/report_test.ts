import assert from "node:assert/strict";
import { readReport } from "../cli/report_command.ts";
import { startSimulator } from "../mod.ts";
import { runCli, tempDir } from "./_helpers.ts";

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
        "--base-url",
        sim.url,
        "--num-of-req",
        "4",
        "--input-token-distribution",
        "constant",
        "8",
        "--output-token-distribution",
        "constant",
        "6",
        "--output-format",
        format,
        "--output-file",
        file,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
    }
    // The vllm file round-trips: the report shows the file's own numbers.
    const vllm = JSON.parse(await Deno.readTextFile(files.vllm));
    const column = await readReport(files.vllm);
    assert.equal(column.format, "vllm");
    assert.equal(column.figures["completed"], 4);
    assert.equal(column.figures["mean TTFT (ms)"], vllm.mean_ttft_ms);
    assert.equal(column.figures["p99 E2E (ms)"], vllm.p99_e2el_ms);
    for (const file of [files.seed, files.jsonl]) {
      const c = await readReport(file);
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
