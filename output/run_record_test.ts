import assert from "node:assert/strict";
import { describeSample } from "../metrics/stats.ts";
import { tempDir } from "../tests/_helpers.ts";
import { mergeRecords } from "./merge.ts";
import { readResultFile } from "./mod.ts";
import { runRecordPath } from "./run_record.ts";

Deno.test("runRecordPath: X.json, X.jsonl and X.csv → X.summary.json", () => {
  assert.equal(runRecordPath("a/run.json"), "a/run.summary.json");
  assert.equal(runRecordPath("run.jsonl"), "run.summary.json");
  assert.equal(runRecordPath("run.csv"), "run.summary.json");
  assert.equal(runRecordPath("run"), "run.summary.json");
});

Deno.test("a run record of the previous version (summary itl, latency, scheduleLag) still reads", async () => {
  await using dir = await tempDir();
  const itl = describeSample([4, 5, 6], [99])!;
  const latency = describeSample([50, 70], [99])!;
  const old = {
    tool: "mib",
    version: "0.1.0",
    started_at: "2026-01-01T00:00:00.000Z",
    summary: {
      completed: 2,
      failed: 0,
      duration: 2,
      requestThroughput: 1,
      outputThroughput: 3,
      totalOutputTokens: 6,
      ttft: describeSample([20, 30], [99]),
      itl,
      latency,
      scheduleLag: describeSample([0.1], [99]),
    },
  };
  const file = `${dir.path}/old.summary.json`;
  await Deno.writeTextFile(file, JSON.stringify(old, null, 2) + "\n");
  const read = await readResultFile(file);
  assert.equal(read.format, "record");
  assert.equal(read.figures["mean ITL (ms)"], itl.mean);
  assert.equal(read.figures["p99 ITL (ms)"], itl.p99);
  assert.equal(read.figures["median E2E (ms)"], latency.median);
  assert.deepEqual(read.record!.summary.e2el, latency);
  assert.equal(read.record!.summary.queue?.count, 1);
  assert.ok(!("itl" in read.record!.summary) && !("latency" in read.record!.summary));
  // Without histograms an old record cannot merge, and says why.
  await assert.rejects(
    mergeRecords([{ file, record: read.record! }]),
    /--merge: .*old\.summary\.json" has no ttft histogram/,
  );
});
