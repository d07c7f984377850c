/**
 * `deno task bench`: is the client ever the bottleneck?
 *
 * The simulator runs in its own process in recording mode: it notes when each
 * request arrived and when it wrote each token chunk. Each client run is its
 * own process too (scripts/_bench_client.ts), measuring its CPU and memory.
 * Comparing the two records gives the client's timing error:
 *
 * - token-time error: each chunk's arrival offset from the request's first
 *   chunk (client) minus the same offset of its write (server), in ms;
 * - TTFT excess: client TTFT minus the server's arrival → first write;
 * - schedule lag: actual minus planned send offset; achieved vs asked rate;
 * - CPU per token: client process CPU during the run / output tokens;
 * - memory per stream: (peak RSS during the run − RSS before) / streams;
 * - startup: spawning `mib` → its first request arriving at the server;
 * - machine noise: how long a process that only reads the clock loses the CPU;
 * - plan scale: `mib bench` planning 1k, 1M and 10M requests (Poisson 50/s,
 *   jsonl output, stopped by SIGTERM after 3 s): spawn → first request, peak
 *   RSS and schedule lag p99, which must not grow with the planned count
 *   (scripts/_plan_scale.ts).
 *
 * - workers: `mib bench --workers 1` vs `--workers 2` at Poisson 1,000–4,000
 *   requests/s (schedule lag p99, achieved rate) and at 256 streams (token
 *   error p99), the CLI run with `--start-at` so its request ids are known.
 *
 * - cli: `mib bench` itself (scripts/_bench_cli.ts), each run beside a
 *   1-request run of the same flags: whole-process CPU per token (marginal
 *   over the 1-request run, and whole), token error, TTFT excess, schedule
 *   lag, peak RSS (GNU time), start-up (spawn → first request) and the
 *   1-request run's peak RSS, at 64 streams writing each output format, at
 *   256 streams, and 1k / 10k streams at once (memory per stream).
 *
 * Usage: deno task bench [--runs N] [--only NAME,...] [--out FILE] [--main FILE]
 * (--main: the main.ts the cli rows run, e.g. another commit's worktree)
 * (names: 64-streams/http1, 256-streams/fetch, 64-at-once/http1, rate-2000,
 * streams-10000, cli-64-streams/jsonl, cli-64-streams/seed, cli-64-streams/vllm,
 * cli-64-streams/csv, cli-256-streams/jsonl, cli-streams-1000/seed,
 * cli-streams-10000/seed, startup, plan-scale, workers, noise; --only matches
 * by prefix, so --only cli runs every CLI scenario)
 *
 * @module
 */
import Table from "../output/_cli_table.ts";
import type { ClientReport, ClientScenario } from "./_bench_client.ts";
import { describeSample } from "../mod.ts";
import type { TransportName } from "../runner/transport.ts";
import { spawnSimulator } from "./_bench_server.ts";
import { planScaleOnce } from "./_plan_scale.ts";
import { cliOnce, type CliOutcome, type CliRun, hasGnuTime } from "./_bench_cli.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;
const CLIENT = `${ROOT}scripts/_bench_client.ts`;

/** The simulator's record (GET /mib/record). */
interface ServerRecord {
  timeOrigin: number;
  requests: { id: string; arrival: number; writes: number[]; tokens: number[]; end?: number }[];
}

interface Server {
  url: string;
  record(): Promise<ServerRecord>;
  clear(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `mib serve --record` on a free port in its own process. */
async function startServer(ttftMs: number, tpotMs: number): Promise<Server> {
  const sim = await spawnSimulator([
    "--record",
    "--ttft-ms",
    `${ttftMs}`,
    "--tpot-ms",
    `${tpotMs}`,
  ]);
  const url = sim.url;
  return {
    url,
    record: async () => await (await fetch(`${url}/mib/record`)).json(),
    clear: async () => void (await fetch(`${url}/mib/record`, { method: "DELETE" })).body?.cancel(),
    stop: sim.stop,
  };
}

async function runClient(scenario: ClientScenario): Promise<ClientReport> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      CLIENT,
      JSON.stringify(scenario),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`client failed (${output.code})`);
  return JSON.parse(new TextDecoder().decode(output.stdout));
}

/** The figures of one run, each compared with its target. */
type Figures = Record<string, number>;

const p = (values: number[], q: "median" | "p99" | "max") => {
  const stats = describeSample(values);
  return stats === undefined ? NaN : stats[q];
};

/** Compares a client report with the server's record of the same requests. */
function analyse(report: ClientReport, record: ServerRecord, prefix: string): Figures {
  const byId = new Map(record.requests.map((r) => [r.id, r]));
  const tokenErrors: number[] = [];
  const ttftExcess: number[] = [];
  let outputTokens = 0;
  let failed = 0;
  for (const r of report.results) {
    if (!r.success) {
      failed++;
      continue;
    }
    outputTokens += r.outputLen;
    const server = byId.get(`${prefix}${r.index}`);
    if (!server || server.writes.length === 0 || r.ttft === null) continue;
    ttftExcess.push(r.ttft * 1000 - (server.writes[0] - server.arrival));
    let client = 0;
    const n = Math.min(r.itl.length, server.writes.length - 1);
    for (let j = 1; j <= n; j++) {
      client += r.itl[j - 1] * 1000;
      tokenErrors.push(Math.abs(client - (server.writes[j] - server.writes[0])));
    }
  }
  const sends = report.results.map((r) => r.sendOffset).sort((a, b) => a - b);
  const planned = report.results.map((r) => r.plannedOffset).sort((a, b) => a - b);
  const arrivals = record.requests.filter((r) => r.id.startsWith(prefix)).map((r) => r.arrival)
    .sort((a, b) => a - b);
  const span = (xs: number[]) => xs[xs.length - 1] - xs[0];
  const n = report.results.length;
  return {
    requests: n,
    failed,
    "token error p50 (ms)": p(tokenErrors, "median"),
    "token error p99 (ms)": p(tokenErrors, "p99"),
    "token error max (ms)": p(tokenErrors, "max"),
    "TTFT excess median (ms)": p(ttftExcess, "median"),
    "CPU per token (µs)": outputTokens > 0 ? report.cpuMicros / outputTokens : NaN,
    "schedule lag p99 (ms)": p(
      report.results.map((r) => (r.sendOffset - r.plannedOffset) * 1000),
      "p99",
    ),
    "achieved/asked rate (client)": n > 1 && span(planned) > 0 ? span(planned) / span(sends) : NaN,
    "achieved/asked rate (server)": arrivals.length > 1 && span(planned) > 0
      ? (span(planned) * 1000) / span(arrivals)
      : NaN,
    "event-loop lag p99 (ms)": p(report.eventLoopLag, "p99"),
    "memory per stream (KiB)": (report.rssPeak - report.rssBefore) / n / 1024,
  };
}

interface Scenario {
  name: string;
  ttftMs: number;
  tpotMs: number;
  client: Omit<ClientScenario, "url" | "requestIdPrefix">;
  /**
   * Also run the client with this many requests, to report the marginal
   * memory per stream (fixed costs such as the V8 young generation cancel out).
   */
  compareCount?: number;
  /** Figure name → target: at most (≤) unless `within` (|x − 1| ≤ target). */
  targets: Record<string, { max?: number; within?: number }>;
}

const STREAM = { promptWords: 32, outputTokens: 256 };
/** A stream lasts TTFT + 255 gaps of TPOT; arrivals this far apart keep `n` in flight. */
const steadyGap = (n: number) => (20 + 255 * 5) / 1000 / n;
const SCENARIOS: Scenario[] = [
  ...(["http1", "fetch"] as TransportName[]).flatMap((transport): Scenario[] => [
    {
      // Arrivals spaced so that 64 streams are in flight once the first has ended.
      name: `64-streams/${transport}`,
      ttftMs: 20,
      tpotMs: 5,
      client: {
        ...STREAM,
        transport,
        arrival: { kind: "constant", gap: steadyGap(64) },
        count: 3 * 64,
      },
      targets: {
        "CPU per token (µs)": { max: 20 },
        "token error p99 (ms)": { max: 2 },
        "TTFT excess median (ms)": { max: 2 },
      },
    },
    {
      name: `256-streams/${transport}`,
      ttftMs: 20,
      tpotMs: 5,
      client: {
        ...STREAM,
        transport,
        arrival: { kind: "constant", gap: steadyGap(256) },
        count: 3 * 256,
      },
      targets: { "CPU per token (µs)": { max: 20 }, "token error p99 (ms)": { max: 5 } },
    },
    {
      // Every stream at once: a connection storm, then 64 writes in each instant.
      name: `64-at-once/${transport}`,
      ttftMs: 20,
      tpotMs: 5,
      client: { ...STREAM, transport, arrival: { kind: "constant", gap: 0 }, count: 64 },
      targets: {},
    },
  ]),
  {
    name: "rate-2000",
    ttftMs: 2,
    tpotMs: 1,
    client: {
      transport: "http1",
      promptWords: 8,
      outputTokens: 2,
      arrival: { kind: "poisson", rate: 2000 },
      maxTime: 3,
    },
    targets: {
      "schedule lag p99 (ms)": { max: 1 },
      "achieved/asked rate (client)": { within: 0.01 },
    },
  },
  {
    name: "streams-10000",
    ttftMs: 4000,
    tpotMs: 100,
    client: {
      transport: "http1",
      promptWords: 8,
      outputTokens: 8,
      arrival: { kind: "constant", gap: 0.0002 },
      count: 10_000,
    },
    compareCount: 5_000,
    targets: { "memory per stream, marginal (KiB)": { max: 20 } },
  },
];

/**
 * `mib bench` as users run it: the real flags, the default tokenizer, an
 * output file. Each is run beside a 1-request run of the same flags, so the
 * CPU per token is the marginal cost of streaming (start-up, tokenizer load
 * and plan cancel out).
 */
interface CliScenario {
  name: string;
  ttftMs: number;
  tpotMs: number;
  /** Requests and the constant gap between them, s. */
  count: number;
  gap: number;
  promptTokens: number;
  outputTokens: number;
  format: CliRun["format"];
  targets: Record<string, { max?: number; within?: number }>;
}

const CLI_STREAM_TARGETS = {
  "CPU per token, marginal (µs)": { max: 20 },
  "token error p99 (ms)": { max: 2 },
  "TTFT excess median (ms)": { max: 1 },
  "1-request peak RSS (MB)": { max: 80 },
  "startup (ms)": { max: 100 },
};
const CLI_SCENARIOS: CliScenario[] = [
  ...(["jsonl", "seed", "vllm", "csv"] as const).map((format): CliScenario => ({
    name: `cli-64-streams/${format}`,
    ttftMs: 20,
    tpotMs: 5,
    count: 3 * 64,
    gap: steadyGap(64),
    promptTokens: 32,
    outputTokens: 256,
    format,
    targets: format === "jsonl" || format === "seed"
      ? CLI_STREAM_TARGETS
      : { "CPU per token, marginal (µs)": { max: 20 } },
  })),
  {
    name: "cli-256-streams/jsonl",
    ttftMs: 20,
    tpotMs: 5,
    count: 3 * 256,
    gap: steadyGap(256),
    promptTokens: 32,
    outputTokens: 256,
    format: "jsonl",
    targets: { "CPU per token, marginal (µs)": { max: 20 }, "token error p99 (ms)": { max: 5 } },
  },
  ...[1_000, 10_000].map((n): CliScenario => ({
    // Every stream in flight at once (a 4 s TTFT), kept in memory for the seed file.
    name: `cli-streams-${n}/seed`,
    ttftMs: 4000,
    tpotMs: 100,
    count: n,
    gap: 0.0002,
    promptTokens: 8,
    outputTokens: 8,
    format: "seed",
    targets: {},
  })),
];

function cliFlags(s: CliScenario, count: number): string[] {
  return [
    "--num-of-req",
    `${count}`,
    "--request-distribution",
    "constant",
    `${s.gap}`,
    "--input-token-distribution",
    "constant",
    `${s.promptTokens}`,
    "--output-token-distribution",
    "constant",
    `${s.outputTokens}`,
  ];
}

/** The CLI figures of one pair of runs: `many` (the scenario) and `one` (1 request). */
function cliFigures(many: CliOutcome, one: CliOutcome, record: ServerRecord): Figures {
  // The simulator's ids are mib-<run>-<index>: matched by index (one run per record).
  const byIndex: ServerRecord = {
    ...record,
    requests: record.requests.map((r) => ({ ...r, id: `${r.id.split("-").at(-1)}` })),
  };
  const figures = many.report.results.length > 0 ? analyse(many.report, byIndex, "") : {};
  const n = Number(figures.requests ?? NaN);
  return {
    ...figures,
    "CPU per token, marginal (µs)": (many.cpuMicros - one.cpuMicros) /
      (many.outputTokens - one.outputTokens),
    "of which system, marginal (µs)": (many.sysMicros - one.sysMicros) /
      (many.outputTokens - one.outputTokens),
    "CPU per token, whole process (µs)": many.cpuMicros / many.outputTokens,
    "peak RSS (MB)": many.peakRssMb,
    "memory per stream, marginal (KiB)": (many.peakRssMb - one.peakRssMb) * 1024 / (n - 1),
    "1-request peak RSS (MB)": one.peakRssMb,
    "startup (ms)": one.startupMs,
    "event-loop lag p99 (ms)": many.eventLoopLagP99,
  };
}

/** The targets of a 2,000 requests/s schedule, runner or CLI. */
const RATE_TARGETS: Record<string, { max?: number; within?: number }> = {
  "schedule lag p99 (ms)": { max: 1 },
  "achieved/asked rate (client)": { within: 0.01 },
};

/** A `--workers` load: a Poisson rate for 3 s, or 3 × 256 steady 256-token streams. */
type WorkersLoad = { rate: number } | { streams: number };

/**
 * `mib bench --workers N` on `load` against the recording simulator: the
 * seed file read back as a client report, compared with the server's record.
 */
async function workersOnce(server: Server, load: WorkersLoad, workers: number): Promise<Figures> {
  await server.clear();
  const dir = await Deno.makeTempDir({ prefix: "mib-bench-workers-" });
  try {
    // With --start-at the request ids are mib-<start>-<index>: matched to the server's record.
    const startAt = Math.ceil(Date.now() / 1000) + 4;
    const shape = "rate" in load
      ? ["--request-distribution", "poisson", `${load.rate}`, "--max-time-for-reqs", "3"]
      : [
        "--request-distribution",
        "constant",
        `${steadyGap(load.streams)}`,
        "--num-of-req",
        `${3 * load.streams}`,
      ];
    const tokens = "rate" in load ? 2 : 256;
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "bench",
        "--base-url",
        server.url,
        ...shape,
        "--input-token-distribution",
        "constant",
        `${"rate" in load ? 8 : 32}`,
        "--output-token-distribution",
        "constant",
        `${tokens}`,
        "--tokenizer",
        "cl100k_base",
        "--workers",
        `${workers}`,
        "--start-at",
        `${startAt}`,
        "--output-file",
        `${dir}/run.json`,
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
    const records: Record<string, unknown>[] = JSON.parse(
      await Deno.readTextFile(`${dir}/run.json`),
    );
    const summary = JSON.parse(await Deno.readTextFile(`${dir}/run.summary.json`)).summary;
    const report: ClientReport = {
      cpuMicros: NaN,
      wallMs: NaN,
      rssBefore: NaN,
      rssPeak: NaN,
      eventLoopLag: [],
      results: records.map((r) => ({
        index: r.index as number,
        success: r.success as boolean,
        error: r.error as string,
        ttft: r.ttft as number | null,
        sendOffset: r.send_offset as number,
        plannedOffset: r.planned_offset as number,
        outputLen: r.output_len as number,
        itl: r.itl as number[],
      })),
    };
    const figures = analyse(report, await server.record(), `mib-${startAt}-`);
    figures["event-loop lag p99 (ms)"] = summary.eventLoopLag?.p99 ?? NaN;
    return figures;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Spawn `mib` with 100 random prompts → its first request arrives at the server, ms. */
async function startupOnce(server: Server, main = MAIN): Promise<number> {
  await server.clear();
  const before = performance.timeOrigin + performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      main,
      "--base-url",
      server.url,
      "--num-of-req",
      "100",
      "--input-token-distribution",
      "constant",
      "256",
      "--output-token-distribution",
      "constant",
      "4",
      "--disable-tqdm",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  const record = await server.record();
  const first = Math.min(...record.requests.map((r) => r.arrival));
  return record.timeOrigin + first - before;
}

/**
 * The floor under every figure above: a process doing nothing but reading the
 * clock for 3 s still loses the CPU now and then on a shared machine.
 */
async function machineNoise(): Promise<Figures> {
  const code = `let prev = performance.now(); const end = prev + 3000; const gaps = [];
    while (prev < end) { const now = performance.now(); if (now - prev > 0.5) gaps.push(now - prev); prev = now; }
    console.log(JSON.stringify(gaps));`;
  const output = await new Deno.Command(Deno.execPath(), { args: ["eval", code], stdout: "piped" })
    .output();
  const gaps: number[] = JSON.parse(new TextDecoder().decode(output.stdout));
  return {
    "stalls > 1 ms": gaps.filter((g) => g > 1).length,
    "largest stall (ms)": gaps.length ? Math.max(...gaps) : 0,
  };
}

/** A target as the table shows it: `≤ max` or `1 ± within`; empty for none. */
function targetText(target?: { max?: number; within?: number }): string {
  if (target === undefined) return "";
  return target.max !== undefined ? `≤ ${target.max}` : `1 ± ${target.within}`;
}

/** One table row per figure of `all` (the runs of `name`) that `shown` names: median, runs, verdict. */
function pushFigures(
  table: { push(...rows: string[][]): unknown },
  name: string,
  all: Figures[],
  shown: ReadonlySet<string>,
  targets: Record<string, { max?: number; within?: number }>,
): void {
  for (const figure of Object.keys(all[0]).filter((f) => shown.has(f))) {
    const values = all.map((f) => f[figure]);
    const median = p(values, "median");
    const target = targets[figure];
    table.push([
      name,
      figure,
      targetText(target),
      fmt(median),
      values.map(fmt).join(" "),
      target ? verdict(median, target) : "",
    ]);
  }
}

function verdict(value: number, target: { max?: number; within?: number }): string {
  if (!Number.isFinite(value)) return "n/a";
  if (target.max !== undefined) return value <= target.max ? "ok" : "MISSED";
  return Math.abs(value - 1) <= target.within! ? "ok" : "MISSED";
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return "n/a";
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3);
}

async function main() {
  const args = Deno.args;
  const flag = (name: string) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const runs = Number(flag("--runs") ?? 3);
  // Another checkout's CLI in the cli rows (its worktree's main.ts), to compare commits.
  const cliMain = flag("--main");
  const only = flag("--only")?.split(",");
  const out = flag("--out") ??
    `${ROOT}bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json`;
  const selected = SCENARIOS.filter((s) => !only || only.some((o) => s.name.startsWith(o)));
  const record: Record<string, Figures[]> = {};
  const table = new Table({ head: ["scenario", "figure", "target", "median", "runs", ""] });

  for (const scenario of selected) {
    const server = await startServer(scenario.ttftMs, scenario.tpotMs);
    const all: Figures[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        await server.clear();
        const prefix = `bench-${run}-`;
        const url = `${server.url}/v1/completions`;
        const report = await runClient({ ...scenario.client, url, requestIdPrefix: prefix });
        const figures = analyse(report, await server.record(), prefix);
        if (scenario.compareCount !== undefined) {
          await server.clear();
          const small = await runClient({
            ...scenario.client,
            count: scenario.compareCount,
            url,
            requestIdPrefix: `${prefix}small-`,
          });
          const grown = (report.rssPeak - report.rssBefore) - (small.rssPeak - small.rssBefore);
          figures["memory per stream, marginal (KiB)"] = grown /
            (report.results.length - small.results.length) / 1024;
        }
        all.push(figures);
        console.error(`${scenario.name}: run ${run + 1}/${runs} done`);
      }
    } finally {
      await server.stop();
    }
    record[scenario.name] = all;
    const shown = new Set([
      ...Object.keys(scenario.targets),
      ...(scenario.compareCount === undefined ? [] : ["memory per stream (KiB)"]),
      "failed",
      "event-loop lag p99 (ms)",
      "token error p50 (ms)",
    ]);
    pushFigures(table, scenario.name, all, shown, scenario.targets);
  }

  const cliSelected = CLI_SCENARIOS.filter((s) => !only || only.some((o) => s.name.startsWith(o)));
  if (cliSelected.length > 0 && !hasGnuTime()) {
    console.error("cli scenarios: no /usr/bin/time (Debian's time package): CPU and RSS are n/a");
  }
  for (const scenario of cliSelected) {
    const server = await startServer(scenario.ttftMs, scenario.tpotMs);
    const all: Figures[] = [];
    try {
      for (let run = 0; run < runs; run++) {
        // The 1-request run first, then the scenario: each read against its own record.
        await server.clear();
        const run1: CliRun = {
          flags: cliFlags(scenario, 1),
          format: scenario.format,
          main: cliMain,
        };
        const one = await cliOnce(server.url, run1, server.record);
        await server.clear();
        const runN: CliRun = {
          flags: cliFlags(scenario, scenario.count),
          format: scenario.format,
          main: cliMain,
        };
        const many = await cliOnce(server.url, runN, server.record);
        all.push(cliFigures(many, one, await server.record()));
        console.error(`${scenario.name}: run ${run + 1}/${runs} done`);
      }
    } finally {
      await server.stop();
    }
    record[scenario.name] = all;
    const shown = new Set([
      ...Object.keys(scenario.targets),
      "CPU per token, whole process (µs)",
      "of which system, marginal (µs)",
      "token error p50 (ms)",
      "schedule lag p99 (ms)",
      "peak RSS (MB)",
      "event-loop lag p99 (ms)",
      "failed",
      ...(scenario.name.startsWith("cli-streams") ? ["memory per stream, marginal (KiB)"] : []),
      ...(scenario.format === "jsonl" || scenario.format === "seed"
        ? ["token error p99 (ms)", "TTFT excess median (ms)"]
        : []),
    ]);
    pushFigures(table, scenario.name, all, shown, scenario.targets);
  }

  if (!only || only.some((o) => "startup".startsWith(o))) {
    const server = await startServer(5, 1);
    const times: number[] = [];
    try {
      for (let run = 0; run < Math.max(runs, 5); run++) {
        times.push(await startupOnce(server, cliMain));
      }
    } finally {
      await server.stop();
    }
    record.startup = times.map((t) => ({ "command → first request (ms)": t }));
    const median = p(times, "median");
    table.push([
      "startup, 100 random prompts",
      "command → first request (ms)",
      "≤ 100",
      fmt(median),
      times.map(fmt).join(" "),
      verdict(median, { max: 100 }),
    ]);
  }

  if (!only || only.some((o) => "plan-scale".startsWith(o))) {
    const server = await startServer(5, 1);
    try {
      for (const count of [1_000, 1_000_000, 10_000_000]) {
        const all = [];
        for (let run = 0; run < runs; run++) {
          all.push(await planScaleOnce(server.url, count, server));
          console.error(`plan-scale ${count}: run ${run + 1}/${runs} done`);
        }
        record[`plan-scale-${count}`] = all;
        for (const figure of Object.keys(all[0])) {
          const values = all.map((f) => f[figure]);
          // 10M planned requests start within a second of spawning, as 1k do.
          const target = figure === "start (ms)" ? { max: 1000 } : undefined;
          const median = p(values, "median");
          table.push([
            `plan-scale, ${count.toLocaleString("en")} planned`,
            figure,
            target ? `≤ ${target.max}` : "",
            fmt(median),
            values.map(fmt).join(" "),
            target ? verdict(median, target) : "",
          ]);
        }
      }
    } finally {
      await server.stop();
    }
  }

  if (!only || only.some((o) => "workers".startsWith(o))) {
    const loads: [string, WorkersLoad, string[]][] = [
      ...[1000, 2000, 3000, 4000].map((rate): [string, WorkersLoad, string[]] => [
        `${rate} req/s, 3 s`,
        { rate },
        ["schedule lag p99 (ms)", "achieved/asked rate (client)", "failed"],
      ]),
      ["256 streams", { streams: 256 }, ["token error p99 (ms)", "TTFT excess median (ms)"]],
    ];
    for (const [label, load, shown] of loads) {
      const server = "rate" in load ? await startServer(2, 1) : await startServer(20, 5);
      try {
        for (const workers of [1, 2]) {
          const all = [];
          for (let run = 0; run < runs; run++) all.push(await workersOnce(server, load, workers));
          console.error(`workers ${label}, ${workers} worker(s) done`);
          record[`workers-${label}-${workers}`] = all;
          for (const figure of [...shown, "event-loop lag p99 (ms)"]) {
            const values = all.map((f) => f[figure]);
            // The CLI rate targets: 2,000 req/s from one process.
            const target = "rate" in load && load.rate === 2000 ? RATE_TARGETS[figure] : undefined;
            const median = p(values, "median");
            table.push([
              `--workers ${workers}, ${label}`,
              figure,
              targetText(target),
              fmt(median),
              values.map(fmt).join(" "),
              target ? verdict(median, target) : "",
            ]);
          }
        }
      } finally {
        await server.stop();
      }
    }
  }

  if (!only || only.some((o) => "noise".startsWith(o))) {
    const stalls = await machineNoise();
    record.noise = [stalls];
    for (const [figure, value] of Object.entries(stalls)) {
      table.push(["machine noise, idle spin 3 s", figure, "", fmt(value), "", ""]);
    }
  }

  console.log(table.toString());
  await Deno.mkdir(new URL(".", `file://${out}`).pathname, { recursive: true });
  await Deno.writeTextFile(
    out,
    JSON.stringify({ date: new Date().toISOString(), runs, scenarios: record }, null, 2) + "\n",
  );
  console.log(`results: ${out}`);
}

if (import.meta.main) await main();
