import assert from "node:assert/strict";
import { benchCommand } from "../cli/bench_command.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import { rampRate } from "../distributions/mod.ts";
import { buildCharts } from "../output/charts.ts";
import { readChartRun } from "../output/html.ts";
import { pythonLocalIso } from "../output/_ramp.ts";
import { UsageError } from "../mod.ts";
import { tempDir, withSim } from "./_helpers.ts";

/** A benchmark of the simulator at `url`, as `mib bench` resolves these config keys. */
function bench(url: string, options: Record<string, unknown>) {
  const config = resolveBenchConfig({
    base_url: url,
    input_token_distribution: ["constant", 8],
    output_token_distribution: ["constant", 2],
    tokenizer: "cl100k_base",
    disable_tqdm: true,
    ...options,
  }, {});
  return benchCommand(config, { log: () => {} });
}

/** Asserts resolving `options` is a one-line UsageError on `flag` holding `fragment`. */
function assertRefused(options: Record<string, unknown>, flag: string, fragment: string) {
  assert.throws(
    () => resolveBenchConfig({ base_url: "http://127.0.0.1:1", ...options }, {}),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.flag, flag, error.message);
      assert.ok(error.message.includes(fragment), error.message);
      assert.ok(!error.message.includes("\n"));
      return true;
    },
  );
}

Deno.test("gamma: the vllm result file has vLLM's request_rate and burstiness", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/gamma.json`;
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    await bench(sim.url, {
      num_of_req: 6,
      request_distribution: ["gamma", 200, 0.5],
      output_format: "vllm",
      output_file: file,
    });
  });
  const v = JSON.parse(await Deno.readTextFile(file));
  assert.equal(v.request_rate, 200);
  assert.equal(v.burstiness, 0.5);
  assert.equal(v.mib_request_distribution, "gamma 200 0.5");
  assert.equal(v.completed, 6);
  assert.equal(v.ramp_up_strategy, undefined, "no ramp fields without a ramp");
  assert.equal(v.rps_change_events, undefined);
});

Deno.test("ramp: vLLM's ramp fields and rps_change_events, the run record's ramp, the HTML chart", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/ramp.json`;
  const count = 40;
  const ramp = { strategy: "linear", startRps: 50, endRps: 100 } as const;
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    await bench(sim.url, {
      num_of_req: count,
      request_distribution: ["gamma", "inf", 2],
      ramp_up: "linear",
      ramp_up_start_rps: 50,
      ramp_up_end_rps: 100,
      output_format: "vllm",
      output_file: file,
    });
  });
  const v = JSON.parse(await Deno.readTextFile(file));
  // As vLLM: --request-rate stays inf under a ramp, the burstiness is the shape's.
  assert.equal(v.request_rate, "inf");
  assert.equal(v.burstiness, 2);
  assert.equal(v.ramp_up_strategy, "linear");
  assert.equal(v.ramp_up_start_rps, 50);
  assert.equal(v.ramp_up_end_rps, 100);
  const events = v.rps_change_events as { rps: number; timestamp: string }[];
  assert.deepEqual(events.map((e) => e.rps), Array.from({ length: 51 }, (_, i) => 50 + i));
  const record = JSON.parse(await Deno.readTextFile(`${dir.path}/ramp.summary.json`));
  assert.deepEqual(record.ramp_up.rps_change_events, events);
  assert.equal(record.ramp_up.ramp_up_strategy, "linear");
  assert.deepEqual(record.config.rampUp, ramp);
  // Each whole rate is stamped with the send of the first request asking for it.
  const started = new Date(record.started_at).getTime();
  assert.equal(events[0].timestamp, pythonLocalIso(started));
  for (const { rps, timestamp } of events.slice(1)) {
    const index = Array.from({ length: count }, (_, i) => i)
      .find((i) => Math.floor(rampRate(ramp, i, count)) >= rps)!;
    assert.equal(timestamp, pythonLocalIso(started + v.start_times[index] * 1000), `rps ${rps}`);
  }
  assert.match(events[0].timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?$/);

  // The report draws the asked rate over the achieved one, for the vllm file and,
  // through the run record beside it, for a seed file.
  const chart = buildCharts([await readChartRun(file)]).at(-1)!;
  assert.match(chart.title, /Send rate: asked/);
  assert.deepEqual(chart.series?.map((s) => [s.run, s.dash]), [[0, false], [0, true]]);
  const asked = chart.ys[1].filter((y) => y !== null);
  assert.equal(asked.length, count);
  assert.equal(asked[0], 50);
  assert.equal(asked.at(-1), 100);
  assert.ok(chart.ys[0].some((y) => y !== null && y > 0), "achieved sends per second");
});

Deno.test("ramp and gamma mistakes are one-line usage errors naming the flag", () => {
  const ramp = { ramp_up: "linear", ramp_up_start_rps: 1, ramp_up_end_rps: 5 };
  assertRefused({ num_of_req: 5, ramp_up: "linear" }, "--ramp-up", "--ramp-up-start-rps A");
  assertRefused({ num_of_req: 5, ramp_up_end_rps: 3 }, "--ramp-up-end-rps", "give --ramp-up");
  assertRefused({ max_time_for_reqs: 5, ...ramp }, "--ramp-up", "--num-of-req N");
  assertRefused(
    { num_of_req: 5, request_distribution: ["poisson", 5], ...ramp },
    "--request-distribution",
    "the ramp sets the rate",
  );
  assertRefused(
    { num_of_req: 5, ...ramp, ramp_up_start_rps: 9 },
    "--ramp-up-end-rps",
    "a ramp goes up",
  );
  assertRefused(
    { num_of_req: 5, request_distribution: ["gamma", 5, 0] },
    "--request-distribution",
    "BURSTINESS must be > 0",
  );
  const config = resolveBenchConfig({
    base_url: "http://127.0.0.1:1",
    num_of_req: 5,
    request_distribution: ["gamma", "inf", 0.25],
    ...ramp,
    ramp_up: "exponential",
  }, {});
  assert.deepEqual(config.rampUp, { strategy: "exponential", startRps: 1, endRps: 5 });
});
