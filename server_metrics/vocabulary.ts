/**
 * One vocabulary for what servers say about themselves on `/metrics`: each
 * mib name, and the raw Prometheus names vLLM, SGLang, TGI and llama.cpp
 * (`llama-server --metrics`) give it, in the order they are tried (the
 * first one the server exposes is read).
 *
 * Sources: vLLM `vllm/v1/metrics/loggers.py` and its metrics design doc (v1
 * names; v0's `vllm:gpu_cache_usage_perc`, `vllm:gpu_prefix_cache_hit_rate`);
 * SGLang `python/sglang/srt/metrics/collector.py` and
 * `docs/references/production_metrics.md`; TGI's router (`tgi_queue_size`,
 * `tgi_batch_current_size`, `tgi_request_queue_duration`,
 * `tgi_request_input_length`, `tgi_request_generated_tokens`); llama.cpp
 * `tools/server/README.md` and a v0.5.0 `llama-server --metrics` as run here
 * (`llamacpp:prompt_tokens_cached_total`; `llamacpp:kv_cache_usage_ratio`
 * only in older builds).
 *
 * @module
 */

/** How one raw metric reads as a mib metric. */
export type MetricSource =
  /** A gauge's value at each scrape; several label sets (engines) summed or averaged. */
  | { readonly kind: "gauge"; readonly name: string; readonly combine: "sum" | "mean" }
  /** A counter's growth per second between consecutive scrapes. */
  | { readonly kind: "rate"; readonly name: string }
  /** Between consecutive scrapes: Δ`hits` / Δ(Σ `of`), counters. */
  | { readonly kind: "ratio"; readonly hits: string; readonly of: readonly string[] }
  /** A histogram's mean between consecutive scrapes: Δ`name_sum` / Δ`name_count`. */
  | { readonly kind: "histogram"; readonly name: string };

/** A mib server metric: what it means and where each server keeps it. */
export interface ServerMetric {
  /** What it is, for help and the report. */
  readonly help: string;
  /** Its unit, for axes. */
  readonly unit: string;
  /** The raw metrics it is read from, tried in order. */
  readonly sources: readonly MetricSource[];
}

const gauge = (name: string, combine: "sum" | "mean" = "sum"): MetricSource => ({
  kind: "gauge",
  name,
  combine,
});
/** A counter under both spellings: prometheus_client's `_total` first, then bare. */
const rates = (name: string): MetricSource[] => [
  { kind: "rate", name: `${name}_total` },
  { kind: "rate", name },
];
const histogram = (name: string): MetricSource => ({ kind: "histogram", name });

/** A mib server-metric name. */
export type ServerMetricName =
  | "running"
  | "waiting"
  | "kv_cache_usage"
  | "prefix_cache_hit_rate"
  | "prompt_tokens_per_s"
  | "generation_tokens_per_s"
  | "ttft"
  | "queue_time";

/** The vocabulary, by mib name. */
export const SERVER_METRICS: Readonly<Record<ServerMetricName, ServerMetric>> = {
  running: {
    help: "requests the server is running (in its batch)",
    unit: "requests",
    sources: [
      gauge("vllm:num_requests_running"),
      gauge("sglang:num_running_reqs"),
      gauge("tgi_batch_current_size"),
      gauge("llamacpp:requests_processing"),
    ],
  },
  waiting: {
    help: "requests waiting in the server's queue",
    unit: "requests",
    sources: [
      gauge("vllm:num_requests_waiting"),
      gauge("sglang:num_queue_reqs"),
      gauge("tgi_queue_size"),
      gauge("llamacpp:requests_deferred"),
    ],
  },
  kv_cache_usage: {
    help: "fraction of the KV cache in use (0–1)",
    unit: "fraction",
    sources: [
      gauge("vllm:kv_cache_usage_perc", "mean"),
      gauge("vllm:gpu_cache_usage_perc", "mean"),
      gauge("sglang:token_usage", "mean"),
      gauge("llamacpp:kv_cache_usage_ratio", "mean"),
    ],
  },
  prefix_cache_hit_rate: {
    help: "prompt tokens found in the prefix cache / prompt tokens looked up, per interval",
    unit: "fraction",
    sources: [
      {
        kind: "ratio",
        hits: "vllm:prefix_cache_hits_total",
        of: ["vllm:prefix_cache_queries_total"],
      },
      { kind: "ratio", hits: "vllm:prefix_cache_hits", of: ["vllm:prefix_cache_queries"] },
      gauge("vllm:gpu_prefix_cache_hit_rate", "mean"),
      gauge("sglang:cache_hit_rate", "mean"),
      {
        kind: "ratio",
        hits: "llamacpp:prompt_tokens_cached_total",
        of: ["llamacpp:prompt_tokens_cached_total", "llamacpp:prompt_tokens_total"],
      },
    ],
  },
  prompt_tokens_per_s: {
    help: "prompt tokens the server processed per second",
    unit: "tokens/s",
    sources: [
      ...rates("vllm:prompt_tokens"),
      ...rates("sglang:prompt_tokens"),
      { kind: "rate", name: "tgi_request_input_length_sum" },
      ...rates("llamacpp:prompt_tokens"),
    ],
  },
  generation_tokens_per_s: {
    help: "tokens the server generated per second",
    unit: "tokens/s",
    sources: [
      ...rates("vllm:generation_tokens"),
      ...rates("sglang:generation_tokens"),
      { kind: "rate", name: "tgi_request_generated_tokens_sum" },
      ...rates("llamacpp:tokens_predicted"),
    ],
  },
  ttft: {
    help: "the server's time to first token (arrival → first token), mean per interval",
    unit: "s",
    sources: [
      histogram("vllm:time_to_first_token_seconds"),
      histogram("sglang:time_to_first_token_seconds"),
    ],
  },
  queue_time: {
    help: "time a request waited in the server's queue, mean per interval",
    unit: "s",
    sources: [
      histogram("vllm:request_queue_time_seconds"),
      histogram("sglang:queue_time_seconds"),
      histogram("tgi_request_queue_duration"),
    ],
  },
};

/** Every mib server-metric name, in the vocabulary's order. */
export const SERVER_METRIC_NAMES = Object.keys(SERVER_METRICS) as ServerMetricName[];

/** The raw sample names `source` reads (a histogram's `_sum` and `_count`). */
export function sourceNames(source: MetricSource): string[] {
  switch (source.kind) {
    case "gauge":
    case "rate":
      return [source.name];
    case "ratio":
      return [...new Set([source.hits, ...source.of])];
    case "histogram":
      return [`${source.name}_sum`, `${source.name}_count`];
  }
}

/** How `source` is named in a run record's `raw_names`. */
export function sourceLabel(source: MetricSource): string {
  switch (source.kind) {
    case "gauge":
    case "rate":
    case "histogram":
      return source.name;
    case "ratio":
      return `${source.hits} / ${source.of.join(" + ")}`;
  }
}
