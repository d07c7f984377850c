/**
 * `deno task soak`: a long run of the real `mib bench` CLI against `mib serve
 * --faults` (two child processes), checking that mib never hangs and never
 * loses a measurement while about a tenth of its requests meet a fault of
 * every kind.
 *
 * Every second it samples the bench process's resident memory (VmRSS of
 * `/proc/<pid>/status`). The bench runs with `--exact-limit 1000`, so its
 * results stream to the jsonl file and histograms as in any run past the
 * limit (a 600 s run is past it anyway): its memory must stay flat. At the end it checks: requests planned = sent (as
 * the simulator counted them) = recorded (the jsonl file's request lines and
 * its summary line); the bench exited as it should (1, since requests
 * failed) with no stack trace on stderr; peak RSS and, in runs of 4 minutes
 * or more, the RSS slope over the second half of the run (least-squares fit
 * to its 10-second peaks, MB/min) within bounds; every
 * fault kind injected, each faulted request recorded with the outcome its
 * fault demands (matched by `x-request-id`), every other request a success,
 * and the summary's failure counts equal to the jsonl's. It prints a table
 * and exits 1 when any check fails.
 *
 * Event-loop lag: the CLI reports its own (probed every 10 ms over the whole
 * run) in the summary; the per-interval figure is the bench's schedule lag
 * (send − planned offset of each request, from the jsonl), which a stalled
 * event loop delays in the same way.
 *
 * ```sh
 * deno task soak                 # 600 s at 300 requests/s
 * deno task soak --duration 60   # the CI's minute
 * ```
 *
 * @module
 */

import { parseArgs } from "node:util";
import { readLines } from "../io/lines.ts";
import { classifyFailure } from "../metrics/failure.ts";
import { percentile } from "../metrics/stats.ts";
import { EXPECTED_OUTCOME, type FaultLabel, type FaultStats } from "../simulator/mod.ts";
import { spawnSimulator } from "./_bench_server.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** About a tenth of the requests meet a fault, every kind among them. */
const FAULTS = "429:0.01,500:0.01,503:0.01,cut:0.015,stall:0.01,junk:0.02,reset:0.01," +
  "slow-headers:0.01,never-answer:0.005";

/** Seconds of RSS samples reduced to their largest for the slope. */
const PEAK_WINDOW_S = 10;

/** 10-second peaks of the second half from which on its RSS slope is judged (a 4-minute run). */
const MIN_SLOPE_SAMPLES = 12;

/** The largest sample of each `window` seconds, stamped with the window's middle. */
export function peaksPer(samples: readonly RssSample[], window: number): RssSample[] {
  const peaks = new Map<number, number>();
  for (const { t, mb } of samples) {
    const w = Math.floor(t / window);
    peaks.set(w, Math.max(peaks.get(w) ?? 0, mb));
  }
  return [...peaks].map(([w, mb]) => ({ t: (w + 0.5) * window, mb }));
}

/** One check of the soak: its name, whether it held, and the figures behind it. */
interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** One RSS sample: seconds since the bench started, MB. */
interface RssSample {
  t: number;
  mb: number;
}

/** The resident memory of process `pid`, MB, or `undefined` once it is gone. */
async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The least-squares slope of `mb` over `t`, per minute (0 for fewer than 2 samples). */
export function rssSlopePerMinute(samples: readonly RssSample[]): number {
  const n = samples.length;
  if (n < 2) return 0;
  const meanT = samples.reduce((s, x) => s + x.t, 0) / n;
  const meanM = samples.reduce((s, x) => s + x.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const { t, mb } of samples) {
    num += (t - meanT) * (mb - meanM);
    den += (t - meanT) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60;
}

/** The per-request facts the checks need, gathered from the jsonl file in one pass. */
interface JsonlFacts {
  /** Request lines, and their distinct indexes. */
  lines: number;
  indexes: Set<number>;
  /** Outcome of each request by index: "success" or its failure kind. */
  outcomes: Map<number, string>;
  /** Schedule lag (send − planned offset, ms) by interval of `interval` s. */
  lagByInterval: number[][];
  summary: Record<string, unknown> | undefined;
}

async function readJsonl(path: string, interval: number): Promise<JsonlFacts> {
  const facts: JsonlFacts = {
    lines: 0,
    indexes: new Set(),
    outcomes: new Map(),
    lagByInterval: [],
    summary: undefined,
  };
  for await (const text of readLines(path)) {
    if (text.trim() === "") continue;
    const line = JSON.parse(text);
    if ("summary" in line) {
      facts.summary = line.summary;
      continue;
    }
    facts.lines++;
    facts.indexes.add(line.index);
    const outcome = line.success
      ? "success"
      : classifyFailure({ error: line.error, status: line.status ?? undefined });
    facts.outcomes.set(line.index, outcome);
    const bucket = Math.floor(line.planned_offset / interval);
    (facts.lagByInterval[bucket] ??= []).push((line.send_offset - line.planned_offset) * 1000);
  }
  return facts;
}

/** Counts of the values of `map`. */
function tally(values: Iterable<string>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

/** `a` and `b` as equal count tables (keys with 0 ignored). */
function sameCounts(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
}

const fmt = (x: number, digits = 1) => x.toFixed(digits);

/** Text of a table: a header row, then rows, columns padded. */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd()).join(
    "\n",
  );
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      duration: { type: "string", default: "600" },
      rate: { type: "string", default: "300" },
      "max-rss-mb": { type: "string", default: "600" },
      "max-slope": { type: "string", default: "5" },
      keep: { type: "boolean", default: false },
    },
  });
  const duration = Number(values.duration);
  const rate = Number(values.rate);
  const maxRss = Number(values["max-rss-mb"]);
  const maxSlope = Number(values["max-slope"]);
  if (![duration, rate, maxRss, maxSlope].every((x) => Number.isFinite(x) && x > 0)) {
    console.error("soak: --duration, --rate, --max-rss-mb and --max-slope take numbers > 0");
    return 2;
  }
  const planned = Math.round(duration * rate);
  const dir = await Deno.makeTempDir({ prefix: "mib-soak-" });
  const out = `${dir}/soak.jsonl`;
  console.log(
    `soak: ${planned} requests at ${rate}/s (~${duration} s), 16 tokens each, faults ${FAULTS}`,
  );

  const sim = await spawnSimulator([
    "--ttft-ms",
    "10",
    "--tpot-ms",
    "2",
    "--faults",
    FAULTS,
    "--faults-seed",
    "1",
    "--faults-stall-ms",
    "3000",
    "--faults-delay-ms",
    "200",
  ]);
  const started = performance.now();
  const bench = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "bench",
      "--base-url",
      sim.url,
      "--num-of-req",
      String(planned),
      "--request-distribution",
      "poisson",
      String(rate),
      "--input-token-distribution",
      "constant",
      "16",
      "--output-token-distribution",
      "constant",
      "16",
      "--tokenizer",
      "cl100k_base",
      // Results streamed, as any run past the limit streams them: only the jsonl lists them.
      "--exact-limit",
      "1000",
      "--stall-timeout",
      "1",
      "--request-timeout",
      "2",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
    ],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = bench.output();
  const rss: RssSample[] = [];
  const sampler = setInterval(async () => {
    const mb = await rssMb(bench.pid);
    if (mb !== undefined) rss.push({ t: (performance.now() - started) / 1000, mb });
  }, 1000);
  const result = await output;
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  const stdout = new TextDecoder().decode(result.stdout);
  const stderr = new TextDecoder().decode(result.stderr);
  let stats: FaultStats;
  try {
    stats = await (await fetch(`${sim.url}/mib/faults`)).json();
  } finally {
    await sim.stop();
  }

  const interval = Math.max(10, Math.round(duration / 10));
  const facts = await readJsonl(out, interval);
  const summary = facts.summary ?? {};
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const total = summary.total as number | undefined;
  const completed = (summary.completed as number | undefined) ?? NaN;
  const failed = (summary.failed as number | undefined) ?? NaN;
  check(
    "planned = sent = recorded",
    stats.requests === planned && facts.lines === planned && facts.indexes.size === planned &&
      total === planned && completed + failed === planned,
    `planned ${planned}, sent ${stats.requests}, jsonl lines ${facts.lines} (${facts.indexes.size} ` +
      `distinct), summary total ${total} = ${completed} ok + ${failed} failed`,
  );
  const traces = stderr.split("\n").filter((l) => /^\s+at |Uncaught|panicked/.test(l));
  check(
    "no unhandled error",
    result.code === (failed > 0 ? 1 : 0) && traces.length === 0 && facts.summary !== undefined,
    `bench exit ${result.code} (1 = requests failed, as faults make them), ` +
      `${traces.length} stack-trace line(s) on stderr, summary line ${
        facts.summary ? "present" : "missing"
      }`,
  );

  const peak = Math.max(0, ...rss.map((s) => s.mb));
  // The second half of the sending (which starts about a second after the spawn), as the
  // largest sample of each 10 s: the peaks of V8's collection sawtooth, which memory
  // kept alive pushes up, rather than where each sample fell in a collection cycle.
  const secondHalf = peaksPer(
    rss.filter((s) => s.t >= duration / 2 && s.t <= duration),
    PEAK_WINDOW_S,
  );
  const slope = rssSlopePerMinute(secondHalf);
  // V8's collections swing RSS by tens of MB: over less than two minutes a fitted
  // slope is that noise (±100 MB/min in a minute's run), so only the peak is judged.
  const judged = secondHalf.length >= MIN_SLOPE_SAMPLES;
  check(
    "RSS bounded",
    peak <= maxRss && (!judged || slope <= maxSlope),
    `peak ${fmt(peak)} MB (bound ${maxRss}), second-half slope ${fmt(slope, 2)} MB/min over ` +
      `${secondHalf.length} ${PEAK_WINDOW_S} s peaks (${
        judged ? `bound ${maxSlope}` : `not judged under ${MIN_SLOPE_SAMPLES} samples`
      })`,
  );

  // Each faulted request, matched by x-request-id (mib-<run>-<index>).
  const faulted = new Map<number, FaultLabel>(
    stats.faulted.map(({ id, fault }) => [Number(id.split("-").at(-1)), fault]),
  );
  const rows: string[][] = [["fault", "injected", "client as expected", "client outcome"]];
  let mismatched = 0;
  const labels = Object.keys(EXPECTED_OUTCOME) as FaultLabel[];
  for (const label of labels) {
    const indexes = [...faulted].filter(([, f]) => f === label).map(([i]) => i);
    const outcomes = indexes.map((i) => facts.outcomes.get(i) ?? "missing");
    const expected = outcomes.filter((o) => o === EXPECTED_OUTCOME[label]).length;
    mismatched += indexes.length - expected;
    const seen = Object.entries(tally(outcomes)).map(([o, n]) => `${o} ${n}`).join(", ");
    rows.push([label, String(indexes.length), String(expected), seen || "-"]);
  }
  const clean = [...facts.outcomes].filter(([i]) => !faulted.has(i)).map(([, o]) => o);
  const cleanFailed = clean.filter((o) => o !== "success").length;
  rows.push([
    "(none)",
    String(clean.length),
    String(clean.length - cleanFailed),
    Object.entries(tally(clean)).map(([o, n]) => `${o} ${n}`).join(", "),
  ]);
  const kinds = ["429", "500", "503", "cut", "stall", "junk", "reset", "slow-headers"]
    .concat("never-answer");
  const missing = kinds.filter((k) => ![...faulted.values()].some((f) => f.split(":")[0] === k));
  check(
    "every fault kind injected",
    missing.length === 0,
    missing.length === 0 ? `${faulted.size} faults of ${kinds.length} kinds` : `none of ${missing}`,
  );
  check(
    "each fault recorded as it demands",
    mismatched === 0 && cleanFailed === 0,
    `${mismatched} faulted request(s) with another outcome, ${cleanFailed} unfaulted failure(s)`,
  );
  const jsonlKinds = tally([...facts.outcomes.values()].filter((o) => o !== "success"));
  const summaryKinds = (summary.failures ?? {}) as Record<string, number>;
  check(
    "summary counts = jsonl counts",
    sameCounts(jsonlKinds, summaryKinds),
    Object.entries(jsonlKinds).map(([k, n]) => `${k} ${n}`).join(", "),
  );

  const loop = summary.eventLoopLag as Record<string, number> | undefined;
  const lagRows = [["interval (s)", "RSS max (MB)", "schedule lag p50 (ms)", "p99", "max"]];
  for (let b = 0; b < facts.lagByInterval.length; b++) {
    const lags = (facts.lagByInterval[b] ?? []).toSorted((x, y) => x - y);
    const inside = rss.filter((s) => s.t >= b * interval && s.t < (b + 1) * interval);
    lagRows.push([
      `${b * interval}–${(b + 1) * interval}`,
      inside.length ? fmt(Math.max(...inside.map((s) => s.mb))) : "-",
      lags.length ? fmt(percentile(lags, 50), 2) : "-",
      lags.length ? fmt(percentile(lags, 99), 2) : "-",
      lags.length ? fmt(lags.at(-1)!, 2) : "-",
    ]);
  }

  console.log(`\nran ${fmt(seconds)} s; ${rss.length} RSS samples\n`);
  console.log(table(rows));
  console.log();
  console.log(table(lagRows));
  if (loop) {
    console.log(
      `\nbench event-loop lag (its own probe, whole run): median ${fmt(loop.median, 2)} ms, ` +
        `p99 ${fmt(loop.p99, 2)} ms, max ${fmt(loop.max, 2)} ms`,
    );
  }
  console.log();
  console.log(
    table([
      ["check", "", "figures"],
      ...checks.map((c) => [c.name, c.ok ? "ok" : "FAILED", c.detail]),
    ]),
  );
  const failedChecks = checks.filter((c) => !c.ok);
  if (failedChecks.length > 0) {
    console.log(`\nsoak FAILED: ${failedChecks.map((c) => c.name).join("; ")}`);
    console.log(`files kept in ${dir}`);
    if (stderr.trim() !== "") console.log(`bench stderr:\n${stderr.slice(0, 4000)}`);
    console.log(stdout.slice(-3000));
    return 1;
  }
  if (values.keep) console.log(`files kept in ${dir}`);
  else await Deno.remove(dir, { recursive: true });
  console.log("\nsoak ok");
  return 0;
}

if (import.meta.main) Deno.exit(await main());
