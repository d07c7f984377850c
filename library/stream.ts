/**
 * `benchmarkStream(config)`: a benchmark as an async iterator of its
 * results, each as it ends.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import {
  type Benchmark,
  type BenchmarkConfig,
  type BenchmarkOptions,
  runBenchmark,
} from "./benchmark.ts";

/**
 * Runs the benchmark `config` describes (as {@linkcode runBenchmark}),
 * yielding each request's result as it ends; the iterator's return value is
 * the finished {@linkcode Benchmark}. Leaving the loop early ends the run:
 * sending stops and requests in flight are aborted.
 *
 * @example
 * ```ts
 * import { benchmarkStream } from "../mod.ts";
 *
 * for await (const result of benchmarkStream({ host_port: "localhost:8000", num_of_req: 10 })) {
 *   console.log(result.index, result.success, result.ttft);
 * }
 * ```
 *
 * @throws {UsageError} for a configuration `mib bench` would refuse, at the first `next()`.
 */
export async function* benchmarkStream(
  config: BenchmarkConfig,
  options: BenchmarkOptions = {},
): AsyncGenerator<RequestResult, Benchmark, undefined> {
  const ended: RequestResult[] = [];
  let next = 0;
  let done = false;
  let wake: (() => void) | undefined;
  const left = new AbortController();
  const signal = options.signal === undefined
    ? left.signal
    : AbortSignal.any([options.signal, left.signal]);
  const finished = runBenchmark(config, {
    ...options,
    signal,
    onResult: (result) => {
      options.onResult?.(result);
      ended.push(result);
      wake?.();
    },
  }).finally(() => {
    done = true;
    wake?.();
  });
  // Surfaced by the await below; until then a failure must not count as unhandled.
  finished.catch(() => {});
  try {
    while (true) {
      while (next < ended.length) {
        const result = ended[next];
        ended[next++] = undefined as unknown as RequestResult;
        yield result;
      }
      if (done) break;
      await new Promise<void>((resolve) => wake = resolve);
      wake = undefined;
    }
    return await finished;
  } finally {
    if (!done) {
      left.abort();
      await finished.catch(() => {});
    }
  }
}
