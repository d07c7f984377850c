import assert from "node:assert/strict";
import {
  type GenerationRequest,
  getBackend,
  type ParsedStream,
  parseReads,
  type TimedReads,
} from "../backends/mod.ts";
import { isCumulative } from "../backends/tensorrt_llm.ts";

const encoder = new TextEncoder();

/** Recorded reads: each string is one network read, arriving 10 ms after the previous. */
function reads(...parts: string[]): TimedReads {
  return { times: parts.map((_, i) => 100 + 10 * i), bytes: parts.map((p) => encoder.encode(p)) };
}

/** [time, text, tokens] of every chunk. */
const chunksOf = (parsed: ParsedStream) => parsed.chunks.map((c) => [c.time, c.text, c.tokens]);

const unstreamed: GenerationRequest = { prompt: "Hi", maxTokens: 3, stream: false };
const body = (name: string, request: GenerationRequest) =>
  JSON.parse(getBackend(name).buildRequest(request).body);

// ---------------------------------------------------------------- tgi

const tgi = getBackend("tgi");
const tgiToken = (index: number, text: string, special = false) =>
  `data:{"index":${index},"token":{"id":${index},"text":${
    JSON.stringify(text)
  },"logprob":-0.1,"special":${special}},"top_tokens":[],"generated_text":null,"details":null}\n\n`;
const tgiLast = (index: number, text: string, special: boolean, whole: string) =>
  `data:{"index":${index},"token":{"id":${index},"text":${
    JSON.stringify(text)
  },"logprob":-0.1,"special":${special}},"top_tokens":[],"generated_text":${
    JSON.stringify(whole)
  },"details":{"finish_reason":"length","generated_tokens":3,"input_length":5,"seed":null}}\n\n`;

Deno.test("tgi: one token per event, last event has the counts and completes", () => {
  const parsed = parseReads(
    tgi,
    reads(tgiToken(1, " a"), tgiToken(2, " b"), tgiLast(3, " c", false, " a b c")),
  );
  assert.deepEqual(chunksOf(parsed), [[100, " a", 1], [110, " b", 1], [120, " c", 1]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.complete, true);
  assert.equal(parsed.streamed, true);
  assert.equal(parsed.error, undefined);
});

Deno.test("tgi: split event, several events per read, CRLF and keep-alive comments", () => {
  const first = tgiToken(1, " a");
  const parsed = parseReads(
    tgi,
    reads(
      first.slice(0, 30),
      first.slice(30) + ":\n\n",
      (tgiToken(2, " b") + tgiLast(3, " c", false, " a b c")).replaceAll("\n", "\r\n"),
    ),
  );
  assert.deepEqual(chunksOf(parsed), [[110, " a", 1], [120, " b", 1], [120, " c", 1]]);
  assert.equal(parsed.firstEventTime, 110, "a keep-alive comment is not an event");
  assert.equal(parsed.complete, true);
});

Deno.test("tgi: special tokens are events without text; early EOS is noted", () => {
  const last = tgiLast(3, "</s>", true, " a b").replace('"length"', '"eos_token"');
  const parsed = parseReads(tgi, reads(tgiToken(1, "<s>", true), tgiToken(2, " a b"), last));
  assert.deepEqual(chunksOf(parsed), [[110, " a b", 1]]);
  assert.equal(parsed.firstEventTime, 100);
  assert.equal(parsed.complete, true);
  assert.ok(parsed.notes.some((n) => /end-of-sequence/.test(n)));
});

Deno.test("tgi: an empty-text token is not a chunk", () => {
  const parsed = parseReads(tgi, reads(tgiToken(1, ""), tgiToken(2, " x")));
  assert.deepEqual(chunksOf(parsed), [[110, " x", 1]]);
});

Deno.test("tgi: a mid-stream error event", () => {
  const parsed = parseReads(
    tgi,
    reads(
      tgiToken(1, " a"),
      'data:{"error":"Request failed during generation: CUDA OOM","error_type":"generation"}\n\n',
    ),
  );
  assert.equal(parsed.error, "Request failed during generation: CUDA OOM (generation)");
  assert.equal(parsed.chunks.length, 1);
  assert.equal(parsed.complete, false);
});

Deno.test("tgi: a stream without its final event is incomplete", () => {
  const parsed = parseReads(tgi, reads(tgiToken(1, " a"), tgiToken(2, " b")));
  assert.equal(parsed.chunks.length, 2);
  assert.equal(parsed.complete, false);
  assert.equal(parsed.outputTokens, undefined);
});

Deno.test("tgi: unstreamed /generate, TTFT unknown", () => {
  const parsed = parseReads(
    tgi,
    reads(
      '{"generated_text":" a b c","details":{"finish_reason":"length",',
      '"generated_tokens":3,"seed":null,"prefill":[],"tokens":[]}}',
    ),
    unstreamed,
  );
  assert.equal(parsed.streamed, false);
  assert.deepEqual(chunksOf(parsed), [[110, " a b c", 3]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, undefined);
  assert.equal(parsed.complete, true);
  const compat = parseReads(tgi, reads('[{"generated_text":"x"}]'), unstreamed);
  assert.deepEqual(chunksOf(compat), [[100, "x", undefined]]);
  const error = parseReads(
    tgi,
    reads('{"error":"Input validation error","error_type":"validation"}'),
    unstreamed,
  );
  assert.match(error.error!, /validation/);
});

Deno.test("tgi: request bodies", () => {
  const request = { prompt: "Hi", maxTokens: 7, model: "m", bestOf: 2 };
  assert.equal(tgi.defaultEndpoint, "/generate_stream");
  assert.equal(tgi.unstreamedEndpoint, "/generate");
  assert.deepEqual(body("tgi", { prompt: "Hi", maxTokens: 7, model: "m" }), {
    inputs: "Hi",
    parameters: { max_new_tokens: 7, details: true },
  });
  assert.deepEqual(body("tgi", request), {
    inputs: "Hi",
    parameters: { max_new_tokens: 7, details: true },
  }, "best_of is never sent on a stream");
  assert.deepEqual(body("tgi", { ...request, stream: false }), {
    inputs: "Hi",
    parameters: { max_new_tokens: 7, details: true, best_of: 2, do_sample: true },
  });
  assert.deepEqual(body("tgi", { ...request, bestOf: 1, stream: false }), {
    inputs: "Hi",
    parameters: { max_new_tokens: 7, details: true, best_of: 1 },
  });
  assert.equal(tgi.modelList?.ids({ model_id: "bigscience/bloom" })[0], "bigscience/bloom");
});

// ---------------------------------------------------------------- tensorrt-llm

const trt = getBackend("tensorrt-llm");
const trtEvent = (text: string) =>
  `data: {"model_name":"ensemble","model_version":"1","sequence_end":false,"sequence_id":0,"sequence_start":false,"text_output":${
    JSON.stringify(text)
  }}\n\n`;

Deno.test("tensorrt-llm: a delta stream (ensemble)", () => {
  const parsed = parseReads(trt, reads(trtEvent(" a"), trtEvent(" b"), trtEvent(" c")));
  assert.deepEqual(chunksOf(parsed), [[100, " a", undefined], [110, " b", undefined], [
    120,
    " c",
    undefined,
  ]]);
  assert.equal(parsed.complete, true, "a body ending on an event boundary is complete");
  assert.equal(parsed.outputTokens, undefined, "no token counts: the tokenizer counts");
  assert.deepEqual(parsed.notes, []);
});

Deno.test("tensorrt-llm: a cumulative stream (BLS accumulate_tokens) becomes deltas", () => {
  const parsed = parseReads(
    trt,
    reads(trtEvent(" The"), trtEvent(" The cat"), trtEvent(" The cat sat")),
  );
  assert.deepEqual(chunksOf(parsed), [[100, " The", undefined], [110, " cat", undefined], [
    120,
    " sat",
    undefined,
  ]]);
  assert.ok(parsed.notes.some((n) => /cumulative/.test(n)));
});

Deno.test("tensorrt-llm: a delta token that starts with the previous one is still a delta", () => {
  const parsed = parseReads(
    trt,
    reads(trtEvent(" the"), trtEvent(" there"), trtEvent(" theory"), trtEvent(" is")),
  );
  assert.deepEqual(parsed.chunks.map((c) => c.text), [" the", " there", " theory", " is"]);
  // Even when every delta but the last extends its predecessor.
  const two = parseReads(trt, reads(trtEvent(" the"), trtEvent(" there"), trtEvent(" x")));
  assert.deepEqual(two.chunks.map((c) => c.text), [" the", " there", " x"]);
  assert.equal(isCumulative([" a", " a"]), false, "not strictly longer");
  assert.equal(isCumulative([" a"]), false, "one event decides nothing");
  assert.equal(isCumulative([" a", " ab", " abc"]), true);
});

Deno.test("tensorrt-llm: split event, several per read, CRLF, comments, empty text", () => {
  const first = trtEvent(" a");
  const parsed = parseReads(
    trt,
    reads(
      ": ping\r\n\r\n",
      first.slice(0, 25),
      first.slice(25) + trtEvent(""),
      (trtEvent(" b") + trtEvent(" c")).replaceAll("\n", "\r\n"),
    ),
  );
  assert.deepEqual(chunksOf(parsed), [[120, " a", undefined], [130, " b", undefined], [
    130,
    " c",
    undefined,
  ]]);
  assert.equal(parsed.firstEventTime, 120);
  assert.equal(parsed.complete, true);
});

Deno.test("tensorrt-llm: a mid-stream error", () => {
  const parsed = parseReads(
    trt,
    reads(trtEvent(" a"), 'data: {"error":"in ensemble \'ensemble\', Executor failed"}\n\n'),
  );
  assert.match(parsed.error!, /Executor failed/);
  assert.equal(parsed.chunks.length, 1);
  assert.equal(parsed.complete, false);
});

Deno.test("tensorrt-llm: a stream cut inside an event is incomplete", () => {
  const cut = parseReads(trt, reads(trtEvent(" a"), trtEvent(" b").slice(0, -1)));
  assert.deepEqual(cut.chunks.map((c) => c.text), [" a", " b"], "the cut event still counts");
  assert.equal(cut.complete, false);
  const empty = parseReads(trt, reads());
  assert.equal(empty.complete, false, "no event at all");
});

Deno.test("tensorrt-llm: unstreamed /generate, echoed prompt removed, TTFT unknown", () => {
  const request = { prompt: "Hi", maxTokens: 3, stream: false };
  const parsed = parseReads(
    trt,
    reads('{"model_name":"ensemble","model_version":"1",', '"text_output":"Hi there you"}'),
    request,
  );
  assert.equal(parsed.streamed, false);
  assert.deepEqual(chunksOf(parsed), [[110, " there you", undefined]]);
  assert.equal(parsed.complete, true);
  const bare = parseReads(trt, reads('{"text_output":[" there"]}'), request);
  assert.deepEqual(bare.chunks.map((c) => c.text), [" there"]);
  const error = parseReads(
    trt,
    reads('{"error":"generate expects model to produce exactly 1 response, use generate stream"}'),
    request,
  );
  assert.match(error.error!, /exactly 1 response/);
});

Deno.test("tensorrt-llm: endpoints and request bodies", () => {
  assert.ok(trt.defaultEndpoint.includes("{model}"));
  assert.equal(trt.defaultEndpoint, "/v2/models/{model}/generate_stream");
  assert.equal(trt.unstreamedEndpoint, "/v2/models/{model}/generate");
  assert.deepEqual(trt.features.model, { default: "ensemble" });
  assert.deepEqual(body("tensorrt-llm", { prompt: "Hi", maxTokens: 7, model: "ensemble" }), {
    text_input: "Hi",
    max_tokens: 7,
    bad_words: "",
    stop_words: "",
    stream: true,
  });
  assert.deepEqual(body("tensorrt-llm", { prompt: "Hi", maxTokens: 7, stream: false }), {
    text_input: "Hi",
    max_tokens: 7,
    bad_words: "",
    stop_words: "",
    stream: false,
  });
});

// ---------------------------------------------------------------- deepspeed-mii

const mii = getBackend("deepspeed-mii");
const miiRequest: GenerationRequest = { prompt: "Hi", maxTokens: 3, model: "dep", stream: false };
const miiItem =
  '[{"generated_text":" a b c","prompt_length":5,"generated_length":3,"finish_reason":"length"}]';

Deno.test("deepspeed-mii: the JSON array is one unstreamed result", () => {
  const parsed = parseReads(mii, reads(miiItem.slice(0, 20), miiItem.slice(20)), miiRequest);
  assert.equal(parsed.streamed, false, "TTFT is unknown, not 0");
  assert.deepEqual(chunksOf(parsed), [[110, " a b c", 3]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.complete, true);
  assert.ok(parsed.notes.some((n) => /not streamed/.test(n)));
});

Deno.test("deepspeed-mii: double-encoded array, legacy {text} shape, early stop", () => {
  const doubled = parseReads(mii, reads(JSON.stringify(miiItem)), miiRequest);
  assert.deepEqual(chunksOf(doubled), [[100, " a b c", 3]]);
  assert.equal(doubled.promptTokens, 5);
  const legacy = parseReads(mii, reads('{"text": [" a b c"]}'), miiRequest);
  assert.deepEqual(chunksOf(legacy), [[100, " a b c", undefined]]);
  assert.equal(legacy.outputTokens, undefined);
  assert.equal(legacy.complete, true);
  const stopped = parseReads(mii, reads(miiItem.replace('"length"', '"stop"')), miiRequest);
  assert.ok(stopped.notes.some((n) => /stopped before/.test(n)));
});

Deno.test("deepspeed-mii: errors, empty text, truncated body", () => {
  const error = parseReads(mii, reads('{"error":"deployment not found"}'), miiRequest);
  assert.equal(error.error, "deployment not found");
  const empty = parseReads(
    mii,
    reads('[{"generated_text":"","prompt_length":5,"generated_length":0,"finish_reason":"stop"}]'),
    miiRequest,
  );
  assert.deepEqual(empty.chunks, []);
  assert.equal(empty.outputTokens, 0);
  const cut = parseReads(mii, reads(miiItem.slice(0, 30)), miiRequest);
  assert.match(cut.error!, /unparsable/);
  assert.equal(cut.complete, false);
  const odd = parseReads(mii, reads('{"unexpected":1}'), miiRequest);
  assert.match(odd.error!, /unexpected response/);
});

Deno.test("deepspeed-mii: endpoint, features and request body", () => {
  assert.equal(mii.defaultEndpoint, "/mii/{model}");
  assert.equal(mii.features.model, "required");
  assert.equal(mii.features.stream, "never");
  assert.deepEqual(body("deepspeed-mii", miiRequest), {
    prompts: ["Hi"],
    max_new_tokens: 3,
    ignore_eos: true,
  });
});

// ---------------------------------------------------------------- ollama

const ollama = getBackend("ollama");
const ollamaLine = (text: string) =>
  `{"model":"llama3","created_at":"2024-01-01T00:00:00Z","response":${
    JSON.stringify(text)
  },"done":false}\n`;
const ollamaDone =
  '{"model":"llama3","created_at":"2024-01-01T00:00:01Z","response":"","done":true,"done_reason":"length","total_duration":100,"load_duration":1,"prompt_eval_count":5,"prompt_eval_duration":2,"eval_count":3,"eval_duration":50}\n';

Deno.test("ollama: NDJSON deltas, final line with the counts", () => {
  const parsed = parseReads(
    ollama,
    reads(ollamaLine(" a"), ollamaLine(" b"), ollamaLine(" c"), ollamaDone),
  );
  assert.deepEqual(chunksOf(parsed), [[100, " a", undefined], [110, " b", undefined], [
    120,
    " c",
    undefined,
  ]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.complete, true);
  assert.deepEqual(parsed.notes, []);
});

Deno.test("ollama: split line, several lines per read, CRLF, empty responses", () => {
  const first = ollamaLine(" a");
  const parsed = parseReads(
    ollama,
    reads(
      ollamaLine(""),
      first.slice(0, 40),
      first.slice(40) + ollamaLine(" b").replace("\n", "\r\n"),
      ollamaDone.replace('"length"', '"stop"'),
    ),
  );
  assert.deepEqual(chunksOf(parsed), [[120, " a", undefined], [120, " b", undefined]]);
  assert.equal(parsed.firstEventTime, 100);
  assert.ok(parsed.notes.some((n) => /role-only/.test(n)), "empty first line noted");
  assert.ok(parsed.notes.some((n) => /done_reason stop/.test(n)));
  assert.equal(parsed.complete, true);
});

Deno.test("ollama: an error line", () => {
  const parsed = parseReads(
    ollama,
    reads(ollamaLine(" a"), '{"error":"an error was encountered while running the model"}\n'),
  );
  assert.match(parsed.error!, /error was encountered/);
  assert.equal(parsed.chunks.length, 1);
  assert.equal(parsed.complete, false);
});

Deno.test("ollama: a stream without its done line is incomplete", () => {
  const parsed = parseReads(ollama, reads(ollamaLine(" a"), ollamaLine(" b")));
  assert.equal(parsed.chunks.length, 2);
  assert.equal(parsed.complete, false);
  assert.equal(parsed.outputTokens, undefined);
});

Deno.test("ollama: unstreamed, TTFT unknown", () => {
  const whole = ollamaDone.replace('"response":""', '"response":" a b c"');
  const parsed = parseReads(ollama, reads(whole.slice(0, 50), whole.slice(50)), {
    prompt: "Hi",
    maxTokens: 3,
    stream: false,
  });
  assert.equal(parsed.streamed, false);
  assert.deepEqual(chunksOf(parsed), [[110, " a b c", undefined]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.complete, true);
});

Deno.test("ollama: request bodies and model list", () => {
  assert.equal(ollama.defaultEndpoint, "/api/generate");
  assert.deepEqual(body("ollama", { prompt: "Hi", maxTokens: 7, model: "llama3" }), {
    model: "llama3",
    prompt: "Hi",
    stream: true,
    raw: true,
    options: { num_predict: 7 },
  });
  assert.deepEqual(body("ollama", { prompt: "Hi", maxTokens: 7, stream: false }), {
    prompt: "Hi",
    stream: false,
    raw: true,
    options: { num_predict: 7 },
  });
  assert.equal(
    ollama.modelList?.ids({ models: [{ name: "llama3:8b", model: "llama3:8b" }] })[0],
    "llama3:8b",
  );
  assert.deepEqual(ollama.modelList?.ids({ models: [] }), []);
});
