/**
 * What mib says at the edges of a run against a real HTTP server on loopback:
 * the run header before the first request, a `--model` the server does not
 * list, and a stream cut after a 200 status line.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("the run header is printed before the first request is answered", async () => {
  const headerSeen = Promise.withResolvers<void>();
  const sse = 'data: {"choices":[{"index":0,"text":" ok"}]}\n\n' +
    'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.method === "GET") return Response.json({ data: [{ id: "m" }] });
    await req.body?.cancel();
    // Held until the header is on stdout: a header printed after the run never comes.
    await Promise.race([headerSeen.promise, new Promise((r) => setTimeout(r, 10_000))]);
    return new Response(sse, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, ...benchFlags(`http://127.0.0.1:${server.addr.port}`, 1, 4, 1)],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let stdout = "";
    let headerAt = -1;
    const decoder = new TextDecoder();
    const started = performance.now();
    for await (const chunk of child.stdout) {
      stdout += decoder.decode(chunk, { stream: true });
      if (
        headerAt < 0 &&
        /^mib: openai http:\/\/127\.0\.0\.1:\d+\/v1\/completions {2}model=m/m.test(stdout)
      ) {
        headerAt = performance.now() - started;
        headerSeen.resolve();
      }
    }
    await child.stderr.cancel();
    const { code } = await child.status;
    assert.equal(code, 0, stdout);
    assert.ok(headerAt >= 0, `header seen: ${stdout}`);
    assert.ok(headerAt < 9_000, "seen while the request was held, not after the 10 s fallback");
  } finally {
    await server.shutdown();
  }
});

Deno.test("a --model the server does not list: a warning naming the served ids", async () => {
  const sim = await startSimulator({});
  try {
    const run = await runCli([...benchFlags(sim.url, 1, 4, 2), "--model", "no-such-model"]);
    assert.match(
      run.stdout,
      /warning: --model "no-such-model" is not among the models http:\/\/127\.0\.0\.1:\d+\/v1\/models lists \(mib-sim\)/,
    );
    const strict = await runCli([
      ...benchFlags(sim.url, 1, 4, 2),
      "--model",
      "no-such-model",
      "--strict",
    ]);
    assert.equal(strict.code, 2, strict.stdout);
    assert.match(strict.stderr, /^mib: --model: "no-such-model" is not among the models/m);
    const listed = await runCli([...benchFlags(sim.url, 1, 4, 2), "--model", "mib-sim"]);
    assert.ok(!listed.stdout.includes("is not among"), listed.stdout);
  } finally {
    await sim.close();
  }
});

Deno.test("a stream cut after a 200 status line is stream_cut, never parse", async () => {
  // A raw TCP server: the status line and headers of a streamed 200, then the connection closes.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const serving = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(65536);
      const n = await conn.read(buffer);
      const request = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
      const head = request.startsWith("GET")
        ? 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 24\r\n\r\n{"data":[{"id":"m"}]}   '
        : "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n";
      await conn.write(new TextEncoder().encode(head));
      conn.close();
    }
  })();
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  try {
    const run = await runCli([
      ...benchFlags(`http://127.0.0.1:${listener.addr.port}`, 2, 4, 4),
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.match(run.stdout, /Failures by kind\s*│?\s*stream_cut 2/);
    for (const r of JSON.parse(await Deno.readTextFile(out))) {
      assert.equal(r.status, 200);
      assert.match(r.error, /^stream cut after 0 chunks: /);
    }
  } finally {
    listener.close();
    await serving.catch(() => {});
  }
});
