/**
 * The conformance suite every registered backend runs: the CLI benchmarks the
 * simulator speaking that backend's protocol and the output file must hold the
 * right text, token counts and timings; a stream that breaks mid-way fails the
 * request and keeps what arrived; a backend that can also answer unstreamed
 * does so with TTFT unknown. A pooling backend (embeddings, rerank:
 * `features.pooling`), which generates nothing, is held instead to its
 * inputs: `--batch` of them per request, each answered, counted by the server
 * as planned, no token timings. A backend is tested by being registered in
 * `backends/mod.ts` (and spoken by the simulator).
 */
import assert from "node:assert/strict";
import {
  type Backend,
  BACKENDS,
  getBackend,
  type SeedRecord,
  type SimulatorOptions,
  type SimulatorRecord,
  startSimulator,
} from "../mod.ts";
import { benchFlags, type CliRun, runCli, tempDir } from "./_helpers.ts";

const TTFT_MS = 30;
const TPOT_MS = 4;
const OUTPUT = 12;

interface Case {
  backend: string;
  args: string[];
}

/**
 * Every registered backend, plus the protocol variants one name covers
 * (`forEndpoint`), which the registry cannot list.
 */
const CASES: Case[] = [
  ...Object.keys(BACKENDS).map((backend) => ({ backend, args: [] })),
  { backend: "vllm", args: ["--endpoint", "/generate"] },
  { backend: "tei", args: ["--endpoint", "/rerank"] },
  { backend: "vllm-pooling", args: ["--endpoint", "/v1/embeddings"] },
  { backend: "vllm-pooling", args: ["--endpoint", "/rerank"] },
  { backend: "vllm-pooling", args: ["--endpoint", "/score"] },
];

/** The backend a case speaks: its endpoint's protocol variant. */
function backendOf(c: Case): Backend {
  const endpoint = c.args[c.args.indexOf("--endpoint") + 1];
  return getBackend(c.backend, c.args.includes("--endpoint") ? endpoint : undefined);
}

/** Inputs per pooling request in the conformance runs. */
const BATCH = 3;

/** The flags a backend needs beyond the common ones. */
function needs(name: string): string[] {
  return BACKENDS[name].features.model === "required" ? ["--model", "mib-sim"] : [];
}

/** Runs `mib bench` with `args` against a fresh simulator; the seed file's records come back. */
async function benchSimulator(
  simulator: SimulatorOptions,
  args: (url: string) => string[],
): Promise<{ run: CliRun; records: SeedRecord[]; served: SimulatorRecord }> {
  const sim = await startSimulator(simulator);
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  try {
    const run = await runCli([...args(sim.url), "--output-file", out]);
    const records = JSON.parse(await Deno.readTextFile(out));
    return { run, records, served: sim.record() };
  } finally {
    await sim.close();
  }
}

for (const c of CASES.filter((c) => backendOf(c).features.pooling !== undefined)) {
  const name = [c.backend, ...c.args].join(" ");
  const task = backendOf(c).features.pooling;
  Deno.test(`conformance: ${name} (pooling: ${task})`, async () => {
    const { run, records, served } = await benchSimulator(
      { ttftMs: TTFT_MS, poolingTokenMs: 0.5, record: true },
      (url) => [
        "--backend",
        c.backend,
        ...c.args,
        ...needs(c.backend),
        "--base-url",
        url,
        "--num-of-req",
        "3",
        "--batch",
        String(BATCH),
        "--request-distribution",
        "constant",
        "0.05",
        "--input-token-distribution",
        "constant",
        "16",
      ],
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.match(run.stdout, /note: no TTFT, TPOT or ITL/);
    assert.equal(records.length, 3);
    // rerank: the query's 16 tokens once per document, as the server encodes each pair.
    const promptLen = task === "rerank" ? BATCH * (16 + 16) : BATCH * 16;
    for (const r of records) {
      assert.equal(r.success, true, r.error);
      assert.equal(r.input_count, BATCH);
      assert.equal(r.prompt_len, promptLen);
      assert.equal(r.prompt_len_server, promptLen, "the server's count of the inputs");
      assert.equal(r.output_len, 0);
      assert.equal(r.output_len_asked, 0);
      assert.equal(r.streamed, false);
      assert.equal(r.ttft, null);
      assert.deepEqual(r.itl, []);
      assert.deepEqual(r.notes, []);
      assert.ok(r.latency >= (TTFT_MS + promptLen * 0.5) / 1000 - 0.001, `latency ${r.latency}`);
    }
    assert.deepEqual(served.requests.map((q) => q.inputs), [BATCH, BATCH, BATCH]);
  });
}

for (const c of CASES.filter((c) => backendOf(c).features.pooling === undefined)) {
  const name = [c.backend, ...c.args].join(" ");
  const streamed = BACKENDS[c.backend].features.stream !== "never";
  Deno.test(`conformance: ${name}`, async () => {
    const { run, records, served } = await benchSimulator(
      { ttftMs: TTFT_MS, tpotMs: TPOT_MS, record: true },
      (url) => [
        "--backend",
        c.backend,
        ...c.args,
        ...needs(c.backend),
        "--base-url",
        url,
        "--num-of-req",
        "3",
        "--request-distribution",
        "constant",
        "0.05",
        "--input-token-distribution",
        "constant",
        "16",
        "--output-token-distribution",
        "constant",
        String(OUTPUT),
      ],
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(records.length, 3);
    // What the server did, by request: its write times (ms) of the token chunks.
    const writes = new Map(served.requests.map((q) => [Number(q.id.split("-").at(-1)), q.writes]));
    for (const r of records) {
      assert.equal(r.success, true, r.error);
      assert.equal(r.output_len, OUTPUT, `output_len (${r.output_len_source})`);
      // Whichever counted, both counts agree on the simulator's single-token words.
      assert.equal(r.output_len_client, OUTPUT);
      assert.equal(r.prompt_len, 16);
      // The simulator agrees with every backend: what was asked, and the server's prompt count.
      assert.equal(r.output_len_asked, OUTPUT);
      assert.ok(r.prompt_len_server === null || r.prompt_len_server === 16, "prompt_len_server");
      assert.ok(
        !r.notes.some((n) => /asked for|prompt tokens|truncated/.test(n)),
        r.notes.join("; "),
      );
      assert.ok(r.text.trim().split(/\s+/).length === OUTPUT, `text: ${JSON.stringify(r.text)}`);
      const lastToken = (TTFT_MS + (OUTPUT - 1) * TPOT_MS) / 1000;
      assert.ok(r.latency >= lastToken - 0.001, `latency ${r.latency}`);
      if (!streamed) {
        assert.equal(r.streamed, false);
        assert.equal(r.ttft, null);
        continue;
      }
      assert.equal(r.streamed, true);
      assert.ok(r.ttft !== null && r.ttft >= TTFT_MS / 1000, `ttft ${r.ttft}`);
      assert.ok(r.ttft < (TTFT_MS + 40) / 1000, `ttft ${r.ttft}`);
      assert.equal(r.itl.length, OUTPUT - 1);
      // The client's inter-token gaps span what the server's own writes span (measured
      // against what it did, not what it was told). Spans, not single gaps: on a loaded
      // machine writes coalesce on the wire or a read is late, which moves gaps around
      // but not their sum by more than one late first or last read. A client that
      // buffered the stream would see ~0; one that timed against the nominal TPOT or
      // added per-chunk time would stray by a multiple of it.
      const w = writes.get(r.index!)!.slice(-OUTPUT);
      const serverSpan = (w.at(-1)! - w[0]) / 1000;
      const clientSpan = r.itl.reduce((a, b) => a + b, 0);
      assert.ok(
        Math.abs(clientSpan - serverSpan) <= 0.25 * serverSpan + 0.01,
        `client ITL span ${clientSpan}, server write span ${serverSpan}`,
      );
    }
  });
}

for (const c of CASES.filter((c) => backendOf(c).features.stream !== "never")) {
  const name = [c.backend, ...c.args].join(" ");
  Deno.test(`conformance: ${name}: an error mid-stream fails the request and keeps what arrived`, async () => {
    const { run, records: [r] } = await benchSimulator(
      { ttftMs: 5, tpotMs: 2, failAfter: 3 },
      (
        url,
      ) => ["--backend", c.backend, ...c.args, ...needs(c.backend), ...benchFlags(url, 1, 8, 10)],
    );
    assert.equal(run.code, 1, run.stderr + run.stdout);
    assert.equal(r.success, false);
    assert.notEqual(r.error, "");
    assert.equal(r.chunks, 3, `chunks before the error (${r.error})`);
    assert.ok(r.ttft !== null, "the first token's time is kept");
  });
}

for (
  const name of Object.keys(BACKENDS).filter((n) => BACKENDS[n].features.stream === "optional")
) {
  Deno.test(`conformance: ${name} --disable-stream answers whole, TTFT unknown`, async () => {
    const { run, records: [r] } = await benchSimulator(
      { ttftMs: 5, tpotMs: 2 },
      (
        url,
      ) => [
        "--backend",
        name,
        ...needs(name),
        ...benchFlags(url, 1, 8, OUTPUT),
        "--disable-stream",
      ],
    );
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(r.success, true, r.error);
    assert.equal(r.streamed, false);
    assert.equal(r.ttft, null);
    assert.equal(r.output_len, OUTPUT);
  });
}
