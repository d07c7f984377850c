/**
 * From command to first request: the CLI is spawned against a minimal
 * OpenAI-compatible server that notes when the first completion request
 * arrives and keeps every prompt, which the test then counts with the real
 * tokenizer. The spawn → first request figure is printed, not asserted (timed
 * assertions are flaky in a test suite; `scripts/bench.ts` tracks it).
 */
import assert from "node:assert/strict";
import { loadTokenizer } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

interface StubServer extends AsyncDisposable {
  url: string;
  /** Epoch ms at which the first completion request arrived. */
  firstRequestAt?: number;
  /** Epoch ms at which `/v1/models` was first asked. */
  modelsAt?: number;
  /** How many times `/v1/models` was asked. */
  modelLookups: number;
  /** Bodies of the completion requests, in arrival order. */
  bodies: Record<string, unknown>[];
  /** The same bodies by request index (the number ending `x-request-id`). */
  byIndex: Map<number, Record<string, unknown>>;
}

const now = () => performance.timeOrigin + performance.now();

/** A server streaming `max_tokens` chunks of " x", with a usage count unless `usage` is false. */
function stubServer(options: { usage: boolean }): StubServer {
  const encoder = new TextEncoder();
  const state: Omit<StubServer, "url" | typeof Symbol.asyncDispose> = {
    bodies: [],
    modelLookups: 0,
    byIndex: new Map(),
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const arrived = now();
    if (new URL(req.url).pathname === "/v1/models") {
      state.modelsAt ??= arrived;
      state.modelLookups++;
      return Response.json({ object: "list", data: [{ id: "stub-model", object: "model" }] });
    }
    state.firstRequestAt ??= arrived;
    const body = await req.json();
    state.bodies.push(body);
    const id = req.headers.get("x-request-id") ?? "";
    state.byIndex.set(Number(id.slice(id.lastIndexOf("-") + 1)), body);
    const n = Number(body.max_tokens);
    let text = "";
    for (let i = 0; i < n; i++) text += `data: {"choices":[{"index":0,"text":" x"}]}\n\n`;
    if (options.usage) {
      text += `data: {"choices":[],"usage":{"prompt_tokens":0,"completion_tokens":${n}}}\n\n`;
    }
    text += "data: [DONE]\n\n";
    return new Response(encoder.encode(text), {
      headers: { "content-type": "text/event-stream" },
    });
  });
  return Object.assign(state, {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  });
}

Deno.test("startup: the CLI reaches the server and sends prompts of the planned token counts", async () => {
  await using server = stubServer({ usage: true });
  await using dir = await tempDir();
  const output = `${dir.path}/results.json`;
  const spawnedAt = now();
  const run = await runCli([
    ...benchFlags(server.url, 100, 256, 16),
    "--model",
    "mib-sim",
    "--output-file",
    output,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(server.firstRequestAt !== undefined, "a request reached the server");
  console.log(`spawn → first request: ${(server.firstRequestAt - spawnedAt).toFixed(1)} ms`);
  // The ready check reads the model list, and --model is checked against it: one GET.
  assert.equal(server.modelLookups, 1, "--model given: one model lookup");
  assert.equal(server.bodies.length, 100);
  const records = JSON.parse(await Deno.readTextFile(output));
  assert.equal(records.length, 100);
  const tokenizer = await loadTokenizer("cl100k_base");
  for (const body of server.bodies) {
    assert.equal(body.model, "mib-sim");
    assert.equal(body.max_tokens, 16);
    assert.equal(tokenizer.count(String(body.prompt)), 256);
  }
  for (const record of records) {
    assert.equal(record.prompt_len, 256);
    assert.equal(record.output_len, 16);
    assert.equal(record.output_len_source, "server");
  }
  assert.match(run.stdout, /model=mib-sim {2}tokenizer=cl100k_base/);
});

Deno.test("startup: a text prefix, a model-name tokenizer and client-side output counts", async () => {
  // No usage from the server: the output lengths come from the lazily loaded tokenizer.
  await using server = stubServer({ usage: false });
  await using dir = await tempDir();
  const output = `${dir.path}/results.json`;
  const prefix = "You are a helpful assistant. Answer briefly:";
  const run = await runCli([
    "--base-url",
    server.url,
    "--num-of-req",
    "12",
    "--input-token-distribution",
    "uniform",
    "1",
    "300",
    "--output-token-distribution",
    "constant",
    "7",
    "--prefix-text",
    prefix,
    "--tokenizer",
    "gpt-4o",
    "--output-file",
    output,
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.ok(server.modelsAt !== undefined && server.modelsAt < server.firstRequestAt!);
  assert.match(run.stdout, /model=stub-model {2}tokenizer=o200k_base/);
  const records = JSON.parse(await Deno.readTextFile(output));
  assert.equal(records.length, 12);
  const tokenizer = await loadTokenizer("o200k_base");
  assert.equal(server.byIndex.size, 12);
  const prefixLen = tokenizer.count(prefix);
  records.forEach((record: { prompt_len: number; output_len: number }, i: number) => {
    const body = server.byIndex.get(i)!;
    assert.equal(body.model, "stub-model");
    const prompt = String(body.prompt);
    assert.ok(prompt.startsWith(prefix));
    assert.equal(record.prompt_len, tokenizer.count(prompt), `prompt_len of request ${i}`);
    assert.ok(record.prompt_len >= prefixLen + 1 && record.prompt_len <= prefixLen + 300);
    assert.equal(record.output_len, tokenizer.count(" x".repeat(7)));
  });
  for (const record of records) assert.equal(record.output_len_source, "tokenizer");
});
