/**
 * Per-request timings from a parsed stream.
 *
 * @module
 */
import type { ParsedStream } from "../backends/types.ts";

/** Timings of one request, in seconds. */
export interface RequestTimings {
  /** Send → first chunk with text, or null when no text came. */
  ttft: number | null;
  /** Gaps between successive text chunks (length = chunks − 1). */
  itl: number[];
  /** Send → end of the response. */
  latency: number;
}

/**
 * Times of a request sent at `sendTime` whose response ended at `endTime`
 * (both `performance.now()` milliseconds).
 *
 * @example
 * ```ts
 * const parsed = {
 *   streamed: true,
 *   chunks: [{ time: 120, text: "a" }, { time: 125, text: "b" }],
 *   complete: true,
 *   notes: [],
 * };
 * const t = requestTimings(parsed, 100, 130);
 * // t.ttft = 0.02, t.itl = [0.005], t.latency = 0.03
 * ```
 */
export function requestTimings(
  parsed: ParsedStream,
  sendTime: number,
  endTime: number,
): RequestTimings {
  // An unstreamed response arrives whole: when its first token came is unknown, not 0.
  const chunks = parsed.streamed ? parsed.chunks : [];
  const itl = new Array<number>(Math.max(0, chunks.length - 1));
  for (let i = 1; i < chunks.length; i++) itl[i - 1] = (chunks[i].time - chunks[i - 1].time) / 1000;
  return {
    ttft: chunks.length > 0 ? (chunks[0].time - sendTime) / 1000 : null,
    itl,
    latency: (endTime - sendTime) / 1000,
  };
}

/**
 * TPOT of one request: (latency − TTFT) / (output tokens − 1), the mean time per
 * output token after the first (vLLM's definition); undefined for fewer than 2
 * tokens or no TTFT.
 */
export function timePerOutputToken(
  latency: number,
  ttft: number | null,
  outputLen: number,
): number | undefined {
  if (ttft === null || outputLen < 2) return undefined;
  return (latency - ttft) / (outputLen - 1);
}
