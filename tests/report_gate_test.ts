/**
 * `mib report --compare` and `--fail-if` over real runs of the simulator:
 * the gate fires on a slower server and not on a rerun of the same one.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

async function benchAt(ttftMs: number, file: string, format: string): Promise<void> {
  const sim = await startSimulator({ ttftMs, tpotMs: 2 });
  try {
    const run = await runCli([
      ...benchFlags(sim.url, 8, 8, 4),
      "--output-format",
      format,
      "--output-file",
      file,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
  } finally {
    await sim.close();
  }
}

Deno.test("mib report --fail-if fires on a slower server and not on a rerun", async () => {
  await using dir = await tempDir();
  const baseline = `${dir.path}/baseline.json`;
  const rerun = `${dir.path}/rerun.jsonl`;
  const slower = `${dir.path}/slower.json`;
  // 8x the TTFT: a median over +100% needs 50 ms of noise to fire on the
  // rerun, and to miss the slower run the baseline's median would need 200 ms.
  await benchAt(50, baseline, "vllm");
  await benchAt(50, rerun, "jsonl");
  await benchAt(400, slower, "seed");
  const gate = "median_ttft>+100%,failed>0,p99_e2e_ms>100000";

  const same = await runCli(["report", "--fail-if", gate, baseline, rerun]);
  assert.equal(same.code, 0, same.stderr + same.stdout);
  assert.match(same.stdout, /fail-if: none of 3 condition\(s\) held/);
  assert.equal(same.stderr, "");

  const slow = await runCli(["report", "--compare", "--fail-if", gate, baseline, slower]);
  assert.equal(slow.code, 1, slow.stderr + slow.stdout);
  const lines = slow.stderr.trim().split("\n");
  assert.equal(lines.length, 1, slow.stderr);
  assert.match(lines[0], /^fail-if median_ttft>\+100%: median_ttft_ms [\d.]+ -> [\d.]+ \(\+\d/);
  for (const key of ["median_ttft_ms", "p99_ttft_ms", "output_throughput", "failed"]) {
    assert.match(slow.stdout, new RegExp(`\\b${key}\\b`), slow.stdout);
  }
  assert.match(slow.stdout, /baseline: .*baseline\.json/);

  const compared = await runCli(["report", "--compare", baseline, slower]);
  assert.equal(compared.code, 0, compared.stderr);
  assert.match(compared.stdout, /median_ttft_ms[\s│]+[\d.]+[\s│]+[\d.]+[\s│]+\+\d/);
});

Deno.test("mib report --fail-if and --compare: mistakes are one-line usage errors", async () => {
  await using dir = await tempDir();
  const cases: [string[], RegExp][] = [
    [["--fail-if", "p99_ttft>>10%", "a", "b"], /^mib: --fail-if: expected METRIC OP BOUND/],
    [["--fail-if", "latency>10%", "a", "b"], /^mib: --fail-if: unknown metric "latency"/],
    [["--fail-if", "failed>0,", "a", "b"], /^mib: --fail-if: expected METRIC OP BOUND/],
    [["--fail-if", "failed>0", "a"], /^mib: --fail-if: expected two result files/],
    [["--compare", "a", "b", "c"], /^mib: --compare: expected two result files/],
    [["--compare", "--merge", "a", "b"], /^mib: --compare: compares two runs/],
  ];
  for (const [args, expected] of cases) {
    const run = await runCli([
      "report",
      ...args.map((a) => a.length === 1 ? `${dir.path}/${a}` : a),
    ]);
    assert.equal(run.code, 2, `${args.join(" ")}: ${run.stderr}`);
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], expected);
  }
});
