/**
 * `--tokenizer server`'s counter against the simulator's tokenize endpoints
 * (real HTTP on loopback), and its errors against stand-in servers.
 */
import assert from "node:assert/strict";
import { getBackend } from "../backends/mod.ts";
import { withSim } from "../tests/_helpers.ts";
import { loadTokenizer } from "./mod.ts";
import { serverCounter, TokenizeError } from "./server.ts";
import { chooseRunTokenizer } from "./choose.ts";
import { UsageError } from "../errors.ts";

const cl100k = await loadTokenizer("cl100k_base");
const TEXTS = [
  "Hello world",
  "",
  " a b c",
  "héllo 🦙 wörld",
  "<|endoftext|> is text here",
  "the quick brown fox jumps. ".repeat(20),
];

Deno.test("serverCounter: the simulator's counts in each server's shape (llama.cpp, vLLM, SGLang, TGI)", async () => {
  await withSim({ quiet: true }, async (sim) => {
    for (const backend of ["llama.cpp", "vllm", "sglang", "tgi"]) {
      const counter = serverCounter({
        baseUrl: sim.url,
        endpoint: getBackend(backend).tokenize!,
        model: "mib-sim",
      });
      assert.equal(counter.name, `server:${sim.url}/tokenize`);
      const texts = Array.from({ length: 150 }, (_, i) => TEXTS[i % TEXTS.length] + " w".repeat(i));
      assert.deepEqual(await counter.countAll(texts), texts.map((t) => cl100k.count(t)), backend);
      assert.equal(await counter.count(""), 0);
    }
  });
});

Deno.test("TGI's counts leave out the special tokens it adds (they cover no character)", () => {
  const bos = { id: 1, text: "", start: 0, stop: 0 };
  const tokens = [bos, { id: 15043, text: "Hello", start: 0, stop: 5 }, {
    id: 3186,
    text: " world",
    start: 5,
    stop: 11,
  }];
  assert.deepEqual(getBackend("tgi").tokenize!.counts(tokens, 1), [2]);
  assert.equal(getBackend("tgi").tokenize!.counts({ error: "x" }, 1), undefined);
});

/** A stand-in server answering every request with `answer`, counting them. */
function standIn(answer: () => Response) {
  let requests = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (r) => {
    requests++;
    await r.body?.cancel();
    return answer();
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests: () => requests,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

Deno.test("serverCounter: batches of maxTexts per request, a few at a time", async () => {
  let inFlight = 0;
  let most = 0;
  await using server = standIn(() => {
    inFlight++;
    most = Math.max(most, inFlight);
    // Counts for a batch of 64 (SGLang's shape), released a moment later.
    const body = JSON.stringify({ count: new Array(64).fill(3) });
    return new Response(
      new ReadableStream({
        start(controller) {
          setTimeout(() => {
            inFlight--;
            controller.enqueue(new TextEncoder().encode(body));
            controller.close();
          }, 5);
        },
      }),
    );
  });
  const counter = serverCounter({ baseUrl: server.url, endpoint: getBackend("sglang").tokenize! });
  const counts = await counter.countAll(new Array(640).fill("text"));
  assert.equal(counts.length, 640);
  assert.ok(counts.every((n) => n === 3));
  assert.equal(server.requests(), 10);
  assert.ok(most <= 4, `at most 4 in flight, saw ${most}`);
});

Deno.test("serverCounter: a refusal, a non-JSON answer or a wrong shape is a TokenizeError with the URL", async () => {
  for (
    const [answer, pattern] of [
      [() => new Response("Not Found", { status: 404 }), /answered HTTP 404: Not Found/],
      [() => new Response("GGUF\u0000\u0001"), /other than JSON: GGUF\\u\{0\}\\u\{1\}/],
      [() => Response.json({ tokens: "no" }), /in a shape mib does not expect/],
    ] as const
  ) {
    await using server = standIn(answer);
    const counter = serverCounter({
      baseUrl: server.url,
      endpoint: getBackend("llama.cpp").tokenize!,
    });
    await assert.rejects(() => counter.countAll(["hi"]), (error: unknown) => {
      assert.ok(error instanceof TokenizeError);
      assert.ok(error.message.startsWith(`POST ${server.url}/tokenize`), error.message);
      assert.match(error.message, pattern);
      return true;
    });
  }
});

Deno.test("chooseRunTokenizer: --tokenizer server needs an endpoint that answers; the default asks it after the model's own", async () => {
  const log: string[] = [];
  const choice = { backend: "llama.cpp", log: (line: string) => log.push(line) };
  await assert.rejects(
    () => chooseRunTokenizer({ ...choice, name: "server", backend: "openai" }),
    (e: unknown) =>
      e instanceof UsageError && e.flag === "--tokenizer" &&
      /openai backend has no tokenize/.test(e.message),
  );
  await using down = standIn(() => new Response("no", { status: 404 }));
  const refusing = serverCounter({
    baseUrl: down.url,
    endpoint: getBackend("llama.cpp").tokenize!,
  });
  await assert.rejects(
    () => chooseRunTokenizer({ ...choice, name: "server", server: refusing }),
    (e: unknown) => e instanceof UsageError && /server: POST .* answered HTTP 404/.test(e.message),
  );
  // The model's own first, announced; then the server's; then cl100k_base with the warning.
  const own = await chooseRunTokenizer({ ...choice, model: "gpt-4o", server: refusing });
  assert.equal(own.tokenizer.name, "o200k_base");
  assert.deepEqual(log.splice(0), ["tokenizer: o200k_base (the model's own)"]);
  const fallback = await chooseRunTokenizer({ ...choice, model: "my-model", server: refusing });
  assert.equal(fallback.tokenizer.name, "cl100k_base");
  assert.equal(log.length, 1);
  assert.match(
    log.splice(0)[0],
    /^warning: model "my-model" names no tokenizer .*; the server's POST .* answered HTTP 404/,
  );
  await withSim({ quiet: true }, async (sim) => {
    const server = serverCounter({ baseUrl: sim.url, endpoint: getBackend("llama.cpp").tokenize! });
    const chosen = await chooseRunTokenizer({ ...choice, model: "my-model", server });
    assert.equal(chosen.resolved, undefined);
    assert.equal(chosen.tokenizer.server, server);
    assert.deepEqual(log.splice(0), [
      `tokenizer: the server's own, ${sim.url}/tokenize (model "my-model" has no tokenizer known here)`,
    ]);
    await assert.rejects(() => chosen.tokenizer.load(), UsageError);
  });
});
