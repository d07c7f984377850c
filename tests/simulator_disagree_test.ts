/**
 * The simulator set to disagree with its client, over real HTTP on loopback:
 * a context it truncates to (llama.cpp) or refuses beyond (vLLM), a chat
 * length field it does not honour, prompt counts of another tokenizer, and
 * model names strict or not.
 */

import assert from "node:assert/strict";
import { loadTiktoken } from "../tokenizers/_tiktoken.ts";
import type { SimulatorHandle } from "../simulator/mod.ts";
import { keptPromptTokens } from "../simulator/_llamacpp.ts";
import { runCli, spawnServe, withSim } from "./_helpers.ts";

const cl100kBase = await loadTiktoken("cl100k_base");
const countTokens = cl100kBase.count;
const FAST = { ttftMs: 0, tpotMs: 0 };

/** A prompt of `n` cl100k_base tokens. */
const words = (n: number) => " the".repeat(n);

function post(sim: SimulatorHandle | string, path: string, body: unknown): Promise<Response> {
  const base = typeof sim === "string" ? sim : sim.url;
  return fetch(`${base}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** The last `data:` payload of an SSE body, parsed, skipping `[DONE]`. */
function lastEvent(text: string): Record<string, unknown> {
  const payloads = text.trim().split("\n\n").map((e) => e.slice("data: ".length));
  return JSON.parse(payloads.filter((p) => p !== "[DONE]").at(-1)!);
}

Deno.test("honour: a chat request whose only length field is not honoured runs to the natural length", async () => {
  await withSim({ ...FAST, naturalLen: 9, honour: "max_tokens" }, async (sim) => {
    const ask = async (fields: Record<string, unknown>) => {
      const body = await (await post(sim, "/v1/chat/completions", {
        messages: [{ role: "user", content: "Hi" }],
        ignore_eos: true,
        ...fields,
      })).json();
      return [body.usage.completion_tokens, body.choices[0].finish_reason];
    };
    assert.deepEqual(await ask({ max_completion_tokens: 3 }), [9, "stop"], "not honoured");
    assert.deepEqual(await ask({ max_tokens: 3 }), [3, "length"]);
    assert.deepEqual(await ask({ max_tokens: 3, max_completion_tokens: 5 }), [3, "length"]);
  });
  await withSim({ ...FAST, naturalLen: 9, honour: "max_completion_tokens" }, async (sim) => {
    const body = await (await post(sim, "/v1/chat/completions", {
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 3,
      ignore_eos: true,
    })).json();
    assert.equal(body.usage.completion_tokens, 9);
  });
  // The default honours both, max_completion_tokens first (vLLM).
  await withSim({ ...FAST, naturalLen: 9 }, async (sim) => {
    const body = await (await post(sim, "/v1/chat/completions", {
      messages: [{ role: "user", content: "Hi" }],
      max_tokens: 3,
      max_completion_tokens: 5,
      ignore_eos: true,
    })).json();
    assert.equal(body.usage.completion_tokens, 5);
  });
});

Deno.test("max-context on the OpenAI routes: vLLM's 400 when prompt + max tokens exceed it", async () => {
  await withSim({ ...FAST, maxContext: 50 }, async (sim) => {
    const fits = await post(sim, "/v1/completions", { prompt: words(40), max_tokens: 10 });
    assert.equal(fits.status, 200);
    await fits.body?.cancel();
    const over = await post(sim, "/v1/completions", { prompt: words(41), max_tokens: 10 });
    assert.equal(over.status, 400);
    assert.deepEqual(await over.json(), {
      error: {
        message: "This model's maximum context length is 50 tokens. However, you requested 51 " +
          "tokens (41 in the messages, 10 in the completion). Please reduce the length of the " +
          "messages or completion.",
        type: "BadRequestError",
        param: null,
        code: 400,
      },
    });
    // A chat request without a limit: refused once the prompt alone fills the context.
    const chat = await post(sim, "/v1/chat/completions", {
      messages: [{ role: "user", content: words(50) }],
    });
    assert.equal(chat.status, 400);
    assert.match((await chat.json()).error.message, /you requested 50 tokens in the messages/);
  });
});

Deno.test("max-context on llama.cpp: the prompt is cut as llama.cpp cuts it, truncated: true", async () => {
  assert.equal(keptPromptTokens(40, 50), 40);
  assert.equal(keptPromptTokens(50, 50), 50);
  assert.equal(keptPromptTokens(51, 50), 26, "one block of 25 dropped");
  assert.equal(keptPromptTokens(100, 50), 25);
  assert.equal(keptPromptTokens(100, null), 100);
  await withSim({ ...FAST, maxContext: 50 }, async (sim) => {
    const cut = lastEvent(
      await (await post(sim, "/completion", {
        prompt: words(100),
        n_predict: 4,
        stream: true,
      })).text(),
    );
    assert.deepEqual(
      [cut.truncated, cut.tokens_evaluated, (cut.timings as { prompt_n: number }).prompt_n],
      [true, 25, 25],
    );
    assert.equal(cut.tokens_predicted, 4, "the request still succeeds");
    const whole = await (await post(sim, "/completion", { prompt: words(30), n_predict: 2 }))
      .json();
    assert.deepEqual([whole.truncated, whole.tokens_evaluated], [false, 30]);
  });
});

Deno.test("prompt-scale: every protocol's prompt count is K times the client's", async () => {
  await withSim({ ...FAST, promptScale: 5.3 }, async (sim) => {
    const prompt = words(40);
    assert.equal(countTokens(prompt), 40);
    const openai = await (await post(sim, "/v1/completions", { prompt, max_tokens: 1 })).json();
    assert.equal(openai.usage.prompt_tokens, 212);
    const llama = await (await post(sim, "/completion", { prompt, n_predict: 1 })).json();
    assert.equal(llama.tokens_evaluated, 212);
    // Token ids are the server's own tokens: counted as given.
    const ids = await (await post(sim, "/v1/completions", { prompt: [1, 2, 3], max_tokens: 1 }))
      .json();
    assert.equal(ids.usage.prompt_tokens, 3);
  });
});

Deno.test("model names: strict by default (404), any accepted with acceptAnyModel", async () => {
  const ask = (sim: SimulatorHandle) =>
    post(sim, "/v1/completions", { model: "other", prompt: "Hi", max_tokens: 1 });
  await withSim(FAST, async (sim) => {
    const refused = await ask(sim);
    assert.equal(refused.status, 404);
    assert.deepEqual((await refused.json()).error, {
      message: "The model `other` does not exist.",
      type: "NotFoundError",
      param: "model",
      code: 404,
    });
    const ollama = await post(sim, "/api/generate", { model: "other", prompt: "Hi" });
    assert.equal(ollama.status, 404);
    await ollama.body?.cancel();
  });
  await withSim({ ...FAST, acceptAnyModel: true }, async (sim) => {
    const served = await ask(sim);
    assert.equal(served.status, 200);
    assert.equal((await served.json()).model, "mib-sim", "answered by the served model");
    const ollama = await post(sim, "/api/generate", {
      model: "other",
      prompt: "Hi",
      stream: false,
      options: { num_predict: 1 },
    });
    assert.equal(ollama.status, 200);
    await ollama.body?.cancel();
  });
});

Deno.test("mib serve: the disagreeing flags reach the simulator and its banner; bad values are usage errors", async () => {
  const serve = await spawnServe([
    "--port",
    "0",
    "--ttft-ms",
    "0",
    "--tpot-ms",
    "0",
    "--max-context",
    "50",
    "--honour",
    "max_tokens",
    "--prompt-scale",
    "2",
    "--accept-any-model",
  ]);
  try {
    const { banner, url } = serve;
    assert.ok(url, `banner: ${banner}`);
    assert.match(
      banner,
      /context 50, chat honours max_tokens only, prompt counts ×2, any model accepted/,
    );
    const body = await (await post(url, "/v1/chat/completions", {
      model: "x",
      messages: [{ role: "user", content: words(10) }],
      max_completion_tokens: 3,
    })).json();
    assert.deepEqual([body.usage.prompt_tokens, body.usage.completion_tokens], [20, 50 - 20]);
  } finally {
    assert.equal(await serve.stop(), 0);
  }
  const bad = await runCli(["serve", "--honour", "n"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--honour: expected one of max_tokens/);
});
