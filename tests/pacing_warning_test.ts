import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli } from "./_helpers.ts";

Deno.test("a burst at poisson inf: its backlog is the plan's, so no pacing warning", async () => {
  const sim = await startSimulator({ ttftMs: 1, tpotMs: 1 });
  try {
    // 300 requests due at t = 0: the last goes out tens of ms late, by plan.
    const run = await runCli(benchFlags(sim.url, 300, 8, 2));
    assert.equal(run.code, 0, run.stderr);
    const lag = /Schedule lag\s*│\s*[\d.]+\s*│\s*[\d.]+\s*│\s*[\d.]+\s*│\s*([\d.]+)/.exec(
      run.stdout,
    );
    assert.ok(lag && Number(lag[1]) > 1, `the burst's schedule lag p99 exceeds 1 ms: ${lag?.[1]}`);
    assert.match(
      run.stdout,
      /Pacing lag\s*│[^\n]*│\s*1\s*│?$/m,
      "only the first request qualifies",
    );
    assert.ok(!run.stdout.includes("warning: pacing lag"), run.stdout);
    assert.ok(!run.stdout.includes("warning: schedule lag"), run.stdout);
  } finally {
    await sim.close();
  }
});
