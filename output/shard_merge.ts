/**
 * `mib merge`: the shards of one plan (`mib bench --shard I/N`) as the one
 * run a single client would have reported. With every shard's per-request
 * results (seed or jsonl files) the merged summary is recomputed from their
 * union by the run's own accumulator, so every figure is exact; with run
 * records only, timings come from the summed HDR histograms.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import { UsageError } from "../errors.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { noMismatches } from "../metrics/mismatch.ts";
import type { HdrLibrary } from "../metrics/sample.ts";
import { summarizeAccumulated, toStats } from "../metrics/summary.ts";
import {
  type GoodputSlo,
  type Mismatches,
  type RunMetrics,
  SAMPLE_NAMES,
  type SampleName,
  type Stats,
  type Summary,
} from "../metrics/types.ts";
import type { RequestResult } from "../runner/result.ts";
import { formatShard, type Shard, WHOLE_PLAN } from "../runner/shard.ts";
import { isObject } from "./_json.ts";
import { mergedSamples } from "./merge.ts";
import { encodeHistograms } from "./run_record.ts";

/** One shard's files: its run record, and its per-request results when a result file listed them. */
export interface ShardRun {
  /** The file given (a result file or a run record). */
  file: string;
  /** Its run record, parsed. */
  record: Record<string, unknown>;
  /** Every request of the shard, when the file lists them (seed, jsonl). */
  results?: RequestResult[];
}

/** A shard's settings as its run record states them. */
interface ShardInfo {
  run: ShardRun;
  plan: Record<string, unknown>;
  shard: Shard;
  startAt: number | null;
  /** Wall-clock t = 0, epoch ms. */
  start: number;
  summary: Partial<Summary>;
}

/** The settings of `run`, or a one-line error naming its file. */
function infoOf(run: ShardRun): ShardInfo {
  const { record, file } = run;
  const shard = record.shard as Shard | undefined;
  if (!isObject(record.plan) || !isObject(shard) || !isObject(record.summary)) {
    throw new UsageError(
      file,
      "states no plan or shard (written by an older mib?); merge the result files or run records of mib bench --shard I/N",
    );
  }
  return {
    run,
    plan: record.plan,
    shard,
    startAt: typeof record.start_at === "number" ? record.start_at : null,
    start: new Date(String(record.started_at)).getTime(),
    summary: record.summary as Partial<Summary>,
  };
}

const show = (value: unknown) => JSON.stringify(value);

/**
 * Checks that `runs` are every shard of one plan, each once.
 *
 * @throws {UsageError} naming the file at fault: another plan (seed,
 *   distributions, count, dataset, prefix), another shard count or start, a
 *   shard given twice; or naming the missing shards.
 */
export function checkShards(runs: readonly ShardRun[]): ShardInfo[] {
  if (runs.length === 0) throw new UsageError("mib merge", "give the files of every shard");
  const infos = runs.map(infoOf);
  const [first] = infos;
  const seen = new Map<number, string>();
  for (const info of infos) {
    const { file } = info.run;
    for (const key of new Set([...Object.keys(first.plan), ...Object.keys(info.plan)])) {
      if (show(info.plan[key]) !== show(first.plan[key])) {
        throw new UsageError(
          file,
          `another plan than ${first.run.file}'s: ${key} ${show(info.plan[key])} here, ${
            show(first.plan[key])
          } there; merge the shards of one plan (same seed, dataset, distributions and count)`,
        );
      }
    }
    if (info.shard.count !== first.shard.count) {
      throw new UsageError(
        file,
        `shard ${formatShard(info.shard)}, but ${first.run.file} is ${
          formatShard(first.shard)
        }: merge the shards of one --shard count`,
      );
    }
    if (info.startAt !== first.startAt) {
      throw new UsageError(
        file,
        `--start-at ${info.startAt ?? "none"} here, ${
          first.startAt ?? "none"
        } in ${first.run.file}: the shards of one run share one start`,
      );
    }
    const twice = seen.get(info.shard.index);
    if (twice !== undefined) {
      throw new UsageError(file, `shard ${formatShard(info.shard)} given twice (also ${twice})`);
    }
    seen.set(info.shard.index, file);
  }
  const count = first.shard.count;
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new UsageError(
      "mib merge",
      `shard ${missing.map((i) => `${i}/${count}`).join(", ")} missing (given: ${
        [...seen.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(", ")
      }); give one file of every shard`,
    );
  }
  return infos;
}

/** The shard whose client health was worst (largest p99), for the merged lag rows. */
function worst(infos: readonly ShardInfo[], key: "eventLoopLag" | "pacingLag"): Stats | undefined {
  let found: Stats | undefined;
  for (const { summary } of infos) {
    const stats = summary[key];
    if (stats !== undefined && (found === undefined || stats.p99 > found.p99)) found = stats;
  }
  return found;
}

/** Sums the shards' mismatch counts; ranges take the extremes. */
function sumMismatches(all: readonly (Mismatches | undefined)[]): Mismatches {
  const range = (a: [number, number] | null | undefined, b: [number, number] | null | undefined) =>
    a && b ? [Math.min(a[0], b[0]), Math.max(a[1], b[1])] as [number, number] : a ?? b ?? null;
  const sum: Mismatches = noMismatches();
  for (const m of all) {
    if (m === undefined) continue;
    sum.outputLength += m.outputLength;
    sum.promptLength += m.promptLength;
    sum.truncated += m.truncated;
    sum.generatedByServer += m.generatedByServer;
    sum.plannedPromptTokens += m.plannedPromptTokens;
    sum.serverPromptTokens += m.serverPromptTokens;
    sum.asked = range(sum.asked, m.asked);
    sum.generated = range(sum.generated, m.generated);
    const excess = range(sum.promptExcess, m.promptExcess);
    if (excess) sum.promptExcess = excess;
    const planned = range(sum.promptPlanned, m.promptPlanned);
    if (planned) sum.promptPlanned = planned;
  }
  return sum;
}

/** The merged summary from the run records alone: counts add up, timings from summed histograms. */
function summaryFromRecords(
  infos: readonly ShardInfo[],
  shifts: readonly number[],
  duration: number,
  percentiles: readonly number[],
  hdr: HdrLibrary,
): { summary: Summary; histograms: Record<SampleName, string> } {
  const samples = mergedSamples(
    infos.map(({ run, summary }) => ({
      file: run.file,
      summary,
      histograms: (run.record.histograms as { metrics?: Record<SampleName, string> })?.metrics,
    })),
    SAMPLE_NAMES,
    hdr,
  );
  const add = (f: (s: Partial<Summary>) => number | null | undefined) =>
    infos.reduce((sum, { summary }) => sum + (f(summary) ?? 0), 0);
  const per = (x: number) => (duration > 0 ? x / duration : 0);
  const completed = add((s) => s.completed);
  const input = add((s) => s.totalInputTokens);
  const output = add((s) => s.totalOutputTokens);
  const good = infos.some(({ summary }) => typeof summary.goodRequests === "number")
    ? add((s) => s.goodRequests)
    : null;
  // Per-second series side by side, each shard moved by its start (whole seconds).
  const inFlight: number[] = [];
  const tokens: number[] = [];
  infos.forEach(({ run }, k) => {
    const series = (run.record.metrics as RunMetrics | undefined)?.timeSeries ?? [];
    for (const bucket of series) {
      const s = bucket.second + Math.round(shifts[k]);
      inFlight[s] = (inFlight[s] ?? 0) + bucket.inFlight;
      tokens[s] = (tokens[s] ?? 0) + bucket.outputTokens;
    }
  });
  const largest = (
    values: (number | undefined)[],
    f: (s: Partial<Summary>) => number | undefined,
  ) =>
    Math.max(0, ...values.filter((v) => v !== undefined), ...infos.map((i) => f(i.summary) ?? 0));
  const errors = new Map<string, number>();
  for (const { summary } of infos) {
    for (const { error, count } of summary.errors ?? []) {
      errors.set(error, (errors.get(error) ?? 0) + count);
    }
  }
  const failures = { ...infos[0].summary.failures } as Summary["failures"];
  for (const kind of Object.keys(failures) as (keyof Summary["failures"])[]) {
    failures[kind] = add((s) => s.failures?.[kind]);
  }
  const firstSend = Math.min(
    ...infos.map(({ summary }, k) =>
      shifts[k] + (summary.duration ?? 0) - (summary.activeDuration ?? 0)
    ),
  );
  const summary: Summary = {
    total: add((s) => s.total),
    completed,
    failed: add((s) => s.failed),
    duration,
    requestThroughput: per(completed),
    totalInputTokens: input,
    totalOutputTokens: output,
    inputThroughput: per(input),
    outputThroughput: per(output),
    totalTokenThroughput: per(input + output),
    activeDuration: duration - firstSend,
    goodput: good === null ? null : per(good),
    goodRequests: good,
    // Σ latency of each shard is its mean concurrency × its duration.
    meanConcurrency: per(add((s) => (s.meanConcurrency ?? 0) * (s.duration ?? 0))),
    peakConcurrency: largest(inFlight, (s) => s.peakConcurrency),
    peakOutputTokensPerSecond: largest(tokens, (s) => s.peakOutputTokensPerSecond),
    failures,
    mismatches: sumMismatches(infos.map(({ summary }) => summary.mismatches)),
    ...Object.fromEntries(
      SAMPLE_NAMES.map((name) => [name, toStats(samples.get(name)?.stats(percentiles) ?? null)]),
    ),
    eventLoopLag: worst(infos, "eventLoopLag"),
    pacingLag: worst(infos, "pacingLag"),
    multiTokenChunkRequests: add((s) => s.multiTokenChunkRequests),
    errors: [...errors].map(([error, count]) => ({ error, count }))
      .sort((a, b) => b.count - a.count),
    fromHistogram: [...SAMPLE_NAMES],
  };
  const histograms = Object.fromEntries(
    [...samples].map(([name, sample]) => [name, sample.encode(hdr)]),
  ) as Record<SampleName, string>;
  return { summary, histograms };
}

/** What {@linkcode mergeShards} makes: a run record of the whole plan. */
export interface MergedRun {
  /** The merged run record, as `mib merge -o` writes it. */
  record: Record<string, unknown>;
  /** Its summary. */
  summary: Summary;
  /** Whether every figure is exact (every shard's per-request results were given). */
  exact: boolean;
}

/**
 * Merges every shard of one plan into the run record one client would have
 * written: t = 0 is the earliest shard's start (all the same with
 * `--start-at`), each shard's offsets moved by its start's distance from it;
 * the duration runs from there to the latest end. With every shard's results
 * the summary and metrics are the accumulator's over their union, in plan
 * order, exactly as one process computes them; else counts add up and
 * timings come from the summed histograms (percentiles within 0.05 %). The
 * client-health rows (event-loop and pacing lag) are the worst shard's.
 *
 * @throws {UsageError} when the runs are not every shard of one plan, once each.
 */
export function mergeShards(runs: readonly ShardRun[], hdr: HdrLibrary): MergedRun {
  const infos = checkShards(runs);
  const start = Math.min(...infos.map((i) => i.start));
  const shifts = infos.map((i) => (i.start - start) / 1000);
  const duration = Math.max(0, ...infos.map((i, k) => shifts[k] + (i.summary.duration ?? 0)));
  const config = infos[0].run.record.config as Record<string, unknown> | undefined;
  const asked = Array.isArray(config?.percentiles) ? config.percentiles as number[] : [];
  const percentiles = [...new Set([...asked, 90, 99])].sort((a, b) => a - b);
  const exact = infos.every((i) => i.run.results !== undefined);
  let summary: Summary;
  let metrics: RunMetrics | null = null;
  let histograms: Record<SampleName, string>;
  if (exact) {
    const accumulator = new RunAccumulator({
      goodput: config?.goodput as GoodputSlo | undefined,
      exactLimit: typeof config?.exactLimit === "number" ? config.exactLimit : undefined,
      hdr,
    });
    const union = infos.flatMap((info, k) =>
      info.run.results!.map((r) => ({
        ...r,
        plannedOffset: r.plannedOffset + shifts[k],
        sendOffset: r.sendOffset + shifts[k],
      }))
    ).sort((a, b) => a.index - b.index);
    for (const result of union) accumulator.add(result, result.chunkTokens);
    metrics = accumulator.metrics({ duration, percentiles });
    summary = summarizeAccumulated(accumulator, duration, [], metrics);
    const health = {
      eventLoopLag: worst(infos, "eventLoopLag"),
      pacingLag: worst(infos, "pacingLag"),
    };
    summary = { ...summary, ...health };
    histograms = encodeHistograms(accumulator, hdr).metrics;
  } else {
    ({ summary, histograms } = summaryFromRecords(infos, shifts, duration, percentiles, hdr));
  }
  const first = infos[0].run.record;
  const record = {
    tool: "mib",
    version: denoJson.version,
    started_at: new Date(start).toISOString(),
    seed: first.seed,
    url: first.url,
    model: first.model,
    tokenizer: first.tokenizer,
    config: { ...config, shard: WHOLE_PLAN },
    plan: infos[0].plan,
    shard: WHOLE_PLAN,
    start_at: infos[0].startAt,
    merged: {
      shards: infos[0].shard.count,
      files: infos.map((i) => ({ file: i.run.file, shard: formatShard(i.shard) })),
      timings: exact ? "exact: the union of every shard's per-request results" : "histograms",
    },
    summary,
    metrics,
    histograms: {
      format: (infos[0].run.record.histograms as { format?: string } | undefined)?.format,
      metrics: histograms,
    },
  };
  return { record, summary, exact };
}
