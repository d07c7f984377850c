/**
 * Tests of the simulator's write record (`record: true`, `GET`/`DELETE
 * /mib/record`) and of the `x-request-id` echo, over real HTTP on loopback.
 *
 * Timing bounds are loose on the late side (a shared, noisy machine) but
 * strict on the early side: the scheduler must never write ahead of a
 * deadline, and the record is what proves it.
 */

import assert from "node:assert/strict";
import type { RecordedRequest, SimulatorHandle, SimulatorRecord } from "../simulator/mod.ts";
import { spawnServe, withSim } from "./_helpers.ts";

function post(
  sim: SimulatorHandle,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

interface Chunk {
  id: string;
  choices: { text?: string; delta?: { role?: string; content?: string } }[];
  usage?: { completion_tokens: number } | null;
}

/** The parsed `data:` events of a finished stream, `[DONE]` excluded (and required). */
async function events(response: Response): Promise<Chunk[]> {
  assert.equal(response.status, 200);
  const text = await response.text();
  const data = text.split("\n\n").filter((block) => block.startsWith("data: "))
    .map((block) => block.slice("data: ".length));
  assert.equal(data.at(-1), "[DONE]");
  return data.slice(0, -1).map((json) => JSON.parse(json) as Chunk);
}

/** Chunks carrying generated text: what the record counts as token chunks. */
function tokenChunks(chunks: Chunk[]): Chunk[] {
  return chunks.filter((chunk) =>
    chunk.choices.length > 0 &&
    (chunk.choices[0].text !== undefined || chunk.choices[0].delta?.role === undefined)
  );
}

async function getRecord(sim: SimulatorHandle): Promise<SimulatorRecord> {
  const response = await fetch(`${sim.url}/mib/record`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  return await response.json();
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

/** Checks the invariants every finished streamed entry must satisfy. */
function assertPaced(
  entry: RecordedRequest,
  options: { ttftMs: number; tpotMs: number; tokensPerChunk?: number },
): void {
  const { ttftMs, tpotMs, tokensPerChunk = 1 } = options;
  const { arrival, writes, tokens, end } = entry;
  assert.equal(writes.length, tokens.length, "one token count per write");
  assert.ok(writes.length > 0);
  assert.ok(arrival < writes[0], "arrival comes before the first write");
  const ttft = writes[0] - arrival;
  assert.ok(
    ttft >= ttftMs && ttft <= ttftMs + 40,
    `first write ${ttft.toFixed(2)} ms after arrival (ttft ${ttftMs})`,
  );
  let tokensBefore = 0;
  for (let i = 0; i < writes.length; i++) {
    if (i > 0) assert.ok(writes[i] > writes[i - 1], `writes ascend at ${i}`);
    // A chunk is due when its last token is; it may be late, never early.
    const due = arrival + ttftMs + (tokensBefore + tokens[i] - 1) * tpotMs;
    assert.ok(writes[i] >= due, `chunk ${i} written ${(due - writes[i]).toFixed(3)} ms early`);
    tokensBefore += tokens[i];
  }
  assert.ok(tokens.slice(0, -1).every((n) => n === tokensPerChunk), "full chunks but the last");
  assert.ok(end !== null && end >= writes.at(-1)!, "end after the last write");
}

Deno.test("record: streamed requests with ids from x-request-id, writes matching the chunks", async () => {
  const ttftMs = 40;
  const tpotMs = 4;
  await withSim({ ttftMs, tpotMs, record: true }, async (sim) => {
    // Sequential, so arrival order is known.
    const a = await events(
      await post(sim, "/v1/completions", {
        prompt: "first",
        max_tokens: 12,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }, { "x-request-id": "req-a" }),
    );
    const chat = await events(
      await post(sim, "/v1/chat/completions", {
        messages: [{ role: "user", content: "second" }],
        max_tokens: 7,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    const record = await getRecord(sim);
    assert.equal(record.timeOrigin, performance.timeOrigin, "same process, same clock origin");
    assert.deepEqual(record.requests.map((r) => [r.id, r.endpoint]), [
      ["req-a", "completions"],
      [chat[0].id, "chat"],
    ]);
    assert.ok(chat[0].id.startsWith("chatcmpl-"), "without the header, the response id");
    assert.ok(record.requests[0].arrival < record.requests[1].arrival);

    for (const [entry, chunks] of [[record.requests[0], a], [record.requests[1], chat]] as const) {
      assertPaced(entry, { ttftMs, tpotMs });
      assert.equal(entry.writes.length, tokenChunks(chunks).length, "one write per token chunk");
      assert.equal(sum(entry.tokens), chunks.at(-1)!.usage!.completion_tokens);
    }
    assert.equal(record.requests[0].writes.length, 12);
    assert.equal(record.requests[1].writes.length, 7, "the chat role chunk is not counted");
    // The library view is the same record.
    assert.deepEqual(sim.record(), record);
  });
});

Deno.test("record: multi-token chunks, a non-streaming request, a request in progress", async () => {
  const ttftMs = 10;
  const tpotMs = 3;
  await withSim({ ttftMs, tpotMs, tokensPerChunk: 3, record: true }, async (sim) => {
    const streamed = await events(
      await post(sim, "/v1/completions", {
        prompt: "hi",
        max_tokens: 10,
        ignore_eos: true,
        stream: true,
      }, { "x-request-id": "chunky" }),
    );
    assert.equal(tokenChunks(streamed).length, 4);
    const whole = await (await post(sim, "/v1/completions", {
      prompt: "hi",
      max_tokens: 5,
      ignore_eos: true,
    }, { "x-request-id": "whole" })).json();
    assert.equal(whole.usage.completion_tokens, 5);

    const [chunky, nonStreamed] = sim.record().requests;
    assert.equal(chunky.id, "chunky");
    assert.deepEqual(chunky.tokens, [3, 3, 3, 1]);
    assertPaced(chunky, { ttftMs, tpotMs, tokensPerChunk: 3 });
    // A non-streaming answer is one write carrying every token, at the last token's time.
    assert.equal(nonStreamed.id, "whole");
    assert.deepEqual(nonStreamed.tokens, [5]);
    assert.ok(nonStreamed.writes[0] >= nonStreamed.arrival + ttftMs + 4 * tpotMs);
    assert.equal(nonStreamed.end, nonStreamed.writes[0]);

    // A long stream read only partly: listed while in progress, with `end: null`.
    const response = await post(sim, "/v1/completions", {
      prompt: "hi",
      max_tokens: 10_000,
      ignore_eos: true,
      stream: true,
    }, { "x-request-id": "long" });
    const reader = response.body!.getReader();
    assert.equal((await reader.read()).done, false);
    const during = (await getRecord(sim)).requests.find((r) => r.id === "long")!;
    assert.equal(during.end, null);
    assert.ok(during.writes.length >= 1 && during.writes.length < 3334);

    // The snapshot is a copy: later writes do not reach it.
    const snapshot = sim.record();
    const writesThen = snapshot.requests[2].writes.length;
    await reader.cancel();
    // Cancellation reaches the server asynchronously; wait for it to be noted.
    let after = sim.record().requests[2];
    for (let i = 0; i < 100 && after.end === null; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      after = sim.record().requests[2];
    }
    assert.notEqual(after.end, null, "a client disconnect ends the entry");
    assert.ok(after.writes.length < 3334, "no writes after the disconnect");
    assert.equal(snapshot.requests[2].writes.length, writesThen);
    assert.equal(snapshot.requests[2].end, null);
  });
});

Deno.test("record: DELETE clears it; methods other than GET and DELETE get 405", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0, record: true }, async (sim) => {
    await events(
      await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 3, stream: true }),
    );
    assert.equal((await getRecord(sim)).requests.length, 1);

    const cleared = await fetch(`${sim.url}/mib/record`, { method: "DELETE" });
    assert.equal(cleared.status, 204);
    assert.equal(await cleared.text(), "");
    assert.deepEqual((await getRecord(sim)).requests, []);
    assert.deepEqual(sim.record().requests, []);

    await events(
      await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 2, stream: true }),
    );
    assert.equal(sim.record().requests.length, 1, "recording goes on after a clear");
    sim.clearRecord();
    assert.deepEqual(sim.record().requests, []);

    const wrong = await fetch(`${sim.url}/mib/record`, { method: "POST" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET, DELETE");
    await wrong.body?.cancel();

    // Rejected requests generate nothing and are not recorded.
    const bad = await post(sim, "/v1/completions", { prompt: "" });
    assert.equal(bad.status, 400);
    await bad.body?.cancel();
    assert.deepEqual(sim.record().requests, []);
  });
});

Deno.test("record: without recording /mib/record is 404 and record() is empty", async () => {
  await withSim({ ttftMs: 0, tpotMs: 0 }, async (sim) => {
    assert.equal(sim.options.record, false);
    await events(
      await post(sim, "/v1/completions", { prompt: "hi", max_tokens: 2, stream: true }, {
        "x-request-id": "not-recorded",
      }),
    );
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${sim.url}/mib/record`, { method });
      assert.equal(response.status, 404, method);
      assert.deepEqual(await response.json(), {
        error: { message: "Not Found", type: "Not Found", param: null, code: 404 },
      });
    }
    const record = sim.record();
    assert.deepEqual(record, { timeOrigin: performance.timeOrigin, requests: [] });
    sim.clearRecord(); // harmless
  });
});

Deno.test("x-request-id is echoed on every response, recording or not", async () => {
  for (const record of [false, true]) {
    await withSim({ ttftMs: 0, tpotMs: 0, record }, async (sim) => {
      const id = { "x-request-id": `echo-${record}` };
      const streamed = await post(sim, "/v1/completions", {
        prompt: "hi",
        max_tokens: 2,
        stream: true,
      }, id);
      assert.equal(streamed.headers.get("x-request-id"), id["x-request-id"]);
      await events(streamed);

      const whole = await post(sim, "/v1/chat/completions", {
        messages: [{ role: "user", content: "hi" }],
        max_tokens: 2,
      }, id);
      assert.equal(whole.headers.get("x-request-id"), id["x-request-id"]);
      await whole.body?.cancel();

      for (const path of ["/health", "/v1/models", "/nowhere"]) {
        const response = await fetch(`${sim.url}${path}`, { headers: id });
        assert.equal(response.headers.get("x-request-id"), id["x-request-id"], path);
        await response.body?.cancel();
      }
      const invalid = await post(sim, "/v1/completions", { prompt: 1 }, id);
      assert.equal(invalid.status, 400);
      assert.equal(invalid.headers.get("x-request-id"), id["x-request-id"]);
      await invalid.body?.cancel();

      const without = await fetch(`${sim.url}/health`);
      assert.equal(without.headers.get("x-request-id"), null, "none invented");
      await without.body?.cancel();
    });
  }
});

Deno.test("record: concurrent streams are all recorded, in arrival order, none written early", async () => {
  const ttftMs = 15;
  const tpotMs = 2;
  const streams = 48;
  await withSim({ ttftMs, tpotMs, record: true }, async (sim) => {
    const results = await Promise.all(
      Array.from({ length: streams }, async (_, i) => {
        // Staggered a little so deadlines interleave across streams.
        await new Promise((resolve) => setTimeout(resolve, i % 7));
        return events(
          await post(sim, "/v1/completions", {
            prompt: "hi",
            max_tokens: 20 + i,
            ignore_eos: true,
            stream: true,
          }, { "x-request-id": `s${i}` }),
        );
      }),
    );
    const { requests } = sim.record();
    assert.equal(requests.length, streams);
    for (let i = 1; i < requests.length; i++) {
      assert.ok(requests[i].arrival >= requests[i - 1].arrival, "arrival order");
    }
    const byId = new Map(requests.map((entry) => [entry.id, entry]));
    results.forEach((chunks, i) => {
      const entry = byId.get(`s${i}`)!;
      assert.equal(tokenChunks(chunks).length, 20 + i);
      assert.equal(entry.writes.length, 20 + i);
      // Loaded machine: only the early side is checked strictly.
      const { writes, arrival, tokens } = entry;
      assert.equal(sum(tokens), 20 + i);
      writes.forEach((at, k) => {
        assert.ok(at >= arrival + ttftMs + k * tpotMs, `s${i} chunk ${k} early`);
        if (k > 0) assert.ok(at > writes[k - 1]);
      });
    });
  });
});

Deno.test("mib serve --record serves the record and stops on SIGINT", async () => {
  const serve = await spawnServe([
    "--port",
    "0",
    "--ttft-ms",
    "1",
    "--tpot-ms",
    "1",
    "--record",
  ]);
  const { banner, url } = serve;
  try {
    assert.ok(url, `banner: ${banner}`);
    assert.match(banner, /recording at http:\/\/\S+\/mib\/record/);
    const response = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "cli" },
      body: JSON.stringify({ prompt: "hi", max_tokens: 3, ignore_eos: true, stream: true }),
    });
    assert.equal(response.headers.get("x-request-id"), "cli");
    await response.text();
    const record = await (await fetch(`${url}/mib/record`)).json();
    assert.equal(record.requests.length, 1);
    assert.equal(record.requests[0].id, "cli");
    assert.deepEqual(record.requests[0].tokens, [1, 1, 1]);
  } finally {
    assert.equal(await serve.stop(), 0);
  }
});
