/**
 * The console summary of a run.
 *
 * @module
 */
import { LENGTH_TOLERANCE } from "../metrics/mismatch.ts";
import Table from "../output/_cli_table.ts";
import {
  type Mismatches,
  NO_TOKEN_TIMINGS_REASON,
  SAMPLE_NAMES,
  type SampleName,
  type Stats,
  type Summary,
  TIMING_METRICS,
} from "../metrics/types.ts";

/** The timings of generated tokens, which a pooling run has none of. */
const TOKEN_TIMINGS: readonly SampleName[] = ["ttft", "tpot", "itlPerChunk", "itlPerToken"];

/** Above this p99 lag (ms) the client's own timing is suspect. */
const HEALTHY_P99_MS = 1;
/** Fewer lag values than this make no p99 to judge by: one late send is not a tail. */
const MIN_JUDGED = 10;

const fixed = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");

/** A count with thousands separators: 1,960. */
const count = (n: number) => n.toLocaleString("en-US");

/** `[a, b]` as "a" or "a–b". */
const span = ([low, high]: [number, number]) =>
  low === high ? count(low) : `${count(low)}–${count(high)}`;

/** A ratio with two significant digits, three when near 1 (so 1.04 does not read 1.0). */
const times = (ratio: number) =>
  String(Number(ratio.toPrecision(Math.abs(ratio - 1) < 0.1 ? 3 : 2)));

/**
 * One note per kind of mismatch the run had, saying what it means;
 * `tokenizer` names the client tokenizer the prompts were counted with.
 *
 * @example
 * ```ts
 * import { noMismatches } from "../metrics/mismatch.ts";
 *
 * mismatchLines({ ...noMismatches(), truncated: 3 });
 * // ["note: 3 prompt(s) were truncated by the server to its context: ..."]
 * ```
 */
export function mismatchLines(m: Mismatches, tokenizer?: string): string[] {
  const lines: string[] = [];
  if (m.outputLength > 0 && m.asked !== null && m.generated !== null) {
    const who = m.generatedByServer === m.outputLength
      ? "server generated"
      : m.generatedByServer === 0
      ? "the client tokenizer counted"
      : "generated";
    const why = m.generatedByServer === m.outputLength
      ? "the server did not honour the length field or ignore_eos"
      : "the server did not honour the length field or ignore_eos, or its tokenizer differs " +
        "from the client's";
    lines.push(
      `note: ${count(m.outputLength)} request(s) generated another length than asked (asked ${
        span(m.asked)
      }, ${who} ${span(m.generated)}): ${why}`,
    );
  }
  const { promptExcess: excess, promptPlanned: planned } = m;
  // A constant excess over prompts of varying length: the server added it, whatever the prompt.
  const constant = excess !== undefined && planned !== undefined &&
    excess[1] - excess[0] <= LENGTH_TOLERANCE.tokens &&
    planned[1] - planned[0] > LENGTH_TOLERANCE.tokens;
  if (m.promptLength > 0 && constant) {
    lines.push(
      `note: the server counted ${
        excess[0] === excess[1] ? excess[0] : `${excess[0]}–${excess[1]}`
      } prompt tokens more than planned in each of ${
        count(m.promptLength)
      } request(s), a constant: a chat template or special tokens the server adds around the prompt, not another tokenizer (prompt_len counts the text mib sent)`,
    );
  } else if (m.promptLength > 0) {
    const ratio = m.plannedPromptTokens > 0
      ? `${times(m.serverPromptTokens / m.plannedPromptTokens)}×`
      : "another count than";
    lines.push(
      `note: server prompt counts differ from the planned ones in ${
        count(m.promptLength)
      } request(s): the server counted ${ratio} the client tokenizer's${
        tokenizer === undefined ? "" : ` (${tokenizer})`
      } tokens; ` +
        "give --tokenizer server or the model's tokenizer",
    );
  }
  if (m.truncated > 0) {
    lines.push(
      `note: ${
        count(m.truncated)
      } prompt(s) were truncated by the server to its context: it processed fewer tokens than prompt_len says`,
    );
  }
  return lines;
}

/**
 * The failures by kind on one line, the HTTP ones by status:
 * `"http_status 12 (429: 7, 503: 5), stream_cut 3"`; `""` without failures.
 *
 * @example
 * ```ts
 * import { FAILURE_KINDS, type FailureKind } from "../metrics/failure.ts";
 *
 * const failures = Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>;
 * failureLine({ failures: { ...failures, http_status: 3 }, httpStatuses: { "429": 2, "503": 1 } });
 * // "http_status 3 (429: 2, 503: 1)"
 * ```
 */
export function failureLine(summary: Pick<Summary, "failures" | "httpStatuses">): string {
  const statuses = Object.entries(summary.httpStatuses ?? {});
  const byStatus = statuses.length === 0
    ? ""
    : ` (${statuses.map(([status, n]) => `${status}: ${n}`).join(", ")})`;
  return Object.entries(summary.failures)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${kind} ${n}${kind === "http_status" ? byStatus : ""}`)
    .join(", ");
}

/**
 * The lines on a run's load shape: warm-up and cool-down requests left out,
 * the measured window, and the requests that waited for a free slot under a
 * cap of `maxConcurrency` (said even when none did).
 *
 * @example
 * ```ts
 * import { summarize } from "../metrics/summary.ts";
 *
 * shapeLines(summarize([], 0), 8); // ["Requests that waited for a free slot (--max-concurrency 8): 0 of 0"]
 * ```
 */
export function shapeLines(summary: Summary, maxConcurrency?: number): string[] {
  const lines: string[] = [];
  const { warmup = 0, cooldown = 0, window } = summary;
  if ((warmup > 0 || cooldown > 0) && window !== undefined) {
    lines.push(
      `Warm-up ${count(warmup)}, cool-down ${
        count(cooldown)
      } request(s): sent, left out of every figure; measured window ${fixed(window.start, 3)} s → ${
        fixed(window.end, 3)
      } s (${fixed(summary.duration, 3)} s)`,
    );
  }
  const waited = summary.waitedForSlot ?? 0;
  if (maxConcurrency !== undefined || waited > 0) {
    const cap = maxConcurrency === undefined ? "" : ` (--max-concurrency ${maxConcurrency})`;
    const q = summary.slotQueue;
    const queue = q === undefined
      ? ""
      : ` (queue time p50 ${fixed(q.median)} ms, p99 ${fixed(q.p99)} ms; not in the pacing lag)`;
    lines.push(
      `Requests that waited for a free slot${cap}: ${count(waited)} of ${
        count(summary.total)
      }${queue}`,
    );
  }
  return lines;
}

/**
 * Renders `summary` as text tables (no colour when `plain`); `tokenizer`
 * names the client tokenizer in the notes on mismatches, `maxConcurrency`
 * the run's cap, if any.
 */
export function formatSummary(
  summary: Summary,
  plain = !Deno.stdout.isTerminal(),
  tokenizer?: string,
  maxConcurrency?: number,
): string {
  const style = plain ? { head: [], border: [] } : undefined;
  const totals = new Table({ style });
  // A pooling run (embeddings, rerank) generates nothing: its rows are inputs, not outputs.
  const pooling = summary.totalInputs !== undefined;
  totals.push(
    { "Successful requests": String(summary.completed) },
    { "Failed requests": String(summary.failed) },
    { "Duration (s)": fixed(summary.duration) },
    { "Request throughput (req/s)": fixed(summary.requestThroughput) },
  );
  if (pooling) {
    totals.push(
      { "Inputs": String(summary.totalInputs) },
      { "Input throughput (inputs/s)": fixed(summary.inputsThroughput ?? NaN) },
      { "Input tokens": String(summary.totalInputTokens) },
      { "Input token throughput (tok/s)": fixed(summary.inputThroughput) },
    );
  } else {
    totals.push(
      { "Input tokens": String(summary.totalInputTokens) },
      { "Output tokens": String(summary.totalOutputTokens) },
      { "Input token throughput (tok/s)": fixed(summary.inputThroughput) },
      { "Output token throughput (tok/s)": fixed(summary.outputThroughput) },
      { "Total token throughput (tok/s)": fixed(summary.totalTokenThroughput) },
    );
  }
  // Absent in summaries read back from files an older mib wrote.
  if (summary.failures !== undefined) {
    if (summary.goodput !== null) {
      totals.push({ "Request goodput (req/s)": fixed(summary.goodput) });
    }
    if (!pooling) {
      totals.push({ "Peak output tokens/s": String(summary.peakOutputTokensPerSecond) });
    }
    totals.push(
      {
        "Concurrency: mean / peak": `${
          fixed(summary.meanConcurrency)
        } / ${summary.peakConcurrency}`,
      },
    );
    const line = failureLine(summary);
    if (line !== "") totals.push({ "Failures by kind": line });
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
  for (const name of SAMPLE_NAMES) {
    if (!pooling || !TOKEN_TIMINGS.includes(name)) row(TIMING_METRICS[name].console, summary[name]);
  }
  if (summary.reasoning !== undefined) {
    row("TTFT (reasoning)", summary.reasoning.ttftReasoning);
    row("TTFT (answer)", summary.reasoning.ttftAnswer);
    totals.push({
      "Reasoning / answer tokens":
        `${summary.reasoning.reasoningTokens} / ${summary.reasoning.answerTokens} (${summary.reasoning.requests} requests with reasoning)`,
    });
  }
  if (summary.slotQueue !== undefined) row("Queue time (waited for a slot)", summary.slotQueue);
  row("Pacing lag", summary.pacingLag);
  row("Event-loop lag", summary.eventLoopLag);
  const lines = [totals.toString(), timings.toString(), ...shapeLines(summary, maxConcurrency)];
  if (pooling) lines.push(`note: ${NO_TOKEN_TIMINGS_REASON}`);
  // Pacing lag, not the schedule lag: a burst's backlog is the plan's, not the client's.
  const late = [["pacing", summary.pacingLag], ["event-loop", summary.eventLoopLag]] as const;
  for (const [what, stats] of late) {
    if (stats && stats.count >= MIN_JUDGED && stats.p99 > HEALTHY_P99_MS) {
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
  const structured = summary.structured;
  if (structured !== undefined) {
    const why = structured.firstError === undefined ? "" : ` (first: ${structured.firstError})`;
    lines.push(
      `structured outputs: ${structured.valid} valid, ${structured.invalid} invalid${why}`,
    );
  }
  // Summaries an older mib wrote have no mismatches.
  if (summary.mismatches !== undefined) lines.push(...mismatchLines(summary.mismatches, tokenizer));
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
