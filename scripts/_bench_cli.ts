/**
 * The CLI scenarios of `deno task bench`: `mib bench` run as users run it (its
 * own process, its real flags, the default tokenizer, an `--output-file`),
 * against the recording simulator in another process. What the process cost
 * is read from outside it: CPU (user + system, every thread) and peak
 * resident set from `/usr/bin/time` (GNU time's `wait4` rusage), the first
 * request's arrival from the simulator's record. Per-request timings come
 * back from the result file (seed or jsonl) and are compared with the
 * simulator's record by the caller.
 *
 * @module
 */
import { type ClientReport, reportedResult } from "./_bench_client.ts";
import { readResults } from "../mod.ts";

/** This checkout's CLI. */
export const MAIN: string = new URL("../main.ts", import.meta.url).pathname;
const TIME = "/usr/bin/time";

/** One `mib bench` process: its flags beyond `--base-url` and the output file. */
export interface CliRun {
  /** Flags after `deno run -A main.ts`. */
  flags: string[];
  /** `--output-format`; the timings are read back from `seed` and `jsonl` files only. */
  format: "seed" | "jsonl" | "vllm" | "csv";
  /** The `main.ts` run (default: this checkout's), e.g. another commit's worktree, to compare. */
  main?: string;
}

/** What one process measured. */
export interface CliOutcome {
  /** Per request, as the bench's analysis takes them (empty for vllm and csv files). */
  report: ClientReport;
  /** Whole-process CPU, user + system, µs (NaN without GNU time). */
  cpuMicros: number;
  /** Of which system (kernel) time, µs. */
  sysMicros: number;
  /** Peak resident set, MB (NaN without GNU time). */
  peakRssMb: number;
  /** Spawning the process → its first request arriving at the simulator, ms. */
  startupMs: number;
  /** Output tokens of successful requests, from the run record. */
  outputTokens: number;
  /** Event-loop lag p99 during the run, ms, from the run record. */
  eventLoopLagP99: number;
}

/** Whether GNU time is here to measure the process from outside. */
export function hasGnuTime(): boolean {
  try {
    return Deno.statSync(TIME).isFile;
  } catch {
    return false;
  }
}

/** The simulator's record, as far as this needs. */
interface Arrivals {
  timeOrigin: number;
  requests: { arrival: number }[];
}

/**
 * Runs `mib bench` once against `baseUrl` with `run.flags`, writing
 * `--output-file` in `run.format`; `record()` is the simulator's record, cleared
 * by the caller before.
 */
export async function cliOnce(
  baseUrl: string,
  run: CliRun,
  record: () => Promise<Arrivals>,
): Promise<CliOutcome> {
  const dir = await Deno.makeTempDir({ prefix: "mib-bench-cli-" });
  const ext = run.format === "csv" ? "csv" : run.format === "jsonl" ? "jsonl" : "json";
  const file = `${dir}/run.${ext}`;
  const timeFile = `${dir}/time.txt`;
  const mib = [
    Deno.execPath(),
    "run",
    "-A",
    run.main ?? MAIN,
    "--base-url",
    baseUrl,
    ...run.flags,
    "--disable-tqdm",
    "--output-format",
    run.format,
    "--output-file",
    file,
  ];
  const timed = hasGnuTime();
  try {
    const before = performance.timeOrigin + performance.now();
    const [command, ...args] = timed ? [TIME, "-f", "%U %S %M", "-o", timeFile, ...mib] : mib;
    const output = await new Deno.Command(command, { args, stdout: "null", stderr: "piped" })
      .output();
    // Exit 1 means some requests failed: counted, not an error of the bench.
    if (output.code !== 0 && output.code !== 1) {
      throw new Error(
        `mib bench exited ${output.code}: ${new TextDecoder().decode(output.stderr)}`,
      );
    }
    const arrivals = await record();
    const first = Math.min(...arrivals.requests.map((r) => r.arrival));
    const [user, sys, maxRssKb] = timed
      ? (await Deno.readTextFile(timeFile)).trim().split("\n").at(-1)!.split(" ").map(Number)
      : [NaN, NaN, NaN];
    const summaryPath = file.replace(/\.[a-z]+$/, ".summary.json");
    const summary = JSON.parse(await Deno.readTextFile(summaryPath)).summary;
    const results = run.format === "seed" || run.format === "jsonl" ? await readResults(file) : [];
    return {
      report: {
        cpuMicros: (user + sys) * 1e6,
        wallMs: NaN,
        rssBefore: NaN,
        rssPeak: maxRssKb * 1024,
        eventLoopLag: [],
        results: results.map(reportedResult),
      },
      cpuMicros: (user + sys) * 1e6,
      sysMicros: sys * 1e6,
      peakRssMb: maxRssKb / 1024,
      startupMs: arrivals.timeOrigin + first - before,
      outputTokens: summary.totalOutputTokens ?? NaN,
      eventLoopLagP99: summary.eventLoopLag?.p99 ?? NaN,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
