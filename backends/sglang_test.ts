import assert from "node:assert/strict";
import { getBackend, parseReads } from "./mod.ts";

const encoder = new TextEncoder();

Deno.test("SGLang: meta_info.cached_tokens is the cached prompt", () => {
  const parsed = parseReads(
    getBackend("sglang"),
    {
      times: [100],
      bytes: [encoder.encode(
        'data: {"text":" a","output_ids":[1],"meta_info":{"id":"r","finish_reason":null,"prompt_tokens":20,"completion_tokens":1,"cached_tokens":16}}\n\ndata: [DONE]\n\n',
      )],
    },
    { prompt: "Hi", maxTokens: 1 },
  );
  assert.deepEqual([parsed.promptTokens, parsed.promptCached], [20, 16]);
});
