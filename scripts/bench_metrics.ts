/**
 * `deno task bench:metrics`: what gathering a run's metrics costs, in memory
 * and CPU, with and without keeping every per-request result.
 *
 * A. The accumulator alone, no network. Each measurement runs in a fresh
 *    process of this script (`--v8-flags=--expose-gc`, so `gc()` is there) that
 *    builds synthetic successful streamed `RequestResult`s (40,000 requests ×
 *    256 tokens, one token per chunk: 255 gaps each, 10.2 M per-token gaps;
 *    gaps log-normal around 5 ms with a 1 % tail ×10, seed-fixed, so both
 *    settings see the very same values) in batches of 500 and feeds them to a
 *    `RunAccumulator`, either as the CLI builds it for a large run, with
 *    `{ hdr: await loadHdrLibrary(), expect: { requests, tokens } }` ("hdr": the
 *    gap samples are histograms from the start, the per-request ones stay
 *    exact), or without hdr ("exact": every value kept).
 *    - add, ns per per-token value: time spent inside `add(result,
 *      result.chunkTokens)` only (building the batches is not timed) divided
 *      by the per-token gaps added (10.2 M). One `add` also feeds the
 *      per-chunk ITL, TTFT, TPOT, E2EL and queue samples: their cost is in it.
 *    - retained heap+external (MiB): `heapUsed + external` (typed arrays such as the
 *      histograms' counts live outside the V8 heap) of `Deno.memoryUsage()`
 *      after `metrics()` and a `gc()`, with the accumulator still alive and
 *      every batch dropped, minus the same before the accumulator was built
 *      (hdr-histogram-js is loaded before that, so its code is not counted);
 *      each read follows three rounds of `gc()` and a 10 ms wait, since a
 *      typed array's memory is released only after both.
 *    - metrics() (ms): wall time of one `metrics({ duration, percentiles: [50,
 *      90, 95, 99, 99.9] })`.
 *    - itlPerToken p50..p99.9 max rel. error (%): max over p ∈ {50, 90, 95, 99, 99.9}
 *      of |hdr − exact| / exact for `itlPerToken`, same run index (same
 *      values); the histogram's promise is ≤ 0.05 %.
 * B. End to end. The simulator (`main.ts serve --port 0 --ttft-ms 1 --tpot-ms
 *    1`) runs in its own process; each client is `deno run -A main.ts
 *    --base-url URL --backend openai --num-of-req N --request-distribution
 *    poisson 200 --input-token-distribution constant 32
 *    --output-token-distribution constant 256 --tokenizer cl100k_base
 *    --disable-tqdm`, spawned directly (its pid is the deno process itself:
 *    checked through /proc/<pid>/exe and cmdline), N = 1,000 and 3,000, in
 *    two modes: "keep" adds `--output-file <tmp>/run.json` (seed format: every
 *    result kept in memory, then written), "stream" has no output file and
 *    `--exact-limit 1000`, which makes both sizes large runs (each result
 *    counted on the tokenizer worker thread, accumulated and dropped; every
 *    timing sample a histogram past 1,000 values).
 *    Every 50 ms the parent reads /proc/<pid>/status and /proc/<pid>/stat;
 *    the last values read before the child exits are used.
 *    - peak RSS (MiB): VmHWM.
 *    - marginal peak RSS per request (KiB): (peak RSS at N = 3,000 − peak RSS at
 *      N = 1,000) / 2,000, per run, same mode. Fixed costs (runtime, code,
 *      tokenizer) cancel out; 0 means memory flat in the number of requests.
 *    - CPU per output token (µs): utime + stime (every thread, the tokenizer
 *      worker included; whole process life, start-up and summary included) /
 *      the summary's "Output tokens".
 *    - marginal CPU per output token (µs): (CPU at N = 3,000 − CPU at N =
 *      1,000) / (output tokens at 3,000 − at 1,000): start-up cancels out.
 *    - wall (s): spawn → exit.
 *    - schedule lag p99, event-loop lag p99 (ms): the p99 column of those rows
 *      of the run's own summary (what the tokenizer worker costs the timing).
 *    Every child must exit 0 and report N successful and 0 failed requests.
 *
 * C. Bounded memory: the same CLI, 6,000 requests × 256 tokens (1.5 M planned
 *    output tokens: a large run at the default `--exact-limit`) at 300 req/s,
 *    with V8's old space capped at 48 MiB (`--v8-flags=--max-old-space-size=48`),
 *    once per mode: 1 when it completes with every request successful, 0 when it
 *    runs out of memory. Run once, not `--runs` times.
 *
 * Figures are medians over `--runs` (default 3); every run's value is listed.
 *
 * Usage: deno task bench:metrics [--runs N] [--only NAME,...] [--out FILE]
 * (--only accumulator,e2e,heap; matches by prefix). Takes about 3.5 minutes on the 2-core machine.
 *
 * @module
 */
import Table from "../output/_cli_table.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { describeSample } from "../metrics/stats.ts";
import { seededSource } from "../distributions/mod.ts";
import type { RequestResult } from "../runner/result.ts";
import { spawnSimulator } from "./_bench_server.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const SELF = new URL(import.meta.url).pathname;
const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------
// A. The accumulator alone

const A_REQUESTS = 40_000;
const A_TOKENS = 256;
const A_BATCH = 500;
const A_PERCENTILES = [50, 90, 95, 99, 99.9];
/** Synthetic requests start this often, s (200 req/s). */
const A_SEND_GAP = 1 / 200;

/** What one accumulator child reports. */
interface AccumulatorReport {
  mode: "hdr" | "exact";
  perTokenValues: number;
  addNsPerValue: number;
  retainedBytes: number;
  retainedHeapBytes: number;
  retainedExternalBytes: number;
  metricsMs: number;
  gcAvailable: boolean;
  fromHistogram: string[];
  itlPerToken: Record<string, number>;
}

/** Builds `count` synthetic results starting at index `first`. */
function syntheticBatch(first: number, count: number, random: () => number): RequestResult[] {
  const batch: RequestResult[] = [];
  // Box–Muller gives two normals per draw; the second is kept for the next gap.
  let spare: number | undefined;
  const normal = () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    const u = 1 - random();
    const v = random();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
  for (let index = first; index < first + count; index++) {
    const itl: number[] = [];
    let sum = 0;
    for (let j = 1; j < A_TOKENS; j++) {
      // Log-normal, median 5 ms, σ 0.3; 1 % of gaps stall ten times longer.
      let gap = 0.005 * Math.exp(0.3 * normal());
      if (random() < 0.01) gap *= 10;
      itl.push(gap);
      sum += gap;
    }
    const ttft = 0.02 * Math.exp(0.5 * normal());
    const plannedOffset = index * A_SEND_GAP;
    batch.push({
      index,
      success: true,
      error: "",
      status: 200,
      text: "",
      promptLen: 32,
      outputLen: A_TOKENS,
      outputLenSource: "server",
      ttft,
      itl,
      latency: ttft + sum + 0.0005,
      chunks: A_TOKENS,
      chunkTokens: new Array(A_TOKENS).fill(1),
      streamed: true,
      plannedOffset,
      sendOffset: plannedOffset + 0.0002 * random(),
      notes: [],
    });
  }
  return batch;
}

/**
 * Collects garbage until the figures hold still: a typed array's memory is
 * released only after a full collection and a turn of the event loop.
 */
async function settle(gc: (() => void) | undefined): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The child's side of part A: one accumulator, one mode, a JSON report on stdout. */
async function accumulatorChild(mode: "hdr" | "exact"): Promise<AccumulatorReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const hdr = mode === "hdr" ? await loadHdrLibrary() : undefined;
  const random = seededSource(1, "bench-metrics");
  await settle(gc);
  const before = Deno.memoryUsage();
  // As the CLI builds it for a large run: the gap samples are histograms from the start.
  const acc = new RunAccumulator({
    hdr,
    expect: hdr && { requests: A_REQUESTS, tokens: A_REQUESTS * A_TOKENS },
  });
  let addMs = 0;
  for (let first = 0; first < A_REQUESTS; first += A_BATCH) {
    const batch = syntheticBatch(first, Math.min(A_BATCH, A_REQUESTS - first), random);
    const t0 = performance.now();
    for (const r of batch) acc.add(r, r.chunkTokens);
    addMs += performance.now() - t0;
  }
  const duration = (A_REQUESTS - 1) * A_SEND_GAP + 2;
  const t0 = performance.now();
  const metrics = acc.metrics({ duration, percentiles: A_PERCENTILES });
  const metricsMs = performance.now() - t0;
  await settle(gc);
  const after = Deno.memoryUsage();
  const perTokenValues = acc.itlPerToken.count;
  const itl = metrics.itlPerToken;
  if (itl === null || perTokenValues !== A_REQUESTS * (A_TOKENS - 1)) {
    throw new Error(
      `expected ${A_REQUESTS * (A_TOKENS - 1)} per-token gaps, got ${perTokenValues}`,
    );
  }
  return {
    mode,
    perTokenValues,
    addNsPerValue: (addMs * 1e6) / perTokenValues,
    retainedBytes: after.heapUsed + after.external - before.heapUsed - before.external,
    retainedHeapBytes: after.heapUsed - before.heapUsed,
    retainedExternalBytes: after.external - before.external,
    metricsMs,
    gcAvailable: gc !== undefined,
    fromHistogram: metrics.fromHistogram,
    itlPerToken: itl.percentiles,
  };
}

async function runAccumulatorChild(mode: "hdr" | "exact"): Promise<AccumulatorReport> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--v8-flags=--expose-gc", SELF, "--child-accumulator", mode],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`accumulator child (${mode}) failed (${output.code})`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

// ---------------------------------------------------------------------------
// B. End to end

const B_SIZES = [1_000, 3_000] as const;
const B_RATE = 200;
const B_TOKENS = 256;
type Mode = "keep" | "stream";
/** `--exact-limit` of stream mode: runs of 256 k and 768 k tokens count as large. */
const STREAM_EXACT_LIMIT = 1_000;
const MODES: Mode[] = ["keep", "stream"];

/** The benchmark flags both parts run the CLI with: `requests` × B_TOKENS tokens at `rate`. */
function benchArgs(url: string, requests: number, rate: number): string[] {
  return [
    "--base-url",
    url,
    "--backend",
    "openai",
    "--num-of-req",
    `${requests}`,
    "--request-distribution",
    "poisson",
    `${rate}`,
    "--input-token-distribution",
    "constant",
    "32",
    "--output-token-distribution",
    "constant",
    `${B_TOKENS}`,
    "--tokenizer",
    "cl100k_base",
    "--disable-tqdm",
  ];
}

/** Part C: requests of a run too large to stay exact (1.5 M planned output tokens). */
const C_REQUESTS = 6_000;
/** Part C: V8's old-space cap for the CLI. */
const C_HEAP_MIB = 48;

/**
 * Part C: one CLI run of C_REQUESTS × B_TOKENS at 300 req/s with V8's old
 * space capped at C_HEAP_MIB; true when it completed with every request
 * successful, false when it ran out of memory. No `--exact-limit`: at the
 * default limit this is a large run, so "stream" takes the large-run path by
 * itself and "keep" keeps every result only because its output file lists them.
 */
async function runCapped(url: string, mode: Mode): Promise<boolean> {
  const tmp = await Deno.makeTempDir({ prefix: "mib-bench-heap-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        `--v8-flags=--max-old-space-size=${C_HEAP_MIB}`,
        MAIN,
        ...benchArgs(url, C_REQUESTS, 300),
        ...(mode === "keep" ? ["--output-file", `${tmp}/run.json`] : []),
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
    if (/out of memory/i.test(text)) return false;
    const ok = new RegExp(`Successful requests\\s*│\\s*${C_REQUESTS}\\b`).test(text);
    if (code !== 0 || !ok) throw new Error(`capped ${mode} run failed (exit ${code}):\n${text}`);
    return true;
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

/** What one CLI child cost and reported. */
interface ClientRun {
  mode: Mode;
  requests: number;
  peakRss: number;
  lastRss: number;
  cpuSeconds: number;
  outputTokens: number;
  wallSeconds: number;
  polls: number;
  /** The summary's p99 schedule lag and event-loop lag, ms. */
  scheduleLagP99: number;
  eventLoopLagP99: number;
}

let clockTicks: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (getconf CLK_TCK, else 100). */
async function ticksPerSecond(): Promise<number> {
  if (clockTicks !== undefined) return clockTicks;
  try {
    const out = await new Deno.Command("getconf", { args: ["CLK_TCK"], stdout: "piped" }).output();
    const n = Number(new TextDecoder().decode(out.stdout).trim());
    clockTicks = out.success && n > 0 ? n : 100;
  } catch {
    clockTicks = 100;
  }
  return clockTicks;
}

/** VmHWM, VmRSS (bytes) and utime + stime (ticks) of `pid`; undefined once it is gone. */
async function readProc(
  pid: number,
): Promise<{ hwm: number; rss: number; ticks: number } | undefined> {
  try {
    const [status, stat] = await Promise.all([
      Deno.readTextFile(`/proc/${pid}/status`),
      Deno.readTextFile(`/proc/${pid}/stat`),
    ]);
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    const rss = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    // Fields after "(comm)": state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const utime = Number(fields[14 - 3]);
    const stime = Number(fields[15 - 3]);
    // A zombie has no memory lines left: nothing worth keeping.
    if (hwm === undefined || rss === undefined) return undefined;
    return { hwm: Number(hwm) * 1024, rss: Number(rss) * 1024, ticks: utime + stime };
  } catch {
    return undefined;
  }
}

/** Checks that `pid` is the deno binary running main.ts, not a wrapper. */
async function checkIsDeno(pid: number): Promise<void> {
  const exe = await Deno.readLink(`/proc/${pid}/exe`);
  const deno = await Deno.realPath(Deno.execPath());
  const cmdline = (await Deno.readTextFile(`/proc/${pid}/cmdline`)).split("\0");
  if (exe !== deno || !cmdline.includes(MAIN)) {
    throw new Error(`pid ${pid} is ${exe} (${cmdline.join(" ")}), not ${deno} running ${MAIN}`);
  }
}

/** Runs one CLI benchmark against `url`, sampling its /proc figures every 50 ms. */
async function runCli(url: string, mode: Mode, requests: number): Promise<ClientRun> {
  const tmp = await Deno.makeTempDir({ prefix: "mib-bench-metrics-" });
  try {
    const args = [
      "run",
      "-A",
      MAIN,
      ...benchArgs(url, requests, B_RATE),
      // A run this size stays exact and keeps its results unless the limit
      // is lowered: stream mode lowers it to take the large-run path.
      ...(mode === "keep"
        ? ["--output-file", `${tmp}/run.json`]
        : ["--exact-limit", `${STREAM_EXACT_LIMIT}`]),
    ];
    const started = performance.now();
    const child = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "piped" })
      .spawn();
    let finished = false;
    const output = child.output().finally(() => (finished = true));
    await checkIsDeno(child.pid);
    let last: { hwm: number; rss: number; ticks: number } | undefined;
    let polls = 0;
    while (!finished) {
      const read = await readProc(child.pid);
      if (read !== undefined && !finished) {
        last = read;
        polls++;
      }
      await Promise.race([output, new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    const result = await output;
    const wallSeconds = (performance.now() - started) / 1000;
    const stdout = new TextDecoder().decode(result.stdout);
    const stderr = new TextDecoder().decode(result.stderr);
    const field = (name: string) => Number(new RegExp(`${name}\\s*│\\s*(\\d+)`).exec(stdout)?.[1]);
    const ok = field("Successful requests");
    const failed = field("Failed requests");
    const outputTokens = field("Output tokens");
    if (!result.success || ok !== requests || failed !== 0 || !(outputTokens > 0)) {
      throw new Error(
        `mib ${mode} N=${requests} exit ${result.code}, successful ${ok}, failed ${failed}\n` +
          `${stdout}\n${stderr}`,
      );
    }
    if (last === undefined) throw new Error(`no /proc reading of mib ${mode} N=${requests}`);
    // Rows of the timing table: name │ mean │ median │ p90 │ p99 │ n.
    const p99 = (name: string) =>
      Number(new RegExp(`${name}\\s*│(?:\\s*[\\d.]+\\s*│){3}\\s*([\\d.]+)`).exec(stdout)?.[1]);
    return {
      mode,
      requests,
      peakRss: last.hwm,
      lastRss: last.rss,
      cpuSeconds: last.ticks / await ticksPerSecond(),
      outputTokens,
      wallSeconds,
      polls,
      scheduleLagP99: p99("Schedule lag"),
      eventLoopLagP99: p99("Event-loop lag"),
    };
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

// ---------------------------------------------------------------------------
// Orchestration

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3);
}

const median = (values: number[]) => describeSample(values)?.median ?? NaN;

async function main() {
  const args = Deno.args;
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const child = flag("--child-accumulator");
  if (child !== undefined) {
    if (child !== "hdr" && child !== "exact") throw new Error(`unknown mode ${child}`);
    console.log(JSON.stringify(await accumulatorChild(child)));
    return;
  }
  const runs = Number(flag("--runs") ?? 3);
  if (!(Number.isInteger(runs) && runs > 0)) throw new Error(`--runs: expected a count`);
  const only = flag("--only")?.split(",");
  const wanted = (name: string) => !only || only.some((o) => name.startsWith(o));
  const out = flag("--out") ??
    `${ROOT}bench-results/metrics-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  const table = new Table({ head: ["part", "figure", "setting", "median", "runs"] });
  const row = (part: string, figure: string, setting: string, values: number[]) =>
    table.push([part, figure, setting, fmt(median(values)), values.map(fmt).join(" ")]);
  const record: Record<string, unknown> = {};

  if (wanted("accumulator")) {
    const reports: Record<"hdr" | "exact", AccumulatorReport[]> = { hdr: [], exact: [] };
    for (let run = 0; run < runs; run++) {
      for (const mode of ["hdr", "exact"] as const) {
        reports[mode].push(await runAccumulatorChild(mode));
        console.error(`accumulator ${mode}: run ${run + 1}/${runs} done`);
      }
    }
    if (!reports.hdr[0].gcAvailable) console.error("warning: gc() unavailable in the child");
    const part = `A. accumulator, ${A_REQUESTS} req × ${A_TOKENS} tok`;
    for (const mode of ["hdr", "exact"] as const) {
      row(part, "add, ns per per-token value", mode, reports[mode].map((r) => r.addNsPerValue));
    }
    for (const mode of ["hdr", "exact"] as const) {
      row(
        part,
        "retained heap+external (MiB)",
        mode,
        reports[mode].map((r) => r.retainedBytes / MiB),
      );
    }
    for (const mode of ["hdr", "exact"] as const) {
      row(part, "metrics() (ms)", mode, reports[mode].map((r) => r.metricsMs));
    }
    const errors = reports.hdr.map((h, i) => {
      const exact = reports.exact[i].itlPerToken;
      return Math.max(
        ...Object.keys(exact).map((k) => Math.abs(h.itlPerToken[k] - exact[k]) / exact[k]),
      ) * 100;
    });
    row(part, "itlPerToken p50..p99.9 max rel. error (%)", "hdr vs exact", errors);
    if (!reports.hdr.every((r) => r.fromHistogram.includes("itlPerToken"))) {
      throw new Error("hdr mode: itlPerToken did not become a histogram");
    }
    if (reports.exact.some((r) => r.fromHistogram.length > 0)) {
      throw new Error("exact mode: some sample became a histogram");
    }
    record.accumulator = { ...reports, percentileErrorPercent: errors };
  }

  if (wanted("e2e")) {
    const server = await spawnSimulator(["--ttft-ms", "1", "--tpot-ms", "1"]);
    const all: ClientRun[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        for (const requests of B_SIZES) {
          for (const mode of MODES) {
            const r = await runCli(server.url, mode, requests);
            all.push(r);
            console.error(
              `e2e ${mode} N=${requests}: run ${run + 1}/${runs} done (${
                r.wallSeconds.toFixed(1)
              } s, ${r.polls} polls)`,
            );
          }
        }
      }
    } finally {
      await server.stop();
    }
    const part = `B. mib CLI, ${B_TOKENS} tok, poisson ${B_RATE}/s`;
    const pick = (mode: Mode, n: number) => all.filter((r) => r.mode === mode && r.requests === n);
    const [small, large] = B_SIZES;
    for (const mode of MODES) {
      for (const n of B_SIZES) {
        row(part, "peak RSS (MiB)", `${mode} N=${n}`, pick(mode, n).map((r) => r.peakRss / MiB));
      }
    }
    for (const mode of MODES) {
      const a = pick(mode, small);
      const b = pick(mode, large);
      row(
        part,
        "marginal peak RSS per request (KiB)",
        mode,
        b.map((r, i) => (r.peakRss - a[i].peakRss) / (large - small) / 1024),
      );
    }
    for (const mode of MODES) {
      for (const n of B_SIZES) {
        row(
          part,
          "CPU per output token (µs)",
          `${mode} N=${n}`,
          pick(mode, n).map((r) => (r.cpuSeconds * 1e6) / r.outputTokens),
        );
      }
    }
    for (const mode of MODES) {
      const a = pick(mode, small);
      const b = pick(mode, large);
      row(
        part,
        "marginal CPU per output token (µs)",
        mode,
        b.map((r, i) =>
          ((r.cpuSeconds - a[i].cpuSeconds) * 1e6) / (r.outputTokens - a[i].outputTokens)
        ),
      );
    }
    for (const mode of MODES) {
      for (const n of B_SIZES) {
        row(part, "wall (s)", `${mode} N=${n}`, pick(mode, n).map((r) => r.wallSeconds));
      }
    }
    for (const mode of MODES) {
      for (const n of B_SIZES) {
        row(
          part,
          "schedule lag p99 (ms)",
          `${mode} N=${n}`,
          pick(mode, n).map((r) => r.scheduleLagP99),
        );
      }
    }
    for (const mode of MODES) {
      for (const n of B_SIZES) {
        row(
          part,
          "event-loop lag p99 (ms)",
          `${mode} N=${n}`,
          pick(mode, n).map((r) => r.eventLoopLagP99),
        );
      }
    }
    record.e2e = all;
  }

  if (wanted("heap")) {
    const server = await spawnSimulator(["--ttft-ms", "1", "--tpot-ms", "1"]);
    const outcomes: Record<string, boolean> = {};
    try {
      for (const mode of MODES) {
        outcomes[mode] = await runCapped(server.url, mode);
        console.error(`heap ${mode}: ${outcomes[mode] ? "completed" : "ran out of memory"}`);
      }
    } finally {
      await server.stop();
    }
    const part = `C. ${C_REQUESTS} req × ${B_TOKENS} tok, old space ${C_HEAP_MIB} MiB`;
    for (const mode of MODES) {
      table.push([
        part,
        "completed (1) or ran out of memory (0)",
        mode,
        String(+outcomes[mode]),
        "",
      ]);
    }
    record.heap = outcomes;
  }

  console.log(table.toString());
  await Deno.mkdir(new URL(".", `file://${out}`).pathname, { recursive: true });
  await Deno.writeTextFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), runs, ...record }, null, 2) + "\n",
  );
  console.log(`results: ${out}`);
}

if (import.meta.main) await main();
