import assert from "node:assert/strict";
import { tempDir } from "../tests/_helpers.ts";
import { firstLine, readLines } from "./lines.ts";

Deno.test("readLines: LF and CRLF, a last line without newline, lines longer than a chunk", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/t.txt`;
  const long = "é".repeat(100_000);
  await Deno.writeTextFile(path, `a\r\n\nb\n${long}\r\n${long}x`);
  assert.deepEqual(await Array.fromAsync(readLines(path)), ["a", "", "b", long, `${long}x`]);
  await Deno.writeTextFile(path, "\n  \nfirst\nsecond\n");
  assert.equal(await firstLine(path), "first");
  await Deno.writeTextFile(path, "");
  assert.deepEqual(await Array.fromAsync(readLines(path)), []);
  assert.equal(await firstLine(path), undefined);
});

Deno.test("readLines: a line of tens of megabytes costs its length, not its length per chunk", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/one.json`;
  // 32 MB on one line, as vLLM writes a large result: 500 read chunks.
  await Deno.writeTextFile(path, "x".repeat(32 * 1024 * 1024));
  const started = performance.now();
  assert.equal((await firstLine(path))?.length, 32 * 1024 * 1024);
  // Seconds apart: searching the whole line at every chunk took ~15 s.
  assert.ok(performance.now() - started < 5_000, `${performance.now() - started} ms`);
});
