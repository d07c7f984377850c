/**
 * `--shard I/N --start-at T`, `mib merge` and `--workers N` against the
 * simulator (and a recording server) on loopback.
 */
import assert from "node:assert/strict";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { summarizeAccumulated } from "../metrics/summary.ts";
import { resultOfRecord } from "../output/seed.ts";
import { benchFlags, recordingServer, runCli, tempDir, withSim } from "./_helpers.ts";

type Json = Record<string, unknown>;

const readJson = async (path: string) => JSON.parse(await Deno.readTextFile(path));

/** One plan: 30 requests at Poisson 25/s, varied lengths. */
const plan = (url: string) => [
  "--base-url",
  url,
  "--num-of-req",
  "30",
  "--request-distribution",
  "poisson",
  "25",
  "--input-token-distribution",
  "uniform",
  "10",
  "60",
  "--output-token-distribution",
  "uniform",
  "3",
  "12",
  "--seed",
  "11",
  "--tokenizer",
  "cl100k_base",
];

/** What a request of the schedule is: plan index, planned offset, prompt and output lengths. */
const scheduleOf = (records: Json[]) =>
  records.map((r) => [r.index, r.planned_offset, r.prompt_len, r.output_len_asked, r.output_len])
    .sort((a, b) => (a[0] as number) - (b[0] as number));

Deno.test("3 shards with --start-at, merged, are the single-process run's schedule and summary", async () => {
  await using dir = await tempDir();
  await withSim({ port: 0, ttftMs: 5, tpotMs: 2 }, async (sim) => {
    const flags = plan(sim.url);
    const single = await runCli([...flags, "--output-file", `${dir.path}/single.json`]);
    assert.equal(single.code, 0, single.stderr + single.stdout);
    // Far enough ahead for three processes to start side by side on a busy machine.
    const startAt = Math.ceil(Date.now() / 1000) + 8;
    const shards = await Promise.all([0, 1, 2].map((i) =>
      runCli([
        ...flags,
        "--shard",
        `${i}/3`,
        "--start-at",
        String(startAt),
        "--output-file",
        `${dir.path}/shard${i}.json`,
      ])
    ));
    for (const run of shards) assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(shards[1].stdout, /shard 1\/3: 10 of the plan's 30 requests/);

    const files = [0, 1, 2].map((i) => `${dir.path}/shard${i}.json`);
    const merged = await runCli(["merge", ...files, "-o", `${dir.path}/merged.json`]);
    assert.equal(merged.code, 0, merged.stderr + merged.stdout);
    assert.match(merged.stdout, /merged 3 shards .*exact/);

    // The same request set on the same schedule as one process.
    const perShard: Json[][] = await Promise.all(files.map(readJson));
    const union = perShard.flat();
    perShard.forEach((records, i) =>
      assert.ok(records.every((r) => (r.index as number) % 3 === i))
    );
    assert.deepEqual(scheduleOf(union), scheduleOf(await readJson(`${dir.path}/single.json`)));
    const records: Json[] = await Promise.all(
      files.map((f) => readJson(f.replace(".json", ".summary.json"))),
    );
    for (const record of records) {
      assert.deepEqual(record.shard, { index: records.indexOf(record), count: 3 });
      assert.equal(record.start_at, startAt);
      assert.equal(record.started_at, new Date(startAt * 1000).toISOString());
    }

    // Its summary is the accumulator's over the union of per-request results.
    const duration = Math.max(...records.map((r) => (r.summary as Json).duration as number));
    const accumulator = new RunAccumulator();
    const results = union.map((r) => resultOfRecord(r)).sort((a, b) => a.index - b.index);
    for (const r of results) accumulator.add(r, r.chunkTokens);
    const metrics = accumulator.metrics({ duration, percentiles: [50, 90, 95, 99] });
    const expected = summarizeAccumulated(accumulator, duration, [], metrics);
    const out = await readJson(`${dir.path}/merged.json`);
    const { eventLoopLag: _e, pacingLag: _p, ...got } = out.summary;
    const { eventLoopLag: _e2, pacingLag: _p2, ...want } = JSON.parse(JSON.stringify(expected));
    assert.deepEqual(got, want);
    assert.equal(got.completed, 30);
    assert.deepEqual(out.shard, { index: 0, count: 1 });
    assert.equal(out.plan.requests, 30);

    // Refusals: one line, exit 2.
    const missing = await runCli(["merge", files[0], files[2], "-o", `${dir.path}/m.json`]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr.trim().split("\n").length, 1, missing.stderr);
    assert.match(missing.stderr, /shard 1\/3 missing/);
    const twice = await runCli([
      "merge",
      ...files,
      files[1].replace(".json", ".summary.json"),
      "-o",
      `${dir.path}/m.json`,
    ]);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /shard 1\/3 given twice/);
    const other = { ...records[2], plan: { ...(records[2].plan as Json), seed: 12 } };
    await Deno.writeTextFile(`${dir.path}/other.summary.json`, JSON.stringify(other));
    const mismatched = await runCli([
      "merge",
      ...files.slice(0, 2),
      `${dir.path}/other.summary.json`,
      "-o",
      `${dir.path}/m.json`,
    ]);
    assert.equal(mismatched.code, 2);
    assert.equal(mismatched.stderr.trim().split("\n").length, 1, mismatched.stderr);
    assert.match(mismatched.stderr, /another plan than .*: seed 12 here, 11 there/);

    // Run records alone merge through their histograms, counts exact.
    const fromRecords = await runCli([
      "merge",
      ...files.map((f) => f.replace(".json", ".summary.json")),
      "-o",
      `${dir.path}/records.json`,
    ]);
    assert.equal(fromRecords.code, 0, fromRecords.stderr);
    const approx = (await readJson(`${dir.path}/records.json`)).summary;
    assert.equal(approx.completed, 30);
    assert.equal(approx.totalOutputTokens, got.totalOutputTokens);
    assert.equal(approx.ttft.count, got.ttft.count);
    assert.ok(Math.abs(approx.ttft.p99 - got.ttft.p99) <= got.ttft.p99 * 0.001 + 1e-6);
  });
});

Deno.test("--start-at in the past is refused in one line before anything is sent", async () => {
  const server = recordingServer();
  try {
    const run = await runCli([
      ...benchFlags(server.url, 3, 5, 2),
      "--model",
      "m",
      "--start-at",
      String(Math.floor(Date.now() / 1000) - 60),
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /^mib: --start-at: \d+ is 6\d\.\d s in the past/);
    assert.equal(server.received.length, 0);
  } finally {
    await server.close();
  }
});

Deno.test("--workers 2 sends the plan one worker sends: same requests, offsets and prompts", async () => {
  await using dir = await tempDir();
  const runs = [];
  for (const workers of [1, 2]) {
    const server = recordingServer();
    try {
      const out = `${dir.path}/w${workers}.json`;
      const run = await runCli([
        ...plan(server.url),
        "--model",
        "m",
        "--workers",
        String(workers),
        "--output-file",
        out,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const bodies = new Map(
        server.received.map((
          r,
        ) => [Number(r.headers.get("x-request-id")!.split("-").at(-1)), r.body]),
      );
      runs.push({ records: await readJson(out) as Json[], bodies });
    } finally {
      await server.close();
    }
  }
  const [one, two] = runs;
  assert.equal(two.records.length, 30);
  assert.deepEqual(two.records.map((r) => r.index), one.records.map((r) => r.index), "plan order");
  assert.deepEqual(scheduleOf(two.records), scheduleOf(one.records));
  assert.equal(two.bodies.size, 30);
  for (const [index, body] of one.bodies) {
    assert.deepEqual(two.bodies.get(index), body, `request ${index}`);
  }
});
