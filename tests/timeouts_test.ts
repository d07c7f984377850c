/**
 * Timeouts against raw TCP servers on loopback: one that accepts and never
 * answers, one that answers one event and stalls. The run never hangs, and a
 * timed-out request keeps what arrived.
 */
import assert from "node:assert/strict";
import { classifyFailure, getBackend, runSchedule, type SeedRecord } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

/** A server answering `GET /v1/models`; a POST gets `answer` (bytes), then the connection is held. */
function rawServer(answer: string): { url: string; close(): void } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const held: Deno.Conn[] = [];
  (async () => {
    for await (const conn of listener) {
      (async () => {
        const buffer = new Uint8Array(65536);
        const n = await conn.read(buffer).catch(() => null);
        const request = new TextDecoder().decode(buffer.subarray(0, n ?? 0));
        if (request.startsWith("GET")) {
          const body = '{"data":[{"id":"m"}]}';
          await conn.write(new TextEncoder().encode(
            `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
          ));
          conn.close();
          return;
        }
        if (answer !== "") await conn.write(new TextEncoder().encode(answer)).catch(() => {});
        held.push(conn);
      })();
    }
  })().catch(() => {});
  return {
    url: `http://127.0.0.1:${listener.addr.port}`,
    close() {
      listener.close();
      for (const conn of held) {
        try {
          conn.close();
        } catch { /* closed by the client */ }
      }
    },
  };
}

async function bench(
  url: string,
  flags: string[],
): Promise<{ code: number; stdout: string; records: SeedRecord[]; seconds: number }> {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const started = performance.now();
  const run = await runCli([...benchFlags(url, 2, 4, 8), "--output-file", out, ...flags]);
  const seconds = (performance.now() - started) / 1000;
  return {
    code: run.code,
    stdout: run.stdout,
    records: JSON.parse(await Deno.readTextFile(out)),
    seconds,
  };
}

Deno.test("a server that accepts and never answers: --request-timeout ends each request, the run ends", async () => {
  const server = rawServer("");
  try {
    const run = await bench(server.url, ["--request-timeout", "1"]);
    assert.equal(run.code, 1, run.stdout);
    assert.ok(run.seconds < 15, `the run took ${run.seconds} s`);
    for (const r of run.records) {
      assert.equal(r.success, false);
      assert.equal(r.error, "timeout: no complete response within 1 s (--request-timeout)");
      assert.ok(r.latency >= 1 && r.latency < 3, `latency ${r.latency}`);
    }
    assert.match(run.stdout, /Failures by kind\s*│?\s*timeout 2/);
  } finally {
    server.close();
  }
});

Deno.test("a response that stalls after one event: --stall-timeout ends it, keeping what arrived", async () => {
  const event = 'data: {"choices":[{"index":0,"text":" a"}]}\n\n';
  const server = rawServer(
    "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
      `${event.length.toString(16)}\r\n${event}\r\n`,
  );
  try {
    const run = await bench(server.url, ["--stall-timeout", "0.5"]);
    assert.equal(run.code, 1, run.stdout);
    assert.ok(run.seconds < 15, `the run took ${run.seconds} s`);
    for (const r of run.records) {
      assert.equal(r.success, false);
      assert.equal(r.error, "timeout: no byte for 0.5 s mid-stream (--stall-timeout)");
      assert.equal(r.status, 200);
      assert.equal(r.chunks, 1, "the chunk that arrived is kept");
      assert.ok(r.ttft !== null, "with its time");
      assert.equal(r.text, " a");
    }
    assert.match(run.stdout, /Failures by kind\s*│?\s*timeout 2/);
  } finally {
    server.close();
  }
});

/**
 * A listener that never accepts, its backlog filled: a further connect gets
 * no answer (the kernel drops its SYN), as a server too busy to accept does.
 */
async function fullBacklog(): Promise<{ url: string } & Disposable> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  const filled: Deno.Conn[] = [];
  const dispose = () => {
    for (const conn of filled) conn.close();
    listener.close();
  };
  for (let i = 0; i < 5000; i++) {
    const connecting = Deno.connect({ hostname: "127.0.0.1", port });
    const conn = await Promise.race([
      connecting,
      new Promise<null>((resolve) => setTimeout(() => resolve(null), 300)),
    ]);
    if (conn === null) {
      connecting.then((late) => late.close(), () => {});
      return { url: `http://127.0.0.1:${port}`, [Symbol.dispose]: dispose };
    }
    filled.push(conn);
  }
  dispose();
  throw new Error("the backlog never filled: this machine answers every connect");
}

Deno.test("a server that never completes the connection: --connect-timeout fails each request as a timeout", async () => {
  using server = await fullBacklog();
  const started = performance.now();
  const run = await runSchedule({
    url: `${server.url}/v1/completions`,
    backend: getBackend("openai"),
    requests: [0, 0.05].map((offset) => ({
      offset,
      promptLen: 1,
      request: { prompt: "hi", maxTokens: 4 },
    })),
    countTokens: (text) => text.length,
    timeouts: { connect: 0.4, request: 30, stall: 30 },
  });
  const seconds = (performance.now() - started) / 1000;
  assert.equal(run.results.length, 2);
  for (const result of run.results) {
    assert.equal(result.success, false);
    assert.equal(result.error, "timeout: no connection within 0.4 s (--connect-timeout)");
    assert.equal(classifyFailure(result), "timeout");
  }
  assert.ok(seconds < 10, `the run ended (${seconds.toFixed(1)} s)`);
});
