/**
 * `GET /metrics`: the serving engine's state as vLLM's Prometheus gauges, and
 * what the server counted of the requests it served as vLLM's counters and
 * histograms, in the Prometheus text exposition format (version 0.0.4).
 *
 * @module
 */

import type { EngineStats } from "./_serving.ts";
import type { Histogram, ServerStats } from "./_server_stats.ts";

/** The gauges, with vLLM's names and help strings. */
const GAUGES = [
  ["vllm:num_requests_running", "Number of requests in model execution batches."],
  ["vllm:num_requests_waiting", "Number of requests waiting to be processed."],
  ["vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage."],
  ["vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage (deprecated name)."],
] as const;

/** The counters (exposed with `_total`, as prometheus_client does), with vLLM's help strings. */
const COUNTERS = [
  ["vllm:prompt_tokens", "Number of prefill tokens processed.", "promptTokens"],
  ["vllm:generation_tokens", "Number of generation tokens processed.", "generationTokens"],
  [
    "vllm:prefix_cache_queries",
    "Prefix cache queries, in terms of number of queried tokens.",
    "prefixQueries",
  ],
  [
    "vllm:prefix_cache_hits",
    "Prefix cache hits, in terms of number of cached tokens.",
    "prefixHits",
  ],
] as const;

/** One histogram's lines: buckets (cumulative, then `+Inf`), count and sum. */
function histogramText(name: string, help: string, h: Histogram, label: string): string {
  const cumulative = h.cumulative();
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} histogram`];
  h.bounds.forEach((bound, i) => {
    lines.push(
      `${name}_bucket{le="${bound.toFixed(3).replace(/\.?0+$/, "")}",${label}} ${cumulative[i]}`,
    );
  });
  lines.push(`${name}_bucket{le="+Inf",${label}} ${h.count}`);
  lines.push(`${name}_count{${label}} ${h.count}`, `${name}_sum{${label}} ${h.sum}`);
  return lines.join("\n") + "\n";
}

/**
 * The text of `GET /metrics` for `stats` of the server serving `model`: the
 * running and waiting counts, and the KV-cache tokens reserved as a fraction
 * of the budget (0 when it is unlimited), under both of vLLM's names for it;
 * then, with `served`, the token and prefix-cache counters and the TTFT and
 * queue-time histograms.
 */
export function prometheusText(stats: EngineStats, model: string, served?: ServerStats): string {
  const usage = stats.kvTotal === null ? 0 : stats.kvUsed / stats.kvTotal;
  const values = [stats.running, stats.waiting, usage, usage];
  const inner = `model_name=${JSON.stringify(model)}`;
  const label = `{${inner}}`;
  const gauges = GAUGES.map(([name, help], i) =>
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${label} ${values[i]}\n`
  ).join("");
  if (served === undefined) return gauges;
  const counters = COUNTERS.map(([name, help, field]) =>
    `# HELP ${name}_total ${help}\n# TYPE ${name}_total counter\n${name}_total${label} ${
      served[field]
    }\n`
  ).join("");
  return gauges + counters +
    histogramText(
      "vllm:time_to_first_token_seconds",
      "Histogram of time to first token in seconds.",
      served.ttft,
      inner,
    ) +
    histogramText(
      "vllm:request_queue_time_seconds",
      "Histogram of time spent in WAITING phase for request.",
      served.queue,
      inner,
    );
}
