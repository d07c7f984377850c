/**
 * `mib sweep` against the simulator with a serving model that saturates
 * (4 requests at once, 5 ms a token: about 4 / (20 + 31 × 5 ms) ≈ 23
 * requests/s of 32 tokens).
 */
import assert from "node:assert/strict";
import { checkSaturation } from "../metrics/saturation.ts";
import { autoRates } from "../cli/sweep_options.ts";
import type { SweepFile } from "../output/sweep_file.ts";
import { chromium, renderPage } from "./_chromium.ts";
import { runCli, tempDir, withSim } from "./_helpers.ts";

const SATURATING = { maxNumSeqs: 4, tpotMs: 5 };

/** `mib sweep` with `flags`, each point `n` requests of 64 prompt and 32 output tokens. */
function runSweep(url: string, n: number, flags: string[]) {
  return runCli([
    "sweep",
    "--base-url",
    url,
    "--num-of-req",
    String(n),
    "--input-token-distribution",
    "constant",
    "64",
    "--output-token-distribution",
    "constant",
    "32",
    "--tokenizer",
    "cl100k_base",
    ...flags,
  ]);
}

Deno.test("mib sweep --rates: three points, each with its files, one table, sweep.json, sweep.csv and the page", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/sweep`;
  await withSim(SATURATING, async (sim) => {
    const run = await runSweep(sim.url, 30, [
      "--rates",
      "80,5,20",
      "--goodput",
      "ttft:100",
      "--output-dir",
      out,
      "--html",
      `${out}/page.html`,
    ]);
    assert.equal(run.code, 0, run.stderr);
    // Progress: one line as each point starts and ends, with its index.
    for (const [i, label] of ["rate 5/s", "rate 20/s", "rate 80/s"].entries()) {
      assert.match(run.stderr, new RegExp(`point ${i + 1}/3: ${label}: started`));
      assert.match(run.stderr, new RegExp(`point ${i + 1}/3: ${label}: [\\d.]+ req/s`));
    }
    assert.match(run.stdout, /│ point\s+│ asked\s+│ req\/s\s+│ in flight\s+│ out tok\/s/);
    assert.match(run.stdout, /goodput\/s/);
    // 80/s is over three times what the server finishes.
    assert.match(run.stdout, /rate 80\/s.*rate: finished [\d.]+ req\/s < 90 % of 80 req\/s asked/);
    const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
    assert.deepEqual(files, [
      "page.html",
      "rate-20.json",
      "rate-20.summary.json",
      "rate-5.json",
      "rate-5.summary.json",
      "rate-80.json",
      "rate-80.summary.json",
      "sweep.csv",
      "sweep.json",
    ]);
    const sweep: SweepFile = JSON.parse(await Deno.readTextFile(`${out}/sweep.json`));
    assert.equal(sweep.mib_sweep, 1);
    assert.deepEqual(sweep.points.map((p) => [p.name, p.rate, p.file]), [
      ["rate-5", 5, "rate-5.json"],
      ["rate-20", 20, "rate-20.json"],
      ["rate-80", 80, "rate-80.json"],
    ]);
    for (const point of sweep.points) {
      assert.equal(point.figures.completed, 30);
      assert.ok(point.figures.goodput !== null);
      const results = JSON.parse(await Deno.readTextFile(`${out}/${point.file}`));
      assert.equal(results.length, 30);
    }
    // The 5/s point keeps up; the saturation point is the first saturated one.
    assert.equal(sweep.points[0].saturation.rule, null);
    assert.equal(sweep.points[2].saturation.rule, "rate");
    assert.equal(sweep.saturation, sweep.points.find((p) => p.saturation.rule !== null)!.name);
    const csv = (await Deno.readTextFile(`${out}/sweep.csv`)).trim().split("\n");
    assert.equal(csv.length, 4);
    assert.match(csv[0], /^point,kind,asked_rate,.*,median_ttft_ms,p99_ttft_ms,.*,saturated,file$/);
    assert.match(csv[3], /^rate-80,rate,80,/);
  });
  // Two sweeps side by side: mib report reads sweep.json files.
  const report = await runCli([
    "report",
    "--html",
    `${dir.path}/two.html`,
    `${out}/sweep.json`,
    `${out}/sweep.json`,
  ]);
  assert.equal(report.code, 0, report.stderr);
  assert.match(report.stdout, /sweep\.json \(http:\/\/127\.0\.0\.1:\d+, rates\)/);
  const html = await Deno.readTextFile(`${dir.path}/two.html`);
  const data = JSON.parse(
    html.match(/<script type="application\/json" id="mib-data">(.*?)<\/script>/s)![1],
  );
  assert.equal(data.charts.length, 3);
  assert.equal(data.charts[0].series.length, 6, "p50, p99 and the saturation marker per sweep");
  assert.doesNotMatch(html, /(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
  if (chromium !== undefined) {
    for (const page of [`${out}/page.html`, `${dir.path}/two.html`]) {
      const { body, dom } = await renderPage(page, dir.path);
      assert.ok(!/data-error=/.test(body), `script error: ${body}`);
      assert.match(body, /data-plots="3"/, body || dom.slice(0, 2000));
      assert.match(dom, /class="saturation"/, "the saturation point's row is marked");
    }
  }
});

Deno.test("mib sweep --auto: synchronous, throughput, then rates between, stopping at the first saturated one", async () => {
  await using dir = await tempDir();
  await withSim(SATURATING, async (sim) => {
    const run = await runSweep(sim.url, 40, [
      "--auto",
      "--auto-points",
      "6",
      "--output-dir",
      dir.path,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const sweep: SweepFile = JSON.parse(await Deno.readTextFile(`${dir.path}/sweep.json`));
    const [sync, throughput, ...rates] = sweep.points;
    assert.deepEqual([sync.kind, sync.concurrency, throughput.kind], ["sync", 1, "throughput"]);
    // One at a time: about 1 / (20 + 31 × 5 ms) ≈ 5.7/s; all at once, 4 of them ≈ 23/s.
    assert.ok(sync.figures.meanConcurrency <= 1.01);
    assert.ok(throughput.figures.requestThroughput > 3 * sync.figures.requestThroughput);
    const planned = autoRates(
      sync.figures.requestThroughput,
      throughput.figures.requestThroughput,
      6,
    );
    assert.deepEqual(rates.map((r) => r.rate), planned.slice(0, rates.length));
    assert.match(run.stderr, /point 1\/8: synchronous: started/);
    // It stopped at the first saturated rate, and said which rule fired. The
    // highest rate is 6/7 of the way to the measured throughput, which this
    // simulator does not keep up with unless a loaded machine measured its
    // throughput low: then every planned rate ran, none saturated.
    const last = rates.at(-1)!;
    assert.ok(rates.slice(0, -1).every((r) => r.saturation.rule === null));
    if (last.saturation.rule === null) {
      assert.equal(rates.length, planned.length, "no saturation: every planned rate ran");
      return;
    }
    assert.equal(sweep.saturation, last.name);
    assert.match(
      run.stderr,
      new RegExp(
        `stopping at saturation: ${
          last.label.replace(/[.()/]/g, "\\$&")
        } \\(${last.saturation.rule}\\)`,
      ),
    );
    assert.match(run.stdout, new RegExp(`saturation: .*\\(${last.saturation.rule}: `));
  });
});

Deno.test("mib sweep: bad sweep flags are one-line usage errors", async () => {
  const cases: [string[], RegExp][] = [
    [["--output-dir", "x"], /^mib: --rates: give exactly one: --rates 1,2,4,8/],
    [["--rates", "1,2", "--auto", "--output-dir", "x"], /^mib: --rates\/--auto: give exactly one/],
    [["--rates", "1,x", "--output-dir", "x"], /^mib: --rates: expected positive numbers .*got "x"/],
    [
      ["--concurrency", "2,2.5", "--output-dir", "x"],
      /^mib: --concurrency: expected positive integers/,
    ],
    [["--rates", "1,1", "--output-dir", "x"], /^mib: --rates: .*each once/],
    [["--rates", "1"], /^mib: --output-dir: expected the folder/],
    [["--rates", "1", "--auto-points", "3", "--output-dir", "x"], /^mib: --auto-points: .*--auto/],
    [
      ["--auto", "--max-concurrency", "4", "--output-dir", "x"],
      /^mib: --max-concurrency: --auto sets/,
    ],
    [
      ["--rates", "1", "--request-distribution", "poisson", "2", "--output-dir", "x"],
      /^mib: --request-distribution: a sweep sets the arrivals/,
    ],
    [["--rates", "1", "--output-file", "a.json", "--output-dir", "x"], /^mib: --output-file: /],
  ];
  for (const [flags, message] of cases) {
    const run = await runCli([
      "sweep",
      "--base-url",
      "http://127.0.0.1:9",
      "--num-of-req",
      "1",
      ...flags,
    ]);
    assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, message);
  }
});

Deno.test("checkSaturation: the rate rule, the TTFT-growth rule, and a stable server", () => {
  const steady = Array.from(
    { length: 30 },
    (_, i) => ({ sendOffset: i / 10, latency: 0.2, ttft: 0.02 }),
  );
  assert.equal(checkSaturation(steady, 10).rule, null);
  // Completions 1/s apart while 10/s were asked.
  const slow = steady.map((s, i) => ({ ...s, latency: i * 0.9 }));
  assert.equal(checkSaturation(slow, 10).rule, "rate");
  // A queue growing by 10 ms a request.
  const growing = steady.map((s, i) => ({ ...s, ttft: 0.02 + i * 0.01 }));
  const check = checkSaturation(growing, null);
  assert.equal(check.rule, "ttft-growth");
  assert.ok(check.ttftSlope! > 0 && check.ttftLastThird! > 2 * check.ttftFirstThird!);
  // Tripled but by under 10 ms: jitter of a fast server, not saturation.
  const jitter = steady.map((s, i) => ({ ...s, ttft: i < 15 ? 0.001 : 0.004 }));
  assert.equal(checkSaturation(jitter, null).rule, null);
  // Too few requests to judge growth.
  assert.equal(checkSaturation(growing.slice(0, 5), null).ttftSlope, null);
});
