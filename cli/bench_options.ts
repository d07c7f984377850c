/**
 * Every option of `mib bench`, once: its flag, its config-file key, its value
 * kind and its help (built from the registries where it lists their names).
 * The commander flags, the config-file schema and the README's flag table
 * (checked by tests/readme_test.ts) all follow this list.
 *
 * @module
 */
import { BACKEND_NAMES } from "../backends/mod.ts";
import { OUTPUT_FORMAT_HELP, OUTPUT_FORMAT_NAMES } from "../output/mod.ts";
import { DATASET_NAMES, DATASET_OPTIONS, DATASETS } from "../datasets/mod.ts";
import {
  describeArrivalForms,
  describeLengthForms,
  RAMP_STRATEGIES,
} from "../distributions/mod.ts";
import { TRANSPORTS } from "../runner/transport.ts";
import { IMAGE_FORMATS } from "../images/synthetic.ts";
import type { OptionSpec } from "./options.ts";
import { REQUEST_OPTIONS, RUN_IDENTITY_OPTIONS } from "./request_options.ts";

/** Every benchmark option, in help order. */
export const BENCH_OPTIONS: readonly OptionSpec[] = [
  {
    key: "seed",
    flag: "--seed",
    arg: "<n>",
    kind: "int",
    help: "seed for reproducibility (default 0)",
  },
  {
    key: "backend",
    flag: "--backend",
    arg: "<name>",
    // Checked by getBackend, not as a choice: the registry may grow at run time.
    kind: "string",
    help: `${BACKEND_NAMES.join(", ")} (default openai)`,
  },
  {
    key: "base_url",
    flag: "--base-url",
    arg: "<url>",
    kind: "string",
    help: "server base URL, e.g. http://localhost:8000 (default)",
  },
  {
    key: "host_port",
    flag: "--host_port",
    aliases: ["--host-port"],
    arg: "<host:port>",
    kind: "string",
    help: "server as host:port (means http://host:port); also spelled --host-port",
  },
  {
    key: "endpoint",
    flag: "--endpoint",
    arg: "<path>",
    kind: "string",
    help: "API path (default: the backend's, e.g. /v1/completions)",
  },
  {
    key: "num_of_req",
    flag: "--num-of-req",
    arg: "<n>",
    kind: "positive-int",
    help: "total number of requests to send (or --max-time-for-reqs)",
  },
  {
    key: "max_time_for_reqs",
    flag: "--max-time-for-reqs",
    arg: "<seconds>",
    kind: "positive-number",
    help: "send every request planned within this many seconds (or --num-of-req)",
  },
  {
    key: "duration",
    flag: "--duration",
    arg: "<seconds>",
    kind: "positive-number",
    help:
      "stop sending this many seconds after the run start, even if the plan is behind; requests in flight finish and count (alone: the plan is every request planned before then, or an open-ended count with --max-concurrency and poisson inf)",
  },
  {
    key: "max_concurrency",
    flag: "--max-concurrency",
    arg: "<n>",
    kind: "positive-int",
    help:
      "at most this many requests in flight; a request due while n are waits in the client for a free slot (with poisson inf: a closed loop of n users)",
  },
  {
    key: "warmup",
    flag: "--warmup",
    arg: "<n|Ss>",
    kind: "requests-or-seconds",
    help:
      "the first n requests sent, or those sent in the first S seconds (10s), are warm-up: sent, marked, left out of every statistic",
  },
  {
    key: "cooldown",
    flag: "--cooldown",
    arg: "<n|Ss>",
    kind: "requests-or-seconds",
    help:
      "the last n requests sent, or those sent in the last S seconds of sending (10s), are cool-down: sent, marked, left out of every statistic",
  },
  {
    key: "request_distribution",
    flag: "--request-distribution",
    arg: "<name args...>",
    kind: "distribution",
    help: `gaps between requests: ${describeArrivalForms()} (default poisson inf)`,
  },
  {
    key: "trace_speedup",
    flag: "--trace-speedup",
    arg: "<x>",
    kind: "positive-number",
    help:
      "with --request-distribution trace: replay X times faster (offsets divided by X; default 1)",
  },
  {
    key: "trace_start",
    flag: "--trace-start",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "with --request-distribution trace: skip the rows before this many seconds into the trace; offsets start at the first row kept (default 0)",
  },
  {
    key: "trace_limit",
    flag: "--trace-limit",
    arg: "<n>",
    kind: "positive-int",
    help: "with --request-distribution trace: replay at most this many rows",
  },
  {
    key: "ramp_up",
    flag: "--ramp-up",
    aliases: ["--ramp-up-strategy"],
    arg: "<strategy>",
    kind: "choice",
    choices: RAMP_STRATEGIES,
    help:
      "ramp the request rate over the run from --ramp-up-start-rps to --ramp-up-end-rps, as vLLM's --ramp-up-strategy (needs --num-of-req; --request-distribution then gives only the shape: poisson inf or gamma inf BURSTINESS)",
  },
  {
    key: "ramp_up_start_rps",
    flag: "--ramp-up-start-rps",
    arg: "<rps>",
    kind: "positive-number",
    help: "with --ramp-up: requests/s at the first request",
  },
  {
    key: "ramp_up_end_rps",
    flag: "--ramp-up-end-rps",
    arg: "<rps>",
    kind: "positive-number",
    help: "with --ramp-up: requests/s at the last request (>= the start rate)",
  },
  {
    key: "multi_turn",
    flag: "--multi-turn",
    kind: "boolean",
    help:
      "multi-turn chat sessions: each session's user turns in order, each request carrying the history so far with the server's own replies (openai-chat); sessions arrive by --request-distribution and --num-of-req counts sessions (random data: give --turns)",
  },
  {
    key: "turns",
    flag: "--turns",
    arg: "<name args...>",
    kind: "distribution",
    help: `turns per session of random prompts (implies --multi-turn): ${describeLengthForms()}`,
  },
  {
    key: "max_turns",
    flag: "--max-turns",
    arg: "<n>",
    kind: "positive-int",
    help: "with --multi-turn: at most this many turns per session",
  },
  {
    key: "think_time",
    flag: "--think-time",
    arg: "<name args...>",
    kind: "distribution",
    help:
      `with --multi-turn: milliseconds from a turn's response end to the next turn's send: ${describeLengthForms()} (default none: 0 ms)`,
  },
  {
    key: "input_token_distribution",
    flag: "--input-token-distribution",
    arg: "<name args...>",
    kind: "distribution",
    help: `prompt lengths in tokens: ${describeLengthForms()} (default constant 1024)`,
  },
  {
    key: "output_token_distribution",
    flag: "--output-token-distribution",
    arg: "<name args...>",
    kind: "distribution",
    help: `output lengths in tokens: ${describeLengthForms()} (default constant 128)`,
  },
  {
    key: "prefix_text",
    flag: "--prefix-text",
    arg: "<text>",
    kind: "string",
    help: "text put before every prompt",
  },
  {
    key: "prefix_len",
    flag: "--prefix-len",
    arg: "<tokens>",
    kind: "non-negative-int",
    help: "one shared random prefix of this many tokens before every prompt",
  },
  { key: "no_prefix", flag: "--no-prefix", kind: "boolean", help: "no prefix (default)" },
  {
    key: "dataset_name",
    flag: "--dataset-name",
    arg: "<name>",
    kind: "choice",
    choices: DATASET_NAMES,
    help: `prompt source (default random) — ${
      Object.values(DATASETS).map((d) => `${d.name}: ${d.help}`).join("; ")
    }`,
  },
  {
    key: "dataset_path",
    flag: "--dataset-path",
    arg: "<path>",
    kind: "string",
    help: "path to the dataset",
  },
  ...DATASET_OPTIONS,
  {
    key: "batch",
    flag: "--batch",
    arg: "<n>",
    kind: "positive-int",
    help:
      "pooling backends (openai-embeddings, tei, vllm-pooling): inputs per request, texts to embed or documents to rerank against one query (default 1)",
  },
  {
    key: "image_count",
    flag: "--image-count",
    arg: "<n>",
    kind: "positive-int",
    help: "images sent with each prompt (default 1 with --image-size or --image-dir)",
  },
  {
    key: "image_size",
    flag: "--image-size",
    arg: "<WxH>",
    kind: "string",
    help: "synthetic images of W×H pixels (seeded random pixels), e.g. 512x512",
  },
  {
    key: "image_format",
    flag: "--image-format",
    arg: "<format>",
    kind: "choice",
    choices: IMAGE_FORMATS,
    help: "encoding of the synthetic images: png (default) or jpeg",
  },
  {
    key: "image_dir",
    flag: "--image-dir",
    arg: "<dir>",
    kind: "string",
    help:
      "images from this folder's PNG and JPEG files, in name order, cycled (instead of --image-size)",
  },
  {
    key: "model",
    flag: "--model",
    arg: "<id>",
    kind: "string",
    help:
      "model name sent to the server (default: the first model the server lists, e.g. GET /v1/models)",
  },
  {
    key: "tokenizer",
    flag: "--tokenizer",
    arg: "<name>",
    kind: "string",
    help:
      "tiktoken encoding, OpenAI model name, Hugging Face tokenizer.json (file or folder) or model id, GGUF model file, or server (the server's tokenize endpoint) (default: the model's own when known locally, else the server's endpoint when it answers, else cl100k_base)",
  },
  {
    key: "trust_remote_code",
    flag: "--trust-remote-code",
    kind: "boolean",
    help: "accepted for compatibility; mib never runs remote code",
  },
  { key: "disable_tqdm", flag: "--disable-tqdm", kind: "boolean", help: "no progress bar" },
  {
    key: "best_of",
    flag: "--best-of",
    arg: "<n>",
    kind: "positive-int",
    help: "best_of sent to the server",
  },
  {
    key: "use_beam_search",
    flag: "--use-beam-search",
    kind: "boolean",
    help: "ask for beam search (vllm backend)",
  },
  ...REQUEST_OPTIONS,
  {
    key: "output_file",
    flag: "--output-file",
    arg: "<path>",
    kind: "string",
    help: "write the results in --output-format, and a run record (X.summary.json) beside them",
  },
  {
    key: "header",
    flag: "--header",
    arg: "<name: value>",
    kind: "headers",
    help: 'extra HTTP header for every request, e.g. "X-Tenant: a" (repeatable)',
  },
  {
    key: "api_key_env",
    flag: "--api-key-env",
    arg: "<NAME>",
    kind: "string",
    help:
      "environment variable holding an API key, sent as a bearer token and never printed (default OPENAI_API_KEY)",
  },
  {
    key: "api_key_file",
    flag: "--api-key-file",
    arg: "<path>",
    kind: "string",
    help:
      "file holding an API key (trimmed), sent as a bearer token and never printed or written; instead of --api-key-env",
  },
  {
    key: "disable_stream",
    flag: "--disable-stream",
    kind: "boolean",
    help: "ask for unstreamed responses where the backend can do both (TTFT is then unknown)",
  },
  {
    key: "ready_check_timeout",
    flag: "--ready-check-timeout",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "before the run, wait up to this long for the server to answer at all; a server that does not stops the run with exit 1 (default 5, 0 skips the check)",
  },
  {
    key: "connect_timeout",
    flag: "--connect-timeout",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "a new connection may take this long, else the request fails as a timeout (http1 transport; default 30, 0 for none)",
  },
  {
    key: "request_timeout",
    flag: "--request-timeout",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "a whole request (send to the response's end) may take this long, else it fails as a timeout keeping what arrived (default 1800, 0 for none)",
  },
  {
    key: "stall_timeout",
    flag: "--stall-timeout",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "once a response has begun, no byte for this long fails it as a timeout keeping what arrived (default 300, 0 for none)",
  },
  {
    key: "grace",
    flag: "--grace",
    arg: "<seconds>",
    kind: "non-negative-number",
    help:
      "on SIGINT, SIGTERM or SIGHUP: stop sending, give requests in flight this long to finish, then end them as aborted and write every result (default 5; a second signal ends them at once)",
  },
  {
    key: "transport",
    flag: "--transport",
    arg: "<name>",
    kind: "choice",
    choices: TRANSPORTS,
    help: "http1 (mib's own HTTP/1.1 client, default) or fetch (the runtime's)",
  },
  {
    key: "shard",
    flag: "--shard",
    arg: "<I/N>",
    kind: "string",
    help:
      "send only shard I of N of the plan (plan index mod N = I), keeping plan indices: N processes with the same seed and --start-at act as one client",
  },
  {
    key: "start_at",
    flag: "--start-at",
    arg: "<epoch-seconds>",
    kind: "positive-number",
    help:
      "wall-clock instant (Unix seconds) that is t = 0 of the plan: wait until then; a start more than 1 s past is refused",
  },
  {
    key: "workers",
    flag: "--workers",
    arg: "<n>",
    kind: "positive-int",
    help:
      "send on N worker threads, each with its own connections and event loop, each a shard of the plan; one progress bar and summary (default 1)",
  },
  {
    key: "output_format",
    flag: "--output-format",
    arg: "<format>",
    kind: "choice",
    choices: OUTPUT_FORMAT_NAMES,
    help: OUTPUT_FORMAT_HELP,
  },
  {
    key: "percentiles",
    flag: "--percentiles",
    arg: "<list>",
    kind: "percentiles",
    help: "percentiles reported in result files, e.g. 50,90,95,99 (default) or 99.9",
  },
  {
    key: "goodput",
    flag: "--goodput",
    arg: "<slo...>",
    kind: "goodput",
    help: "SLOs for goodput, as vLLM: ttft:MS tpot:MS e2el:MS (any of them)",
  },
  {
    key: "exact_limit",
    flag: "--exact-limit",
    arg: "<n>",
    kind: "positive-int",
    help:
      "values each timing distribution keeps exactly before it becomes an HDR histogram (default 1000000); a run that may exceed it keeps no per-request results unless its output file lists them",
  },
  ...RUN_IDENTITY_OPTIONS,
  {
    key: "strict",
    flag: "--strict",
    kind: "boolean",
    help:
      "exit 1 when any request's server disagreed with the plan (another output length than asked, another prompt count beyond the tolerance, a truncated prompt), after writing everything",
  },
  {
    key: "server_metrics",
    flag: "--server-metrics",
    arg: "<url>",
    kind: "string",
    help:
      "scrape this Prometheus page during the run (default: the server's /metrics when it answers 200 with Prometheus text at the start); its series go in the run record and the HTML report, its TTFT and queue-time means beside the client's in the summary",
  },
  {
    key: "no_server_metrics",
    flag: "--no-server-metrics",
    kind: "boolean",
    help: "do not look for or scrape the server's metrics",
  },
  {
    key: "scrape_interval",
    flag: "--scrape-interval",
    arg: "<seconds>",
    kind: "positive-number",
    help: "seconds between scrapes of the server's metrics (default 1)",
  },
  {
    key: "profile",
    flag: "--profile",
    kind: "boolean",
    help:
      "call vLLM's POST /start_profile before the first request and POST /stop_profile after the last response (the server needs its profiler on); a 404 fails the run before anything is sent",
  },
  {
    key: "debug",
    flag: "--debug",
    kind: "boolean",
    help:
      "log debug messages to stderr (resolved configuration, first planned requests, each request's timings, unparsable responses) and stack traces",
  },
];

/** `--config-file`: not itself a config key. */
export const CONFIG_FILE_OPTION: OptionSpec = {
  key: "config_file",
  flag: "--config-file",
  arg: "<path>",
  kind: "string",
  help: "JSON file of options (keys: flag names with underscores); flags on the command line win",
};

/**
 * `--calibrate`: command line only (not a config key, not a library
 * option), since it measures the host, not the benchmark.
 */
export const CALIBRATE_OPTION: OptionSpec = {
  key: "calibrate",
  flag: "--calibrate",
  kind: "boolean",
  help: "first measure this host's client ceiling (a short mib calibrate, saved), then warn " +
    "before the run if the plan exceeds it",
};
