import assert from "node:assert/strict";
import { tempDir } from "../tests/_helpers.ts";
import { jsonArrayElements } from "./_json_array.ts";

Deno.test("jsonArrayElements: every element of any JSON array, strings holding brackets included", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.json`;
  const values = [
    { text: 'a "quoted" ], {brace} \\ and \u2028', n: [1, [2, { x: null }]] },
    "],[",
    -1.5e3,
    true,
    null,
    [],
    {},
    // Longer than a read chunk, with escapes that may straddle chunk boundaries.
    { text: '\\"]},'.repeat(40_000) },
  ];
  for (const text of [JSON.stringify(values), JSON.stringify(values, null, 2) + "\n"]) {
    await Deno.writeTextFile(path, text);
    assert.deepEqual(await Array.fromAsync(jsonArrayElements(path)), values);
  }
  await Deno.writeTextFile(path, " [ ] \n");
  assert.deepEqual(await Array.fromAsync(jsonArrayElements(path)), []);
});

Deno.test("jsonArrayElements: what is not one JSON array is a SyntaxError", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/a.json`;
  for (const text of ['{"a": 1}', "[1, 2", "[1] [2]", "[1,,2]", '["open]', "[1}", "[1] x"]) {
    await Deno.writeTextFile(path, text);
    await assert.rejects(Array.fromAsync(jsonArrayElements(path)), SyntaxError, text);
  }
});
