/**
 * Tests of the simulator's native protocols (TGI, Triton/TensorRT-LLM, vLLM
 * legacy, DeepSpeed-MII, llama.cpp, SGLang, Ollama) over real HTTP on
 * loopback: exact framing bytes, event counts, final fields and token counts,
 * non-streamed forms, error answers, failure injection and the write record.
 *
 * Timing bounds are loose on the late side (a shared, noisy machine) and
 * strict on the early side, as in simulator_record_test.ts.
 */

import assert from "node:assert/strict";
import { loadTiktoken } from "../tokenizers/_tiktoken.ts";
import type { RecordedRequest, SimulatorHandle } from "../simulator/mod.ts";
import { spawnServe, withSim } from "./_helpers.ts";
import { tokenText, VOCAB, VOCAB_IDS } from "../simulator/_vocab.ts";

const cl100kBase = await loadTiktoken("cl100k_base");
const countTokens = cl100kBase.count;
const EOS = 100257;

/** POSTs `body` (JSON-encoded unless a string) with a JSON content type unless told otherwise. */
function post(
  sim: SimulatorHandle,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = "POST",
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** The payloads of a finished SSE body, each checked to start with `prefix` exactly. */
function events(text: string, prefix: "data:" | "data: "): string[] {
  assert.ok(text.endsWith("\n\n"), "every event ends with a blank line");
  const blocks = text.slice(0, -2).split("\n\n");
  for (const block of blocks) {
    assert.ok(block.startsWith(prefix), `framed as ${JSON.stringify(prefix)}: ${block}`);
    if (prefix === "data:") assert.notEqual(block[5], " ", "no space after the colon");
  }
  return blocks.map((block) => block.slice(prefix.length));
}

/** Chunk sizes of `tokens` tokens sent `perChunk` at a time. */
function chunkSizes(tokens: number, perChunk: number): number[] {
  return Array.from(
    { length: Math.ceil(tokens / perChunk) },
    (_, i) => Math.min(perChunk, tokens - i * perChunk),
  );
}

/** The single record entry the simulator holds, cleared afterwards. */
function takeEntry(sim: SimulatorHandle): RecordedRequest {
  const { requests } = sim.record();
  assert.equal(requests.length, 1, "one recorded request");
  sim.clearRecord();
  return requests[0];
}

/** The record of a finished paced stream: one write per chunk, never early, in order. */
function assertPaced(
  entry: RecordedRequest,
  timing: { ttftMs: number; tpotMs: number },
  sizes: number[],
): void {
  assert.deepEqual(entry.tokens, sizes, "one write per chunk with its token count");
  assert.equal(entry.writes.length, sizes.length);
  let before = 0;
  entry.writes.forEach((at, i) => {
    const due = entry.arrival + timing.ttftMs + (before + sizes[i] - 1) * timing.tpotMs;
    assert.ok(at >= due, `chunk ${i} written ${(due - at).toFixed(3)} ms early`);
    if (i > 0) assert.ok(at > entry.writes[i - 1], "writes ascend");
    before += sizes[i];
  });
  assert.ok(entry.writes[0] - entry.arrival <= timing.ttftMs + 200, "first write near the TTFT");
  assert.ok(entry.end !== null && entry.end >= entry.writes.at(-1)!, "ended after the last write");
  assert.equal(entry.error, undefined);
}

const TIMING = { ttftMs: 10, tpotMs: 2 };

Deno.test("VOCAB_IDS are the cl100k_base ids of the vocabulary words", () => {
  assert.equal(VOCAB_IDS.length, VOCAB.length);
  VOCAB.forEach((word, i) => assert.deepEqual(cl100kBase.encode(word), [VOCAB_IDS[i]]));
  assert.equal(cl100kBase.decode([EOS]), "<|endoftext|>");
});

// --- TGI --------------------------------------------------------------------

Deno.test("TGI /generate_stream: data: without a space, one event per token, details last, no [DONE]", async () => {
  for (const tokensPerChunk of [1, 3]) {
    await withSim({ ...TIMING, tokensPerChunk, record: true }, async (sim) => {
      const exact = await post(sim, "/generate_stream", {
        inputs: "Hello there",
        parameters: { max_new_tokens: 2, details: true },
      });
      assert.equal(exact.status, 200);
      assert.equal(exact.headers.get("content-type"), "text/event-stream");
      assert.equal(
        await exact.text(),
        'data:{"index":1,"token":{"id":279,"text":" the","logprob":-0.1,"special":false},' +
          '"generated_text":null,"details":null}\n\n' +
          'data:{"index":2,"token":{"id":315,"text":" of","logprob":-0.1,"special":false},' +
          '"generated_text":" the of","details":{"finish_reason":"length","generated_tokens":2,' +
          '"seed":null,"input_length":2}}\n\n',
      );
      assertPaced(takeEntry(sim), TIMING, chunkSizes(2, tokensPerChunk));

      const prompt = "The quick brown fox";
      const response = await post(sim, "/generate_stream", {
        inputs: prompt,
        parameters: { max_new_tokens: 7, details: true, do_sample: false, stop: ["\n"] },
      });
      const parsed = events(await response.text(), "data:").map((e) => JSON.parse(e));
      assert.equal(parsed.length, 7, "one event per token whatever the chunking");
      parsed.forEach((event, i) => {
        assert.equal(event.index, i + 1);
        assert.deepEqual(event.token, {
          id: VOCAB_IDS[i],
          text: VOCAB[i],
          logprob: -0.1,
          special: false,
        });
        assert.equal("top_tokens" in event, false, "empty top_tokens are left out");
        if (i < 6) assert.deepEqual([event.generated_text, event.details], [null, null]);
      });
      assert.equal(parsed[6].generated_text, tokenText(0, 7));
      assert.deepEqual(parsed[6].details, {
        finish_reason: "length",
        generated_tokens: 7,
        seed: null,
        input_length: countTokens(prompt),
      });
      const entry = takeEntry(sim);
      assert.equal(entry.endpoint, "tgi");
      assertPaced(entry, TIMING, chunkSizes(7, tokensPerChunk));
    });
  }
});

Deno.test("TGI: default max_new_tokens, details off, return_full_text, /info", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, naturalLen: 5 }, async (sim) => {
    // No ignore_eos in TGI: exactly max_new_tokens (default 100), naturalLen or not.
    const parsed = events(
      await (await post(sim, "/generate_stream", { inputs: "Hi" })).text(),
      "data:",
    ).map((e) => JSON.parse(e));
    assert.equal(parsed.length, 100);
    assert.equal(parsed[99].generated_text, tokenText(0, 100));
    assert.equal(parsed[99].details, null, "details only when asked");

    const full = events(
      await (await post(sim, "/generate_stream", {
        inputs: "Hi",
        parameters: { max_new_tokens: 2, return_full_text: true },
      })).text(),
      "data:",
    ).map((e) => JSON.parse(e));
    assert.equal(full[1].generated_text, "Hi the of");

    const info = await fetch(`${sim.url}/info`);
    assert.equal(info.status, 200);
    const body = await info.json();
    assert.equal(body.model_id, "mib-sim");
    assert.equal(body.max_best_of, 2);
    assert.equal(body.max_stop_sequences, 4);
    assert.equal(typeof body.max_total_tokens, "number");
  });
});

Deno.test("TGI /generate: the whole text after the full generation time", async () => {
  const timing = { ttftMs: 40, tpotMs: 5 };
  await withSim({ ...timing, record: true }, async (sim) => {
    const started = performance.now();
    const response = await post(sim, "/generate", {
      inputs: "Hello there",
      parameters: { max_new_tokens: 4, details: true, best_of: 1 },
    }, { "x-request-id": "tgi-whole" });
    const body = await response.json();
    assert.ok(performance.now() - started >= timing.ttftMs + 3 * timing.tpotMs);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-generated-tokens"), "4");
    assert.equal(response.headers.get("x-prompt-tokens"), "2");
    assert.deepEqual(body, {
      generated_text: tokenText(0, 4),
      details: {
        finish_reason: "length",
        generated_tokens: 4,
        seed: null,
        prefill: [],
        tokens: [0, 1, 2, 3].map((i) => ({
          id: VOCAB_IDS[i],
          text: VOCAB[i],
          logprob: -0.1,
          special: false,
        })),
      },
    });
    const entry = takeEntry(sim);
    assert.deepEqual([entry.id, entry.endpoint, entry.tokens], ["tgi-whole", "tgi", [4]]);

    const plain = await (await post(sim, "/generate", {
      inputs: "x",
      parameters: { max_new_tokens: 1 },
    })).json();
    assert.deepEqual(plain, { generated_text: " the" }, "no details key unless asked");
  });
});

Deno.test("TGI errors: best_of in-stream with 200, validation 422, axum rejections", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, record: true }, async (sim) => {
    const bestOf = await post(sim, "/generate_stream", {
      inputs: "Hi",
      parameters: { best_of: 2, do_sample: true },
    });
    assert.equal(bestOf.status, 200);
    assert.equal(bestOf.headers.get("content-type"), "text/event-stream");
    assert.equal(
      await bestOf.text(),
      'data:{"error":"`best_of` != 1 is not supported when streaming tokens",' +
        '"error_type":"validation"}\n\n',
    );

    const zero = await post(sim, "/generate_stream", {
      inputs: "Hi",
      parameters: { max_new_tokens: 0 },
    });
    assert.equal(zero.status, 200);
    assert.equal(
      await zero.text(),
      'data:{"error":"`max_new_tokens` must be strictly positive","error_type":"validation"}\n\n',
    );

    const cases: [unknown, string][] = [
      [
        { inputs: "Hi", parameters: { best_of: 3, do_sample: true } },
        "`best_of` must be > 0 and <= 2. Given: 3",
      ],
      [{ inputs: "Hi", parameters: { best_of: 2 } }, "you must use sampling when `best_of` is > 1"],
      [{ inputs: "" }, "`inputs` cannot be empty"],
      [
        { inputs: "Hi", parameters: { stop: ["a", "b", "c", "d", "e"] } },
        "`stop` supports up to 4 stop sequences. Given: 5",
      ],
    ];
    for (const [body, error] of cases) {
      const response = await post(sim, "/generate", body);
      assert.equal(response.status, 422, error);
      assert.deepEqual(await response.json(), { error, error_type: "validation" });
    }

    const missing = await post(sim, "/generate_stream", { parameters: {} });
    assert.equal(missing.status, 422);
    assert.equal(missing.headers.get("content-type"), "text/plain; charset=utf-8");
    assert.equal(
      await missing.text(),
      "Failed to deserialize the JSON body into the target type: missing field `inputs`",
    );
    const badType = await post(sim, "/generate_stream", {
      inputs: "Hi",
      parameters: { max_new_tokens: "many" },
    });
    assert.equal(badType.status, 422);
    assert.match(await badType.text(), /parameters\.max_new_tokens: invalid type: string "many"/);
    const syntax = await post(sim, "/generate_stream", "{nope");
    assert.equal(syntax.status, 400);
    assert.match(await syntax.text(), /^Failed to parse the request body as JSON: /);
    const mediaType = await post(sim, "/generate_stream", { inputs: "Hi" }, {
      "content-type": "text/plain",
    });
    assert.equal(mediaType.status, 415);
    assert.equal(await mediaType.text(), "Expected request with `Content-Type: application/json`");
    assert.deepEqual(sim.record().requests, [], "rejected requests are not recorded");
  });
});

// --- Triton -----------------------------------------------------------------

Deno.test("Triton /generate_stream: data: with a space, one event per token, delta text, no [DONE]", async () => {
  for (const tokensPerChunk of [1, 3]) {
    await withSim({ ...TIMING, tokensPerChunk, naturalLen: 4, record: true }, async (sim) => {
      const response = await post(sim, "/v2/models/ensemble/generate_stream", {
        text_input: "What is ML?",
        max_tokens: 7,
        bad_words: "",
        stop_words: "",
        end_id: 2,
        stream: true,
        id: "req-7",
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const text = await response.text();
      const payloads = events(text, "data: ");
      assert.equal(payloads.length, 7, "an end_id the model never emits: max_tokens tokens");
      assert.equal(
        payloads[0],
        '{"model_name":"ensemble","model_version":"1","id":"req-7","text_output":" the"}',
      );
      payloads.forEach((p, i) => assert.equal(JSON.parse(p).text_output, VOCAB[i]));
      const entry = takeEntry(sim);
      assert.deepEqual([entry.id, entry.endpoint], ["req-7", "triton"]);
      assertPaced(entry, TIMING, chunkSizes(7, tokensPerChunk));

      // Without end_id the natural end comes first; min_length pushes past it.
      const natural = events(
        await (await post(sim, `/v2/models/mib-sim/versions/1/generate_stream`, {
          text_input: "Hi",
          max_tokens: 7,
          stream: true,
        })).text(),
        "data: ",
      );
      assert.equal(natural.length, 4);
      assert.equal(JSON.parse(natural[0]).model_name, "mib-sim");
      const atLeast = events(
        await (await post(sim, "/v2/models/tensorrt_llm_bls/generate_stream", {
          text_input: "Hi",
          max_tokens: 7,
          min_length: 6,
          stream: true,
        })).text(),
        "data: ",
      );
      assert.equal(atLeast.length, 6);
      sim.clearRecord();
    });
  }
});

Deno.test("Triton: cumulative text_output (tritonCumulative), single response without stream", async () => {
  await withSim({ ...TIMING, tritonCumulative: true, record: true }, async (sim) => {
    const payloads = events(
      await (await post(sim, "/v2/models/tensorrt_llm_bls/generate_stream", {
        text_input: "Hi",
        max_tokens: 5,
        end_id: 7,
        stream: true,
      })).text(),
      "data: ",
    );
    assert.deepEqual(
      payloads.map((p) => JSON.parse(p).text_output),
      [1, 2, 3, 4, 5].map((n) => tokenText(0, n)),
    );
    sim.clearRecord();

    // No `stream: true`: the model answers once, prompt echoed, on either route.
    const single = await (await post(sim, "/v2/models/ensemble/generate_stream", {
      text_input: "Hi",
      max_tokens: 3,
      end_id: 7,
    })).text();
    assert.equal(
      single,
      `data: {"model_name":"ensemble","model_version":"1","text_output":"Hi${
        tokenText(0, 3)
      }"}\n\n`,
    );
    assertPaced(takeEntry(sim), TIMING, [3]);
  });
});

Deno.test("Triton /generate: one JSON object, prompt echoed unless excluded", async () => {
  const timing = { ttftMs: 30, tpotMs: 5 };
  await withSim({ ...timing, naturalLen: 3 }, async (sim) => {
    const started = performance.now();
    const response = await post(sim, "/v2/models/ensemble/generate", {
      text_input: "What is ML?",
      max_tokens: 20,
      bad_words: "",
      stop_words: "",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.equal(
      await response.text(),
      `{"model_name":"ensemble","model_version":"1","text_output":"What is ML?${tokenText(0, 3)}"}`,
    );
    assert.ok(performance.now() - started >= timing.ttftMs + 2 * timing.tpotMs);
    const excluded = await (await post(sim, "/v2/models/ensemble/generate", {
      text_input: "What is ML?",
      max_tokens: 2,
      exclude_input_in_output: true,
    })).json();
    assert.equal(excluded.text_output, tokenText(0, 2));
  });
});

Deno.test("Triton errors: unknown model or version, missing inputs, streaming on /generate; probes", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, record: true }, async (sim) => {
    const body = { text_input: "Hi", max_tokens: 3 };
    const unknown = await post(sim, "/v2/models/llama/generate_stream", body);
    assert.equal(unknown.status, 400);
    assert.equal(unknown.headers.get("content-type"), "application/json");
    assert.deepEqual(await unknown.json(), {
      error: "Request for unknown model: 'llama' is not found",
    });
    const version = await post(sim, "/v2/models/ensemble/versions/2/generate", body);
    assert.equal(version.status, 400);
    assert.deepEqual(await version.json(), {
      error: "Request for unknown model: 'ensemble' version 2 is not found",
    });
    const missing = await post(sim, "/v2/models/ensemble/generate", { text_input: "Hi" });
    assert.equal(missing.status, 400);
    assert.match((await missing.json()).error, /missing required input\(s\) \['max_tokens'\]/);
    const notJson = await post(sim, "/v2/models/ensemble/generate", "{");
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).error, /^failed to parse the request JSON buffer/);
    const streaming = await post(sim, "/v2/models/ensemble/generate", { ...body, stream: true });
    assert.equal(streaming.status, 400);
    assert.deepEqual(await streaming.json(), {
      error: "generate expects model to produce exactly 1 response, use generate stream",
    });
    assert.deepEqual(sim.record().requests, []);

    for (const path of ["/v2/health/ready", "/v2/health/live", "/v2/models/ensemble/ready"]) {
      const probe = await fetch(`${sim.url}${path}`);
      assert.equal(probe.status, 200, path);
      await probe.body?.cancel();
    }
    const metadata = await (await fetch(`${sim.url}/v2/models/mib-sim`)).json();
    assert.equal(metadata.name, "mib-sim");
    assert.deepEqual(metadata.versions, ["1"]);
    const nowhere = await fetch(`${sim.url}/v2/models/ensemble/infer`, { method: "POST" });
    assert.equal(nowhere.status, 404);
    await nowhere.body?.cancel();
  });
});

// --- vLLM legacy ------------------------------------------------------------

Deno.test("vLLM legacy /generate: prompt + cumulative text records, newline or NUL, json.dumps spacing", async () => {
  for (const [legacyDelimiter, end] of [["newline", "\n"], ["nul", "\0"]] as const) {
    for (const tokensPerChunk of [1, 3]) {
      await withSim({ ...TIMING, legacyDelimiter, tokensPerChunk, record: true }, async (sim) => {
        const response = await post(sim, "/generate", {
          prompt: "Héllo",
          max_tokens: 5,
          ignore_eos: true,
          stream: true,
          temperature: 0,
        });
        assert.equal(response.status, 200);
        assert.equal(response.headers.get("content-type"), null, "Starlette sends no media type");
        const expected = chunkSizes(5, tokensPerChunk).map((_, i, sizes) => {
          const generated = sizes.slice(0, i + 1).reduce((a, b) => a + b, 0);
          return `{"text": ["H\\u00e9llo${tokenText(0, generated)}"]}${end}`;
        }).join("");
        assert.equal(await response.text(), expected);
        const entry = takeEntry(sim);
        assert.equal(entry.endpoint, "vllm-legacy");
        assertPaced(entry, TIMING, chunkSizes(5, tokensPerChunk));
      });
    }
  }
});

Deno.test("vLLM legacy: n sequences, defaults, non-streamed JSONResponse, 500 on bad fields", async () => {
  await withSim({ ...TIMING, naturalLen: 10, record: true }, async (sim) => {
    const two = await (await post(sim, "/generate", {
      prompt: "Hi",
      max_tokens: 2,
      n: 2,
      stream: true,
    })).text();
    assert.equal(
      two,
      '{"text": ["Hi the", "Hi the"]}\n{"text": ["Hi the of", "Hi the of"]}\n',
    );
    assert.deepEqual(takeEntry(sim).tokens, [2, 2], "both sequences' tokens are recorded");

    // max_tokens defaults to 16, and without ignore_eos naturalLen ends it first.
    const whole = await post(sim, "/generate", { prompt: "Héllo" });
    assert.equal(whole.headers.get("content-type"), "application/json");
    assert.equal(await whole.text(), `{"text":["Héllo${tokenText(0, 10)}"]}`);
    const long = await (await post(sim, "/generate", { prompt: "Hi", ignore_eos: true })).json();
    assert.deepEqual(long, { text: [`Hi${tokenText(0, 16)}`] });
    sim.clearRecord();

    for (const body of [{ prompt: "Hi", foo: 1 }, { prompt: 3 }, { prompt: "Hi", max_tokens: 0 }]) {
      const response = await post(sim, "/generate", body);
      assert.equal(response.status, 500, JSON.stringify(body));
      assert.equal(await response.text(), "Internal Server Error");
    }
    assert.deepEqual(sim.record().requests, []);
  });
});

// --- DeepSpeed-MII ----------------------------------------------------------

Deno.test("DeepSpeed-MII /mii/{deployment}: one sorted object per prompt after the whole generation", async () => {
  const timing = { ttftMs: 30, tpotMs: 4 };
  await withSim({ ...timing, naturalLen: 6, record: true }, async (sim) => {
    const started = performance.now();
    const response = await post(sim, "/mii/mib-sim", {
      prompts: ["Hi", "Hello world"],
      max_new_tokens: 8,
      ignore_eos: true,
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    const item = (prompt: string) =>
      `{"finish_reason":"length","generated_length":8,"generated_text":${
        JSON.stringify(tokenText(0, 8))
      },"prompt_length":${countTokens(prompt)}}`;
    assert.equal(await response.text(), `[${item("Hi")},${item("Hello world")}]\n`);
    assert.ok(performance.now() - started >= timing.ttftMs + 7 * timing.tpotMs);
    const entry = takeEntry(sim);
    assert.deepEqual([entry.endpoint, entry.tokens], ["mii", [16]]);

    // A single string, the natural end, the prompt echoed on request.
    const natural = await (await post(sim, "/mii/mib-sim", {
      prompts: "Héllo",
      max_new_tokens: 20,
      return_full_text: true,
    })).text();
    assert.equal(
      natural,
      `[{"finish_reason":"stop","generated_length":6,"generated_text":"H\\u00e9llo${
        tokenText(0, 6)
      }","prompt_length":${countTokens("Héllo")}}]\n`,
    );
    // Without max_new_tokens the limit is max_length minus the prompt.
    const short = await (await post(sim, "/mii/mib-sim", {
      prompts: ["Hello world"],
      max_length: 5,
      ignore_eos: true,
    })).json();
    assert.deepEqual([short[0].generated_length, short[0].finish_reason], [3, "length"]);
  });
});

Deno.test("DeepSpeed-MII errors: Flask's HTML 404, Flask-RESTful JSON messages", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, record: true }, async (sim) => {
    const other = await post(sim, "/mii/other-model", { prompts: "Hi" });
    assert.equal(other.status, 404);
    assert.equal(other.headers.get("content-type"), "text/html; charset=utf-8");
    assert.match(await other.text(), /<title>404 Not Found<\/title>/);
    for (const body of [{ prompts: "Hi", bogus: 1 }, { max_new_tokens: 3 }, [1]]) {
      const response = await post(sim, "/mii/mib-sim", body);
      assert.equal(response.status, 500, JSON.stringify(body));
      assert.equal(await response.text(), '{"message": "Internal Server Error"}\n');
    }
    const mediaType = await post(sim, "/mii/mib-sim", { prompts: "Hi" }, {
      "content-type": "text/plain",
    });
    assert.equal(mediaType.status, 415);
    assert.match((await mediaType.json()).message, /Content-Type was not 'application\/json'/);
    const get = await fetch(`${sim.url}/mii/mib-sim`);
    assert.equal(get.status, 405);
    await get.body?.cancel();
    assert.deepEqual(sim.record().requests, []);
  });
});

// --- llama.cpp --------------------------------------------------------------

Deno.test("llama.cpp /completion: partial events, then the stop event with counts and timings", async () => {
  for (const tokensPerChunk of [1, 3]) {
    await withSim({ ...TIMING, tokensPerChunk, naturalLen: 50, record: true }, async (sim) => {
      const prompt = "Building a website can be done in";
      const response = await post(sim, "/completion", {
        prompt,
        n_predict: 7,
        stream: true,
        cache_prompt: true,
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream");
      const payloads = events(await response.text(), "data: ");
      const sizes = chunkSizes(7, tokensPerChunk);
      assert.equal(payloads.length, sizes.length + 1, "one event per chunk plus the final one");
      const p = countTokens(prompt);
      let done = 0;
      sizes.forEach((size, i) => {
        assert.equal(
          payloads[i],
          `{"index":0,"content":${JSON.stringify(tokenText(done, size))},"tokens":[${
            VOCAB_IDS.slice(done, done + size).join(",")
          }],"stop":false,"id_slot":0,"tokens_predicted":${done + size},"tokens_evaluated":${p}}`,
        );
        done += size;
      });
      const final = JSON.parse(payloads.at(-1)!);
      assert.deepEqual(final, {
        index: 0,
        content: "",
        tokens: [],
        id_slot: 0,
        stop: true,
        model: "mib-sim",
        tokens_predicted: 7,
        tokens_evaluated: p,
        prompt,
        has_new_line: false,
        truncated: false,
        stop_type: "limit",
        stopping_word: "",
        tokens_cached: p + 6,
        timings: {
          cache_n: 0,
          prompt_n: p,
          prompt_ms: TIMING.ttftMs,
          prompt_per_token_ms: TIMING.ttftMs / p,
          prompt_per_second: 1e3 / TIMING.ttftMs * p,
          predicted_n: 7,
          predicted_ms: 6 * TIMING.tpotMs,
          predicted_per_token_ms: 6 * TIMING.tpotMs / 7,
          predicted_per_second: 1e3 / (6 * TIMING.tpotMs) * 7,
        },
      });
      const entry = takeEntry(sim);
      assert.equal(entry.endpoint, "llamacpp");
      assertPaced(entry, TIMING, sizes);
    });
  }
});

Deno.test("llama.cpp: n_predict -1 runs to the natural end; ignore_eos; non-streamed; errors", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, naturalLen: 5 }, async (sim) => {
    const natural = events(
      await (await post(sim, "/completions", { prompt: "Hi", stream: true })).text(),
      "data: ",
    );
    assert.equal(natural.length, 6);
    assert.deepEqual(
      [JSON.parse(natural[5]).stop_type, JSON.parse(natural[5]).tokens_predicted],
      ["eos", 5],
    );
    const ignoring = events(
      await (await post(sim, "/completion", {
        prompt: [1, 2, 3],
        n_predict: 9,
        ignore_eos: true,
        stream: true,
      })).text(),
      "data: ",
    );
    const last = JSON.parse(ignoring.at(-1)!);
    assert.deepEqual([last.tokens_predicted, last.tokens_evaluated, last.stop_type], [
      9,
      3,
      "limit",
    ]);

    const whole = await post(sim, "/completion", { prompt: "Hi", n_predict: 3 });
    assert.equal(whole.headers.get("content-type"), "application/json; charset=utf-8");
    const body = await whole.json();
    assert.deepEqual(
      [body.content, body.tokens, body.stop, body.tokens_predicted, body.stop_type],
      [tokenText(0, 3), VOCAB_IDS.slice(0, 3), true, 3, "limit"],
    );

    const missing = await post(sim, "/completion", { n_predict: 3 });
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), {
      error: { code: 400, message: '"prompt" must be provided', type: "invalid_request_error" },
    });
  });
});

// --- SGLang -----------------------------------------------------------------

Deno.test("SGLang /generate: cumulative text and meta_info per event, then [DONE]", async () => {
  for (const tokensPerChunk of [1, 3]) {
    await withSim({ ...TIMING, tokensPerChunk, naturalLen: 50, record: true }, async (sim) => {
      const response = await post(sim, "/generate", {
        text: "Hello there",
        sampling_params: { max_new_tokens: 7, ignore_eos: true, temperature: 0 },
        stream: true,
        rid: "sg-1",
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
      const payloads = events(await response.text(), "data: ");
      assert.equal(payloads.at(-1), "[DONE]");
      const sizes = chunkSizes(7, tokensPerChunk);
      assert.equal(payloads.length, sizes.length + 1, "one event per chunk, then [DONE]");
      let done = 0;
      sizes.forEach((size, i) => {
        done += size;
        const finish = done === 7 ? '{"type":"length","length":7}' : "null";
        assert.equal(
          payloads[i],
          `{"text":${JSON.stringify(tokenText(0, done))},"output_ids":[${
            VOCAB_IDS.slice(0, done).join(",")
          }],"meta_info":{"id":"sg-1","finish_reason":${finish},"prompt_tokens":2,` +
            `"completion_tokens":${done},"cached_tokens":0}}`,
        );
      });
      const entry = takeEntry(sim);
      assert.deepEqual([entry.id, entry.endpoint], ["sg-1", "sglang"]);
      assertPaced(entry, TIMING, sizes);
    });
  }
});

Deno.test("SGLang: natural stop, default max_new_tokens, input_ids, non-streamed, errors", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, naturalLen: 4, record: true }, async (sim) => {
    const natural = events(
      await (await post(sim, "/generate", { input_ids: [1, 2, 3], stream: true })).text(),
      "data: ",
    );
    const last = JSON.parse(natural.at(-2)!);
    assert.deepEqual(last.meta_info.finish_reason, { type: "stop", matched: EOS });
    assert.equal(last.meta_info.prompt_tokens, 3);
    assert.equal(last.meta_info.completion_tokens, 4);
    assert.ok(/^[0-9a-f]{32}$/.test(last.meta_info.id), "a fresh rid");

    const whole = await post(
      sim,
      "/generate",
      {
        text: "Hi",
        sampling_params: { ignore_eos: true },
      },
      {},
      "PUT",
    );
    assert.equal(whole.headers.get("content-type"), "application/json");
    const body = await whole.json();
    assert.equal(body.text, tokenText(0, 128), "max_new_tokens defaults to 128");
    assert.equal(body.output_ids.length, 128);
    assert.deepEqual(body.meta_info.finish_reason, { type: "length", length: 128 });
    sim.clearRecord();

    const neither = await post(sim, "/generate", { sampling_params: { max_new_tokens: 3 } });
    assert.equal(neither.status, 400);
    assert.deepEqual(await neither.json(), {
      error: { message: "Either text, input_ids or input_embeds should be provided." },
    });
    const negative = await post(sim, "/generate", {
      text: "Hi",
      sampling_params: { max_new_tokens: -1 },
    });
    assert.equal(negative.status, 400);
    assert.match((await negative.json()).error.message, /max_new_tokens must be at least 0/);
    const notJson = await post(sim, "/generate", "{");
    assert.equal(notJson.status, 422);
    assert.equal((await notJson.json()).detail[0].type, "json_invalid");
    assert.deepEqual(sim.record().requests, []);
  });
});

// --- Ollama -----------------------------------------------------------------

Deno.test("Ollama /api/generate: NDJSON lines per token, then done with counts and durations", async () => {
  for (const tokensPerChunk of [1, 3]) {
    await withSim({ ...TIMING, tokensPerChunk, naturalLen: 50, record: true }, async (sim) => {
      const prompt = "Why is the sky blue?";
      const response = await post(sim, "/api/generate", {
        model: "mib-sim",
        prompt,
        raw: true,
        options: { num_predict: 7, temperature: 0 },
      });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("content-type"), "application/x-ndjson");
      const text = await response.text();
      assert.ok(text.endsWith("}\n"));
      const lines = text.slice(0, -1).split("\n");
      assert.equal(lines.length, 8, "a line per token, then the final one");
      lines.slice(0, 7).forEach((line, i) => {
        const match = line.match(
          /^\{"model":"mib-sim","created_at":"([^"]+)","response":"([^"]*)","done":false\}$/,
        );
        assert.ok(match, line);
        assert.ok(!Number.isNaN(Date.parse(match[1])), "RFC 3339 created_at");
        assert.equal(match[2], VOCAB[i]);
      });
      const final = JSON.parse(lines[7]);
      assert.deepEqual(Object.keys(final), [
        "model",
        "created_at",
        "response",
        "done",
        "done_reason",
        "total_duration",
        "load_duration",
        "prompt_eval_count",
        "prompt_eval_duration",
        "eval_count",
        "eval_duration",
      ]);
      assert.equal(final.response, "");
      assert.equal(final.done, true);
      assert.equal(final.done_reason, "length");
      assert.equal(final.prompt_eval_count, countTokens(prompt));
      assert.equal(final.eval_count, 7);
      assert.equal(final.prompt_eval_duration, TIMING.ttftMs * 1e6);
      assert.equal(final.eval_duration, 6 * TIMING.tpotMs * 1e6);
      assert.equal(final.total_duration, (TIMING.ttftMs + 6 * TIMING.tpotMs) * 1e6);
      assert.ok(Number.isInteger(final.load_duration) && final.load_duration > 0);
      const entry = takeEntry(sim);
      assert.equal(entry.endpoint, "ollama");
      assertPaced(entry, TIMING, chunkSizes(7, tokensPerChunk));
    });
  }
});

Deno.test("Ollama: natural length, stream:false, :latest, load, errors, /api/tags", async () => {
  await withSim({ ttftMs: 0, tpotMs: 1, naturalLen: 4 }, async (sim) => {
    const whole = await post(sim, "/api/generate", {
      model: "mib-sim:latest",
      prompt: "Hi",
      stream: false,
    });
    assert.equal(whole.headers.get("content-type"), "application/json; charset=utf-8");
    const body = await whole.json();
    assert.deepEqual(
      [body.model, body.response, body.done, body.done_reason, body.eval_count],
      ["mib-sim:latest", tokenText(0, 4), true, "stop", 4],
    );
    assert.equal("prompt_eval_duration" in body, false, "zero durations are left out");

    const load = await (await post(sim, "/api/generate", { model: "mib-sim" })).json();
    assert.deepEqual([load.done, load.done_reason, load.response], [true, "load", ""]);

    const unknown = await post(sim, "/api/generate", { model: "llama3", prompt: "Hi" });
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "model 'llama3' not found" });
    const noModel = await post(sim, "/api/generate", { prompt: "Hi" });
    assert.equal(noModel.status, 400);
    assert.deepEqual(await noModel.json(), { error: "model is required" });
    const badType = await post(sim, "/api/generate", { model: "mib-sim", stream: "yes" });
    assert.equal(badType.status, 400);
    assert.match((await badType.json()).error, /cannot unmarshal string .* of type bool/);

    const tags = await fetch(`${sim.url}/api/tags`);
    assert.equal(tags.status, 200);
    const { models } = await tags.json();
    assert.equal(models.length, 1);
    assert.equal(models[0].name, "mib-sim");
    assert.equal(models[0].model, "mib-sim");
    assert.equal(models[0].size, 0);
    assert.match(models[0].digest, /^[0-9a-f]{64}$/);
    assert.ok(!Number.isNaN(Date.parse(models[0].modified_at)));
  });
});

// --- /generate dispatch and failure injection -------------------------------

Deno.test("POST /generate goes to TGI, SGLang or vLLM legacy by body shape", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, naturalLen: 2, record: true }, async (sim) => {
    assert.deepEqual(await (await post(sim, "/generate", { inputs: "Hi" })).json(), {
      generated_text: tokenText(0, 100),
    });
    assert.deepEqual(
      (await (await post(sim, "/generate", { text: "Hi", prompt: "x" })).json()).text,
      tokenText(0, 2),
    );
    assert.deepEqual(await (await post(sim, "/generate", { prompt: "Hi" })).json(), {
      text: [`Hi${tokenText(0, 2)}`],
    });
    assert.deepEqual(sim.record().requests.map((r) => r.endpoint), [
      "tgi",
      "sglang",
      "vllm-legacy",
    ]);
    const put = await post(sim, "/generate", { prompt: "Hi" }, {}, "PUT");
    assert.equal(put.status, 405, "only SGLang answers PUT");
    await put.body?.cancel();
  });
});

Deno.test("failAfter: every protocol's mid-stream error after N chunks, recorded as error", async () => {
  const failure = "Simulated failure after 2 token chunk(s) (failAfter)";
  await withSim({ ...TIMING, failAfter: 2, record: true }, async (sim) => {
    const cases: [string, unknown, string, string][] = [
      [
        "/v1/completions",
        { prompt: "Hi", max_tokens: 5, stream: true },
        "data: ",
        JSON.stringify({
          error: { message: failure, type: "InternalServerError", param: null, code: 500 },
        }) + "\n\ndata: [DONE]\n\n",
      ],
      [
        "/generate_stream",
        { inputs: "Hi", parameters: { max_new_tokens: 5 } },
        "data:",
        JSON.stringify({
          error: `Request failed during generation: ${failure}`,
          error_type: "generation",
        }) + "\n\n",
      ],
      [
        "/v2/models/ensemble/generate_stream",
        {
          text_input: "Hi",
          max_tokens: 5,
          stream: true,
        },
        "data: ",
        JSON.stringify({ error: failure }) + "\n\n",
      ],
      [
        "/generate",
        { text: "Hi", stream: true },
        "data: ",
        JSON.stringify({
          error: { message: failure },
        }) + "\n\ndata: [DONE]\n\n",
      ],
      [
        "/completion",
        { prompt: "Hi", stream: true },
        "data: ",
        JSON.stringify({
          error: { code: 500, message: failure, type: "server_error" },
        }) + "\n\n",
      ],
      [
        "/api/generate",
        { model: "mib-sim", prompt: "Hi" },
        "",
        JSON.stringify({
          error: failure,
        }) + "\n",
      ],
    ];
    for (const [path, body, prefix, tail] of cases) {
      const response = await post(sim, path, body, { "x-request-id": path });
      assert.equal(response.status, 200, path);
      const text = await response.text();
      assert.ok(text.endsWith(prefix + tail), `${path} ends with its error form: ${text}`);
      const head = text.slice(0, -(prefix + tail).length);
      const separator = prefix === "" ? "\n" : "\n\n";
      assert.equal(head.split(separator).filter((s) => s !== "").length, 2, `${path}: two chunks`);
      const entry = takeEntry(sim);
      assert.equal(entry.id, path);
      assert.equal(entry.error, true, path);
      assert.deepEqual(entry.tokens, [1, 1], path);
      assert.ok(entry.end! >= entry.arrival + TIMING.ttftMs + 2 * TIMING.tpotMs, path);
    }

    // vLLM legacy: the connection is cut after two records.
    const legacy = await post(sim, "/generate", { prompt: "Hi", max_tokens: 5, stream: true });
    const reader = legacy.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    await assert.rejects(async () => {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value;
      }
    });
    assert.equal(received, '{"text": ["Hi the"]}\n{"text": ["Hi the of"]}\n');
    const cut = takeEntry(sim);
    assert.deepEqual([cut.endpoint, cut.error, cut.tokens], ["vllm-legacy", true, [1, 1]]);

    // Non-streamed answers fail with each protocol's error answer, when chunk 2 is due.
    const started = performance.now();
    const whole: [string, unknown, number, unknown][] = [
      ["/v1/completions", { prompt: "Hi", max_tokens: 5 }, 500, {
        error: { message: failure, type: "InternalServerError", param: null, code: 500 },
      }],
      ["/generate", { inputs: "Hi" }, 424, {
        error: `Request failed during generation: ${failure}`,
        error_type: "generation",
      }],
      ["/v2/models/ensemble/generate", { text_input: "Hi", max_tokens: 5 }, 500, {
        error: failure,
      }],
      ["/mii/mib-sim", { prompts: "Hi" }, 500, { message: "Internal Server Error" }],
      ["/completion", { prompt: "Hi" }, 500, {
        error: { code: 500, message: failure, type: "server_error" },
      }],
      ["/generate", { text: "Hi" }, 400, { error: { message: failure } }],
      ["/api/generate", { model: "mib-sim", prompt: "Hi", stream: false }, 500, {
        error: failure,
      }],
    ];
    for (const [path, body, status, error] of whole) {
      const response = await post(sim, path, body);
      assert.equal(response.status, status, path);
      assert.deepEqual(await response.json(), error, path);
      const entry = takeEntry(sim);
      assert.deepEqual([entry.error, entry.writes], [true, []], path);
    }
    const legacyWhole = await post(sim, "/generate", { prompt: "Hi" });
    assert.equal(legacyWhole.status, 500);
    assert.equal(await legacyWhole.text(), "Internal Server Error");
    assert.equal(takeEntry(sim).error, true);
    assert.ok(performance.now() - started >= 8 * (TIMING.ttftMs + 2 * TIMING.tpotMs));

    // Generations of at most failAfter chunks are untouched.
    const short = await (await post(sim, "/api/generate", {
      model: "mib-sim",
      prompt: "Hi",
      options: { num_predict: 2 },
    })).text();
    assert.equal(JSON.parse(short.trim().split("\n").at(-1)!).done, true);
    assert.equal(takeEntry(sim).error, undefined);
  });
});

Deno.test("mib serve --legacy-delimiter, --triton-cumulative and --fail-after reach the simulator", async () => {
  const main = new URL("../main.ts", import.meta.url).pathname;
  const bad = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", main, "serve", "--port", "0", "--legacy-delimiter", "tab"],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /--legacy-delimiter: expected newline or nul/);

  const serve = await spawnServe([
    "--port",
    "0",
    "--ttft-ms",
    "1",
    "--tpot-ms",
    "1",
    "--legacy-delimiter",
    "nul",
    "--triton-cumulative",
    "--fail-after",
    "3",
  ]);
  const { banner, url } = serve;
  try {
    assert.ok(url, `banner: ${banner}`);
    assert.match(banner, /failing after 3 chunk\(s\)/);
    const request = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const legacy = await (await request("/generate", {
      prompt: "Hi",
      max_tokens: 2,
      stream: true,
    })).text();
    assert.equal(legacy, '{"text": ["Hi the"]}\0{"text": ["Hi the of"]}\0');
    const triton = events(
      await (await request("/v2/models/ensemble/generate_stream", {
        text_input: "Hi",
        max_tokens: 5,
        end_id: 9,
        stream: true,
      })).text(),
      "data: ",
    );
    assert.deepEqual(triton.map((p) => JSON.parse(p).text_output ?? JSON.parse(p).error), [
      tokenText(0, 1),
      tokenText(0, 2),
      tokenText(0, 3),
      "Simulated failure after 3 token chunk(s) (failAfter)",
    ]);
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});
