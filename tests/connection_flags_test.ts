import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

Deno.test("--header and the API key reach the server; the key is never printed or written", async () => {
  const seen: { method: string; path: string; headers: Headers }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    seen.push({ method: request.method, path, headers: request.headers });
    const body = 'data: {"choices":[{"index":0,"text":" ok"}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const secret = "sk-test-DO-NOT-LEAK-1234";
  try {
    const run = await runCli([
      "--base-url",
      `http://127.0.0.1:${server.addr.port}`,
      "--model",
      "m",
      "--num-of-req",
      "2",
      "--input-token-distribution",
      "constant",
      "4",
      "--output-token-distribution",
      "constant",
      "1",
      "--header",
      "X-Tenant: blue",
      "--header",
      "X-Trace: 1",
      "--api-key-env",
      "MIB_TEST_KEY",
      "--output-file",
      out,
      "--debug",
    ], { env: { MIB_TEST_KEY: secret } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    // The two completions, the one GET /v1/models (ready check and model check in one), and
    // the probe for the server's own metrics (this server answers it with no Prometheus text).
    assert.deepEqual(seen.map((r) => `${r.method} ${r.path}`).sort(), [
      "GET /metrics",
      "GET /v1/models",
      "POST /v1/completions",
      "POST /v1/completions",
    ]);
    for (const { headers } of seen) {
      assert.equal(headers.get("x-tenant"), "blue");
      assert.equal(headers.get("x-trace"), "1");
      assert.equal(headers.get("authorization"), `Bearer ${secret}`);
    }
    const written = await Deno.readTextFile(out);
    for (const text of [run.stdout, run.stderr, written]) assert.ok(!text.includes(secret));
  } finally {
    await server.shutdown();
  }
});

Deno.test("a malformed --header is a usage error naming the flag", async () => {
  const run = await runCli(["--num-of-req", "1", "--header", "no colon here"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--header: expected "Name: value"/);
});

Deno.test("--disable-stream: unstreamed responses, TTFT null (never 0), latency measured", async () => {
  const sim = await startSimulator({ ttftMs: 20, tpotMs: 2 });
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  try {
    const run = await runCli([
      ...benchFlags(sim.url, 2, 8, 10),
      "--disable-stream",
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    for (const r of JSON.parse(await Deno.readTextFile(out))) {
      assert.equal(r.success, true);
      assert.equal(r.streamed, false);
      assert.equal(r.ttft, null);
      assert.deepEqual(r.itl, []);
      assert.equal(r.output_len, 10);
      assert.ok(r.latency >= 0.020 + 9 * 0.002 - 0.001);
    }
  } finally {
    await sim.close();
  }
});

Deno.test("backends that cannot do a flag say so", async () => {
  const base = ["--base-url", "http://127.0.0.1:9", "--num-of-req", "1", "--model", "m"];
  for (
    const [args, flag] of [
      [["--backend", "sglang", "--best-of", "2"], "--best-of"],
      [["--backend", "llama.cpp", "--use-beam-search"], "--use-beam-search"],
      [["--backend", "openai-chat", "--best-of", "2"], "--best-of"],
    ] as const
  ) {
    const run = await runCli([...base, ...args]);
    assert.equal(run.code, 2, run.stderr);
    assert.ok(run.stderr.includes(flag), run.stderr);
  }
});
