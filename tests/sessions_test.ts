/**
 * Multi-turn sessions against the simulator: each turn's request carries the
 * history (earlier user turns and the server's own replies), checked turn by
 * turn from the simulator's record of request bodies; per-turn metrics in the
 * summary and the result files; the prefix cache's effect on TTFT by turn.
 */
import assert from "node:assert/strict";
import type { SeedRecord } from "../mod.ts";
import type { SimulatorRecord } from "../simulator/mod.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import { runCli, tempDir, withSim } from "./_helpers.ts";

/** The flags of a run of `sessions` sessions of `turns` turns, 64-token turns, 16-token replies. */
function sessionFlags(url: string, sessions: number, turns: number, out: string): string[] {
  return [
    "--backend",
    "openai-chat",
    "--base-url",
    url,
    "--tokenizer",
    "cl100k_base",
    "--num-of-req",
    String(sessions),
    "--request-distribution",
    "poisson",
    "50",
    "--turns",
    "constant",
    String(turns),
    "--think-time",
    "uniform",
    "5",
    "20",
    "--input-token-distribution",
    "constant",
    "64",
    "--output-token-distribution",
    "constant",
    "16",
    "--output-file",
    out,
    "--disable-tqdm",
  ];
}

interface Message {
  role: string;
  content: string;
}

Deno.test("multi-turn: every turn carries the history with the server's replies, turn by turn", async () => {
  await withSim({ record: true, ttftMs: 2, tpotMs: 1 }, async (sim) => {
    await using dir = await tempDir();
    const out = `${dir.path}/out.json`;
    const run = await runCli(sessionFlags(sim.url, 3, 3, out));
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
    assert.equal(records.length, 9);
    const record: SimulatorRecord = await (await fetch(`${sim.url}/mib/record`)).json();
    const bodies = new Map(
      record.requests.map((
        r,
      ) => [Number(r.id.split("-").at(-1)), r.body as { messages: Message[] }]),
    );
    for (const r of records) {
      assert.ok(r.success, r.error);
      assert.equal(r.index, r.session! * 3 + r.turn!);
      const messages = bodies.get(r.index)!.messages;
      assert.equal(messages.length, 2 * r.turn! + 1);
      // The history is the session's earlier turns: their prompts and the texts they got back.
      const earlier = records.filter((e) => e.session === r.session && e.turn! < r.turn!)
        .sort((a, b) => a.turn! - b.turn!);
      earlier.forEach((e, k) => {
        const sent = bodies.get(e.index)!.messages;
        assert.deepEqual(messages[2 * k], sent.at(-1), "the same user message as that turn sent");
        assert.deepEqual(messages[2 * k + 1], { role: "assistant", content: e.text });
      });
      assert.equal(messages.at(-1)!.role, "user");
      // prompt_len: every message's content, the replies counted by the client tokenizer.
      const expected = 64 * (r.turn! + 1) + earlier.reduce((n, e) => n + e.output_len_client!, 0);
      assert.equal(r.prompt_len, expected);
      assert.equal(r.prompt_len_server, expected, "the simulator counts the same contents");
      // Each later turn is sent after the previous one ended plus its think time (5–20 ms).
      const previous = earlier.at(-1);
      if (previous !== undefined) {
        const end = previous.send_offset + previous.latency;
        assert.ok(r.planned_offset >= end + 0.005 - 1e-9 && r.planned_offset <= end + 0.020 + 1e-3);
        assert.ok(r.send_offset >= r.planned_offset);
      }
    }
    // Per-turn rows in the console and the run record.
    assert.match(run.stdout, /^By turn +requests +failed +TTFT p50 ms/m);
    const summary = JSON.parse(await Deno.readTextFile(`${dir.path}/out.summary.json`)).summary;
    assert.equal(summary.turns.length, 3);
    for (const [k, row] of summary.turns.entries()) {
      assert.equal(row.turn, k);
      assert.equal(row.requests, 3);
      assert.ok(row.ttft.p50 > 0 && row.e2el.p99 >= row.e2el.p50);
    }
    assert.ok(summary.turns[2].promptLen > summary.turns[1].promptLen);
  });
});

Deno.test("multi-turn: the session plan is the seed's, byte for byte; only send times differ", async () => {
  await withSim({ record: true, ttftMs: 1, tpotMs: 0 }, async (sim) => {
    await using dir = await tempDir();
    const plans: unknown[] = [];
    for (const pass of [0, 1]) {
      const out = `${dir.path}/out${pass}.json`;
      const flags = sessionFlags(sim.url, 4, 1, out);
      // Turn counts drawn per session: 1 to 4.
      flags.splice(flags.indexOf("--turns") + 1, 2, "uniform", "1", "4");
      const run = await runCli(flags);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
      const record: SimulatorRecord = await (await fetch(`${sim.url}/mib/record`, {
        method: "GET",
      })).json();
      await fetch(`${sim.url}/mib/record`, { method: "DELETE" });
      const users = record.requests.map((r) => {
        const messages = (r.body as { messages: Message[] }).messages;
        return [Number(r.id.split("-").at(-1)), messages.at(-1)!.content, messages.length];
      }).sort((a, b) => (a[0] as number) - (b[0] as number));
      plans.push({
        turns: records.map((r) => [r.index, r.session, r.turn, r.output_len_asked]),
        users,
        firstOffsets: records.filter((r) => r.turn === 0).map((r) => r.planned_offset),
      });
    }
    assert.deepEqual(plans[0], plans[1]);
    const { turns } = plans[0] as { turns: number[][] };
    assert.ok(turns.length > 4, "some session had more than one turn");
  });
});

Deno.test("multi-turn: with the simulator's prefix cache, TTFT grows much less by turn", async () => {
  const byTurn: number[][] = [];
  for (const prefixCache of [false, true]) {
    await withSim({ ttftMs: 5, tpotMs: 0, prefillMsPerToken: 0.2, prefixCache }, async (sim) => {
      await using dir = await tempDir();
      const out = `${dir.path}/out.json`;
      const flags = sessionFlags(sim.url, 3, 4, out);
      flags.splice(flags.indexOf("--input-token-distribution") + 2, 1, "256");
      const run = await runCli(flags);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
      const medians = [0, 1, 2, 3].map((k) => {
        const ttfts = records.filter((r) => r.turn === k).map((r) => r.ttft!).sort((a, b) => a - b);
        return ttfts[1] * 1000;
      });
      byTurn.push(medians);
      for (const r of records) {
        if (!prefixCache) assert.equal(r.prompt_cached, null);
        else if (r.turn === 0) assert.equal(r.prompt_cached, 0);
        // Later turns: the history (earlier turns and replies) was cached, in 64-character blocks.
        else assert.ok(r.prompt_cached! > r.prompt_len - 256 - 40, `${r.prompt_cached}`);
      }
    });
  }
  const [without, withCache] = byTurn;
  // Without the cache turn 3 prefills 4 × 256 + 3 × 16 tokens (~219 ms), turn 1 2 × 256 + 16
  // (~111 ms); with it, every turn prefills about one turn's new tokens (~56 ms). Turn 0 is
  // left out: the first requests of a run also pay for its cold start (new connections).
  const growth = (m: number[]) => m[3] - m[1];
  assert.ok(growth(without) > 60, `without: ${without}`);
  assert.ok(growth(withCache) < growth(without) / 3, `with: ${withCache}, without: ${without}`);
});

Deno.test("multi-turn: refused where it cannot run, in one line naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--backend", "openai", "--turns", "constant", "2"],
      /--multi-turn: backend openai cannot carry/,
    ],
    [["--backend", "openai-chat", "--multi-turn"], /--multi-turn: random sessions need .*--turns/],
    [["--backend", "openai-chat", "--max-turns", "3"], /--max-turns: shapes multi-turn sessions/],
    [
      ["--backend", "openai-chat", "--turns", "constant", "2", "--warmup", "2"],
      /--multi-turn: not \(yet\) with --warmup/,
    ],
  ];
  for (const [flags, error] of cases) {
    const run = await runCli([
      "--base-url",
      "http://127.0.0.1:9",
      "--num-of-req",
      "2",
      "--tokenizer",
      "cl100k_base",
      ...flags,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, error);
  }
});

Deno.test("multi-turn ShareGPT: each conversation's human turns in order, asking for its replies' lengths, with the server's replies as history", async () => {
  const tokenizer = await loadTokenizer("cl100k_base");
  await using dir = await tempDir();
  const dataset = `${dir.path}/sharegpt.json`;
  const words = (n: number, w: string) => Array.from({ length: n }, () => w).join(" ");
  const conversations = Array.from({ length: 4 }, (_, c) => ({
    id: `c${c}`,
    conversations: [
      { from: "human", value: `question ${c} ${words(5 + c, "apple")}` },
      { from: "gpt", value: words(6 + c, "pear") },
      { from: "human", value: `follow up ${c} ${words(3, "plum")}` },
      { from: "gpt", value: words(4 + c, "fig") },
      { from: "human", value: `last ${c}` },
      { from: "gpt", value: words(3, "kiwi") },
    ],
  }));
  await Deno.writeTextFile(dataset, JSON.stringify(conversations));
  await withSim({ record: true, ttftMs: 2, tpotMs: 1 }, async (sim) => {
    const out = `${dir.path}/out.json`;
    const run = await runCli([
      "--backend",
      "openai-chat",
      "--base-url",
      sim.url,
      "--tokenizer",
      "cl100k_base",
      "--dataset-name",
      "sharegpt",
      "--dataset-path",
      dataset,
      "--multi-turn",
      "--max-turns",
      "2",
      "--num-of-req",
      "3",
      "--request-distribution",
      "poisson",
      "50",
      "--output-file",
      out,
      "--disable-tqdm",
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
    assert.equal(records.length, 6, "3 sessions of 2 turns (--max-turns)");
    const record: SimulatorRecord = await (await fetch(`${sim.url}/mib/record`)).json();
    const bodies = new Map(
      record.requests.map((
        r,
      ) => [Number(r.id.split("-").at(-1)), r.body as { messages: Message[] }]),
    );
    const seen = new Set<number>();
    for (let session = 0; session < 3; session++) {
      const turns = records.filter((r) => r.session === session).sort((a, b) => a.turn! - b.turn!);
      assert.deepEqual(turns.map((r) => r.turn), [0, 1]);
      const first = bodies.get(turns[0].index)!.messages;
      const c = Number(/^question (\d)/.exec(first[0].content)![1]);
      seen.add(c);
      const convo = conversations[c].conversations;
      // Turn k sends human turn k, asking for the dataset reply's length.
      assert.equal(turns[0].output_len_asked, tokenizer.count(convo[1].value));
      assert.equal(turns[1].output_len_asked, tokenizer.count(convo[3].value));
      const second = bodies.get(turns[1].index)!.messages;
      assert.deepEqual(second.map((m) => m.role), ["user", "assistant", "user"]);
      assert.equal(second[0].content, convo[0].value);
      // The history carries the server's reply, not the dataset's.
      assert.equal(second[1].content, turns[0].text);
      assert.notEqual(second[1].content, convo[1].value);
      assert.equal(second[2].content, convo[2].value);
    }
    assert.equal(seen.size, 3, "three different conversations");
  });
});

Deno.test("multi-turn ShareGPT: --turns and a missing --num-of-req are usage errors", async () => {
  for (
    const [flags, error] of [
      [["--num-of-req", "2", "--turns", "constant", "2"], /--turns: a ShareGPT conversation gives/],
      [
        ["--max-time-for-reqs", "5"],
        /--multi-turn: ShareGPT sessions are counted: give --num-of-req/,
      ],
    ] as const
  ) {
    const run = await runCli([
      "--base-url",
      "http://127.0.0.1:9",
      "--backend",
      "openai-chat",
      "--tokenizer",
      "cl100k_base",
      "--dataset-name",
      "sharegpt",
      "--dataset-path",
      "/no/such.json",
      "--multi-turn",
      ...flags,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, error);
  }
});
