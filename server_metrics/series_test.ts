import assert from "node:assert/strict";
import { isPrometheusText, parsePrometheus } from "./prometheus.ts";
import { reduceScrape, type Scrape, serverMetricsRecord, WANTED_NAMES } from "./series.ts";
import { serverComparisonLines } from "./compare.ts";

/** A vLLM v1 page in its shape (labels on every sample, `_created` lines), at one moment. */
function vllmPage(
  v: {
    running: number;
    hits: number;
    queries: number;
    gen: number;
    ttftSum: number;
    ttftCount: number;
  },
) {
  const m = `engine="0",model_name="m"`;
  return `# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{${m}} ${v.running}.0
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{${m}} 1.0
# HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{${m}} 0.25
# HELP vllm:prefix_cache_queries_total Prefix cache queries, in terms of number of queried tokens.
# TYPE vllm:prefix_cache_queries_total counter
vllm:prefix_cache_queries_total{${m}} ${v.queries}.0
# HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.
# TYPE vllm:prefix_cache_hits_total counter
vllm:prefix_cache_hits_total{${m}} ${v.hits}.0
# HELP vllm:generation_tokens_total Number of generation tokens processed.
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{${m}} ${v.gen}.0
# HELP vllm:generation_tokens_created Number of generation tokens processed.
# TYPE vllm:generation_tokens_created gauge
vllm:generation_tokens_created{${m}} 1.7e+09
# HELP vllm:time_to_first_token_seconds Histogram of time to first token in seconds.
# TYPE vllm:time_to_first_token_seconds histogram
vllm:time_to_first_token_seconds_bucket{${m},le="0.1"} ${v.ttftCount}.0
vllm:time_to_first_token_seconds_bucket{${m},le="+Inf"} ${v.ttftCount}.0
vllm:time_to_first_token_seconds_count{${m}} ${v.ttftCount}.0
vllm:time_to_first_token_seconds_sum{${m}} ${v.ttftSum}
`;
}

const scrape = (text: string, at: number): Scrape => reduceScrape(parsePrometheus(text), at);

Deno.test("parsePrometheus keeps every labelled histogram sample (sum, count, buckets) under its own name", () => {
  const samples = parsePrometheus(
    vllmPage({ running: 3, hits: 0, queries: 0, gen: 0, ttftSum: 0.5, ttftCount: 2 }),
  );
  const sum = samples.find((s) => s.name === "vllm:time_to_first_token_seconds_sum");
  assert.deepEqual(sum, {
    name: "vllm:time_to_first_token_seconds_sum",
    labels: { engine: "0", model_name: "m" },
    value: 0.5,
  });
  const buckets = samples.filter((s) => s.name === "vllm:time_to_first_token_seconds_bucket");
  assert.deepEqual(buckets.map((b) => [b.labels.le, b.value]), [["0.1", 2], ["+Inf", 2]]);
  // A HELP line with an empty help text, NaN and +Inf values.
  const odd = parsePrometheus("# HELP x \nx 1\ny NaN\nz +Inf\n");
  assert.deepEqual(odd.map((s) => s.value), [1, NaN, Infinity]);
  assert.equal(isPrometheusText("<html><body>Not Found</body></html>"), false);
  assert.equal(isPrometheusText('{"detail": "Not Found"}'), false);
});

Deno.test("vLLM: gauges at each scrape, counter rates, prefix hit rate and TTFT mean per interval, means over the run", () => {
  const record = serverMetricsRecord([
    scrape(
      vllmPage({ running: 0, hits: 0, queries: 0, gen: 100, ttftSum: 1, ttftCount: 10 }),
      10_000,
    ),
    scrape(
      vllmPage({ running: 4, hits: 30, queries: 100, gen: 300, ttftSum: 1.5, ttftCount: 20 }),
      12_000,
    ),
    scrape(
      vllmPage({ running: 2, hits: 30, queries: 100, gen: 400, ttftSum: 2.5, ttftCount: 30 }),
      13_000,
    ),
  ], { url: "http://x/metrics", interval: 1, startedAt: 10_000, failed: 0 });
  assert.deepEqual(record.series.running, [[0, 0], [2, 4], [3, 2]]);
  assert.deepEqual(record.series.waiting, [[0, 1], [2, 1], [3, 1]]);
  assert.deepEqual(record.series.kv_cache_usage, [[0, 0.25], [2, 0.25], [3, 0.25]]);
  // 200 tokens over 2 s, then 100 over 1 s.
  assert.deepEqual(record.series.generation_tokens_per_s, [[2, 100], [3, 100]]);
  // 30 of 100 tokens; no lookups in the last interval: no point.
  assert.deepEqual(record.series.prefix_cache_hit_rate, [[2, 0.3]]);
  assert.deepEqual(record.series.ttft, [[2, 0.05], [3, 0.1]]);
  assert.equal(record.raw_names.running, "vllm:num_requests_running");
  assert.equal(
    record.raw_names.prefix_cache_hit_rate,
    "vllm:prefix_cache_hits_total / vllm:prefix_cache_queries_total",
  );
  // (2.5 − 1) s over 20 requests.
  assert.deepEqual(record.means.ttft, {
    mean_ms: 75,
    count: 20,
    raw_name: "vllm:time_to_first_token_seconds",
  });
  assert.equal(record.means.queue_time, null);
  assert.equal(record.series.queue_time, undefined);
});

Deno.test("vLLM v0 names: gpu_cache_usage_perc and the prefix hit-rate gauge", () => {
  const page = (usage: number) =>
    `vllm:num_requests_running{model_name="m"} 1.0\nvllm:gpu_cache_usage_perc{model_name="m"} ${usage}\nvllm:gpu_prefix_cache_hit_rate{model_name="m"} 0.5\n`;
  const record = serverMetricsRecord([scrape(page(0.1), 0), scrape(page(0.3), 1000)], {
    url: "u",
    interval: 1,
    startedAt: 0,
    failed: 0,
  });
  assert.deepEqual(record.series.kv_cache_usage, [[0, 0.1], [1, 0.3]]);
  assert.deepEqual(record.series.prefix_cache_hit_rate, [[0, 0.5], [1, 0.5]]);
  assert.equal(record.raw_names.kv_cache_usage, "vllm:gpu_cache_usage_perc");
});

Deno.test("SGLang: num_running_reqs, num_queue_reqs, token_usage, cache_hit_rate, TTFT and queue histograms", () => {
  const page = (n: number) => {
    const m = `model_name="meta-llama/Llama-3.1-8B-Instruct"`;
    return `# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{${m}} ${n}
sglang:num_queue_reqs{${m}} 2
sglang:token_usage{${m}} 0.28
sglang:cache_hit_rate{${m}} 0.0075
sglang:prompt_tokens_total{${m}} ${1000 * n}
sglang:generation_tokens_total{${m}} ${500 * n}
sglang:time_to_first_token_seconds_sum{${m}} ${0.2 * n}
sglang:time_to_first_token_seconds_bucket{le="0.25",${m}} ${n}
sglang:time_to_first_token_seconds_count{${m}} ${n}
sglang:queue_time_seconds_sum{${m}} ${0.05 * n}
sglang:queue_time_seconds_count{${m}} ${n}
`;
  };
  const record = serverMetricsRecord([scrape(page(1), 0), scrape(page(5), 2000)], {
    url: "u",
    interval: 2,
    startedAt: 0,
    failed: 0,
  });
  assert.deepEqual(record.series.running, [[0, 1], [2, 5]]);
  assert.deepEqual(record.series.waiting, [[0, 2], [2, 2]]);
  assert.deepEqual(record.series.kv_cache_usage, [[0, 0.28], [2, 0.28]]);
  assert.deepEqual(record.series.prefix_cache_hit_rate, [[0, 0.0075], [2, 0.0075]]);
  assert.deepEqual(record.series.prompt_tokens_per_s, [[2, 2000]]);
  assert.deepEqual(record.series.generation_tokens_per_s, [[2, 1000]]);
  assert.equal(record.means.ttft?.mean_ms, 200);
  assert.equal(record.means.queue_time?.mean_ms, 50);
  assert.equal(record.means.queue_time?.raw_name, "sglang:queue_time_seconds");
});

Deno.test("TGI: queue size, batch size, queue duration histogram, token rates from the length histograms", () => {
  const page = (n: number) =>
    `tgi_queue_size ${n}
tgi_batch_current_size 8
tgi_request_queue_duration_bucket{le="0.1"} ${n}
tgi_request_queue_duration_bucket{le="+Inf"} ${n}
tgi_request_queue_duration_sum ${0.01 * n}
tgi_request_queue_duration_count ${n}
tgi_request_input_length_sum ${100 * n}
tgi_request_input_length_count ${n}
tgi_request_generated_tokens_sum ${50 * n}
tgi_request_generated_tokens_count ${n}
`;
  const record = serverMetricsRecord([scrape(page(2), 0), scrape(page(4), 1000)], {
    url: "u",
    interval: 1,
    startedAt: 0,
    failed: 0,
  });
  assert.deepEqual(record.series.running, [[0, 8], [1, 8]]);
  assert.deepEqual(record.series.waiting, [[0, 2], [1, 4]]);
  assert.deepEqual(record.series.prompt_tokens_per_s, [[1, 200]]);
  assert.deepEqual(record.series.generation_tokens_per_s, [[1, 100]]);
  assert.equal(record.means.queue_time?.mean_ms, 10);
  assert.equal(record.means.ttft, null);
});

Deno.test("llama.cpp: processing, deferred, token counters, prefix hit rate from the cached-token counter; a reset counter gives no point", () => {
  const page = (prompt: number, cached: number, predicted: number) =>
    `# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed, excluding cached tokens
# TYPE llamacpp:prompt_tokens_total counter
llamacpp:prompt_tokens_total ${prompt}
llamacpp:prompt_tokens_cached_total ${cached}
llamacpp:tokens_predicted_total ${predicted}
llamacpp:requests_processing 1
llamacpp:requests_deferred 0
`;
  const record = serverMetricsRecord([
    scrape(page(0, 0, 0), 0),
    scrape(page(30, 10, 80), 1000),
    scrape(page(5, 0, 10), 2000),
  ], { url: "u", interval: 1, startedAt: 0, failed: 0 });
  assert.deepEqual(record.series.running, [[0, 1], [1, 1], [2, 1]]);
  assert.deepEqual(record.series.waiting, [[0, 0], [1, 0], [2, 0]]);
  assert.deepEqual(record.series.prefix_cache_hit_rate, [[1, 0.25]]);
  assert.deepEqual(record.series.generation_tokens_per_s, [[1, 80]]);
  assert.deepEqual(record.series.prompt_tokens_per_s, [[1, 30]]);
  assert.equal(record.series.kv_cache_usage, undefined);
});

Deno.test("serverComparisonLines: the gap to the client's TTFT, and the queue's share of the server's", () => {
  const record = serverMetricsRecord([], { url: "u", interval: 1, startedAt: 0, failed: 0 });
  assert.deepEqual(serverComparisonLines(record, 10), []);
  const lines = serverComparisonLines({
    ...record,
    means: {
      ttft: { mean_ms: 40, count: 8, raw_name: "vllm:time_to_first_token_seconds" },
      queue_time: { mean_ms: 10, count: 8, raw_name: "vllm:request_queue_time_seconds" },
    },
  }, 42.5);
  assert.deepEqual(lines, [
    "server TTFT mean 40.00 ms (vllm:time_to_first_token_seconds, 8 requests) vs client TTFT mean 42.50 ms: the client's 2.50 ms more is network, client and HTTP framing (the server's clock starts at arrival, the client's at send)",
    "server queue time mean 10.00 ms (vllm:request_queue_time_seconds, 8 requests): 25% of the server's TTFT is queueing in the server",
  ]);
});

Deno.test("parsePrometheus: a page without a last line end keeps its last sample", () => {
  const samples = parsePrometheus(
    'vllm:num_requests_running{model_name="m"} 1\nvllm:num_requests_waiting 2',
  );
  assert.deepEqual(samples.map((s) => [s.name, s.value]), [
    ["vllm:num_requests_running", 1],
    ["vllm:num_requests_waiting", 2],
  ]);
});

Deno.test("parsePrometheus with the wanted names: the same reduced scrape as the whole page", () => {
  const page = vllmPage({
    running: 3,
    hits: 10,
    queries: 40,
    gen: 500,
    ttftSum: 1.5,
    ttftCount: 7,
  });
  // The page three times over, for three models, and without its last line end.
  const pages = ["a", "b", "c"].map((m) => page.replaceAll('model_name="m"', `model_name="${m}"`));
  const text = pages.join("\n").trimEnd();
  const whole = reduceScrape(parsePrometheus(text), 0);
  const kept = reduceScrape(parsePrometheus(text, WANTED_NAMES), 0);
  assert.deepEqual([...kept.values], [...whole.values]);
  assert.ok(whole.values.size >= 5);
  assert.equal(whole.values.get("vllm:num_requests_running")?.n, 3);
  // Only wanted names are parsed at all.
  assert.ok(parsePrometheus(text, WANTED_NAMES).every((s) => WANTED_NAMES.has(s.name)));
});
