/**
 * From merged option values to a checked benchmark configuration.
 *
 * @module
 */
import {
  arrivalSequence,
  type ArrivalSpec,
  MAX_PLANNED_REQUESTS,
  parseLengthSpec,
  parseRequestDistribution,
  type RampSpec,
  type RequestDistribution,
} from "../distributions/mod.ts";
import { DATASET_OPTIONS, type PrefixOption } from "../datasets/mod.ts";
import { UsageError } from "../errors.ts";
import { DEFAULT_EXACT_LIMIT } from "../metrics/sample.ts";
import { labelFor, type RawOptions, type Sources } from "./options.ts";
import { BENCH_OPTIONS } from "./bench_options.ts";
import { resolveRequestOptions, resolveRunIdentity } from "./request_options.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import { parsePhaseBound } from "../runner/phases.ts";
import { parseShard, WHOLE_PLAN } from "../runner/shard.ts";
import { SERVER_TOKENIZER } from "../tokenizers/server.ts";
import { resolveSessions } from "./_sessions.ts";
import { resolveImages } from "./resolve_workload.ts";

/** Defaults for values neither the command line nor the config file gave. */
export const DEFAULTS = {
  seed: 0,
  backend: "openai",
  baseUrl: "http://localhost:8000",
  requestDistribution: ["poisson", "inf"],
  inputTokenDistribution: ["constant", 1024],
  outputTokenDistribution: ["constant", 128],
  datasetName: "random",
} as const;

function parsePercentiles(value: string | number[], flag: string): number[] {
  const list = typeof value === "string" ? value.split(",").map((p) => p.trim()) : value;
  return list.map((p) => {
    const n = Number(p);
    if (p === "" || !Number.isFinite(n) || n < 0 || n > 100) {
      throw new UsageError(flag, `expected numbers from 0 to 100 like "50,90,99.9", got "${p}"`);
    }
    return n;
  });
}

function parseGoodput(
  slos: string[],
  flag: string,
): { ttft?: number; tpot?: number; e2el?: number } {
  const result: Record<string, number> = {};
  for (const slo of slos) {
    const match = /^(ttft|tpot|e2el):([0-9]*\.?[0-9]+)$/.exec(slo);
    if (!match) {
      throw new UsageError(
        flag,
        `expected SLOs like ttft:200 tpot:50 e2el:2000 (ms), got "${slo}"`,
      );
    }
    result[match[1]] = Number(match[2]);
  }
  return result;
}

/**
 * Timeouts unless their flags say otherwise, seconds: generous enough for
 * long generations on a loaded server (an 8,000-token answer at 50 ms a token
 * takes 400 s), short enough that a dead server never hangs a run.
 */
export const DEFAULT_TIMEOUTS = { connect: 30, request: 1800, stall: 300 } as const;

/** Seconds requests in flight get to finish after an interrupt, unless `--grace` says otherwise. */
export const DEFAULT_GRACE = 5;

/** A timeout flag's value: 0 means none. */
function seconds(value: number | undefined, fallback: number): number {
  const s = value ?? fallback;
  return s === 0 ? Infinity : s;
}

/** Seconds the ready check waits for the server unless `--ready-check-timeout` says otherwise. */
export const DEFAULT_READY_CHECK_TIMEOUT = 5;

/** Where the API key is read from unless `--api-key-env` names another variable. */
export const DEFAULT_API_KEY_ENV = "OPENAI_API_KEY";

/**
 * Headers from `"Name: value"` strings plus the bearer token from the
 * environment variable `keyEnv` (when set and no authorization header was
 * given).
 */
function requestHeaders(
  lines: readonly string[],
  flag: string,
  keyEnv: string,
  keyFlag: string,
  keyFile?: { path: string; flag: string },
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const match = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*?)\s*$/.exec(line);
    if (!match || /[\r\n]/.test(line)) {
      throw new UsageError(flag, `expected "Name: value", got ${JSON.stringify(line)}`);
    }
    headers[match[1].toLowerCase()] = match[2];
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) {
    throw new UsageError(keyFlag, `expected an environment variable name, got "${keyEnv}"`);
  }
  let key: string | undefined;
  if (keyFile !== undefined) {
    try {
      key = Deno.readTextFileSync(keyFile.path).trim();
    } catch (error) {
      const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).name;
      throw new UsageError(
        keyFile.flag,
        `cannot read "${keyFile.path}" (${why}); expected a file holding the API key`,
      );
    }
    if (key === "") {
      throw new UsageError(keyFile.flag, `"${keyFile.path}" is empty; expected the API key`);
    }
  } else {
    try {
      key = Deno.env.get(keyEnv);
    } catch {
      key = undefined; // no --allow-env: no key
    }
  }
  if (key && headers.authorization === undefined) headers.authorization = `Bearer ${key}`;
  return headers;
}

function normalizeBaseUrl(value: string, flag: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(flag, `expected a URL like http://localhost:8000, got "${value}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(flag, `expected an http:// or https:// URL, got "${value}"`);
  }
  return value.replace(/\/+$/, "");
}

/** Keys of what a trace gives or refuses, and why, for the errors. */
const TRACE_REFUSES: readonly (readonly [string, string])[] = [
  [
    "num_of_req",
    "a trace gives the number of requests, one per row; use --trace-limit N for at most N rows",
  ],
  ["input_token_distribution", "a trace gives each prompt's length"],
  ["output_token_distribution", "a trace gives each output length"],
  ["prefix_text", "a trace gives each prompt's length, which a prefix would change"],
  ["prefix_len", "a trace gives each prompt's length, which a prefix would change"],
  ["dataset_path", "a trace's prompts are random words of its lengths"],
  ["ramp_up", "a trace gives the send times"],
];

/**
 * `parsed` with the `trace_*` values when it is a trace; refuses them
 * without one, and what a trace gives itself (the count, the lengths) with one.
 */
function withTrace(
  v: Record<string, never>,
  label: (key: string) => string,
  parsed: RequestDistribution,
): RequestDistribution {
  const traceKeys = ["trace_speedup", "trace_start", "trace_limit"];
  if (parsed.kind !== "trace") {
    const given = traceKeys.find((key) => v[key] !== undefined);
    if (given !== undefined) {
      throw new UsageError(
        label(given),
        "shapes a trace replay, and there is none: give --request-distribution trace FILE as well",
      );
    }
    return parsed;
  }
  for (const [key, why] of TRACE_REFUSES) {
    if (v[key] !== undefined && v[key] !== false) {
      throw new UsageError(label(key), `not with --request-distribution trace: ${why}`);
    }
  }
  if (v.dataset_name !== undefined && v.dataset_name !== "random") {
    throw new UsageError(
      label("dataset_name"),
      "not with --request-distribution trace: its prompts are random words of the trace's lengths (random)",
    );
  }
  return {
    ...parsed,
    speedup: v.trace_speedup ?? parsed.speedup,
    start: v.trace_start ?? parsed.start,
    limit: v.trace_limit,
  };
}

/** The ramp the `ramp_up*` values ask for, checked with the schedule it shapes. */
function resolveRamp(
  v: Record<string, never>,
  label: (key: string) => string,
  arrival: RequestDistribution,
): RampSpec | undefined {
  const keys = ["ramp_up", "ramp_up_start_rps", "ramp_up_end_rps"];
  const given = keys.filter((key) => v[key] !== undefined);
  if (given.length === 0) return undefined;
  if (v.ramp_up === undefined) {
    throw new UsageError(
      label(given[0]),
      `sets a ramp's rate, and there is none: give --ramp-up linear|exponential as well`,
    );
  }
  const missing = keys.filter((key) => v[key] === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      label("ramp_up"),
      `needs both --ramp-up-start-rps A and --ramp-up-end-rps B (requests/s); missing ${
        missing.map(label).join(" and ")
      }`,
    );
  }
  const ramp: RampSpec = {
    strategy: v.ramp_up,
    startRps: v.ramp_up_start_rps,
    endRps: v.ramp_up_end_rps,
  };
  // withTrace refused --ramp-up with a trace already.
  if (arrival.kind === "trace") return undefined;
  // Checked now, before any network call: drawing nothing, it refuses what the plan would.
  arrivalSequence(arrival, { seed: 0, count: v.num_of_req, maxTime: v.max_time_for_reqs, ramp });
  return ramp;
}

/**
 * `--duration` alone with arrivals all at once plans an open-ended count
 * (`runner/duration.ts`): only a closed loop paces it, and only prompts made
 * as sent keep it from being built up front.
 */
function checkOpenEnded(
  arrival: ArrivalSpec,
  v: Record<string, never>,
  label: (key: string) => string,
): void {
  if (!arrivalSequence(arrival, { seed: 0, count: 0 }).allAtOnce) return;
  if (v.max_concurrency === undefined) {
    throw new UsageError(
      label("duration"),
      "with arrivals all at once (poisson inf) it needs --max-concurrency N (a closed loop of N users) or --num-of-req N",
    );
  }
  const dataset = v.dataset_name ?? DEFAULTS.datasetName;
  if (dataset !== "random" || v.tokenizer === "server") {
    throw new UsageError(
      label("duration"),
      `with a closed loop and no --num-of-req, prompts must be made as sent: give --num-of-req N with --dataset-name ${dataset}${
        v.tokenizer === "server" ? " and --tokenizer server" : ""
      }`,
    );
  }
}

/**
 * `--server-metrics` and `--no-server-metrics` as one setting: the URL (an
 * absolute http(s) URL), `false`, or undefined (look for the server's own).
 *
 * @throws {UsageError} for a URL that is not one.
 */
function serverMetricsUrl(
  url: string | false | undefined,
  off: boolean | undefined,
  label: (key: string) => string,
): string | false | undefined {
  // Commander stores --no-server-metrics under --server-metrics' attribute
  // (false): of the two, the last given wins, as with any --x and --no-x.
  if (off || url === false) return false;
  if (url === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !/^https?:$/.test(parsed.protocol)) {
    throw new UsageError(
      label("server_metrics"),
      `"${url}" is no http(s) URL; give the page's whole URL, e.g. http://localhost:8000/metrics`,
    );
  }
  return url;
}

/**
 * Checks merged values and fills in defaults.
 *
 * @throws {UsageError} naming the flag (or config key) at fault.
 */
export function resolveBenchConfig(
  values: RawOptions,
  sources: Sources,
  configPath?: string,
): BenchConfig {
  const label = (key: string) => labelFor(BENCH_OPTIONS, key, sources, configPath);
  const v = values as Record<string, never>;

  const distribution = (key: string, fallback: readonly (string | number)[]) =>
    (v[key] ?? fallback) as readonly (string | number)[];
  const requestDistribution = withTrace(
    v,
    label,
    parseRequestDistribution(
      distribution("request_distribution", DEFAULTS.requestDistribution),
      label("request_distribution"),
    ),
  );
  const hasNum = v.num_of_req !== undefined;
  const hasTime = v.max_time_for_reqs !== undefined;
  const hasDuration = v.duration !== undefined;
  if (hasNum && hasTime) {
    throw new UsageError(
      "--num-of-req/--max-time-for-reqs",
      "give only one of them (a number of requests, or a time window in seconds)",
    );
  }
  // A trace gives the count; --max-time-for-reqs may still cut it short.
  if (!hasNum && !hasTime && !hasDuration && requestDistribution.kind !== "trace") {
    throw new UsageError(
      "--num-of-req/--max-time-for-reqs",
      "give exactly one: --num-of-req N (requests) or --max-time-for-reqs T (seconds), or --duration S",
    );
  }

  if (v.api_key_file !== undefined && v.api_key_env !== undefined) {
    throw new UsageError(
      `${label("api_key_env")}/${label("api_key_file")}`,
      "give only one: the key comes from one place",
    );
  }

  // Checked here, before any network call, not when the plan is drawn.
  if (hasNum && v.num_of_req > MAX_PLANNED_REQUESTS) {
    throw new UsageError(
      label("num_of_req"),
      `expected at most ${MAX_PLANNED_REQUESTS} requests, got ${v.num_of_req}`,
    );
  }

  if (v.base_url !== undefined && v.host_port !== undefined) {
    throw new UsageError("--base-url/--host_port", "give only one of them");
  }
  let baseUrl: string = DEFAULTS.baseUrl;
  if (v.base_url !== undefined) baseUrl = normalizeBaseUrl(v.base_url, label("base_url"));
  if (v.host_port !== undefined) {
    const hostPort = String(v.host_port);
    if (!/^(\[[0-9a-fA-F:]+\]|[^\s:/]+):\d{1,5}$/.test(hostPort)) {
      throw new UsageError(
        label("host_port"),
        `expected host:port like localhost:8000, got "${hostPort}"`,
      );
    }
    baseUrl = normalizeBaseUrl(`http://${hostPort}`, label("host_port"));
  }

  const endpoint = v.endpoint as string | undefined;
  if (endpoint !== undefined && !endpoint.startsWith("/")) {
    throw new UsageError(label("endpoint"), `expected a path starting with "/", got "${endpoint}"`);
  }

  // Both shape only the result file: without one they would be silently ignored.
  for (const key of ["output_format", "percentiles", "append"]) {
    if (
      v[key] !== undefined && v[key] !== false && v.output_file === undefined &&
      v.result_dir === undefined
    ) {
      throw new UsageError(
        label(key),
        "shapes the result file, and there is none: give --output-file PATH (or --result-dir DIR) as well",
      );
    }
  }
  if (v.append === true && !["jsonl", "vllm"].includes(v.output_format ?? "seed")) {
    throw new UsageError(
      label("append"),
      `only --output-format jsonl or vllm can be appended to (a seed file is one JSON array, a csv file one row), got ${
        v.output_format ?? "seed"
      }`,
    );
  }

  const prefixGiven = ["prefix_text", "prefix_len", "no_prefix"].filter((k) =>
    v[k] !== undefined && v[k] !== false
  );
  if (prefixGiven.length > 1) {
    throw new UsageError(
      prefixGiven.map(label).join("/"),
      "give only one of --prefix-text, --prefix-len, --no-prefix",
    );
  }
  let prefix: PrefixOption = { kind: "none" };
  if (v.prefix_text !== undefined) prefix = { kind: "text", text: v.prefix_text };
  if (v.prefix_len !== undefined && v.prefix_len > 0) {
    prefix = { kind: "tokens", len: v.prefix_len };
  }

  if (hasDuration && !hasNum && !hasTime && requestDistribution.kind !== "trace") {
    checkOpenEnded(requestDistribution, v, label);
  }

  const workers: number = v.workers ?? 1;
  if (workers > 1 && v.tokenizer === SERVER_TOKENIZER) {
    throw new UsageError(
      label("workers"),
      "not with --tokenizer server: each worker would measure every prompt through the server again; give a local --tokenizer",
    );
  }
  const shaped = ["max_concurrency", "duration", "warmup", "cooldown"].filter((k) =>
    v[k] !== undefined
  );
  if (workers > 1 && (shaped.length > 0 || requestDistribution.kind === "trace")) {
    throw new UsageError(
      label("workers"),
      `not yet with ${
        [...shaped.map(label), ...(requestDistribution.kind === "trace" ? ["a trace"] : [])]
          .join(", ")
      }: each worker would cap, time and sort phases on its own; run one process, or shards (--shard)`,
    );
  }

  const images = resolveImages(v, label);
  if (workers > 1 && images !== undefined) {
    throw new UsageError(
      label("workers"),
      "not yet with images: each worker would encode the images again; run one process, or shards (--shard)",
    );
  }

  return {
    seed: v.seed ?? DEFAULTS.seed,
    backend: v.backend ?? DEFAULTS.backend,
    baseUrl,
    endpoint,
    numOfReq: v.num_of_req,
    maxTimeForReqs: v.max_time_for_reqs,
    duration: v.duration,
    maxConcurrency: v.max_concurrency,
    warmup: v.warmup === undefined ? undefined : parsePhaseBound(v.warmup, label("warmup")),
    cooldown: v.cooldown === undefined ? undefined : parsePhaseBound(v.cooldown, label("cooldown")),
    sessions: resolveSessions(v, label),
    requestDistribution,
    rampUp: resolveRamp(v, label, requestDistribution),
    inputTokenDistribution: parseLengthSpec(
      distribution("input_token_distribution", DEFAULTS.inputTokenDistribution),
      label("input_token_distribution"),
    ),
    outputTokenDistribution: parseLengthSpec(
      distribution("output_token_distribution", DEFAULTS.outputTokenDistribution),
      label("output_token_distribution"),
    ),
    outputTokenDistributionGiven: v.output_token_distribution !== undefined,
    datasetOptions: Object.fromEntries(
      DATASET_OPTIONS.filter((o) => v[o.key] !== undefined).map((o) => [o.key, v[o.key]]),
    ),
    prefix,
    datasetName: v.dataset_name ?? DEFAULTS.datasetName,
    datasetPath: v.dataset_path,
    batch: v.batch,
    images,
    model: v.model,
    tokenizer: v.tokenizer,
    trustRemoteCode: v.trust_remote_code ?? false,
    disableTqdm: v.disable_tqdm ?? false,
    bestOf: v.best_of,
    useBeamSearch: v.use_beam_search ?? false,
    ...resolveRequestOptions(v, label),
    ...resolveRunIdentity(v, label),
    outputFile: v.output_file,
    outputFormat: v.output_format ?? "seed",
    percentiles: parsePercentiles(v.percentiles ?? [50, 90, 95, 99], label("percentiles")),
    goodput: v.goodput === undefined ? undefined : parseGoodput(v.goodput, label("goodput")),
    exactLimit: v.exact_limit ?? DEFAULT_EXACT_LIMIT,
    strict: v.strict ?? false,
    serverMetrics: serverMetricsUrl(v.server_metrics, v.no_server_metrics, label),
    scrapeInterval: v.scrape_interval ?? 1,
    profile: v.profile ?? false,
    debug: v.debug ?? false,
    transport: v.transport ?? "http1",
    headers: requestHeaders(
      (v.header ?? []) as string[],
      label("header"),
      v.api_key_env ?? DEFAULT_API_KEY_ENV,
      label("api_key_env"),
      v.api_key_file === undefined
        ? undefined
        : { path: v.api_key_file, flag: label("api_key_file") },
    ),
    disableStream: v.disable_stream ?? false,
    readyCheckTimeout: v.ready_check_timeout ?? DEFAULT_READY_CHECK_TIMEOUT,
    timeouts: {
      connect: seconds(v.connect_timeout, DEFAULT_TIMEOUTS.connect),
      request: seconds(v.request_timeout, DEFAULT_TIMEOUTS.request),
      stall: seconds(v.stall_timeout, DEFAULT_TIMEOUTS.stall),
    },
    grace: v.grace ?? DEFAULT_GRACE,
    shard: v.shard === undefined ? WHOLE_PLAN : parseShard(v.shard, label("shard")),
    startAt: v.start_at,
    workers,
  };
}
