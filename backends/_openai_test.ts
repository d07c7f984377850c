import assert from "node:assert/strict";
import { getBackend, parseReads, type TimedReads } from "./mod.ts";

const encoder = new TextEncoder();

/** Recorded reads: each string is one network read, arriving 10 ms after the previous. */
function reads(...parts: string[]): TimedReads {
  return { times: parts.map((_, i) => 100 + 10 * i), bytes: parts.map((p) => encoder.encode(p)) };
}

const openai = getBackend("openai");
const chat = getBackend("openai-chat");
const request = { prompt: "Hi", maxTokens: 2 };

Deno.test("OpenAI usage: prompt_tokens_details.cached_tokens is the cached prompt (vLLM)", () => {
  // vLLM with --enable-prompt-tokens-details, include_usage.
  const parsed = parseReads(
    openai,
    reads(
      'data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" a","logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}\n\n',
      'data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":" b","logprobs":null,"finish_reason":"length","stop_reason":null}],"usage":null}\n\n',
      'data: {"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":300,"total_tokens":302,"completion_tokens":2,"prompt_tokens_details":{"cached_tokens":256}}}\n\ndata: [DONE]\n\n',
    ),
    request,
  );
  assert.deepEqual([parsed.promptTokens, parsed.promptCached, parsed.outputTokens], [300, 256, 2]);
  assert.equal(parsed.truncated, undefined, "vLLM does not say");
  assert.equal(parsed.serverTimings, undefined);
});

Deno.test("OpenAI usage: prompt_tokens_details null or absent leaves the cache unknown", () => {
  const parsed = parseReads(
    openai,
    reads(
      'data: {"choices":[{"index":0,"text":" a"}]}\n\n',
      'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"prompt_tokens_details":null}}\n\ndata: [DONE]\n\n',
    ),
    request,
  );
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.promptCached, undefined);
});

// llama-server's OpenAI-compatible chat stream (2026 source): the finish
// chunk, then the usage chunk carrying `timings`, then [DONE].
const llamaChat = [
  'data: {"choices":[{"finish_reason":null,"index":0,"delta":{"content":" a"}}],"created":1740000000,"id":"chatcmpl-x","model":"/models/x.gguf","system_fingerprint":"b6000-1","object":"chat.completion.chunk"}\n\n',
  'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1740000000,"id":"chatcmpl-x","model":"/models/x.gguf","system_fingerprint":"b6000-1","object":"chat.completion.chunk"}\n\n',
  'data: {"choices":[],"created":1740000000,"id":"chatcmpl-x","model":"/models/x.gguf","system_fingerprint":"b6000-1","object":"chat.completion.chunk","usage":{"completion_tokens":1,"prompt_tokens":514,"total_tokens":515,"prompt_tokens_details":{"cached_tokens":480}},"timings":{"cache_n":480,"prompt_n":34,"prompt_ms":90.5,"prompt_per_token_ms":2.66,"prompt_per_second":375.7,"predicted_n":1,"predicted_ms":0.01,"predicted_per_token_ms":0.01,"predicted_per_second":100000}}\n\n',
  "data: [DONE]\n\n",
];

Deno.test("llama.cpp's OpenAI-style stream: usage's cached tokens, and its timings", () => {
  const parsed = parseReads(chat, reads(...llamaChat), request);
  assert.equal(parsed.promptTokens, 514);
  assert.equal(parsed.promptCached, 480);
  assert.deepEqual(parsed.serverTimings, {
    promptN: 34,
    promptMs: 90.5,
    predictedN: 1,
    predictedMs: 0.01,
    predictedPerTokenMs: 0.01,
    cacheN: 480,
  });
});

Deno.test("an older llama.cpp: usage and timings on the finish chunk, cache from cache_n, truncated", () => {
  // The February 2025 source: no prompt_tokens_details; usage sent unasked.
  const old =
    'data: {"choices":[{"finish_reason":"length","index":0,"delta":{}}],"created":1740000000,"id":"chatcmpl-y","model":"/models/x.gguf","system_fingerprint":"b4700-1","object":"chat.completion.chunk","usage":{"completion_tokens":1,"prompt_tokens":40,"total_tokens":41},"timings":{"prompt_n":8,"prompt_ms":20,"prompt_per_token_ms":2.5,"prompt_per_second":400,"predicted_n":1,"predicted_ms":0.02,"predicted_per_token_ms":0.02,"predicted_per_second":50000,"cache_n":32},"truncated":true}\n\n';
  const parsed = parseReads(chat, reads(llamaChat[0], old, "data: [DONE]\n\n"), request);
  assert.deepEqual([parsed.promptTokens, parsed.promptCached, parsed.truncated], [40, 32, true]);
  assert.equal(parsed.serverTimings?.promptN, 8);
});
