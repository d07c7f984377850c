import assert from "node:assert/strict";
import { describeSample } from "../metrics/stats.ts";
import { fakeFinishedRun, fakeRecord, fakeResult, tempDir } from "../tests/_helpers.ts";
import { jsonl } from "./jsonl.ts";
import { readResultFile } from "./mod.ts";

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
    lines.push(JSON.stringify(fakeRecord(i, itl, i === 0 ? "y".repeat(70_000) : "x")));
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

Deno.test("jsonl: a line per request as handed over; a failed run closes without the summary line", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/run.jsonl`;
  const finished = fakeFinishedRun([fakeResult({ index: 3 }), fakeResult({ index: 1 })]);
  const writer = await jsonl.open(path);
  for (const result of finished.run.results) writer.add(result);
  const lines = () =>
    Deno.readTextFile(path).then((t) => t.trim().split("\n").map((l) => JSON.parse(l)));
  assert.deepEqual((await lines()).map((l) => l.index), [3, 1], "written before the run ends");
  await writer.close();
  await writer.close();
  assert.equal((await lines()).length, 2);
  const finishing = await jsonl.open(path);
  finishing.add(finished.run.results[0]);
  await finishing.finish(finished);
  await finishing.close();
  const [first, last] = await lines();
  assert.equal(first.index, 3);
  assert.deepEqual(last.summary, JSON.parse(JSON.stringify(finished.summary)));
});
