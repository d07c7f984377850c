import assert from "node:assert/strict";
import { createTransport, type ResponseHandler } from "../runner/transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A raw TCP server answering each request with `reply(n)` (n = requests so far
 * on this server), written in pieces with a small pause between them so the
 * client sees them as separate reads.
 */
function rawServer(reply: (n: number) => { pieces: string[]; close?: boolean }) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let requests = 0;
  const connections = new Set<Deno.Conn>();
  let accepted = 0;
  const serving = (async () => {
    for await (const conn of listener) {
      accepted++;
      connections.add(conn);
      (async () => {
        const buffer = new Uint8Array(65536);
        let pending = "";
        try {
          for (;;) {
            const n = await conn.read(buffer);
            if (n === null) break;
            pending += decoder.decode(buffer.subarray(0, n));
            const headEnd = pending.indexOf("\r\n\r\n");
            if (headEnd < 0) continue;
            const length = Number(/content-length: (\d+)/i.exec(pending)?.[1] ?? 0);
            if (pending.length < headEnd + 4 + length) continue;
            pending = "";
            const { pieces, close } = reply(requests++);
            for (const piece of pieces) {
              await conn.write(encoder.encode(piece));
              await new Promise((r) => setTimeout(r, 3));
            }
            if (close) break;
          }
        } catch { /* client went away */ }
        connections.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      })();
    }
  })();
  return {
    url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}`,
    get accepted() {
      return accepted;
    },
    dropIdle() {
      for (const conn of connections) conn.close();
      connections.clear();
    },
    async close() {
      listener.close();
      for (const conn of connections) conn.close();
      await serving.catch(() => {});
    },
  };
}

class Recorder implements ResponseHandler {
  status = 0;
  reads: { text: string; time: number }[] = [];
  head(status: number) {
    this.status = status;
  }
  body(bytes: Uint8Array, time: number) {
    this.reads.push({ text: decoder.decode(bytes), time });
  }
  get text() {
    return this.reads.map((r) => r.text).join("");
  }
}

const request = {
  path: "/x",
  headers: { "content-type": "application/json" },
  body: encoder.encode("{}"),
};
const chunk = (s: string) => `${encoder.encode(s).length.toString(16)}\r\n${s}\r\n`;

Deno.test("http1: chunked body with extensions and trailers, split anywhere", async () => {
  const body = ["data: one\n\n", "data: two\n\n", "data: ünï\n\n"];
  const wire =
    "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n" +
    chunk(body[0]) + `${encoder.encode(body[1]).length.toString(16)};ext=1\r\n${body[1]}\r\n` +
    chunk(body[2]) + "0\r\nx-trailer: yes\r\n\r\n";
  // Every split point of the wire bytes into two writes, plus one write per byte region.
  const bytes = encoder.encode(wire);
  for (const split of [1, 10, 60, 75, 80, 90, bytes.length - 3, bytes.length - 1]) {
    const server = rawServer(() => ({
      pieces: [decoder.decode(bytes.subarray(0, split)), decoder.decode(bytes.subarray(split))],
    }));
    const transport = createTransport("http1", server.url);
    const recorder = new Recorder();
    await transport.send(request, recorder);
    assert.equal(recorder.status, 200);
    assert.equal(recorder.text, body.join(""), `split at ${split}`);
    transport.close();
    await server.close();
  }
});

Deno.test("http1: each read is stamped as it arrives", async () => {
  const server = rawServer(() => ({
    pieces: [
      "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
      chunk("a"),
      chunk("b"),
      "0\r\n\r\n",
    ],
  }));
  const transport = createTransport("http1", server.url);
  const recorder = new Recorder();
  const before = performance.now();
  const end = await transport.send(request, recorder);
  assert.deepEqual(recorder.reads.map((r) => r.text), ["a", "b"]);
  assert.ok(recorder.reads[0].time > before);
  assert.ok(recorder.reads[1].time - recorder.reads[0].time >= 2, "pieces 3 ms apart");
  assert.ok(end >= recorder.reads[1].time);
  transport.close();
  await server.close();
});

Deno.test("http1: content-length and close-delimited bodies, error statuses", async () => {
  const replies = [
    { pieces: ["HTTP/1.1 404 Not Found\r\ncontent-length: 9\r\n\r\n", "not found"] },
    { pieces: ["HTTP/1.0 200 OK\r\n\r\n", "until ", "close"], close: true },
  ];
  const server = rawServer((n) => replies[n]);
  const transport = createTransport("http1", server.url);
  const first = new Recorder();
  await transport.send(request, first);
  assert.equal(first.status, 404);
  assert.equal(first.text, "not found");
  const second = new Recorder();
  await transport.send(request, second);
  assert.equal(second.text, "until close");
  assert.equal(server.accepted, 1, "the content-length response kept the connection alive");
  transport.close();
  await server.close();
});

Deno.test("http1: a 100 Continue interim response is skipped", async () => {
  const server = rawServer(() => ({
    pieces: ["HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"],
  }));
  const transport = createTransport("http1", server.url);
  const recorder = new Recorder();
  await transport.send(request, recorder);
  assert.equal(recorder.status, 200);
  assert.equal(recorder.text, "ok");
  transport.close();
  await server.close();
});

Deno.test("http1: a kept-alive connection the server dropped is replaced once", async () => {
  const server = rawServer(() => ({ pieces: ["HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"] }));
  const transport = createTransport("http1", server.url);
  await transport.send(request, new Recorder());
  server.dropIdle();
  await new Promise((r) => setTimeout(r, 20));
  const recorder = new Recorder();
  await transport.send(request, recorder);
  assert.equal(recorder.text, "ok");
  assert.equal(server.accepted, 2);
  transport.close();
  await server.close();
});

Deno.test("http1: a stream cut mid-body rejects, keeping what arrived", async () => {
  const server = rawServer(() => ({
    pieces: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n", chunk("partial")],
    close: true,
  }));
  const transport = createTransport("http1", server.url);
  const recorder = new Recorder();
  await assert.rejects(transport.send(request, recorder), /closed before the response ended/);
  assert.equal(recorder.text, "partial");
  transport.close();
  await server.close();
});

Deno.test("http1: refused connection and abort", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const refused = createTransport("http1", `http://127.0.0.1:${port}`);
  await assert.rejects(refused.send(request, new Recorder()), /refused/i);

  const server = rawServer(() => ({
    pieces: ["HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"],
  }));
  const transport = createTransport("http1", server.url);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error("stop")), 30);
  await assert.rejects(transport.send(request, new Recorder(), controller.signal), /stop/);
  transport.close();
  await server.close();
});

for (const name of ["http1", "fetch"] as const) {
  Deno.test(`${name}: the same bytes through either transport`, async () => {
    const server = rawServer(() => ({
      pieces: [
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n",
        chunk("data: x\n\n"),
        "0\r\n\r\n",
      ],
    }));
    const transport = createTransport(name, server.url);
    const recorder = new Recorder();
    await transport.send(request, recorder);
    assert.equal(recorder.status, 200);
    assert.equal(recorder.text, "data: x\n\n");
    transport.close();
    await server.close();
  });
}
