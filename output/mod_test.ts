import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import type { RequestResult } from "../runner/result.ts";
import { fakeFinishedRun, fakeRecord, fakeResult, tempDir } from "../tests/_helpers.ts";
import {
  needsEveryResult,
  openOutput,
  OUTPUT_FORMAT_HELP,
  OUTPUT_FORMAT_NAMES,
  OUTPUT_FORMATS,
  readResultFile,
  RESULT_FORMATS,
  runRecordPath,
} from "./mod.ts";
import type { RequestPoint } from "./types.ts";

/** Twelve requests, one failed, sent 10 ms apart. */
function results(): RequestResult[] {
  return Array.from({ length: 12 }, (_, i) =>
    fakeResult({
      index: i,
      sendOffset: i * 0.01,
      plannedOffset: i * 0.01,
      ttft: 0.02 + i * 1e-3,
      itl: [0.004, 0.005],
      chunks: 3,
      outputLen: 3,
      latency: 0.05 + i * 1e-3,
      success: i !== 5,
      error: i === 5 ? "HTTP 500" : "",
      status: i === 5 ? 500 : 200,
    }));
}

Deno.test("every format mib writes reads back as itself, its run record as record", async () => {
  await using dir = await tempDir();
  for (const format of OUTPUT_FORMATS) {
    const path = `${dir.path}/run-${format.name}.out`;
    const finished = fakeFinishedRun(results(), { output_format: format.name });
    const output = await openOutput(path, format.name);
    for (const result of finished.run.results) output.add(result);
    await output.finish(finished);
    await output.close();
    const points: RequestPoint[] = [];
    const read = await readResultFile(path, { onRequest: (point) => points.push(point) });
    assert.equal(read.format, format.name);
    assert.equal(read.figures["completed"], 11, format.name);
    assert.equal(read.figures["failed"], 1, format.name);
    assert.equal(points.length, format.listsEveryRequest ? 12 : 0, format.name);
    const record = await readResultFile(runRecordPath(path));
    assert.equal(record.format, "record");
    assert.equal(record.figures["completed"], 11);
    assert.ok(record.record !== undefined);
    // Top-level numbers agree across formats: vllm and csv carry the run's, the record its summary's.
    if (format.name === "vllm" || format.name === "csv") {
      assert.equal(read.figures["mean TTFT (ms)"], finished.metrics.ttft!.mean);
      assert.equal(read.figures["median E2E (ms)"], finished.metrics.e2el!.median);
      // p99 only when --percentiles asks for it, as vLLM.
      assert.equal(read.figures["p99 E2E (ms)"], null);
    }
    assert.equal(record.figures["median ITL (ms)"], finished.summary.itlPerChunk!.median);
  }
});

Deno.test("a JSON object that is no result file is an error naming the file and the formats", async () => {
  await using dir = await tempDir();
  const cases: [string, string, RegExp][] = [
    [
      "foo.json",
      '{"foo":1}\n',
      /^.*foo\.json: not a result file mib reads \(formats: seed, jsonl, vllm, csv, record\)$/,
    ],
    ["pretty.json", '{\n  "foo": 1\n}\n', /pretty\.json: not a result file mib reads/],
    ["empty.json", "\n\n", /empty\.json: not a result file .*: the file is empty$/],
    ["cut.json", '{\n  "tool": "mib",\n', /cut\.json: not a result file .*: .*JSON/],
    ["text.txt", "hello\n", /text\.txt: not a result file/],
  ];
  for (const [name, text, message] of cases) {
    const path = `${dir.path}/${name}`;
    await Deno.writeTextFile(path, text);
    await assert.rejects(readResultFile(path), (error: Error) => {
      assert.ok(error instanceof UsageError, name);
      assert.equal(error.flag, path);
      assert.match(error.message, message);
      return true;
    });
  }
  const missing = `${dir.path}/missing.json`;
  await assert.rejects(
    readResultFile(missing),
    new UsageError(missing, "cannot read the file (no such file)"),
  );
});

Deno.test("format detection: seed on one line or many, jsonl of a run of none, vLLM's one line", async () => {
  await using dir = await tempDir();
  const detected = async (text: string) => {
    const path = `${dir.path}/f`;
    await Deno.writeTextFile(path, text);
    return (await readResultFile(path)).format;
  };
  const line = JSON.stringify(fakeRecord(0, [0.01]));
  assert.equal(await detected(`[${line}]`), "seed");
  assert.equal(await detected("[]\n"), "seed");
  assert.equal(await detected(`[\n  ${line}\n]\n`), "seed");
  assert.equal(await detected(`${line}\n${line}\n`), "jsonl");
  assert.equal(await detected('{"summary":{"duration":1}}\n'), "jsonl");
  assert.equal(await detected('{"completed":1,"mean_ttft_ms":2}'), "vllm");
  assert.equal(await detected('{\n  "completed": 1,\n  "ttfts": []\n}\n'), "vllm");
  assert.equal(await detected("date,completed,duration\nx,1,2\n"), "csv");
  assert.equal(await detected('{"tool":"mib","summary":{}}'), "record");
});

Deno.test("the registry: --output-format's names and help, and which runs keep every result", () => {
  assert.deepEqual(OUTPUT_FORMAT_NAMES, ["seed", "jsonl", "vllm", "csv"]);
  assert.deepEqual(RESULT_FORMATS.map((f) => f.name), [...OUTPUT_FORMAT_NAMES, "record"]);
  assert.equal(
    OUTPUT_FORMAT_HELP,
    "seed (a JSON array, default), jsonl (a line per request as each finishes, then a summary line), vllm (vllm bench serve's result JSON) or csv (its summary row)",
  );
  // Written at the end from the kept results: seed and vllm; jsonl streams, csv lists none.
  assert.deepEqual(OUTPUT_FORMAT_NAMES.filter(needsEveryResult), ["seed", "vllm"]);
});
