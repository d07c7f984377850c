/**
 * `mib sweep`: a series of benchmarks against one server, side by side. Each
 * point is a `mib bench` run in this process ({@linkcode benchCommand}), its
 * configuration the sweep's bench flags with the point's arrivals and cap.
 *
 * @module
 */
import { join } from "node:path";
import { UsageError } from "../errors.ts";
import { checkSaturation, type SaturationSample } from "../metrics/saturation.ts";
import { runRecordPath } from "../output/mod.ts";
import {
  formatSweepTable,
  pointFigures,
  saturationPoint,
  sweepCsv,
  sweepFile,
  type SweepPoint,
  type SweepRow,
} from "../output/sweep_file.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import { benchCommand } from "./bench_command.ts";
import type { RawOptions, Sources } from "./options.ts";
import { resolveBenchConfig } from "./resolve.ts";
import { autoRates, ratePoint, type SweepPlan } from "./sweep_options.ts";

/** The bench flags of a sweep: merged values, where each came from, the config file. */
export interface SweepBench {
  values: RawOptions;
  sources: Sources;
  configPath?: string;
}

/** Where a sweep prints, and what stops it. */
export interface SweepIo {
  /** The sweep's table (stdout). */
  log: (line: string) => void;
  /** Progress and each point's warnings (stderr). */
  progress: (line: string) => void;
  /** Debug lines of each point, when `--debug`. */
  debug?: (line: string) => void;
  /** Ends requests in flight at once. */
  signal?: AbortSignal;
  /** Stops sending; the sweep ends after the point under way. */
  stop?: AbortSignal;
}

/** What a finished sweep hands back. */
export interface SweepOutcome {
  /** Every point run, in run order. */
  rows: SweepRow[];
  /** Whether any request of any point failed, or a point completed none. */
  failed: boolean;
}

/** The file extension of a result format. */
function extension(format: BenchConfig["outputFormat"]): string {
  return format === "jsonl" ? ".jsonl" : format === "csv" ? ".csv" : ".json";
}

/** The configuration of `point`: the sweep's bench flags with its arrivals, cap and file. */
export function pointConfig(bench: SweepBench, point: SweepPoint, dir: string): BenchConfig {
  const values: RawOptions = {
    ...bench.values,
    request_distribution: ["poisson", point.rate === undefined ? "inf" : String(point.rate)],
  };
  const sources: Sources = { ...bench.sources, request_distribution: "cli", output_file: "cli" };
  if (point.concurrency !== undefined) {
    values.max_concurrency = point.concurrency;
    sources.max_concurrency = "cli";
  }
  // The format is resolved first, for the file's extension.
  const format = resolveBenchConfig(values, sources, bench.configPath).outputFormat;
  values.output_file = join(dir, point.name + extension(format));
  return resolveBenchConfig(values, sources, bench.configPath);
}

const ms = (v: number | null) => v === null ? "n/a" : `${v.toFixed(1)} ms`;

/** Runs one point, reporting its start and end. */
async function runPoint(
  point: SweepPoint,
  position: string,
  bench: SweepBench,
  plan: SweepPlan,
  io: SweepIo,
  said: Set<string>,
): Promise<SweepRow> {
  const config = pointConfig(bench, point, plan.outputDir);
  io.progress(`mib sweep: point ${position}: ${point.label}: started`);
  const samples: SaturationSample[] = [];
  const { summary } = await benchCommand(config, {
    // The point's summary is in its run record; its warnings and notes go to stderr.
    log: (line) => {
      // The same line from every point is said once.
      if (!/^(warning|note|interrupted|strict)\b/.test(line) || said.has(line)) return;
      said.add(line);
      io.progress(`  ${point.label}: ${line}`);
    },
    debug: io.debug,
    sources: bench.sources,
    signal: io.signal,
    stop: io.stop,
    onResult: (r) => {
      if (r.success && r.phase === undefined) {
        samples.push({ sendOffset: r.sendOffset, latency: r.latency, ttft: r.ttft });
      }
    },
  });
  const figures = pointFigures(summary);
  const saturation = checkSaturation(samples, point.rate ?? null);
  const file = config.outputFile!.slice(plan.outputDir.length).replace(/^[/\\]/, "");
  io.progress(
    `mib sweep: point ${position}: ${point.label}: ${
      figures.requestThroughput.toFixed(2)
    } req/s, ` +
      `${figures.outputThroughput.toFixed(0)} output tok/s, TTFT p99 ${ms(figures.ttftP99)}, ` +
      `${figures.failed} failed${
        saturation.rule === null ? "" : `; saturated (${saturation.rule}): ${saturation.detail}`
      }`,
  );
  return { ...point, file, record: runRecordPath(file), figures, saturation };
}

/** Writes `sweep.json` and `sweep.csv` of the points so far. */
async function writeSweep(plan: SweepPlan, url: string, rows: SweepRow[]): Promise<void> {
  const sweep = sweepFile(url, plan.mode, rows);
  await Deno.writeTextFile(
    join(plan.outputDir, "sweep.json"),
    JSON.stringify(sweep, null, 2) + "\n",
  );
  await Deno.writeTextFile(join(plan.outputDir, "sweep.csv"), sweepCsv(rows));
}

/**
 * Runs the sweep `plan` describes with the bench flags `bench`: every point
 * in turn (with `--auto`, the synchronous and throughput points, then the
 * rates between them, stopping at the first saturated one), writing each
 * point's files and, after each, `sweep.json` and `sweep.csv`; prints the
 * table and writes the page when asked.
 *
 * @throws {UsageError} before any request when a point's configuration is
 *   wrong or the folder cannot be made.
 */
export async function sweepCommand(
  plan: SweepPlan,
  bench: SweepBench,
  io: SweepIo,
): Promise<SweepOutcome> {
  try {
    await Deno.mkdir(plan.outputDir, { recursive: true });
  } catch (error) {
    throw new UsageError(
      "--output-dir",
      `cannot make "${plan.outputDir}": ${(error as Error).message}`,
    );
  }
  // Every point given is checked before the first request.
  for (const point of plan.points) pointConfig(bench, point, plan.outputDir);
  const url = resolveBenchConfig(bench.values, bench.sources, bench.configPath).baseUrl;
  const rows: SweepRow[] = [];
  const queue = [...plan.points];
  const said = new Set<string>();
  let total = plan.mode === "auto" ? plan.points.length + plan.autoPoints : plan.points.length;
  while (queue.length > 0 && !io.stop?.aborted) {
    const point = queue.shift()!;
    const row = await runPoint(point, `${rows.length + 1}/${total}`, bench, plan, io, said);
    rows.push(row);
    await writeSweep(plan, url, rows);
    if (plan.mode === "auto" && row.kind === "throughput") {
      const sync = rows.find((r) => r.kind === "sync")!;
      const rates = autoRates(
        sync.figures.requestThroughput,
        row.figures.requestThroughput,
        plan.autoPoints,
      );
      queue.push(...rates.map(ratePoint));
      total = rows.length + rates.length;
      if (rates.length === 0) {
        io.progress(
          "mib sweep: the throughput point's request rate is not above the synchronous one: no rates between",
        );
      }
    }
    if (plan.mode === "auto" && row.kind === "rate" && row.saturation.rule !== null) {
      io.progress(
        `mib sweep: stopping at saturation: ${row.label} (${row.saturation.rule}); ${queue.length} higher rate(s) not run`,
      );
      break;
    }
  }
  const sweep = sweepFile(url, plan.mode, rows);
  io.log(formatSweepTable(sweep));
  const saturated = saturationPoint(rows);
  io.log(
    saturated === undefined
      ? "saturation: no point saturated (rules: finished < 90 % of the asked rate; TTFT growing across the run)"
      : `saturation: ${saturated.label} (${saturated.saturation.rule}: ${saturated.saturation.detail})`,
  );
  io.log(
    `files: ${join(plan.outputDir, "sweep.json")}, ${
      join(plan.outputDir, "sweep.csv")
    } and each point's file and run record`,
  );
  if (plan.html !== undefined) {
    const { writeSweepHtml } = await import("../output/sweep_html.ts");
    await writeSweepHtml(plan.html, [{ name: plan.outputDir, sweep }]);
    io.log(`page: ${plan.html}`);
  }
  return {
    rows,
    failed: rows.some((r) => r.figures.failed > 0 || r.figures.completed === 0),
  };
}
