import assert from "node:assert/strict";
import { buildCharts, MAX_POINTS } from "../output/charts.ts";
import { readChartRun, scriptJson } from "../output/html.ts";
import { readResultFile, type RequestPoint, startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";
import { chromium, renderPage } from "./_chromium.ts";

/** A result file read back with every request it lists. */
async function readRunRequests(file: string) {
  const requests: RequestPoint[] = [];
  const read = await readResultFile(file, { onRequest: (point) => requests.push(point) });
  return { ...read, requests };
}

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Charts the page draws: 8 of the client's, 4 of the server's metrics (the simulator's /metrics). */
const PLOTS = 12;

/** A file name that would inject markup if it were interpolated into the page. */
const HOSTILE = `run <img src=x onerror=alert(1)> & "q".json`;

/** Benchmarks the simulator into seed, jsonl and vllm files in `dir`; writes the HTML report. */
async function makeReport(dir: string): Promise<{ files: string[]; html: string; out: string }> {
  const sim = await startSimulator({ ttftMs: 10, tpotMs: 2 });
  const files = [`${dir}/${HOSTILE}`, `${dir}/b.jsonl`, `${dir}/c.json`];
  try {
    const runs = await Promise.all(["seed", "jsonl", "vllm"].map((format, i) =>
      runCli([
        ...benchFlags(sim.url, 12, 8, ["uniform", 4, 12]),
        "--seed",
        String(i + 1),
        "--request-distribution",
        "poisson",
        "20",
        "--output-format",
        format,
        "--output-file",
        files[i],
      ])
    ));
    for (const run of runs) assert.equal(run.code, 0, run.stderr + run.stdout);
  } finally {
    await sim.close();
  }
  const out = `${dir}/out.html`;
  const report = await runCli(["report", "--html", out, ...files]);
  assert.equal(report.code, 0, report.stderr);
  assert.ok(report.stdout.includes("median TPOT (ms)"), report.stdout);
  return { files, html: await Deno.readTextFile(out), out };
}

Deno.test("mib report --html writes one self-contained page of every run", async () => {
  await using dir = await tempDir();
  const { files, html } = await makeReport(dir.path);

  // Self-contained: nothing loaded from the network, uPlot's JS and CSS inlined.
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  assert.match(html, /var uPlot=function/);
  assert.match(html, /\.uplot\s*\{/);
  // The hostile file name never reaches the markup raw, only as escaped JSON.
  assert.ok(!html.includes("<img"), "raw markup from a file name");
  assert.ok(html.includes('\\u003cimg src=x onerror=alert(1)\\u003e \\u0026 \\"q\\".json'));
  const block = html.match(/<script type="application\/json" id="mib-data">(.*?)<\/script>/s);
  assert.ok(block);
  const data = JSON.parse(block[1]);
  assert.deepEqual(data.runs.map((r: { file: string }) => r.file), files);
  assert.equal(data.charts.length, PLOTS);

  // Per-request values of every format.
  for (const file of files) {
    const run = await readRunRequests(file);
    assert.equal(run.requests.length, 12, file);
    for (const r of run.requests) {
      assert.ok(r.success && r.ttft !== null && r.ttft >= 0.01, `${file}: ${JSON.stringify(r)}`);
      assert.ok(r.latency !== null && r.latency >= r.ttft, file);
      assert.ok(r.sendOffset !== null && r.itl.length >= 3, file);
    }
    assert.ok(run.duration > 0);
  }
  // The vllm file's E2E is its own mib_latencies, which ends after the last chunk.
  const vllm = JSON.parse(await Deno.readTextFile(files[2]));
  const fromVllm = await readRunRequests(files[2]);
  fromVllm.requests.forEach((r, i) => {
    assert.equal(r.latency, vllm.mib_latencies[i]);
    const lastChunk = r.ttft! + r.itl.reduce((a, b) => a + b, 0);
    assert.ok(r.latency! >= lastChunk - 1e-9, `${r.latency} < ${lastChunk}`);
  });
  const charts = buildCharts(await Promise.all(files.map(readChartRun)));
  // The server's charts follow the client's requests in flight, on its time axis (s from t = 0).
  const inFlight = charts.findIndex((c) => c.title === "Requests in flight");
  const server = charts.filter((c) => c.title.startsWith("Server: "));
  assert.deepEqual(server, charts.slice(inFlight + 1, inFlight + 5));
  assert.deepEqual(
    server.map((c) => c.series!.map((s) => s.label.split(": ")[1])),
    [
      ["vllm:num_requests_running", "vllm:num_requests_waiting"],
      [
        "vllm:kv_cache_usage_perc",
        "vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total",
      ],
      ["vllm:generation_tokens_total", "vllm:prompt_tokens_total"],
      ["vllm:time_to_first_token_seconds", "vllm:request_queue_time_seconds"],
    ].map((pair) => [...pair, ...pair, ...pair]),
  );
  const lastEnd = Math.max(...charts[inFlight].x);
  // Gauges from the first scrape at the run start; rates and means from the second on.
  assert.ok(server[0].x[0] < 0.1, `${server[0].x}`);
  for (const chart of server) {
    assert.equal(chart.xLabel, "time (s)");
    assert.ok(chart.x.at(-1)! >= lastEnd - 0.01, `${chart.title}: ${chart.x}`);
  }
  for (const chart of charts) {
    assert.equal(chart.ys.length, chart.series?.length ?? 3, chart.title);
    for (const ys of chart.ys) {
      assert.equal(ys.length, chart.x.length);
      assert.ok(ys.some((y) => y !== null), `${chart.title}: a run without points`);
    }
    assert.deepEqual(chart.x, [...chart.x].sort((a, b) => a - b), chart.title);
  }
  // CDFs end at 1 and never decrease.
  for (const ys of charts[0].ys) {
    const ttft = ys.filter((y) => y !== null);
    assert.equal(ttft.at(-1), 1);
    assert.deepEqual(ttft, [...ttft].sort((a, b) => a - b));
  }

  const unwritable = await runCli(["report", "--html", `${dir.path}/no/such/dir.html`, files[1]]);
  assert.equal(unwritable.code, 2);
  assert.match(unwritable.stderr, /--html: cannot write/);
  assert.equal(scriptJson("</script><!--\u2028"), '"\\u003c/script\\u003e\\u003c!--\\u2028"');
});

Deno.test({
  name: "the HTML report draws every chart in headless Chromium without a script error",
  ignore: chromium === undefined,
  async fn() {
    await using dir = await tempDir();
    const { out } = await makeReport(dir.path);
    const { dom, body } = await renderPage(out, dir.path);
    assert.ok(!/data-error=/.test(body), `script error: ${body}`);
    assert.match(body, new RegExp(`data-plots="${PLOTS}"`), body || dom.slice(0, 2000));
    assert.equal((dom.match(/class="uplot/g) ?? []).length, PLOTS);
    // The hostile name is shown as text (legend, table), never parsed as an element.
    assert.ok(dom.includes('run &lt;img src=x onerror=alert(1)&gt; &amp; "q".json'));
    assert.ok(!dom.includes("<img"));
  },
});

Deno.test("mib report --html charts a 200,000-request seed file in bounded memory", async () => {
  await using dir = await tempDir();
  const file = `${dir.path}/big.json`;
  const n = 200_000;
  const records = Array.from({ length: n }, (_, i) => ({
    text: "x",
    success: i % 50 !== 7,
    latency: 0.05 + (i % 97) * 1e-3,
    ttft: 0.02 + (i % 31) * 1e-4,
    itl: [0.002, 0.003 + (i % 13) * 1e-4, 0.0015],
    prompt_len: 8,
    error: i % 50 === 7 ? "HTTP 500" : "",
    output_len: 4,
    output_len_source: "server",
    output_len_client: 4,
    chunks: 4,
    streamed: true,
    planned_offset: i * 0.001,
    send_offset: i * 0.001,
    status: i % 50 === 7 ? 500 : 200,
    notes: [],
  }));
  // As mib writes it: over 80 MB, one object per few lines.
  await Deno.writeTextFile(file, JSON.stringify(records, null, 2) + "\n");
  const out = `${dir.path}/big.html`;
  // A heap smaller than the file parsed whole would need: the file is streamed.
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--max-old-space-size=160", MAIN, "report", "--html", out, file],
    env: { NO_COLOR: "1" },
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, stderr);
  assert.match(new TextDecoder().decode(run.stdout), /completed\s*│\s*196000\b/);
  const html = await Deno.readTextFile(out);
  const block = html.match(/<script type="application\/json" id="mib-data">(.*?)<\/script>/s);
  const data = JSON.parse(block![1]);
  assert.equal(data.runs[0].figures["completed"], 196_000);
  for (const chart of data.charts.slice(0, 3)) assert.equal(chart.x.length, MAX_POINTS);
  const scatter = data.charts[5];
  assert.equal(scatter.title, "E2E latency of each request by its send time");
  assert.equal(scatter.x.length, MAX_POINTS, "the scatter is capped like the CDFs");
  // Its subsample spans the run, first request to last successful one.
  assert.equal(scatter.x[0], 0);
  assert.equal(scatter.x.at(-1), 199.999);
});
