/**
 * `runBenchmark(config)`: the whole of `mib bench` as a function. The
 * configuration is a plain object with the config file's keys (the flags'
 * names with underscores), checked by the same schema with the same
 * {@linkcode UsageError}s; the run prints nothing: the lines the CLI would
 * print (notes, warnings, the summary table) come back in `log`.
 *
 * @module
 */
import { type Backend, BACKENDS } from "../backends/mod.ts";
import { benchCommand, strictFails } from "../cli/bench_command.ts";
import { BENCH_OPTIONS } from "../cli/bench_options.ts";
import type { Sources } from "../cli/options.ts";
import { validateOptions } from "../cli/validate_options.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import type { Summary } from "../metrics/types.ts";
import type { ServerMetricsRecord } from "../server_metrics/series.ts";
import type { BenchConfig } from "../runner/bench_config.ts";
import type { RequestResult } from "../runner/result.ts";
import type { RunResult } from "../runner/run.ts";

/**
 * A benchmark's configuration: the config file's keys (`mib bench --help`
 * lists them as flags; `num_of_req` is `--num-of-req`), with the same
 * values a config file holds. The common ones are typed here; every other
 * key of the README's flags tables is accepted and checked at run time.
 */
export interface BenchmarkConfig {
  /** The server's URL, e.g. `http://127.0.0.1:8000` (`--base-url`). */
  base_url?: string;
  /** The server as `host:port` (`--host_port`; default `localhost:8000`). */
  host_port?: string;
  /** The protocol (`--backend`): a built-in backend's name, or a registered one's. */
  backend?: string;
  /** Request path, when not the backend's default (`--endpoint`). */
  endpoint?: string;
  /** Model id; asked of the server when absent (`--model`). */
  model?: string;
  /** Number of requests (`--num-of-req`). */
  num_of_req?: number;
  /** Arrival process, e.g. `"poisson 5"` or `["constant", 10]` (`--request-distribution`). */
  request_distribution?: string | readonly (string | number)[];
  /** Prompt lengths, e.g. `"uniform 64 256"` (`--input-token-distribution`). */
  input_token_distribution?: string | readonly (string | number)[];
  /** Output lengths (`--output-token-distribution`). */
  output_token_distribution?: string | readonly (string | number)[];
  /** Cap on requests in flight (`--max-concurrency`). */
  max_concurrency?: number;
  /** Tokenizer name or path (`--tokenizer`). */
  tokenizer?: string;
  /** Seed of every random draw (`--seed`). */
  seed?: number;
  /** Result file to write (`--output-file`); none unless given. */
  output_file?: string;
  /** Every other config-file key. */
  readonly [key: string]: unknown;
}

/** How {@linkcode runBenchmark} runs, beyond its configuration. */
export interface BenchmarkOptions {
  /**
   * Backends besides the built-in ones, each by its `name` (one with a
   * built-in name replaces it for this run). They run on the main thread:
   * not with `workers` above 1.
   */
  backends?: readonly Backend[];
  /** Receives every request's result as it ends (any phase, failed ones too). */
  onResult?: (result: RequestResult) => void;
  /** Stops sending; requests in flight go on to their end. */
  stop?: AbortSignal;
  /** Stops sending and ends requests in flight at once (as aborted). */
  signal?: AbortSignal;
}

/** A finished benchmark. */
export interface Benchmark {
  /** Every request's result, in the order they ended. */
  results: RequestResult[];
  /** The run's summary (the figures of the CLI's table and of the result files). */
  summary: Summary;
  /** Whether the CLI would exit 1: a request failed, none completed, or `strict` found a mismatch. */
  failed: boolean;
  /** The lines the CLI would print: notes, warnings, the summary table, where results went. */
  log: string[];
  /** The configuration as resolved (defaults filled in). */
  config: BenchConfig;
  /** Model id used (given or resolved from the server). */
  model?: string;
  /** The run as the send loop reports it (duration, lags, what stopped it). */
  run: RunResult;
  /** The server's metrics scraped during the run, when any were. */
  serverMetrics?: ServerMetricsRecord;
}

/**
 * Checks `config` as `mib bench` checks a config file and fills in the
 * defaults; a progress bar is never shown.
 *
 * @example
 * ```ts
 * resolveBenchmarkConfig({ num_of_req: 10 }).numOfReq; // 10
 * ```
 *
 * @throws {UsageError} naming the key (`config: key "num_of_req" must be …`) or the flag at fault.
 */
export function resolveBenchmarkConfig(config: BenchmarkConfig): BenchConfig {
  const values = validateOptions(config, BENCH_OPTIONS, "config");
  const sources: Sources = Object.fromEntries(Object.keys(values).map((k) => [k, "config"]));
  return { ...resolveBenchConfig(values, sources), disableTqdm: true };
}

/** The built-in backends and `extra`, by name. */
export function backendRegistry(
  extra: readonly Backend[] = [],
): Readonly<Record<string, Backend>> {
  return { ...BACKENDS, ...Object.fromEntries(extra.map((b) => [b.name, b])) };
}

/**
 * Runs the benchmark `config` describes, as `mib bench` would with the same
 * config file, and resolves to every result and the summary. Nothing is
 * printed; the lines the CLI would print are in the returned `log`.
 *
 * @example Benchmark the built-in simulator
 * ```ts
 * import { runBenchmark, startSimulator } from "../mod.ts";
 *
 * const sim = await startSimulator({ ttftMs: 20, tpotMs: 5 });
 * const { summary } = await runBenchmark({
 *   base_url: sim.url,
 *   backend: "openai",
 *   num_of_req: 20,
 *   request_distribution: "poisson 10",
 * });
 * summary.ttft?.median; // ms
 * await sim.close();
 * ```
 *
 * @throws {UsageError} for a configuration `mib bench` would refuse (before any request is sent).
 */
export async function runBenchmark(
  config: BenchmarkConfig,
  options: BenchmarkOptions = {},
): Promise<Benchmark> {
  const resolved = resolveBenchmarkConfig(config);
  const log: string[] = [];
  const results: RequestResult[] = [];
  const outcome = await benchCommand(resolved, {
    log: (line) => log.push(line),
    debug: resolved.debug ? (line) => log.push(`debug: ${line}`) : undefined,
    signal: options.signal,
    stop: options.stop,
    backends: options.backends === undefined ? undefined : backendRegistry(options.backends),
    onResult: (result) => {
      results.push(result);
      options.onResult?.(result);
    },
  });
  const { summary } = outcome;
  return {
    ...outcome,
    results,
    log,
    config: resolved,
    failed: summary.failed > 0 || summary.completed === 0 || strictFails(resolved, summary),
  };
}
