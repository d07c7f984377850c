/**
 * Tests of the simulator over real HTTP on loopback: wire formats, usage
 * accounting, error answers, pacing and shutdown.
 */

import assert from "node:assert/strict";
import { createParser } from "eventsource-parser";
import { loadTiktoken } from "../tokenizers/_tiktoken.ts";
import { type SimulatorHandle, startSimulator } from "../simulator/mod.ts";
import { withSim } from "./_helpers.ts";
import { tokenText, VOCAB } from "../simulator/_vocab.ts";
import { Scheduler, type Timed } from "../simulator/_pacing.ts";

const cl100kBase = await loadTiktoken("cl100k_base");
const countTokens = cl100kBase.count;

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

interface Choice {
  index: number;
  text?: string;
  delta?: { role?: string; content?: string };
  message?: { role: string; content: string };
  logprobs: null;
  finish_reason: string | null;
  stop_reason?: null;
}

interface Completion {
  id: string;
  object: string;
  created: number;
  model: string;
  choices: Choice[];
  usage?: Usage | null;
}

interface SseEvent {
  data: string;
  /** `performance.now()` when the bytes carrying the event were read. */
  at: number;
}

interface ParsedStream {
  events: SseEvent[];
  /** Every event but the final `[DONE]`, parsed. */
  chunks: Completion[];
  /** Chunks that carry choices (role and token chunks). */
  choiceChunks: Completion[];
  /** Chunks with `"choices": []` (the usage chunk). */
  usageChunks: Completion[];
}

function post(
  sim: SimulatorHandle,
  path: string,
  body: unknown,
  contentType = "application/json",
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function readSse(response: Response): Promise<SseEvent[]> {
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "text/event-stream; charset=utf-8");
  const events: SseEvent[] = [];
  let now = 0;
  const parser = createParser({ onEvent: (event) => events.push({ data: event.data, at: now }) });
  const decoder = new TextDecoder();
  for await (const bytes of response.body!) {
    now = performance.now();
    parser.feed(decoder.decode(bytes, { stream: true }));
  }
  return events;
}

async function stream(response: Response): Promise<ParsedStream> {
  const events = await readSse(response);
  assert.ok(events.length > 0);
  assert.equal(events.at(-1)!.data, "[DONE]", "the stream ends with [DONE]");
  const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as Completion);
  assert.ok(chunks.every((chunk) => chunk.id === chunks[0].id), "one id per response");
  return {
    events,
    chunks,
    choiceChunks: chunks.filter((chunk) => chunk.choices.length > 0),
    usageChunks: chunks.filter((chunk) => chunk.choices.length === 0),
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

Deno.test("vocabulary words are single cl100k_base tokens that stay separate when joined", () => {
  assert.equal(VOCAB.length, 50);
  assert.equal(new Set(VOCAB).size, VOCAB.length, "no duplicates");
  for (const word of VOCAB) {
    assert.match(word, /^ [a-z]+$/, `${JSON.stringify(word)} is a space and letters`);
    assert.equal(cl100kBase.encode(word).length, 1, `${JSON.stringify(word)} is one token`);
  }
  const joined = VOCAB.join("");
  const ids = cl100kBase.encode(joined);
  assert.equal(ids.length, VOCAB.length);
  assert.deepEqual(ids.map((id) => cl100kBase.decode([id])), [...VOCAB]);
  // Across the wrap-around as well, as long responses cycle the vocabulary.
  assert.equal(cl100kBase.encode(tokenText(0, 3 * VOCAB.length + 7)).length, 3 * VOCAB.length + 7);
});

Deno.test("startSimulator resolves its options and rejects bad ones", async () => {
  await withSim({}, (sim) => {
    assert.ok(sim.port > 0);
    assert.equal(sim.url, `http://127.0.0.1:${sim.port}`);
    assert.deepEqual(sim.options, {
      hostname: "127.0.0.1",
      port: sim.port,
      model: "mib-sim",
      ttftMs: 20,
      tpotMs: 5,
      maxNumSeqs: null,
      prefillMsPerToken: 0,
      tpotGrowthMs: 0,
      kvCacheTokens: null,
      naturalLen: 64,
      reasoningTokens: 0,
      tokensPerChunk: 1,
      roleChunk: true,
      tritonCumulative: false,
      legacyDelimiter: "newline",
      failAfter: null,
      faults: {},
      faultsSeed: 0,
      faultsStallMs: 10_000,
      faultsDelayMs: 1000,
      maxContext: null,
      honour: "both",
      promptScale: 1,
      acceptAnyModel: false,
      quiet: true,
      record: false,
      prefixCache: false,
      poolingTokenMs: 0.01,
      embeddingDim: 8,
      recordBodies: false,
    });
    return Promise.resolve();
  });
  await assert.rejects(startSimulator({ ttftMs: -1 }), RangeError);
  await assert.rejects(startSimulator({ tpotMs: Number.NaN }), RangeError);
  await assert.rejects(startSimulator({ naturalLen: 1.5 }), RangeError);
  await assert.rejects(startSimulator({ tokensPerChunk: 0 }), RangeError);
  await assert.rejects(startSimulator({ port: 70000 }), RangeError);
  await assert.rejects(startSimulator({ failAfter: -1 }), RangeError);
  await assert.rejects(startSimulator({ faults: { cut: 0.6, stall: 0.6 } }), RangeError);
  await assert.rejects(startSimulator({ faults: { cut: -1 } }), RangeError);
  await assert.rejects(startSimulator({ faultsSeed: 0.5 }), RangeError);
  await assert.rejects(startSimulator({ faultsStallMs: -1 }), RangeError);
  await assert.rejects(startSimulator({ maxContext: 0 }), RangeError);
  await assert.rejects(startSimulator({ maxNumSeqs: 0 }), RangeError);
  await assert.rejects(startSimulator({ kvCacheTokens: 1.5 }), RangeError);
  await assert.rejects(startSimulator({ prefillMsPerToken: -1 }), RangeError);
  await assert.rejects(startSimulator({ tpotGrowthMs: Infinity }), RangeError);
  await assert.rejects(startSimulator({ promptScale: 0 }), RangeError);
  await assert.rejects(startSimulator({ honour: "n" as unknown as "both" }), RangeError);
  await assert.rejects(
    startSimulator({ legacyDelimiter: "tab" as unknown as "nul" }),
    RangeError,
  );
  await assert.rejects(startSimulator({ signal: AbortSignal.abort() }));
});

Deno.test("GET /health, GET /v1/models and routing errors", async () => {
  await withSim({ model: "test-model" }, async (sim) => {
    const health = await fetch(`${sim.url}/health`);
    assert.equal(health.status, 200);
    assert.equal(await health.text(), "");

    const models = await fetch(`${sim.url}/v1/models`);
    assert.equal(models.status, 200);
    const list = await models.json();
    assert.equal(list.object, "list");
    assert.equal(list.data.length, 1);
    assert.deepEqual(list.data[0], {
      id: "test-model",
      object: "model",
      created: list.data[0].created,
      owned_by: "mib",
    });
    assert.ok(Number.isInteger(list.data[0].created));

    const missing = await fetch(`${sim.url}/v1/nothing`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), {
      error: { message: "Not Found", type: "Not Found", param: null, code: 404 },
    });

    const wrongMethod = await fetch(`${sim.url}/v1/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get("allow"), "POST");
    assert.equal((await wrongMethod.json()).error.code, 405);
  });
});

Deno.test("completions stream: max_tokens chunks with ignore_eos, usage chunk, [DONE] last", async () => {
  await withSim({ ttftMs: 0, tpotMs: 1, naturalLen: 4 }, async (sim) => {
    const prompt = "The quick brown fox jumps over the lazy dog.";
    const { chunks, choiceChunks, usageChunks } = await stream(
      await post(sim, "/v1/completions", {
        model: "mib-sim",
        prompt,
        max_tokens: 12,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
        temperature: 0,
        best_of: 1,
        use_beam_search: false,
        some_unknown_field: { ignored: true },
      }),
    );
    assert.equal(choiceChunks.length, 12, "one chunk per token, past naturalLen");
    assert.equal(usageChunks.length, 1);
    assert.equal(chunks.at(-1), usageChunks[0], "usage chunk comes right before [DONE]");

    choiceChunks.forEach((chunk, i) => {
      const last = i === choiceChunks.length - 1;
      assert.ok(chunk.id.startsWith("cmpl-"));
      assert.deepEqual(chunk, {
        id: chunk.id,
        object: "text_completion",
        created: chunk.created,
        model: "mib-sim",
        choices: [{
          index: 0,
          text: VOCAB[i],
          logprobs: null,
          finish_reason: last ? "length" : null,
          stop_reason: null,
        }],
        usage: null,
      });
    });
    const promptTokens = countTokens(prompt);
    assert.deepEqual(usageChunks[0], {
      id: chunks[0].id,
      object: "text_completion",
      created: chunks[0].created,
      model: "mib-sim",
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: 12,
        total_tokens: promptTokens + 12,
      },
    });
    const text = choiceChunks.map((chunk) => chunk.choices[0].text).join("");
    assert.equal(countTokens(text), 12, "the text re-encodes to completion_tokens");
  });
});

Deno.test("usage appears only when include_usage is on (vLLM defaults it on in stream_options)", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0 }, async (sim) => {
    for (const extra of [{}, { stream_options: { include_usage: false } }]) {
      const { events, choiceChunks, usageChunks } = await stream(
        await post(sim, "/v1/completions", {
          prompt: "hi",
          max_tokens: 5,
          ignore_eos: true,
          stream: true,
          ...extra,
        }),
      );
      assert.equal(choiceChunks.length, 5);
      assert.equal(usageChunks.length, 0);
      assert.ok(events.every((event) => !event.data.includes("usage")), "no usage key");
    }
    const defaulted = await stream(
      await post(sim, "/v1/completions", {
        prompt: "hi",
        max_tokens: 2,
        ignore_eos: true,
        stream: true,
        stream_options: {},
      }),
    );
    assert.equal(defaulted.usageChunks.length, 1);
    assert.equal(defaulted.usageChunks[0].usage!.completion_tokens, 2);
  });
});

Deno.test("without ignore_eos generation stops at naturalLen with finish_reason stop", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, naturalLen: 7 }, async (sim) => {
    const natural = await stream(
      await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 20, stream: true }),
    );
    assert.equal(natural.choiceChunks.length, 7);
    assert.equal(natural.choiceChunks.at(-1)!.choices[0].finish_reason, "stop");
    assert.ok(natural.choiceChunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null));

    const capped = await stream(
      await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 3, stream: true }),
    );
    assert.equal(capped.choiceChunks.length, 3);
    assert.equal(capped.choiceChunks.at(-1)!.choices[0].finish_reason, "length");

    // Without max_tokens the limit is 16 (OpenAI's default): naturalLen 7 ends first,
    // unless ignore_eos runs generation up to the limit.
    const byDefault = await (await post(sim, "/v1/completions", { prompt: "hi" })).json();
    assert.equal(byDefault.usage.completion_tokens, 7);
    assert.equal(byDefault.choices[0].finish_reason, "stop");
    const eosIgnored = await (await post(sim, "/v1/completions", {
      prompt: "hi",
      ignore_eos: true,
    })).json();
    assert.equal(eosIgnored.usage.completion_tokens, 16, "max_tokens defaults to 16");
    assert.equal(eosIgnored.choices[0].finish_reason, "length");
  });
});

Deno.test("chat stream opens with an unpaced role-only chunk", async () => {
  await withSim({ ttftMs: 150, tpotMs: 1 }, async (sim) => {
    const start = performance.now();
    const messages = [
      { role: "system", content: "You are terse." },
      { role: "user", content: [{ type: "text", text: "Say hello." }] },
    ];
    const { events, choiceChunks, usageChunks } = await stream(
      await post(sim, "/v1/chat/completions", {
        model: "mib-sim",
        messages,
        max_completion_tokens: 4,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    assert.equal(choiceChunks.length, 5, "role chunk + 4 token chunks");
    assert.ok(events[0].at - start < 75, "role chunk arrives well before the first token");
    assert.ok(events[1].at - start >= 149, "first token waits for ttft");

    const [role, ...tokens] = choiceChunks;
    assert.ok(role.id.startsWith("chatcmpl-"));
    assert.deepEqual(role, {
      id: role.id,
      object: "chat.completion.chunk",
      created: role.created,
      model: "mib-sim",
      choices: [{
        index: 0,
        delta: { role: "assistant", content: "" },
        logprobs: null,
        finish_reason: null,
      }],
      usage: null,
    });
    tokens.forEach((chunk, i) => {
      const last = i === tokens.length - 1;
      assert.equal(chunk.object, "chat.completion.chunk");
      assert.deepEqual(chunk.choices, [{
        index: 0,
        delta: { content: VOCAB[i] },
        logprobs: null,
        finish_reason: last ? "length" : null,
        ...(last ? { stop_reason: null } : {}),
      }]);
      assert.equal(chunk.usage, null);
    });
    const promptTokens = countTokens("You are terse.Say hello.");
    assert.deepEqual(usageChunks[0].usage, {
      prompt_tokens: promptTokens,
      completion_tokens: 4,
      total_tokens: promptTokens + 4,
    });
  });
});

Deno.test("chat stream without the role chunk (roleChunk: false)", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, roleChunk: false }, async (sim) => {
    const { events, choiceChunks } = await stream(
      await post(sim, "/v1/chat/completions", {
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 3,
        ignore_eos: true,
        stream: true,
      }),
    );
    assert.equal(choiceChunks.length, 3);
    assert.deepEqual(choiceChunks[0].choices[0].delta, { content: VOCAB[0] });
    assert.ok(events.every((event) => !event.data.includes('"role"')));
  });
});

Deno.test("tokensPerChunk 3 packs ceil(n/3) chunks with the right text and usage", async () => {
  await withSim({ ttftMs: 0, tpotMs: 1, tokensPerChunk: 3 }, async (sim) => {
    const { choiceChunks, usageChunks } = await stream(
      await post(sim, "/v1/completions", {
        prompt: "Count to ten.",
        max_tokens: 10,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    assert.equal(choiceChunks.length, 4);
    assert.deepEqual(
      choiceChunks.map((chunk) => chunk.choices[0].text),
      [tokenText(0, 3), tokenText(3, 3), tokenText(6, 3), tokenText(9, 1)],
    );
    assert.equal(choiceChunks[3].choices[0].finish_reason, "length");
    assert.deepEqual(usageChunks[0].usage, {
      prompt_tokens: countTokens("Count to ten."),
      completion_tokens: 10,
      total_tokens: countTokens("Count to ten.") + 10,
    });
  });
});

Deno.test("continuous_usage_stats puts cumulative usage on every chunk", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, tokensPerChunk: 2 }, async (sim) => {
    const content = "How many tokens is this prompt?";
    const promptTokens = countTokens(content);
    const { chunks, choiceChunks, usageChunks } = await stream(
      await post(sim, "/v1/chat/completions", {
        messages: [{ role: "user", content }],
        max_tokens: 5,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true, continuous_usage_stats: true },
      }),
    );
    const completed = chunks.map((chunk) => chunk.usage?.completion_tokens);
    // Role chunk, three token chunks (2 + 2 + 1), then the final usage chunk.
    assert.deepEqual(completed, [0, 2, 4, 5, 5]);
    assert.equal(choiceChunks.length, 4);
    assert.equal(usageChunks.length, 1);
    for (const chunk of chunks) {
      assert.equal(chunk.usage!.prompt_tokens, promptTokens);
      assert.equal(chunk.usage!.total_tokens, promptTokens + chunk.usage!.completion_tokens);
    }
  });
});

Deno.test("non-streaming responses arrive after the full generation time", async () => {
  await withSim({ ttftMs: 30, tpotMs: 4, naturalLen: 64 }, async (sim) => {
    const prompt = "Write a haiku about servers.";
    let start = performance.now();
    const response = await post(sim, "/v1/completions", { prompt, max_tokens: 11 });
    const completion = await response.json();
    let elapsed = performance.now() - start;
    assert.equal(response.headers.get("content-type"), "application/json");
    assert.ok(elapsed >= 30 + 10 * 4 - 1, `answered after the last token (${elapsed} ms)`);
    assert.ok(completion.id.startsWith("cmpl-"));
    assert.deepEqual(completion, {
      id: completion.id,
      object: "text_completion",
      created: completion.created,
      model: "mib-sim",
      choices: [{
        index: 0,
        text: tokenText(0, 11),
        logprobs: null,
        finish_reason: "length",
        stop_reason: null,
      }],
      usage: {
        prompt_tokens: countTokens(prompt),
        completion_tokens: 11,
        total_tokens: countTokens(prompt) + 11,
      },
    });

    start = performance.now();
    const chat = await (await post(sim, "/v1/chat/completions", {
      messages: [{ role: "user", content: "hello there" }],
      max_tokens: 100,
      max_completion_tokens: 6, // takes precedence, as in vLLM
      ignore_eos: true,
      stream: false,
    })).json();
    elapsed = performance.now() - start;
    assert.ok(elapsed >= 30 + 5 * 4 - 1, `chat answered after the last token (${elapsed} ms)`);
    assert.ok(chat.id.startsWith("chatcmpl-"));
    assert.deepEqual(chat, {
      id: chat.id,
      object: "chat.completion",
      created: chat.created,
      model: "mib-sim",
      choices: [{
        index: 0,
        message: { role: "assistant", content: tokenText(0, 6) },
        logprobs: null,
        finish_reason: "length",
        stop_reason: null,
      }],
      usage: {
        prompt_tokens: countTokens("hello there"),
        completion_tokens: 6,
        total_tokens: countTokens("hello there") + 6,
      },
    });

    // A chat request with no limit stops at its natural length.
    const open = await (await post(sim, "/v1/chat/completions", {
      messages: [{ role: "user", content: "hi" }],
    })).json();
    assert.equal(open.usage.completion_tokens, 64);
    assert.equal(open.choices[0].finish_reason, "stop");
  });
});

Deno.test("a model other than the served one is answered with vLLM's 404", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0 }, async (sim) => {
    for (
      const [path, body] of [
        ["/v1/completions", { model: "gpt-4", prompt: "hi" }],
        ["/v1/chat/completions", { model: "gpt-4", messages: [{ role: "user", content: "hi" }] }],
      ] as const
    ) {
      const response = await post(sim, path, { ...body, stream: true });
      assert.equal(response.status, 404);
      assert.deepEqual(await response.json(), {
        error: {
          message: "The model `gpt-4` does not exist.",
          type: "NotFoundError",
          param: "model",
          code: 404,
        },
      });
    }
  });
});

Deno.test("invalid bodies are answered with 400 BadRequestError", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0 }, async (sim) => {
    const cases: [string, unknown, string | null][] = [
      ["/v1/completions", "{not json", null],
      ["/v1/completions", "[1, 2]", null],
      ["/v1/completions", {}, "prompt"],
      ["/v1/completions", { prompt: "" }, "prompt"],
      ["/v1/completions", { prompt: ["a", "b"] }, "prompt"],
      ["/v1/completions", { prompt: "hi", max_tokens: 0 }, "max_tokens"],
      ["/v1/completions", { prompt: "hi", max_tokens: 2.5 }, "max_tokens"],
      ["/v1/completions", { prompt: "hi", max_tokens: "8" }, "max_tokens"],
      ["/v1/completions", { prompt: "hi", stream: "yes" }, "stream"],
      [
        "/v1/completions",
        { prompt: "hi", stream_options: { include_usage: true } },
        "stream_options",
      ],
      // Body validation comes before the model check, as in vLLM.
      ["/v1/completions", { model: "other", max_tokens: -1, prompt: "hi" }, "max_tokens"],
      ["/v1/chat/completions", { prompt: "hi" }, "messages"],
      ["/v1/chat/completions", { messages: [] }, "messages"],
      ["/v1/chat/completions", { messages: [{ content: "hi" }] }, "messages"],
      ["/v1/chat/completions", { messages: [{ role: "user", content: 3 }] }, "messages"],
      [
        "/v1/chat/completions",
        { messages: [{ role: "user", content: "hi" }], max_completion_tokens: 0 },
        "max_completion_tokens",
      ],
    ];
    for (const [path, body, param] of cases) {
      const response = await post(sim, path, body);
      const label = `${path} ${typeof body === "string" ? body : JSON.stringify(body)}`;
      assert.equal(response.status, 400, label);
      const { error } = await response.json();
      assert.equal(error.type, "BadRequestError", label);
      assert.equal(error.code, 400, label);
      assert.equal(error.param, param, label);
      assert.equal(typeof error.message, "string", label);
    }
    const notJson = await post(sim, "/v1/completions", { prompt: "hi" }, "text/plain");
    assert.equal(notJson.status, 400);
    assert.match((await notJson.json()).error.message, /application\/json/);
  });
});

Deno.test("pacing: first token after ttftMs, then one token every tpotMs", async () => {
  const ttftMs = 60;
  const tpotMs = 12;
  const tokens = 30;
  await withSim({ ttftMs, tpotMs }, async (sim) => {
    // Warm the connection so the measurement does not include TCP setup.
    await (await fetch(`${sim.url}/health`)).body?.cancel();
    const start = performance.now();
    const { events, choiceChunks } = await stream(
      await post(sim, "/v1/completions", {
        prompt: "pace me",
        max_tokens: tokens,
        ignore_eos: true,
        stream: true,
      }),
    );
    assert.equal(choiceChunks.length, tokens);
    const arrivals = events.slice(0, tokens).map((event) => event.at - start);
    const ttft = arrivals[0];
    assert.ok(ttft >= ttftMs - 1, `first token not early (${ttft.toFixed(2)} ms)`);
    assert.ok(ttft <= ttftMs + 10, `first token within 10 ms of ttft (${ttft.toFixed(2)} ms)`);
    const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
    const medianGap = median(gaps);
    assert.ok(
      Math.abs(medianGap - tpotMs) <= 2,
      `median gap ${medianGap.toFixed(2)} ms within 2 ms of ${tpotMs}`,
    );
    // Deadlines are absolute, so lateness does not pile up along the stream.
    const last = arrivals.at(-1)!;
    const due = ttftMs + (tokens - 1) * tpotMs;
    assert.ok(last >= due - 1 && last <= due + 15, `last token at ${last.toFixed(2)} (due ${due})`);
  });
});

Deno.test("close() during an open stream truncates it and leaves nothing pending", async () => {
  const sim = await startSimulator({ ttftMs: 0, tpotMs: 5 });
  let closed = false;
  try {
    const response = await post(sim, "/v1/completions", {
      prompt: "a long answer please",
      max_tokens: 10_000,
      ignore_eos: true,
      stream: true,
    });
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let text = "";
    const first = await reader.read();
    assert.equal(first.done, false);
    text += decoder.decode(first.value);

    const started = performance.now();
    const closing = sim.close();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
      }
    } catch {
      // A truncated body surfaces as a read error; that is the expected outcome.
    }
    await closing;
    closed = true;
    assert.ok(performance.now() - started < 1000, "close() does not wait for the stream");
    assert.ok(!text.includes("[DONE]"), "an aborted stream does not look complete");
    await assert.rejects(fetch(`${sim.url}/health`), "the server no longer listens");
  } finally {
    if (!closed) await sim.close();
  }
  await sim.close(); // idempotent
});

Deno.test("a client leaving mid-stream does not disturb the server", async () => {
  await withSim({ ttftMs: 0, tpotMs: 2 }, async (sim) => {
    const response = await post(sim, "/v1/completions", {
      prompt: "hi",
      max_tokens: 5_000,
      ignore_eos: true,
      stream: true,
    });
    const reader = response.body!.getReader();
    assert.equal((await reader.read()).done, false);
    await reader.cancel();
    const next = await (await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 2 })).json();
    assert.equal(next.usage.completion_tokens, 2);
  });
});

Deno.test("aborting the signal option closes the server", async () => {
  const controller = new AbortController();
  const sim = await startSimulator({ signal: controller.signal, ttftMs: 0, tpotMs: 0 });
  const health = await fetch(`${sim.url}/health`);
  await health.body?.cancel();
  assert.equal(health.status, 200);
  controller.abort();
  await sim.close(); // the same shutdown the abort started
  await assert.rejects(fetch(`${sim.url}/health`));
});

Deno.test("the shared scheduler runs items in deadline order, never early, and cleans up", async () => {
  const scheduler = new Scheduler();
  const fired: [string, number, number][] = [];
  const aborted: string[] = [];
  const done = Promise.withResolvers<void>();
  /** An item firing `times` times, `gap` ms apart, from `offset` ms from now. */
  const item = (name: string, offset: number, gap: number, times: number): Timed => {
    let left = times;
    return {
      due: performance.now() + offset,
      slot: -1,
      fire() {
        fired.push([name, this.due, performance.now()]);
        if (--left === 0) {
          if (name === "last") done.resolve();
          return false;
        }
        this.due += gap;
        return true;
      },
      abort: () => aborted.push(name),
    };
  };
  const removed = item("removed", 5, 1, 3);
  const endless = item("endless", 50, 1_000, Infinity);
  scheduler.add(item("b", 12, 3, 4));
  scheduler.add(item("a", 6, 5, 3));
  scheduler.add(removed);
  scheduler.add(item("now", -1, 0, 1)); // already due: runs inside add()
  assert.deepEqual(fired.map(([name]) => name), ["now"]);
  scheduler.add(endless);
  scheduler.add(item("last", 30, 1, 1));
  scheduler.remove(removed);
  scheduler.remove(removed); // no-op
  assert.equal(removed.slot, -1);
  await done.promise;

  const names = fired.map(([name]) => name);
  assert.ok(!names.includes("removed"));
  assert.equal(names.filter((name) => name === "a").length, 3);
  assert.equal(names.filter((name) => name === "b").length, 4);
  assert.equal(names.at(-1), "last");
  for (let i = 0; i < fired.length; i++) {
    const [name, due, at] = fired[i];
    assert.ok(at >= due, `${name} ran ${(due - at).toFixed(3)} ms early`);
    if (i > 0) assert.ok(due >= fired[i - 1][1], "deadline order");
  }

  assert.equal(scheduler.size, 1, "only the endless item is left");
  scheduler.close(new Error("closing"));
  assert.deepEqual(aborted, ["endless"]);
  assert.equal(scheduler.size, 0);
  const late = item("late", 0, 0, 1);
  scheduler.add(late);
  assert.deepEqual(aborted, ["endless", "late"], "items added after close() are aborted");
  // Deno's sanitizers fail this test if a timer is left armed.
});

Deno.test("close() also ends non-streaming requests still waiting for their last token", async () => {
  const sim = await startSimulator({ ttftMs: 10_000, tpotMs: 0 });
  const pending = post(sim, "/v1/completions", { prompt: "hi", max_tokens: 2 });
  // Let the request reach its wait before closing.
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = performance.now();
  await sim.close();
  assert.ok(performance.now() - started < 1000, "close() does not wait for the deadline");
  const response = await pending.catch(() => undefined);
  if (response) {
    assert.equal(response.status, 503);
    await response.body?.cancel();
  }
});
