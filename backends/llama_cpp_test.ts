import assert from "node:assert/strict";
import { getBackend, parseReads, type TimedReads } from "./mod.ts";

const encoder = new TextEncoder();

/** Recorded reads: each string is one network read, arriving 10 ms after the previous. */
function reads(...parts: string[]): TimedReads {
  return { times: parts.map((_, i) => 100 + 10 * i), bytes: parts.map((p) => encoder.encode(p)) };
}

const llama = getBackend("llama.cpp");
const request = { prompt: "Tell me", maxTokens: 2 };

// As llama-server writes them (`server-task.cpp`, keys in its order): a
// partial event, and the final one of a prompt of 512 tokens of which 480
// came from the prefix cache, cut to the slot's context.
const partial =
  'data: {"index":0,"content":" a","tokens":[264],"stop":false,"id_slot":0,"tokens_predicted":1,"tokens_evaluated":512}\n\n';
const partial2 =
  'data: {"index":0,"content":" b","tokens":[293],"stop":false,"id_slot":0,"tokens_predicted":2,"tokens_evaluated":512}\n\n';
const final =
  'data: {"index":0,"content":"","tokens":[],"id_slot":0,"stop":true,"model":"/models/x.gguf","tokens_predicted":2,"tokens_evaluated":512,"prompt":"Tell me","has_new_line":false,"truncated":true,"stop_type":"limit","stopping_word":"","tokens_cached":513,"timings":{"cache_n":480,"prompt_n":32,"prompt_ms":85.125,"prompt_per_token_ms":2.66015625,"prompt_per_second":375.9,"predicted_n":2,"predicted_ms":20.5,"predicted_per_token_ms":10.25,"predicted_per_second":97.56}}\n\n';

Deno.test("llama.cpp: the whole prompt is tokens_evaluated, not prompt_n; truncated, cache and timings", () => {
  const parsed = parseReads(llama, reads(partial, partial2, final), request);
  assert.equal(parsed.promptTokens, 512, "tokens_evaluated: prompt_n leaves out the cache hit");
  assert.equal(parsed.promptCached, 480);
  assert.equal(parsed.truncated, true);
  assert.equal(parsed.outputTokens, 2);
  assert.deepEqual(parsed.serverTimings, {
    promptN: 32,
    promptMs: 85.125,
    predictedN: 2,
    predictedMs: 20.5,
    predictedPerTokenMs: 10.25,
    cacheN: 480,
  });
  assert.equal(parsed.complete, true);
});

Deno.test("llama.cpp: without tokens_evaluated the prompt is prompt_n + cache_n", () => {
  const timingsOnly = final.replace('"tokens_evaluated":512,', "");
  assert.equal(parseReads(llama, reads(partial, timingsOnly), request).promptTokens, 512);
  const noCache = timingsOnly.replace('"cache_n":480,', "");
  const parsed = parseReads(llama, reads(partial, noCache), request);
  assert.equal(parsed.promptTokens, 32);
  assert.equal(parsed.promptCached, undefined);
});

Deno.test("llama.cpp: a partial event's counts are not the server's last word", () => {
  // A stream cut before its final event: no truncation flag, no timings.
  const parsed = parseReads(llama, reads(partial, partial2), request);
  assert.equal(parsed.truncated, undefined);
  assert.equal(parsed.serverTimings, undefined);
  assert.equal(parsed.promptTokens, undefined);
  assert.equal(parsed.complete, false);
});

Deno.test("llama.cpp: unstreamed, the same fields from the one response", () => {
  const whole = final.slice("data: ".length).trim().replace('"content":""', '"content":" a b"')
    .replace('"truncated":true', '"truncated":false');
  const parsed = parseReads(llama, reads(whole.slice(0, 90), whole.slice(90)), {
    ...request,
    stream: false,
  });
  assert.deepEqual(parsed.chunks.map((c) => c.text), [" a b"]);
  assert.deepEqual(
    [parsed.promptTokens, parsed.promptCached, parsed.truncated, parsed.serverTimings?.promptMs],
    [512, 480, false, 85.125],
  );
});
