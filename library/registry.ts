/**
 * `registerBackend(backend)`: a custom protocol added without forking mib.
 * Nothing global changes: it returns a {@linkcode Benchmarker} whose runs
 * know the built-in backends and the registered ones, and registering more
 * returns another.
 *
 * @module
 */
import type { Backend } from "../backends/types.ts";
import {
  type Benchmark,
  type BenchmarkConfig,
  type BenchmarkOptions,
  runBenchmark,
} from "./benchmark.ts";
import { benchmarkStream } from "./stream.ts";
import type { RequestResult } from "../runner/result.ts";

/** {@linkcode runBenchmark} and {@linkcode benchmarkStream} with more backends than the built-in ones. */
export interface Benchmarker {
  /** The registered backends, in registration order (the built-in ones not listed). */
  readonly backends: readonly Backend[];
  /** {@linkcode runBenchmark}, with the registered backends (and `options.backends`). */
  runBenchmark(config: BenchmarkConfig, options?: BenchmarkOptions): Promise<Benchmark>;
  /** {@linkcode benchmarkStream}, with the registered backends (and `options.backends`). */
  benchmarkStream(
    config: BenchmarkConfig,
    options?: BenchmarkOptions,
  ): AsyncGenerator<RequestResult, Benchmark, undefined>;
  /** Another benchmarker with `backend` registered too. */
  registerBackend(backend: Backend): Benchmarker;
}

function benchmarker(backends: readonly Backend[]): Benchmarker {
  const withOurs = (options: BenchmarkOptions = {}): BenchmarkOptions => ({
    ...options,
    backends: [...backends, ...options.backends ?? []],
  });
  return {
    backends,
    runBenchmark: (config, options) => runBenchmark(config, withOurs(options)),
    benchmarkStream: (config, options) => benchmarkStream(config, withOurs(options)),
    registerBackend: (backend) => benchmarker([...backends, backend]),
  };
}

/**
 * A {@linkcode Benchmarker} that knows `backend` (by its `name`) besides the
 * built-in backends. No registry is changed: pass `{ backends: [backend] }`
 * to {@linkcode runBenchmark} for the same in one call.
 *
 * @example A protocol of one's own, in a few lines
 * ```ts
 * import { getBackend, registerBackend, type Backend } from "../mod.ts";
 *
 * const openai = getBackend("openai");
 * const mine: Backend = {
 *   ...openai,
 *   name: "my-openai",
 *   buildRequest: (request) => {
 *     const built = openai.buildRequest(request);
 *     return { ...built, headers: { ...built.headers, "x-team": "bench" } };
 *   },
 * };
 * const { summary } = await registerBackend(mine).runBenchmark({
 *   host_port: "localhost:8000",
 *   backend: "my-openai",
 *   num_of_req: 10,
 * });
 * ```
 */
export function registerBackend(backend: Backend): Benchmarker {
  return benchmarker([backend]);
}
