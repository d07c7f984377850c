import assert from "node:assert/strict";
import { chooseTokenizer, lazyTokenizer } from "./choose.ts";

Deno.test("chooseTokenizer: a tiktoken name as is, a model name resolved, no --tokenizer → the model's", async () => {
  const log: string[] = [];
  const warn = (line: string) => log.push(line);
  assert.deepEqual(await chooseTokenizer("p50k_base", "ignored", warn), {
    kind: "tiktoken",
    name: "p50k_base",
  });
  assert.deepEqual(await chooseTokenizer("gpt-4o", undefined, warn), {
    kind: "tiktoken",
    name: "o200k_base",
  });
  assert.deepEqual(await chooseTokenizer(undefined, "gpt-4o", warn), {
    kind: "tiktoken",
    name: "o200k_base",
  });
  assert.deepEqual(log, []);
  assert.deepEqual(await chooseTokenizer(undefined, "my-model", warn), {
    kind: "tiktoken",
    name: "cl100k_base",
  });
  assert.equal(log.length, 1);
  assert.match(log[0], /^warning: model "my-model" names no tokenizer mib knows/);
});

Deno.test("lazyTokenizer: named at once, loaded by the first load() only", async () => {
  const tokenizer = lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" });
  assert.equal(tokenizer.name, "cl100k_base");
  const first = tokenizer.load();
  assert.equal(tokenizer.load(), first, "one load, shared");
  assert.equal((await first).count("hello world"), 2);
});
