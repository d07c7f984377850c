import assert from "node:assert/strict";
import { fakeFinishedRun, fakeResult, tempDir } from "../tests/_helpers.ts";
import { readResultFile } from "./mod.ts";
import { vllmMeta, vllmResult } from "./vllm.ts";

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

Deno.test("vllmResult names each timing as vLLM does, from TIMING_METRICS", () => {
  const finished = fakeFinishedRun([
    fakeResult({ itl: [0.01, 0.02], chunks: 3, outputLen: 3, latency: 0.2 }),
  ], { percentiles: "50,99.9" });
  const v = vllmResult(finished.metrics, finished.accumulator.totals(), vllmMeta(finished));
  for (
    const [name, stats] of [["ttft", "ttft"], ["tpot", "tpot"], ["itl", "itlPerChunk"], [
      "e2el",
      "e2el",
    ]] as const
  ) {
    assert.equal(v[`mean_${name}_ms`], finished.metrics[stats]!.mean, name);
    assert.equal(v[`p99.9_${name}_ms`], finished.metrics[stats]!.percentiles["p99.9"], name);
  }
  // mib's own metrics vLLM lacks stay out of its fields.
  assert.ok(!Object.keys(v).some((k) => /itlPerToken|queue|itl_per/.test(k)));
  assert.equal(v.mean_itl_ms, 15);
  assert.equal(v.input_lens, undefined, "no per-request lists without results");
});
