/**
 * How well the client kept time, judged against the server's own record of
 * when it wrote each chunk (the simulator's `--record`): the figures of
 * `mib calibrate`. Pure functions of the results and the record.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";

/** What the server recorded of one request: its id and when it wrote each chunk (ms). */
export interface ServerWrites {
  /** The request's `x-request-id`. */
  readonly id: string;
  /** When each chunk was written, on the server's clock (ms). */
  readonly writes: readonly number[];
}

/**
 * The token-time error of every chunk after the first, ms: for each
 * successful streamed result whose request id (`prefix` + index) the record
 * has, and each chunk j ≥ 1, |(client arrival j − client arrival 0) −
 * (server write j − server write 0)|. Offsets from each side's first chunk,
 * so the two clocks need not agree and the connection's set-up is left out.
 *
 * @example
 * ```ts
 * import type { RequestResult } from "../runner/result.ts";
 *
 * // Request 0 (id "cal-0"), chunks 5 and 6 ms apart at the client, written 5 and 5 ms apart.
 * declare const result: RequestResult;
 * tokenTimeErrors([result], [{ id: "cal-0", writes: [100, 105, 110] }], "cal-"); // [0, 1]
 * ```
 */
export function tokenTimeErrors(
  results: readonly RequestResult[],
  record: readonly ServerWrites[],
  prefix: string,
): number[] {
  const byId = new Map(record.map((r) => [r.id, r.writes]));
  const errors: number[] = [];
  for (const r of results) {
    const writes = byId.get(`${prefix}${r.index}`);
    if (!r.success || !r.streamed || writes === undefined || writes.length === 0) continue;
    let client = 0;
    const n = Math.min(r.itl.length, writes.length - 1);
    for (let j = 1; j <= n; j++) {
      client += r.itl[j - 1] * 1000;
      errors.push(Math.abs(client - (writes[j] - writes[0])));
    }
  }
  return errors;
}

/** Each result's schedule lag, ms: actual − planned send offset. */
export function scheduleLags(results: readonly RequestResult[]): number[] {
  return results.map((r) => (r.sendOffset - r.plannedOffset) * 1000);
}

/**
 * Achieved / asked request rate of the sends: the planned span of the send
 * offsets (first to last) over the actual one, so 1 when the client kept the
 * plan's pace whatever rate the plan's draws came to; NaN with fewer than two
 * results or a planned span of 0.
 */
export function achievedOverAsked(results: readonly RequestResult[]): number {
  if (results.length < 2) return NaN;
  const span = (xs: number[]) => {
    xs.sort((a, b) => a - b);
    return xs[xs.length - 1] - xs[0];
  };
  const planned = span(results.map((r) => r.plannedOffset));
  const actual = span(results.map((r) => r.sendOffset));
  return planned > 0 && actual > 0 ? planned / actual : NaN;
}

/** The most requests in flight at once: the largest overlap of the intervals [send, send + latency). */
export function peakInFlight(results: readonly RequestResult[]): number {
  // Ends before starts at the same instant: a request ending as another starts does not overlap it.
  const events = results.flatMap((r) => [
    [r.sendOffset, 1],
    [r.sendOffset + r.latency, -1],
  ]).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let now = 0;
  let peak = 0;
  for (const [, step] of events) {
    now += step;
    if (now > peak) peak = now;
  }
  return peak;
}

/**
 * Output tokens per second the client received while every successful
 * streamed result was streaming: from the last of their first chunks to the
 * first of their last chunks, the tokens of the chunks that arrived then
 * over that window's length. When the streams never all overlapped (a
 * client too slow to start them in time), the tokens of the whole set over
 * the span from the first send to the last end.
 */
export function overlapTokenRate(results: readonly RequestResult[]): number {
  const streams = results.filter((r) => r.success && r.streamed && r.ttft !== null);
  if (streams.length === 0) return 0;
  const arrivals = streams.map((r) => {
    let t = r.sendOffset + r.ttft!;
    return [t, ...r.itl.map((gap) => t += gap)];
  });
  const from = Math.max(...arrivals.map((a) => a[0]));
  const to = Math.min(...arrivals.map((a) => a[a.length - 1]));
  if (to > from) {
    let tokens = 0;
    for (const [i, times] of arrivals.entries()) {
      const perChunk = streams[i].chunkTokens;
      for (const [j, t] of times.entries()) {
        if (t >= from && t <= to) tokens += perChunk?.[j] ?? 1;
      }
    }
    return tokens / (to - from);
  }
  const start = Math.min(...streams.map((r) => r.sendOffset));
  const end = Math.max(...streams.map((r) => r.sendOffset + r.latency));
  const total = streams.reduce((n, r) => n + r.outputLen, 0);
  return end > start ? total / (end - start) : 0;
}
