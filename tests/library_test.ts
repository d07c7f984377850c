/**
 * The library API of mod.ts against the simulator: `runBenchmark(config)`,
 * `benchmarkStream`, `registerBackend`, `readResults`, `mergeResults`,
 * `summarize`; its config checked as a config file is.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  type Backend,
  benchmarkStream,
  getBackend,
  mergeResults,
  readResults,
  registerBackend,
  runBenchmark,
  summarize,
  UsageError,
} from "../mod.ts";
import { tempDir, withSim } from "./_helpers.ts";

const fast = { ttftMs: 5, tpotMs: 1 };
const small = {
  num_of_req: 6,
  input_token_distribution: "constant 16",
  output_token_distribution: "constant 8",
  request_distribution: "poisson 50",
};

Deno.test("runBenchmark(config): every result and the summary, the CLI's lines in log", async () => {
  await withSim(fast, async (sim) => {
    const done = await runBenchmark({ base_url: sim.url, backend: "vllm", ...small });
    assert.equal(done.results.length, 6);
    assert.ok(done.results.every((r) => r.success));
    assert.equal(done.summary.completed, 6);
    assert.equal(done.failed, false);
    assert.equal(done.config.numOfReq, 6);
    assert.ok(done.log.some((line) => line.startsWith("mib: vllm ")), done.log.join("\n"));
    assert.ok(done.log.some((line) => line.includes("TTFT")), done.log.join("\n"));
  });
});

Deno.test("runBenchmark(config): a bad value or an unknown key is the config file's UsageError", async () => {
  await assert.rejects(
    () => runBenchmark({ num_of_req: -1 }),
    (e) => e instanceof UsageError && /^config: key "num_of_req" must be /.test(e.message),
  );
  await assert.rejects(
    () => runBenchmark({ num_of_reqs: 10 }),
    (e) => e instanceof UsageError && /^config: unknown key "num_of_reqs"/.test(e.message),
  );
  await assert.rejects(
    () => runBenchmark({ num_of_req: 5, max_time_for_reqs: 5 }),
    (e) => e instanceof UsageError && e.message.startsWith("--num-of-req/--max-time-for-reqs"),
  );
  await assert.rejects(
    () => runBenchmark({ backend: "nope", num_of_req: 1 }),
    (e) => e instanceof UsageError && /unknown backend "nope"/.test(e.message),
  );
});

Deno.test("benchmarkStream(config): yields each result as it ends, returns the benchmark", async () => {
  await withSim(fast, async (sim) => {
    const stream = benchmarkStream({ base_url: sim.url, backend: "openai", ...small });
    const seen: number[] = [];
    let step = await stream.next();
    while (!step.done) {
      seen.push(step.value.index);
      step = await stream.next();
    }
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5]);
    assert.equal(step.value.summary.completed, 6);
    assert.equal(step.value.results.length, 6);
  });
});

Deno.test("benchmarkStream(config): leaving the loop early ends the run", async () => {
  await withSim({ ttftMs: 5, tpotMs: 20 }, async (sim) => {
    let taken = 0;
    for await (
      const _ of benchmarkStream({
        base_url: sim.url,
        backend: "openai",
        ...small,
        num_of_req: 50,
        request_distribution: "poisson inf",
        output_token_distribution: "constant 200",
      })
    ) {
      if (++taken === 1) break;
    }
    assert.equal(taken, 1);
  });
});

/** The README's example of a custom protocol: openai's, with a header of its own. */
function teamBackend(): Backend {
  const openai = getBackend("openai");
  return {
    ...openai,
    name: "my-openai",
    buildRequest: (request) => {
      const built = openai.buildRequest(request);
      return { ...built, headers: { ...built.headers, "x-team": "bench" } };
    },
  };
}

Deno.test("registerBackend(backend): a custom protocol benchmarks the simulator, no registry changed", async () => {
  await withSim(fast, async (sim) => {
    const mib = registerBackend(teamBackend());
    const done = await mib.runBenchmark({ base_url: sim.url, backend: "my-openai", ...small });
    assert.equal(done.summary.completed, 6);
    assert.ok(done.log.some((line) => line.startsWith("mib: my-openai ")));
    // The same in one call, and nothing global: without it the name is unknown.
    const again = await runBenchmark(
      { base_url: sim.url, backend: "my-openai", ...small },
      { backends: [teamBackend()] },
    );
    assert.equal(again.summary.completed, 6);
    await assert.rejects(
      () => runBenchmark({ base_url: sim.url, backend: "my-openai", ...small }),
      (e) => e instanceof UsageError && !e.message.includes('my-openai",'),
    );
    await assert.rejects(
      () => mib.runBenchmark({ base_url: sim.url, backend: "my-openai", ...small, workers: 2 }),
      (e) => e instanceof UsageError && e.message.startsWith("--workers"),
    );
  });
});

Deno.test("registerBackend(backend): its requests carry what its buildRequest built", async () => {
  // Answers the ready check, and each completion with one streamed token.
  const teams: (string | null)[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (req.method !== "POST") return Response.json({ data: [{ id: "m" }] });
    teams.push(req.headers.get("x-team"));
    const sse = 'data: {"choices":[{"index":0,"text":" ok"}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
    return new Response(sse, { headers: { "content-type": "text/event-stream" } });
  });
  try {
    await runBenchmark(
      {
        base_url: `http://127.0.0.1:${server.addr.port}`,
        backend: "my-openai",
        model: "m",
        tokenizer: "cl100k_base",
        ...small,
      },
      { backends: [teamBackend()] },
    );
  } finally {
    await server.shutdown();
  }
  assert.deepEqual(teams, Array(6).fill("bench"));
});

Deno.test("readResults and mergeResults read back what runBenchmark wrote; summarize(results) agrees", async () => {
  await using dir = await tempDir();
  await withSim(fast, async (sim) => {
    // Both shards at once, from one start.
    const startAt = Math.ceil(Date.now() / 1000) + 2;
    const files = ["0/2", "1/2"].map((shard) => ({
      shard,
      output_file: join(dir.path, `shard-${shard[0]}.jsonl`),
    }));
    await Promise.all(files.map(({ shard, output_file }) =>
      runBenchmark({
        base_url: sim.url,
        backend: "openai",
        ...small,
        output_format: "jsonl",
        output_file,
        shard,
        start_at: startAt,
      })
    ));
    const first = await readResults(files[0].output_file);
    assert.equal(first.length, 3);
    assert.equal(summarize(first).completed, 3);
    const merged = await mergeResults(...files.map((f) => f.output_file));
    assert.equal(merged.summary.completed, 6);
    assert.equal(merged.exact, true);
  });
  await assert.rejects(() => readResults(join(dir.path, "none.jsonl")), UsageError);
});

Deno.test("nothing the library API reaches prints or exits: no console.* or Deno.exit in its module graph", async () => {
  const entries = ["benchmark.ts", "stream.ts", "registry.ts", "results.ts"].map((f) =>
    new URL(`../library/${f}`, import.meta.url).pathname
  );
  const modules: string[] = [];
  for (const entry of entries) {
    const info = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      stdout: "piped",
    }).output();
    const graph = JSON.parse(new TextDecoder().decode(info.stdout)) as {
      modules: { specifier: string }[];
    };
    for (const { specifier } of graph.modules) {
      if (specifier.startsWith("file:")) modules.push(specifier);
    }
  }
  const found: string[] = [];
  for (const specifier of new Set(modules)) {
    const lines = (await Deno.readTextFile(new URL(specifier))).split("\n");
    lines.forEach((line, i) => {
      const code = line.trim();
      if (code.startsWith("*") || code.startsWith("//") || code.startsWith("/*")) return;
      if (/\bconsole\.|\bDeno\.exit\(/.test(code)) found.push(`${specifier}:${i + 1}: ${code}`);
    });
  }
  assert.deepEqual(found, []);
});
