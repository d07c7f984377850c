import assert from "node:assert/strict";
import { getBackend, parseReads, type TimedReads } from "../mod.ts";

const encoder = new TextEncoder();

/** Recorded reads: each string is one network read, arriving 10 ms after the previous. */
function reads(...parts: string[]): TimedReads {
  return { times: parts.map((_, i) => 100 + 10 * i), bytes: parts.map((p) => encoder.encode(p)) };
}

const completion = (text: string, extra = "") =>
  `data: {"id":"cmpl-1","object":"text_completion","choices":[{"index":0,"text":${
    JSON.stringify(text)
  },"finish_reason":null}]${extra}}\n\n`;
const chat = (delta: Record<string, unknown>) =>
  `data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":${
    JSON.stringify(delta)
  },"finish_reason":null}],"usage":null}\n\n`;
const usage =
  'data: {"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":3,"total_tokens":8}}\n\n';

const openai = getBackend("openai");
const chatBackend = getBackend("openai-chat");

Deno.test("an event split across reads is timed by the read that completes it", () => {
  const event = completion(" hello");
  const parsed = parseReads(openai, reads(event.slice(0, 20), event.slice(20), "data: [DONE]\n\n"));
  assert.deepEqual(parsed.chunks, [{ time: 110, text: " hello" }]);
  assert.equal(parsed.complete, true);
});

Deno.test("several events in one read share its arrival time", () => {
  const parsed = parseReads(openai, reads(completion(" a") + completion(" b"), completion(" c")));
  assert.deepEqual(parsed.chunks.map((c) => [c.time, c.text]), [[100, " a"], [100, " b"], [
    110,
    " c",
  ]]);
  assert.equal(parsed.complete, false, "no [DONE]");
});

Deno.test("CRLF line ends, keep-alive comments and event: lines", () => {
  const parsed = parseReads(
    openai,
    reads(
      ": ping\r\n\r\n",
      `event: message\r\n${completion(" x").replaceAll("\n", "\r\n")}`,
      "data: [DONE]\r\n\r\n",
    ),
  );
  assert.deepEqual(parsed.chunks, [{ time: 110, text: " x" }]);
  assert.equal(parsed.firstEventTime, 110, "a comment is not an event");
  assert.equal(parsed.complete, true);
});

Deno.test("usage-only last chunk and usage: null chunks", () => {
  const parsed = parseReads(
    openai,
    reads(
      completion(" a", ',"usage":null'),
      completion(" b", ',"usage":null'),
      completion("", ',"usage":null'),
      usage,
      "data: [DONE]\n\n",
    ),
  );
  assert.equal(parsed.chunks.length, 2, "empty-text chunk is not a text chunk");
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
});

Deno.test("a role-only first chat chunk is not text, and is noted", () => {
  const parsed = parseReads(
    chatBackend,
    reads(
      chat({ role: "assistant", content: "" }),
      chat({ content: "Hi" }),
      chat({ content: " there" }),
      "data: [DONE]\n\n",
    ),
  );
  assert.equal(parsed.firstEventTime, 100);
  assert.deepEqual(parsed.chunks.map((c) => c.time), [110, 120]);
  assert.equal(parsed.notes.length, 1);
  assert.match(parsed.notes[0], /role-only/);
});

Deno.test("chat reasoning_content counts as generated text", () => {
  const parsed = parseReads(
    chatBackend,
    reads(
      chat({ reasoning_content: "Let me think" }),
      chat({ reasoning: " more" }),
      chat({ content: "42" }),
    ),
  );
  assert.deepEqual(parsed.chunks.map((c) => c.text), ["Let me think", " more", "42"]);
});

Deno.test("an error event in mid-stream is reported", () => {
  const parsed = parseReads(
    openai,
    reads(
      completion(" a"),
      'data: {"error":{"message":"CUDA out of memory","type":"InternalServerError","code":500}}\n\n',
    ),
  );
  assert.equal(parsed.error, "CUDA out of memory");
  assert.equal(parsed.chunks.length, 1);
});

Deno.test("an unparsable event is an error, not a crash", () => {
  const parsed = parseReads(openai, reads("data: {not json\n\n"));
  assert.match(parsed.error!, /unparsable/);
});

Deno.test("a last event without its blank line still counts", () => {
  const parsed = parseReads(
    openai,
    reads(completion(" a"), 'data: {"choices":[{"index":0,"text":" b"}]}'),
  );
  assert.deepEqual(parsed.chunks.map((c) => c.text), [" a", " b"]);
});

Deno.test("continuous usage gives tokens per chunk", () => {
  const parsed = parseReads(
    getBackend("vllm"),
    reads(
      completion(" a b", ',"usage":{"prompt_tokens":4,"completion_tokens":2}'),
      completion(" c", ',"usage":{"prompt_tokens":4,"completion_tokens":3}'),
    ),
  );
  assert.deepEqual(parsed.chunks.map((c) => c.tokens), [2, 1]);
  assert.equal(parsed.outputTokens, 3);
});

Deno.test("request bodies ask for exactly the sampled length, streamed with usage", () => {
  const request = { prompt: "hi", maxTokens: 7, model: "m", bestOf: 2, useBeamSearch: true };
  const body = JSON.parse(getBackend("vllm").buildRequest(request).body);
  assert.deepEqual(body, {
    model: "m",
    prompt: "hi",
    max_tokens: 7,
    ignore_eos: true,
    stream: true,
    stream_options: { include_usage: true, continuous_usage_stats: true },
    best_of: 2,
    use_beam_search: true,
  });
  const chatBody = JSON.parse(chatBackend.buildRequest({ prompt: "hi", maxTokens: 7 }).body);
  assert.deepEqual(chatBody.messages, [{ role: "user", content: "hi" }]);
  assert.equal(chatBody.max_completion_tokens, 7);
  // Servers that read only max_tokens (llama.cpp of early 2025, TGI) get it too.
  assert.equal(chatBody.max_tokens, 7);
  assert.equal("model" in chatBody, false);
  assert.deepEqual(chatBody.stream_options, { include_usage: true });
});
