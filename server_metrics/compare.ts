/**
 * The server's TTFT and queue time beside the client's TTFT, in the run
 * summary: what the difference holds, in one line.
 *
 * The server's TTFT (vLLM, SGLang) runs from the request's arrival in the
 * server to its first token, queueing included; the client's from its send
 * to the arrival of the first text chunk. Their difference is what happens
 * outside the server: the network both ways, the client's own stamping, and
 * HTTP framing (headers, a role-only first chunk, the proxy in front). The
 * server's histograms count every request it served during the run (other
 * clients' and warm-up requests too), so the comparison reads best on a
 * server nobody else uses.
 *
 * @module
 */
import type { ServerMetricsRecord } from "./series.ts";

const ms = (v: number) => `${v.toFixed(2)} ms`;

/**
 * The summary lines comparing `record`'s means with the client's TTFT mean
 * (`clientTtftMs`, ms; undefined when no request had one); none when the
 * server has neither histogram.
 *
 * @example
 * ```ts
 * import { serverComparisonLines } from "./compare.ts";
 * import type { ServerMetricsRecord } from "./series.ts";
 *
 * const record = {
 *   means: {
 *     ttft: { mean_ms: 10, count: 8, raw_name: "vllm:time_to_first_token_seconds" },
 *     queue_time: null,
 *   },
 * } as unknown as ServerMetricsRecord;
 * serverComparisonLines(record, 12)[0];
 * // "server TTFT mean 10.00 ms (vllm:time_to_first_token_seconds, 8 requests) vs client TTFT mean 12.00 ms: …"
 * ```
 */
export function serverComparisonLines(
  record: ServerMetricsRecord,
  clientTtftMs: number | undefined,
): string[] {
  const { ttft, queue_time: queue } = record.means;
  const lines: string[] = [];
  if (ttft !== null) {
    const head = `server TTFT mean ${ms(ttft.mean_ms)} (${ttft.raw_name}, ${ttft.count} requests)`;
    if (clientTtftMs === undefined) lines.push(head);
    else {
      const gap = clientTtftMs - ttft.mean_ms;
      const why = gap >= 0
        ? `the client's ${
          ms(gap)
        } more is network, client and HTTP framing (the server's clock starts at arrival, the client's at send)`
        : `the server's ${
          ms(-gap)
        } more: its histogram counts requests this summary leaves out (warm-up, failed, other clients') or its buckets' clock differs`;
      lines.push(`${head} vs client TTFT mean ${ms(clientTtftMs)}: ${why}`);
    }
  }
  if (queue !== null) {
    const share = ttft !== null && ttft.mean_ms > 0
      ? `: ${
        Math.round((100 * queue.mean_ms) / ttft.mean_ms)
      }% of the server's TTFT is queueing in the server`
      : "";
    lines.push(
      `server queue time mean ${
        ms(queue.mean_ms)
      } (${queue.raw_name}, ${queue.count} requests)${share}`,
    );
  }
  return lines;
}

/** One line naming what was scraped: the page, the interval, the scrapes, the names read. */
export function serverMetricsLine(record: ServerMetricsRecord): string {
  const names = Object.keys(record.series).join(", ");
  const failed = record.failed_scrapes > 0 ? `, ${record.failed_scrapes} failed` : "";
  return `server metrics: ${record.url} every ${record.interval} s, ${record.scrapes} scrapes${failed} (${
    names || "none of the known names"
  })`;
}
