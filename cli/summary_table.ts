/**
 * The console summary of a run.
 *
 * @module
 */
import Table from "cli-table3";
import { SAMPLE_NAMES, type Stats, type Summary, TIMING_METRICS } from "../metrics/types.ts";

/** Above this p99 lag (ms) the client's own timing is suspect. */
const HEALTHY_P99_MS = 1;

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** Renders `summary` as text tables (no colour when `plain`). */
export function formatSummary(summary: Summary, plain = !Deno.stdout.isTerminal()): string {
  const style = plain ? { head: [], border: [] } : undefined;
  const totals = new Table({ style });
  totals.push(
    { "Successful requests": String(summary.completed) },
    { "Failed requests": String(summary.failed) },
    { "Duration (s)": fixed(summary.duration) },
    { "Request throughput (req/s)": fixed(summary.requestThroughput) },
    { "Input tokens": String(summary.totalInputTokens) },
    { "Output tokens": String(summary.totalOutputTokens) },
    { "Input token throughput (tok/s)": fixed(summary.inputThroughput) },
    { "Output token throughput (tok/s)": fixed(summary.outputThroughput) },
    { "Total token throughput (tok/s)": fixed(summary.totalTokenThroughput) },
  );
  // Absent in summaries read back from files an older mib wrote.
  if (summary.failures !== undefined) {
    if (summary.goodput !== null) {
      totals.push({ "Request goodput (req/s)": fixed(summary.goodput) });
    }
    totals.push(
      { "Peak output tokens/s": String(summary.peakOutputTokensPerSecond) },
      {
        "Concurrency: mean / peak": `${
          fixed(summary.meanConcurrency)
        } / ${summary.peakConcurrency}`,
      },
    );
    const kinds = Object.entries(summary.failures).filter(([, n]) => n > 0);
    if (kinds.length > 0) {
      totals.push({ "Failures by kind": kinds.map(([kind, n]) => `${kind} ${n}`).join(", ") });
    }
  }
  const timings = new Table({
    head: ["ms", "mean", "median", "p90", "p99", "n"],
    style,
    colAligns: ["left", "right", "right", "right", "right", "right"],
  });
  const row = (name: string, s?: Stats) =>
    timings.push(
      s
        ? [name, fixed(s.mean), fixed(s.median), fixed(s.p90), fixed(s.p99), String(s.count)]
        : [name, "n/a", "n/a", "n/a", "n/a", "0"],
    );
  for (const name of SAMPLE_NAMES) row(TIMING_METRICS[name].console, summary[name]);
  row("Pacing lag", summary.pacingLag);
  row("Event-loop lag", summary.eventLoopLag);
  const lines = [totals.toString(), timings.toString()];
  // Pacing lag, not the schedule lag: a burst's backlog is the plan's, not the client's.
  const late = [["pacing", summary.pacingLag], ["event-loop", summary.eventLoopLag]] as const;
  for (const [what, stats] of late) {
    if (stats && stats.p99 > HEALTHY_P99_MS) {
      lines.push(
        `warning: ${what} lag p99 ${
          fixed(stats.p99)
        } ms > ${HEALTHY_P99_MS} ms: the client may be the bottleneck`,
      );
    }
  }
  if (summary.multiTokenChunkRequests > 0) {
    lines.push(
      `note: ${summary.multiTokenChunkRequests} request(s) got chunks carrying several tokens; ITL is per chunk there, TPOT per token`,
    );
  }
  // Runs read back from older files have no such list.
  if (summary.fromHistogram?.length) {
    lines.push(
      `note: percentiles of ${
        summary.fromHistogram.join(", ")
      } come from HDR histograms (a run larger than --exact-limit): within 0.05 %, not exact`,
    );
  }
  for (const { error, count } of summary.errors.slice(0, 5)) {
    lines.push(`failed ×${count}: ${error}`);
  }
  return lines.join("\n");
}
