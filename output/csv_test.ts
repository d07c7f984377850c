import assert from "node:assert/strict";
import { tempDir } from "../tests/_helpers.ts";
import { csvSummary, parseCsv } from "./csv.ts";
import { readResultFile } from "./mod.ts";

Deno.test("parseCsv reads quoted cells back: commas, quotes, newlines", () => {
  const text = csvSummary({ a: 'say "hi", then\ngo', b: 1.5, c: undefined, list: [1], none: null });
  assert.equal(text, 'a,b,c\n"say ""hi"", then\ngo",1.5,\n');
  assert.deepEqual(parseCsv(text), [["a", "b", "c"], ['say "hi", then\ngo', "1.5", ""]]);
  assert.deepEqual(parseCsv("x,y\r\n1,2"), [["x", "y"], ["1", "2"]]);
});

Deno.test("a csv file reads as the vllm figures, numbers exactly", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/s.csv`;
  const top = {
    model_id: "a,b",
    duration: 2.5,
    completed: 7,
    failed: 1,
    request_throughput: 2.8,
    output_throughput: 123.456789012345,
    mean_ttft_ms: 12.3456789,
    median_ttft_ms: 11,
    p99_ttft_ms: 40.1,
    mean_itl_ms: 0.1 + 0.2,
  };
  await Deno.writeTextFile(file, csvSummary(top));
  const { format, figures, duration } = await readResultFile(file);
  assert.equal(format, "csv");
  assert.equal(duration, 2.5);
  assert.equal(figures["completed"], 7);
  assert.equal(figures["output throughput (tok/s)"], 123.456789012345);
  assert.equal(figures["mean TTFT (ms)"], 12.3456789);
  assert.equal(figures["p99 TTFT (ms)"], 40.1);
  assert.equal(figures["mean ITL (ms)"], 0.1 + 0.2);
  // Fields the row lacks are unknown, not 0.
  assert.equal(figures["mean TPOT (ms)"], null);
});
