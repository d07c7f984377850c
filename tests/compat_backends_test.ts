import assert from "node:assert/strict";
import { getBackend, parseReads, type TimedReads } from "../mod.ts";

const encoder = new TextEncoder();

/** Recorded reads: each string is one network read, arriving 10 ms after the previous. */
function reads(...parts: string[]): TimedReads {
  return { times: parts.map((_, i) => 100 + 10 * i), bytes: parts.map((p) => encoder.encode(p)) };
}

const request = { prompt: "Tell me", maxTokens: 3 };
const unstreamed = { ...request, stream: false };

Deno.test("vllm legacy: prompt + cumulative text, NUL or newline records, split anywhere", () => {
  const legacy = getBackend("vllm", "/generate");
  assert.equal(legacy.defaultEndpoint, "/generate");
  assert.equal(getBackend("vllm", "/v1/completions").defaultEndpoint, "/v1/completions");
  for (const end of ["\0", "\n"]) {
    const record = (text: string) => JSON.stringify({ text: [`Tell me${text}`] }) + end;
    const wire = record(" a") + record(" a b") + record(" a b c");
    const parsed = parseReads(
      legacy,
      reads(wire.slice(0, 7), wire.slice(7, 40), wire.slice(40)),
      request,
    );
    assert.deepEqual(parsed.chunks.map((c) => c.text), [" a", " b", " c"]);
    assert.equal(parsed.complete, true);
    assert.equal(parsed.outputTokens, undefined, "no server count: the client tokenizer counts");
  }
  const body = JSON.parse(legacy.buildRequest({ ...request, useBeamSearch: true }).body);
  assert.deepEqual(body, {
    prompt: "Tell me",
    stream: true,
    max_tokens: 3,
    ignore_eos: true,
    use_beam_search: true,
  });
  const whole = parseReads(legacy, reads(JSON.stringify({ text: ["Tell me a b c"] })), unstreamed);
  assert.equal(whole.streamed, false);
  assert.equal(whole.chunks[0].text, " a b c");
});

const llama = getBackend("llama.cpp");
const llamaEvent = (fields: Record<string, unknown>) => `data: ${JSON.stringify(fields)}\n\n`;

Deno.test("llama.cpp: content deltas, final stop event with counts, no [DONE]", () => {
  const parsed = parseReads(
    llama,
    reads(
      llamaEvent({ content: " a", stop: false, tokens_predicted: 1 }),
      llamaEvent({ content: " b", stop: false, tokens_predicted: 3 }),
      llamaEvent({
        content: "",
        stop: true,
        tokens_predicted: 3,
        tokens_evaluated: 7,
        timings: { predicted_n: 3, prompt_n: 7 },
      }),
    ),
    request,
  );
  assert.deepEqual(parsed.chunks.map((c) => [c.time, c.text, c.tokens]), [
    [100, " a", 1],
    [110, " b", 2],
  ]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 7);
  assert.equal(parsed.complete, true);
  assert.deepEqual(JSON.parse(llama.buildRequest(request).body), {
    prompt: "Tell me",
    n_predict: 3,
    ignore_eos: true,
    stream: true,
  });
});

Deno.test("llama.cpp: an error mid-stream, and a stream cut before the final event", () => {
  const failed = parseReads(
    llama,
    reads(
      llamaEvent({ content: " a", stop: false }),
      llamaEvent({ error: { code: 500, message: "slot died", type: "server_error" } }),
    ),
    request,
  );
  assert.equal(failed.error, "slot died");
  const cut = parseReads(llama, reads(llamaEvent({ content: " a", stop: false })), request);
  assert.equal(cut.complete, false);
  const whole = parseReads(
    llama,
    reads(JSON.stringify({ content: " a b c", stop: true, tokens_predicted: 3 })),
    unstreamed,
  );
  assert.equal(whole.streamed, false);
  assert.equal(whole.outputTokens, 3);
});

const sglang = getBackend("sglang");
const sglangEvent = (text: string, completion: number) =>
  `data: ${
    JSON.stringify({
      text,
      meta_info: { id: "r", finish_reason: null, prompt_tokens: 5, completion_tokens: completion },
    })
  }\n\n`;

Deno.test("sglang: cumulative text, several tokens per event, [DONE]", () => {
  const parsed = parseReads(
    sglang,
    reads(sglangEvent(" a", 1), sglangEvent(" a b c", 3) + "data: [DONE]\n\n"),
    request,
  );
  assert.deepEqual(parsed.chunks.map((c) => [c.text, c.tokens]), [[" a", 1], [" b c", 2]]);
  assert.equal(parsed.outputTokens, 3);
  assert.equal(parsed.promptTokens, 5);
  assert.equal(parsed.complete, true);
  assert.deepEqual(JSON.parse(sglang.buildRequest(request).body), {
    text: "Tell me",
    sampling_params: { max_new_tokens: 3, ignore_eos: true },
    stream: true,
  });
  const failed = parseReads(
    sglang,
    reads(sglangEvent(" a", 1), 'data: {"error":{"message":"aborted"}}\n\ndata: [DONE]\n\n'),
    request,
  );
  assert.equal(failed.error, "aborted");
});

Deno.test("openai: --disable-stream asks for one JSON response; TTFT stays unknown", () => {
  const openai = getBackend("openai");
  const body = JSON.parse(openai.buildRequest(unstreamed).body);
  assert.equal(body.stream, false);
  assert.equal("stream_options" in body, false);
  const parsed = parseReads(
    openai,
    reads(
      JSON.stringify({
        choices: [{ index: 0, text: " a b c" }],
        usage: { prompt_tokens: 2, completion_tokens: 3 },
      }),
    ),
    unstreamed,
  );
  assert.equal(parsed.streamed, false);
  assert.equal(parsed.outputTokens, 3);
  assert.match(parsed.notes.join(" "), /not streamed/);
  const chat = parseReads(
    getBackend("openai-chat"),
    reads(
      JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content: "hi" } }] }),
    ),
    unstreamed,
  );
  assert.equal(chat.chunks[0].text, "hi");
});

Deno.test("lmdeploy and cserve speak OpenAI completions; lmdeploy takes no best_of", () => {
  for (const name of ["lmdeploy", "cserve"]) {
    const backend = getBackend(name);
    assert.equal(backend.defaultEndpoint, "/v1/completions");
    const body = JSON.parse(backend.buildRequest(request).body);
    assert.equal(body.ignore_eos, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
  }
  assert.equal(getBackend("lmdeploy").features.bestOf, false);
  assert.equal(getBackend("cserve").features.bestOf, true);
});
