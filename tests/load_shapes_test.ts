/**
 * Load shapes of `mib bench` against the simulator over loopback:
 * `--max-concurrency` (checked from the simulator's own record of what was
 * in flight), `--warmup` / `--cooldown` (marked in every format, left out of
 * every statistic, the measured window), and `--duration`.
 *
 * Timing bounds are loose (a shared 2-core machine); what is checked exactly
 * are counts, orderings and the definitions.
 */
import assert from "node:assert/strict";
import { getBackend, loadTokenizer, planRandomRun, runSchedule } from "../mod.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import { UsageError } from "../errors.ts";
import { readResultFile } from "../output/mod.ts";
import type { SimulatorHandle, SimulatorRecord } from "../simulator/mod.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

type Row = Record<string, unknown> & {
  send_offset: number;
  planned_offset: number;
  latency: number;
  phase: string;
  waited_for_slot: boolean;
  success: boolean;
};

const tokenizerFlags = ["--tokenizer", "cl100k_base", "--model", "mib-sim"];

async function record(sim: SimulatorHandle): Promise<SimulatorRecord> {
  const response = await fetch(`${sim.url}/mib/record`);
  return await response.json();
}

/** The most intervals [start, end) that overlap at one instant. */
function peakOverlap(intervals: readonly [number, number][]): number {
  const events = intervals.flatMap(([a, b]) => [[a, 1], [b, -1]] as const)
    // An end at t comes before a start at t: [a, t) and [t, b) do not overlap.
    .sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of events) peak = Math.max(peak, now += step);
  return peak;
}

const readRows = async (path: string): Promise<Row[]> =>
  JSON.parse(await Deno.readTextFile(path)) as Row[];

const readRecord = async (path: string) =>
  JSON.parse(await Deno.readTextFile(path.replace(/\.json$/, ".summary.json")));

Deno.test("--max-concurrency 3 with poisson inf: the simulator never had more than 3 in flight, and had 3", async () => {
  await withSim({ record: true, ttftMs: 10, tpotMs: 2 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/cap.json`;
    const run = await runCli([
      ...benchFlags(sim.url, 30, 16, ["uniform", 5, 30]),
      ...tokenizerFlags,
      "--max-concurrency",
      "3",
      "--output-file",
      file,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const served = (await record(sim)).requests;
    assert.equal(served.length, 30);
    // The server's own clock: arrival → end of each response.
    const serverPeak = peakOverlap(served.map((r) => [r.arrival, r.end!]));
    assert.equal(serverPeak, 3, "the cap is reached and never exceeded, as the server saw it");
    const rows = await readRows(file);
    assert.equal(
      peakOverlap(rows.map((r) => [r.send_offset, r.send_offset + r.latency])),
      3,
      "nor as the client saw it",
    );
    // All planned at 0: the first 3 go at once, every later one waits for a slot.
    const waited = rows.filter((r) => r.waited_for_slot);
    assert.equal(waited.length, 27);
    assert.ok(rows.slice(0, 3).every((r) => !r.waited_for_slot));
    for (const r of waited) {
      assert.ok(r.send_offset - r.planned_offset > 0.005, `queue time of a waiting request`);
    }
    assert.match(
      run.stdout,
      /Requests that waited for a free slot \(--max-concurrency 3\): 27 of 30 \(queue time p50 [\d.]+ ms, p99 [\d.]+ ms; not in the pacing lag\)/,
    );
    const { summary } = await readRecord(file);
    assert.equal(summary.waitedForSlot, 27);
    assert.equal(summary.slotQueue.count, 27);
    assert.ok(summary.slotQueue.median > 5, "queue times are recorded, in ms");
    assert.equal(summary.peakConcurrency, 3);
    // The first request is the only one planned after the previous send.
    assert.equal(summary.pacingLag.count, 1, "waits for a slot are not pacing lag");
  });
});

Deno.test("--max-concurrency with a rate: only requests held back by the cap wait, and only the others are pacing lag", async () => {
  await withSim({ ttftMs: 5, tpotMs: 4 }, async (sim) => {
    const tokenizer = await loadTokenizer();
    // A request every 40 ms taking ~85 ms: with one slot, every other one waits.
    const requests = planRandomRun({
      seed: 3,
      tokenizer,
      count: 8,
      arrival: { kind: "constant", gap: 0.04 },
      input: { kind: "constant", value: 8 },
      output: { kind: "constant", value: 20 },
    });
    const run = await runSchedule({
      url: `${sim.url}/v1/completions`,
      backend: getBackend("openai"),
      requests,
      countTokens: tokenizer.count,
      maxConcurrency: 1,
    });
    const waited = run.results.filter((r) => r.waitedForSlot);
    assert.ok(!run.results[0].waitedForSlot);
    assert.equal(waited.length, 7, "each request came due while the one before was in flight");
    for (let i = 1; i < run.results.length; i++) {
      const [before, r] = [run.results[i - 1], run.results[i]];
      assert.ok(r.sendOffset >= before.sendOffset + before.latency, `request ${i} overlapped`);
    }
    assert.equal(run.pacingLag?.count, 1);
  });
});

Deno.test("--warmup 3 --cooldown 2: marked, left out of every figure, the window between them", async () => {
  await withSim({ ttftMs: 10, tpotMs: 2 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/phases.json`;
    const run = await runCli([
      ...benchFlags(sim.url, 12, 16, ["uniform", 5, 40]),
      ...tokenizerFlags,
      "--request-distribution",
      "constant",
      "0.03",
      "--warmup",
      "3",
      "--cooldown",
      "2",
      "--output-file",
      file,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const rows = await readRows(file);
    const bySend = rows.toSorted((a, b) => a.send_offset - b.send_offset);
    assert.deepEqual(bySend.map((r) => r.phase), [
      ...Array(3).fill("warmup"),
      ...Array(7).fill("measured"),
      ...Array(2).fill("cooldown"),
    ]);
    const measured = rows.filter((r) => r.phase === "measured");
    const end = (r: Row) => r.send_offset + r.latency;
    const start = Math.max(...rows.filter((r) => r.phase === "warmup").map(end));
    const stop = Math.max(...measured.map(end));
    const { summary } = await readRecord(file);
    assert.equal(summary.completed, 7);
    assert.equal(summary.total, 7);
    assert.equal(summary.warmup, 3);
    assert.equal(summary.cooldown, 2);
    assert.ok(Math.abs(summary.window.start - start) < 1e-9);
    assert.ok(Math.abs(summary.window.end - stop) < 1e-9);
    assert.ok(Math.abs(summary.duration - (stop - start)) < 1e-9);
    const outputTokens = measured.reduce((n, r) => n + (r.output_len as number), 0);
    assert.equal(summary.totalOutputTokens, outputTokens);
    assert.ok(Math.abs(summary.outputThroughput - outputTokens / (stop - start)) < 1e-6);
    assert.equal(summary.e2el.count, 7);
    assert.equal(summary.queue.count, 7);
    assert.match(run.stdout, /Warm-up 3, cool-down 2 request\(s\): sent, left out of every figure/);
    // mib report reads the file the same way.
    const read = await readResultFile(file);
    assert.equal(read.figures.completed, 7);
    assert.ok(Math.abs(read.duration - (stop - start)) < 1e-9);
  });
});

Deno.test("a measured request sent before the last warm-up request ended counts as measured", async () => {
  await withSim({ ttftMs: 5, tpotMs: 3 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/early.json`;
    // A closed loop of 2: the shorter warm-up request's slot is refilled while the longer runs.
    const run = await runCli([
      ...benchFlags(sim.url, 10, 8, ["uniform", 2, 60]),
      ...tokenizerFlags,
      "--seed",
      "4",
      "--max-concurrency",
      "2",
      "--warmup",
      "2",
      "--output-file",
      file,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const rows = await readRows(file);
    const { summary } = await readRecord(file);
    const early = rows.filter((r) =>
      r.phase === "measured" && r.send_offset < summary.window.start
    );
    assert.ok(early.length >= 1, "the loop sent a measured request while a warm-up one ran");
    assert.equal(summary.completed, 8, "early or not, every measured request counts");
  });
});

Deno.test("--duration stops sending by the real clock when the plan is behind; in-flight requests finish and count", async () => {
  await withSim({ ttftMs: 5, tpotMs: 5 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/timed.jsonl`;
    // 100 requests/s planned, but one slot and ~105 ms a request: far behind the plan by 0.6 s.
    const run = await runCli([
      ...benchFlags(sim.url, 1000, 8, 20),
      ...tokenizerFlags,
      "--request-distribution",
      "constant",
      "0.01",
      "--max-concurrency",
      "1",
      "--duration",
      "0.6",
      "--output-file",
      file,
      "--output-format",
      "jsonl",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const lines = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    const rows = lines.filter((l) => !("summary" in l)) as Row[];
    assert.ok(rows.length >= 2 && rows.length < 60, `${rows.length} sent`);
    for (const r of rows) {
      assert.ok(r.send_offset < 0.6, `sent at ${r.send_offset}`);
      assert.ok(r.success, "the last one, in flight at 0.6 s, finished");
    }
    assert.ok(Math.max(...rows.map((r) => r.send_offset + r.latency)) > 0.6);
    const stop =
      /sending stopped at --duration 0.6 s after (\d+) request\(s\); ([\d,]+) planned request\(s\) not sent; the requests in flight then finished and count/
        .exec(run.stdout);
    assert.ok(stop, run.stdout);
    assert.equal(Number(stop[1]), rows.length);
    assert.equal(Number(stop[1]) + Number(stop[2].replaceAll(",", "")), 1000);
    assert.equal(lines.at(-1).summary.completed, rows.length);
  });
});

Deno.test("--cooldown 0.2s with --duration 0.6 in a run that keeps nothing: the last 0.2 s of sending are cool-down, every line written", async () => {
  await withSim({ ttftMs: 5, tpotMs: 2 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/cool.jsonl`;
    const run = await runCli([
      ...benchFlags(sim.url, 1000, 8, 10),
      ...tokenizerFlags,
      "--request-distribution",
      "constant",
      "0.02",
      "--duration",
      "0.6",
      "--cooldown",
      "0.2s",
      // Past the exact limit: results are counted on the worker and dropped as they end.
      "--exact-limit",
      "1",
      "--output-file",
      file,
      "--output-format",
      "jsonl",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const lines = (await Deno.readTextFile(file)).trim().split("\n").map((l) => JSON.parse(l));
    const rows = lines.filter((l) => !("summary" in l)) as Row[];
    const summary = lines.at(-1).summary;
    assert.equal(rows.length, summary.completed + summary.cooldown);
    for (const r of rows) {
      // Sending ended at E = 0.6 s (the --duration stop): cool-down is s ≥ 0.4.
      assert.equal(r.phase, r.send_offset >= 0.4 ? "cooldown" : "measured", `at ${r.send_offset}`);
      assert.notEqual(r.output_len, null, "counted before its line was written");
    }
    assert.ok(summary.cooldown >= 3, `${summary.cooldown} cool-down`);
  });
});

Deno.test("--duration alone: a closed loop for S seconds, warm-up by seconds of the real clock", async () => {
  await withSim({ ttftMs: 5, tpotMs: 2 }, async (sim) => {
    await using dir = await tempDir();
    const file = `${dir.path}/closed.json`;
    const run = await runCli([
      "--base-url",
      sim.url,
      ...tokenizerFlags,
      "--input-token-distribution",
      "constant",
      "8",
      "--output-token-distribution",
      "constant",
      "10",
      "--max-concurrency",
      "2",
      "--duration",
      "0.8",
      "--warmup",
      "0.2s",
      "--output-file",
      file,
      "--output-format",
      "vllm",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(
      run.stdout,
      /sending stopped at --duration 0.8 s after \d+ request\(s\); the requests/,
    );
    const v = JSON.parse(await Deno.readTextFile(file));
    assert.equal(v.max_concurrency, 2);
    const phases = v.mib_phases as string[];
    const starts = v.start_times as number[];
    assert.equal(v.num_prompts, phases.length, "an open-ended plan reports what was sent");
    assert.ok(phases.length > 6);
    phases.forEach((phase, i) => {
      assert.ok(starts[i] < 0.8);
      assert.equal(phase, starts[i] < 0.2 ? "warmup" : "measured", `request ${i} at ${starts[i]}`);
    });
    const measured = phases.filter((p) => p === "measured").length;
    assert.equal(
      v.completed,
      measured,
      "vLLM's lists hold every request; its figures the measured",
    );
    assert.equal(v.mib_warmup_requests, phases.length - measured);
    assert.equal(v.ttfts.length, phases.length);
    assert.ok(
      Math.abs(v.duration - (v.mib_measured_window_end - v.mib_measured_window_start)) < 1e-9,
    );
  });
});

Deno.test("the load-shape flags: config keys, and one-line usage errors naming the flag", async () => {
  const base = { base_url: "http://127.0.0.1:1" };
  const config = resolveBenchConfig(
    { ...base, num_of_req: 5, max_concurrency: 4, warmup: "10s", cooldown: 2, duration: 30 },
    {},
  );
  assert.equal(config.maxConcurrency, 4);
  assert.deepEqual(config.warmup, { seconds: 10 });
  assert.deepEqual(config.cooldown, { requests: 2 });
  assert.equal(config.duration, 30);
  // --duration alone is enough to size the run.
  assert.equal(
    resolveBenchConfig({ ...base, duration: 5, request_distribution: ["poisson", "2"] }, {})
      .numOfReq,
    undefined,
  );
  const refuses = (values: Record<string, unknown>, flag: string) =>
    assert.throws(
      () => resolveBenchConfig({ ...base, ...values }, {}),
      (e: unknown) => e instanceof UsageError && e.message.includes(flag),
      JSON.stringify(values),
    );
  refuses({ duration: 5 }, "--duration"); // poisson inf with no cap: nothing paces it
  refuses({ duration: 5, max_concurrency: 2, dataset_name: "sharegpt" }, "--duration");
  refuses({ num_of_req: 5, warmup: "ten" }, "--warmup");
  refuses({}, "--num-of-req");
  const cli = await runCli([
    "--base-url",
    "http://127.0.0.1:1",
    "--num-of-req",
    "3",
    "--cooldown",
    "5m",
  ]);
  assert.equal(cli.code, 2);
  assert.match(
    cli.stderr,
    /--cooldown.*expected a number of requests like 20 or of seconds like 10s/,
  );
  const zero = await runCli([
    "--base-url",
    "http://127.0.0.1:1",
    "--max-concurrency",
    "0",
    "--num-of-req",
    "3",
  ]);
  assert.equal(zero.code, 2);
  assert.match(zero.stderr, /--max-concurrency/);
});
