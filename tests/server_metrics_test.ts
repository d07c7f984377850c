/**
 * `--server-metrics`, `--scrape-interval`, `--no-server-metrics` and
 * `--profile` against the simulator (vLLM's names on its `/metrics`, its
 * profiler endpoints recorded), a server without them, and a real
 * llama.cpp `llama-server --metrics`.
 */
import assert from "node:assert/strict";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";
import { llamaServerBinary, llamaServerRequired, startLlamaServer } from "./_llama_server.ts";
import type { ServerMetricsRecord } from "../server_metrics/series.ts";

async function readRecord(out: string): Promise<{ server_metrics: ServerMetricsRecord | null }> {
  return JSON.parse(await Deno.readTextFile(out.replace(/\.json$/, ".summary.json")));
}

Deno.test("server metrics: the simulator's /metrics by default, scraped every --scrape-interval, on the run's time axis", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/r.json`;
  await withSim({ ttftMs: 20, tpotMs: 5, maxNumSeqs: 2, record: true }, async (sim) => {
    const run = await runCli([
      ...benchFlags(sim.url, 12, 8, 30),
      "--request-distribution",
      "poisson",
      "20",
      "--scrape-interval",
      "0.2",
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const record = (await readRecord(out)).server_metrics;
    assert.ok(record, "no server_metrics in the run record");
    assert.equal(record.url, `${sim.url}/metrics`);
    assert.equal(record.interval, 0.2);
    assert.equal(record.failed_scrapes, 0);
    // About 0.6 s of run at 0.2 s, plus the first and last scrapes.
    assert.ok(record.scrapes >= 3, `${record.scrapes} scrapes`);
    const running = record.series.running!;
    assert.equal(running.length, record.scrapes);
    // The first scrape is before t = 0 (by the set-up of the run), the last after the last response.
    assert.ok(running[0][0] <= 0.05, `first at ${running[0][0]}`);
    assert.deepEqual(running.at(-1)![1], 0);
    // At most 2 run at once; the rest waited in the simulator's queue.
    assert.ok(running.every(([, v]) => v <= 2));
    assert.ok(record.series.waiting!.some(([, v]) => v > 0), JSON.stringify(record.series.waiting));
    assert.equal(record.raw_names.queue_time, "vllm:request_queue_time_seconds");
    // Every request counted by the server's histograms, and its TTFT holds its queueing.
    assert.equal(record.means.ttft!.count, 12);
    assert.ok(record.means.ttft!.mean_ms >= 20);
    assert.ok(record.means.queue_time!.mean_ms > 0);
    const generated = sim.record().requests.reduce(
      (n, r) => n + r.tokens.reduce((a, b) => a + b, 0),
      0,
    );
    const rates = record.series.generation_tokens_per_s!;
    // Σ rate × interval over the run = the tokens the server generated.
    let total = 0;
    for (let i = 1; i < running.length; i++) {
      const point = rates.find(([t]) => t === running[i][0]);
      if (point) total += point[1] * (running[i][0] - running[i - 1][0]);
    }
    assert.ok(Math.abs(total - generated) <= 0.02 * generated, `${total} vs ${generated}`);
    // The summary's lines beside the client's TTFT.
    assert.match(run.stdout, /server metrics: http:\/\/.*\/metrics every 0\.2 s, \d+ scrapes/);
    assert.match(
      run.stdout,
      /server TTFT mean [\d.]+ ms \(vllm:time_to_first_token_seconds, 12 requests\) vs client TTFT mean [\d.]+ ms: /,
    );
    assert.match(
      run.stdout,
      /server queue time mean [\d.]+ ms \(vllm:request_queue_time_seconds, 12 requests\)/,
    );
  });
});

Deno.test("--no-server-metrics: nothing scraped; --server-metrics naming a page that is not one: exit 2 before the run; the last of the two wins", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/r.json`;
  await withSim({ ttftMs: 1, tpotMs: 1, record: true }, async (sim) => {
    const off = await runCli([
      ...benchFlags(sim.url, 2, 4, 4),
      "--no-server-metrics",
      "--output-file",
      out,
    ]);
    assert.equal(off.code, 0, off.stderr);
    assert.equal((await readRecord(out)).server_metrics, null);
    assert.doesNotMatch(off.stdout, /server metrics/);
    const bad = await runCli([
      ...benchFlags(sim.url, 2, 4, 4),
      "--server-metrics",
      `${sim.url}/v1/models`,
    ]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--server-metrics: .*\/v1\/models: its answer is no Prometheus text/);
    const notUrl = await runCli([...benchFlags(sim.url, 2, 4, 4), "--server-metrics", "metrics"]);
    assert.equal(notUrl.code, 2);
    assert.match(notUrl.stderr, /--server-metrics: "metrics" is no http\(s\) URL/);
    const both = await runCli([
      ...benchFlags(sim.url, 2, 4, 4),
      "--server-metrics",
      `${sim.url}/metrics`,
      "--no-server-metrics",
    ]);
    // As with any --x and --no-x, the last given wins.
    assert.equal(both.code, 0, both.stderr);
    assert.doesNotMatch(both.stdout, /server metrics/);
    // Only the two runs that ran sent requests.
    assert.equal(sim.record().requests.length, 4);
  });
});

Deno.test("--profile: POST /start_profile before the first request arrives, /stop_profile after the last ends", async () => {
  await withSim({ ttftMs: 5, tpotMs: 2, record: true }, async (sim) => {
    const run = await runCli([...benchFlags(sim.url, 4, 4, 8), "--profile", "--no-server-metrics"]);
    assert.equal(run.code, 0, run.stderr);
    const calls = sim.profileCalls();
    assert.deepEqual(calls.map((c) => c.path), ["/start_profile", "/stop_profile"]);
    const requests = sim.record().requests;
    assert.equal(requests.length, 4);
    assert.ok(calls[0].at < Math.min(...requests.map((r) => r.arrival)));
    assert.ok(calls[1].at > Math.max(...requests.map((r) => r.end!)));
  });
});

Deno.test("--profile against a server without the profiler's endpoints (404): exit 2, nothing sent", async () => {
  let generations = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/v1/models") return Response.json({ data: [{ id: "m" }] });
    if (path === "/v1/completions") generations++;
    return new Response("Not Found", { status: 404 });
  });
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const run = await runCli([
      ...benchFlags(url, 2, 4, 4),
      "--profile",
      "--tokenizer",
      "cl100k_base",
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /--profile: POST http:\/\/.*\/start_profile answered 404: /);
    assert.equal(generations, 0);
  } finally {
    await server.shutdown();
  }
});

const binary = llamaServerBinary();
const ignore = "missing" in binary && !llamaServerRequired();

Deno.test({
  name:
    "server metrics of a real llama-server --metrics: llama.cpp's names read as running, waiting, token rates",
  ignore,
  async fn() {
    if ("missing" in binary) throw new Error(binary.missing);
    await using server = await startLlamaServer(binary.path, [
      "-c",
      "512",
      "-np",
      "2",
      "--metrics",
    ]);
    await using dir = await tempDir();
    const out = `${dir.path}/r.json`;
    const run = await runCli([
      ...benchFlags(server.url, 6, 8, 16),
      "--backend",
      "llama.cpp",
      "--scrape-interval",
      "0.1",
      "--output-file",
      out,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const record = (await readRecord(out)).server_metrics!;
    assert.equal(record.raw_names.running, "llamacpp:requests_processing");
    assert.equal(record.raw_names.waiting, "llamacpp:requests_deferred");
    assert.equal(record.raw_names.generation_tokens_per_s, "llamacpp:tokens_predicted_total");
    assert.ok(record.series.running!.length >= 2);
    // Its counters grew by what it generated: 6 × 16 tokens.
    const rates = record.series.generation_tokens_per_s!;
    assert.ok(rates.some(([, v]) => v > 0), JSON.stringify(rates));
    // llama.cpp has no TTFT histogram: no comparison line, only the scrape line.
    assert.equal(record.means.ttft, null);
    assert.match(run.stdout, /server metrics: .* \(running, waiting,/);
    assert.doesNotMatch(run.stdout, /server TTFT mean/);
  },
});
