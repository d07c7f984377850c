import assert from "node:assert/strict";
import {
  getBackend,
  loadTokenizer,
  planRandomRun,
  runSchedule,
  startSimulator,
  summarize,
} from "../mod.ts";
import type { RequestResult } from "../runner/result.ts";
import { runCli, tempDir } from "./_helpers.ts";

const tokenizer = await loadTokenizer();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

Deno.test("a run against the simulator: every request succeeds with the simulator's timings", async () => {
  await using sim = await simulator({ ttftMs: 40, tpotMs: 8 });
  const requests = planRandomRun({
    seed: 1,
    tokenizer,
    count: 8,
    arrival: { kind: "poisson", rate: 50 },
    input: { kind: "uniform", min: 20, max: 60 },
    output: { kind: "constant", value: 24 },
  });
  const run = await runSchedule({
    url: `${sim.url}/v1/completions`,
    backend: getBackend("openai"),
    requests,
    countTokens: tokenizer.count,
  });
  assert.equal(run.results.length, 8);
  for (const r of run.results) {
    assert.ok(r.success, r.error);
    assert.equal(r.outputLen, 24);
    assert.equal(r.outputLenSource, "server");
    assert.equal(r.itl.length, r.outputLen - 1);
    assert.equal(r.chunks, 24);
    assert.ok(r.ttft !== null && r.ttft >= 0.040 && r.ttft < 0.040 + 0.100, `ttft ${r.ttft}`);
    assert.ok(Math.abs(median(r.itl) - 0.008) < 0.002, `median itl ${median(r.itl)}`);
    assert.ok(r.latency >= 0.040 + 23 * 0.008 - 0.001, `latency ${r.latency}`);
    assert.ok(r.sendOffset >= r.plannedOffset);
    assert.equal(tokenizer.count(requests[r.index].request.prompt), r.promptLen);
  }
  const summary = summarize(run.results, run.duration);
  assert.equal(summary.completed, 8);
  // The first request of a process pays for a new connection and cold code.
  assert.ok(summary.ttft!.median < 40 + 15, `median ttft ${summary.ttft!.median} ms`);
  assert.equal(summary.totalOutputTokens, 8 * 24);
  assert.ok(Math.abs(summary.tpot!.median - 8) < 1.5, `tpot ${summary.tpot!.median}`);
});

Deno.test("chat: a role-only first chunk is not the first token, and is noted", async () => {
  await using sim = await simulator({ ttftMs: 50, tpotMs: 5 });
  const requests = planRandomRun({
    seed: 2,
    tokenizer,
    count: 2,
    arrival: { kind: "poisson", rate: Infinity },
    input: { kind: "constant", value: 32 },
    output: { kind: "constant", value: 10 },
  });
  const run = await runSchedule({
    url: `${sim.url}/v1/chat/completions`,
    backend: getBackend("openai-chat"),
    requests,
    countTokens: tokenizer.count,
  });
  for (const r of run.results) {
    assert.ok(r.success, r.error);
    assert.equal(r.outputLen, 10);
    assert.ok(r.ttft! >= 0.050, `ttft ${r.ttft} must not count the role chunk`);
    assert.ok(r.notes.some((n) => n.includes("role-only")), r.notes.join("; "));
  }
});

Deno.test("multi-token chunks: vllm's continuous usage gives tokens per chunk, and it is noted", async () => {
  await using sim = await simulator({ ttftMs: 10, tpotMs: 2, tokensPerChunk: 4 });
  const requests = planRandomRun({
    seed: 3,
    tokenizer,
    count: 1,
    arrival: { kind: "constant", gap: 0 },
    input: { kind: "constant", value: 16 },
    output: { kind: "constant", value: 18 },
  });
  const backend = getBackend("vllm");
  const run = await runSchedule({
    url: `${sim.url}/v1/completions`,
    backend,
    requests,
    countTokens: tokenizer.count,
  });
  const [r] = run.results;
  assert.ok(r.success, r.error);
  assert.equal(r.outputLen, 18);
  assert.equal(r.chunks, 5);
  assert.equal(r.itl.length, 4);
  assert.ok(r.notes.some((n) => n.includes("several tokens")));
});

Deno.test("--max-time-for-reqs sends every request planned before T", async () => {
  await using sim = await simulator({ ttftMs: 1, tpotMs: 1 });
  const requests = planRandomRun({
    seed: 0,
    tokenizer,
    maxTime: 0.35,
    arrival: { kind: "constant", gap: 0.1 },
    input: { kind: "constant", value: 8 },
    output: { kind: "constant", value: 4 },
  });
  assert.deepEqual(requests.map((r) => Math.round(r.offset * 10)), [0, 1, 2, 3]);
  const run = await runSchedule({
    url: `${sim.url}/v1/completions`,
    backend: getBackend("openai"),
    requests,
    countTokens: tokenizer.count,
  });
  assert.equal(run.results.filter((r) => r.success).length, 4);
  for (const r of run.results) assert.ok(Math.abs(r.sendOffset - r.plannedOffset) < 0.02);
});

Deno.test("the same seed gives the same plan, byte for byte; another seed does not", () => {
  const plan = (seed: number) =>
    planRandomRun({
      seed,
      tokenizer,
      count: 20,
      arrival: { kind: "poisson", rate: 4 },
      input: { kind: "normal", mean: 100, std: 20 },
      output: { kind: "uniform", min: 10, max: 50 },
      prefix: { kind: "tokens", len: 12 },
    });
  assert.equal(JSON.stringify(plan(7)), JSON.stringify(plan(7)));
  assert.notEqual(JSON.stringify(plan(7)), JSON.stringify(plan(8)));
});

Deno.test("CLI: a run writes the seed's output file", async () => {
  await using sim = await simulator({ ttftMs: 15, tpotMs: 3 });
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const run = await runCli([
    "--base-url",
    sim.url,
    "--num-of-req",
    "5",
    "--request-distribution",
    "poisson",
    "100",
    "--input-token-distribution",
    "uniform",
    "10",
    "40",
    "--output-token-distribution",
    "constant",
    "12",
    "--output-file",
    out,
  ]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /Successful requests\s*│?\s*5/);
  assert.match(run.stdout, /TTFT/);
  const records = JSON.parse(await Deno.readTextFile(out));
  assert.equal(records.length, 5);
  for (const r of records) {
    for (
      const key of [
        "text",
        "success",
        "latency",
        "ttft",
        "itl",
        "prompt_len",
        "error",
        "output_len",
      ]
    ) {
      assert.ok(key in r, `field ${key}`);
    }
    assert.equal(r.success, true);
    assert.equal(r.error, "");
    assert.equal(r.output_len, 12);
    assert.equal(r.itl.length, 11);
    assert.ok(r.prompt_len >= 10 && r.prompt_len <= 40);
    assert.equal(typeof r.planned_offset, "number");
    assert.equal(typeof r.send_offset, "number");
  }
});

Deno.test("CLI: config file values apply and command-line flags override them", async () => {
  await using sim = await simulator({ ttftMs: 5, tpotMs: 1 });
  await using dir = await tempDir();
  const config = `${dir.path}/args.json`;
  const out = `${dir.path}/out.json`;
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      backend: "openai-chat",
      host_port: new URL(sim.url).host,
      num_of_req: 6,
      input_token_distribution: ["constant", 20],
      output_token_distribution: "constant 7",
      request_distribution: ["poisson", "inf"],
      output_file: `${dir.path}/ignored.json`,
    }),
  );
  const run = await runCli(["--config-file", config, "--num-of-req", "3", "--output-file", out]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.match(run.stdout, /openai-chat/);
  const records = JSON.parse(await Deno.readTextFile(out));
  assert.equal(records.length, 3, "CLI --num-of-req wins over the file");
  assert.ok(records.every((r: { output_len: number }) => r.output_len === 7), "file value applies");
  assert.ok(records.every((r: { prompt_len: number }) => r.prompt_len === 20));
  await assert.rejects(Deno.stat(`${dir.path}/ignored.json`));
});

Deno.test("CLI: a server that is down stops the run before it starts: connection refused, exit 1", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const started = performance.now();
  const run = await runCli([
    "--host_port",
    `127.0.0.1:${port}`,
    "--num-of-req",
    "3",
    "--ready-check-timeout",
    "0.5",
  ]);
  assert.equal(run.code, 1, run.stderr + run.stdout);
  const lines = run.stderr.trim().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(
    lines[0],
    /^mib: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/models: connection refused/,
  );
  assert.ok(!run.stdout.includes("Failed requests"), "nothing was sent");
  assert.ok(performance.now() - started < 15_000);
});

Deno.test("CLI: an unreachable server fails every request with its reason, output still written", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const run = await runCli([
    "--host_port",
    `127.0.0.1:${port}`,
    // The ready check would stop the run first; this is what each request records.
    "--ready-check-timeout",
    "0",
    "--model",
    "m",
    "--num-of-req",
    "3",
    "--input-token-distribution",
    "constant",
    "8",
    "--output-file",
    out,
  ]);
  assert.equal(run.code, 1, run.stderr + run.stdout);
  const records = JSON.parse(await Deno.readTextFile(out));
  assert.equal(records.length, 3);
  for (const r of records) {
    assert.equal(r.success, false);
    assert.match(r.error, /refused|connect/i);
    assert.equal(r.ttft, null);
  }
  assert.match(run.stdout, /Failed requests\s*│?\s*3/);
  assert.match(run.stdout, /Failures by kind\s*│?\s*connect 3/);
  const record = JSON.parse(await Deno.readTextFile(`${dir.path}/out.summary.json`));
  assert.equal(record.summary.failures.connect, 3);
  assert.equal(record.metrics.failures.connect, 3);
  assert.equal(record.metrics.completed, 0);
});

Deno.test("a server error status is recorded with its body", async () => {
  await using sim = await simulator({});
  const requests = planRandomRun({
    seed: 0,
    tokenizer,
    count: 1,
    arrival: { kind: "constant", gap: 0 },
    input: { kind: "constant", value: 8 },
    output: { kind: "constant", value: 4 },
    shared: { model: "no-such-model" },
  });
  const run = await runSchedule({
    url: `${sim.url}/v1/completions`,
    backend: getBackend("openai"),
    requests,
    countTokens: tokenizer.count,
  });
  const [r] = run.results;
  assert.equal(r.success, false);
  assert.equal(r.status, 404);
  assert.match(r.error, /^HTTP 404.*does not exist/);
});

async function simulator(options: Parameters<typeof startSimulator>[0]) {
  const sim = await startSimulator(options);
  return Object.assign(sim, { [Symbol.asyncDispose]: () => sim.close() });
}

Deno.test("keepResults false: each result is counted, handed over and not kept", async () => {
  await using sim = await simulator({ ttftMs: 5, tpotMs: 1 });
  const requests = planRandomRun({
    seed: 3,
    tokenizer,
    count: 6,
    arrival: { kind: "poisson", rate: 200 },
    input: { kind: "constant", value: 8 },
    output: { kind: "constant", value: 5 },
  });
  const handed: RequestResult[] = [];
  const counted: string[] = [];
  const run = await runSchedule({
    url: `${sim.url}/v1/completions`,
    backend: getBackend("openai"),
    requests,
    keepResults: false,
    countTokens: async (text) => {
      const nth = counted.push(text);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (nth === 2) throw new Error("tokenizer gone");
      return tokenizer.count(text);
    },
    onResult: (result) => handed.push(result),
  });
  assert.deepEqual(run.results, []);
  assert.equal(run.notSent, 0);
  assert.equal(handed.length, 6, "the runner waits for counts before returning");
  assert.deepEqual(handed.map((r) => r.index).sort(), [0, 1, 2, 3, 4, 5]);
  const uncounted = handed.filter((r) => r.outputLenClient === undefined);
  assert.equal(uncounted.length, 1, "a failed count loses only the count");
  assert.ok(uncounted[0].success);
  assert.match(
    uncounted[0].notes.join("\n"),
    /not counted by the client tokenizer: tokenizer gone/,
  );
  for (const r of handed) {
    assert.equal(r.outputLen, 5);
    if (r !== uncounted[0]) assert.equal(r.outputLenClient, 5);
  }
});

Deno.test("an onResult that throws stops the sending; the run rejects once in-flight requests end", async () => {
  await using sim = await simulator({ ttftMs: 2, tpotMs: 1 });
  const requests = planRandomRun({
    seed: 4,
    tokenizer,
    count: 20,
    arrival: { kind: "constant", gap: 0.05 },
    input: { kind: "constant", value: 8 },
    output: { kind: "constant", value: 3 },
  });
  let handed = 0;
  await assert.rejects(
    runSchedule({
      url: `${sim.url}/v1/completions`,
      backend: getBackend("openai"),
      requests,
      countTokens: tokenizer.count,
      keepResults: false,
      onResult: () => {
        handed++;
        throw new Error("disk full");
      },
    }),
    /disk full/,
  );
  // The first result (about 10 ms in, later on a loaded machine) ends the
  // sending well before 20 × 50 ms: fewer than half were handed over.
  assert.ok(handed >= 1 && handed < 10, `${handed} results handed over`);
});
