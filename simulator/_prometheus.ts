/**
 * `GET /metrics`: the serving engine's state as vLLM's Prometheus gauges, in
 * the Prometheus text exposition format (version 0.0.4).
 *
 * @module
 */

import type { EngineStats } from "./_serving.ts";

/** The gauges, with vLLM's names and help strings. */
const GAUGES = [
  ["vllm:num_requests_running", "Number of requests in model execution batches."],
  ["vllm:num_requests_waiting", "Number of requests waiting to be processed."],
  ["vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage."],
  ["vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage (deprecated name)."],
] as const;

/**
 * The text of `GET /metrics` for `stats` of the server serving `model`: the
 * running and waiting counts, and the KV-cache tokens reserved as a fraction
 * of the budget (0 when it is unlimited), under both of vLLM's names for it.
 */
export function prometheusText(stats: EngineStats, model: string): string {
  const usage = stats.kvTotal === null ? 0 : stats.kvUsed / stats.kvTotal;
  const values = [stats.running, stats.waiting, usage, usage];
  const label = `{model_name=${JSON.stringify(model)}}`;
  return GAUGES.map(([name, help], i) =>
    `# HELP ${name} ${help}\n# TYPE ${name} gauge\n${name}${label} ${values[i]}\n`
  ).join("");
}
