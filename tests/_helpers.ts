/**
 * Test helpers: run the CLI as a subprocess.
 *
 * @module
 */

import { resolveBenchConfig } from "../cli/resolve.ts";
import { RunAccumulator } from "../metrics/run_accumulator.ts";
import { summarizeAccumulated } from "../metrics/summary.ts";
import type { FinishedRun } from "../output/types.ts";
import type { RequestResult } from "../runner/result.ts";
import { type SimulatorHandle, type SimulatorOptions, startSimulator } from "../simulator/mod.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** Output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `deno run -A main.ts ...args` (or with `permissions` instead of `-A`)
 * and collects its output.
 */
export function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string>; permissions?: string[] } = {},
): Promise<CliRun> {
  return runDeno(["run", ...(options.permissions ?? ["-A"]), MAIN, ...args], options);
}

/** Runs `deno ...args` (in `cwd` when given) and collects its output. */
export async function runDeno(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<CliRun> {
  const output = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd,
    env: { NO_COLOR: "1", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** A fresh temporary folder, removed by the returned disposer. */
export async function tempDir(): Promise<{ path: string } & AsyncDisposable> {
  const path = await Deno.makeTempDir({ prefix: "mib-test-" });
  return { path, [Symbol.asyncDispose]: () => Deno.remove(path, { recursive: true }) };
}

/** Runs `fn` against a simulator started with `options`, closing it afterwards. */
export async function withSim(
  options: SimulatorOptions,
  fn: (sim: SimulatorHandle) => Promise<void>,
): Promise<void> {
  const sim = await startSimulator(options);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

/** One request a {@linkcode recordingServer} received. */
export interface Received {
  /** Its JSON body. */
  body: Record<string, unknown>;
  /** Its headers. */
  headers: Headers;
}

/**
 * A stand-in OpenAI completions server on loopback that keeps every request
 * it receives and answers each with one streamed token and usage.
 */
export function recordingServer(): {
  received: Received[];
  url: string;
  close: () => Promise<void>;
} {
  const received: Received[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    received.push({ body: await req.json(), headers: req.headers });
    const sse = 'data: {"choices":[{"index":0,"text":" ok"}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":1,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
    return new Response(sse, { headers: { "content-type": "text/event-stream" } });
  });
  return {
    received,
    url: `http://127.0.0.1:${server.addr.port}`,
    close: () => server.shutdown(),
  };
}

/** A `mib serve` process started by {@linkcode spawnServe}. */
export interface ServeProcess {
  /** Its first line of output. */
  banner: string;
  /** The URL the banner names, if any. */
  url?: string;
  /** Sends SIGINT and resolves to the exit status, once all its output is read. */
  stop(): Promise<number>;
  /** Its output so far: the banner, and after {@linkcode ServeProcess.stop} all of it. */
  readonly output: string;
}

/** Starts `deno run -A main.ts serve ...args` and waits for its banner line. */
export async function spawnServe(args: string[]): Promise<ServeProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stdout = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let banner = "";
  while (!banner.includes("\n")) {
    const { done, value } = await stdout.read();
    if (done) break;
    banner += value;
  }
  let output = banner;
  return {
    banner,
    url: banner.match(/listening on (http:\/\/\S+)/)?.[1],
    get output() {
      return output;
    },
    async stop() {
      child.kill("SIGINT");
      for (;;) {
        const { done, value } = await stdout.read();
        if (done) break;
        output += value;
      }
      const status = await child.status;
      await child.stderr.cancel();
      return status.code;
    },
  };
}

/** A crafted successful streamed request result; `partial` overrides any field. */
export function fakeResult(partial: Partial<RequestResult> = {}): RequestResult {
  return {
    index: 0,
    success: true,
    error: "",
    text: "",
    promptLen: 10,
    outputLen: 3,
    outputLenSource: "server",
    ttft: 0.1,
    itl: [],
    latency: 0.2,
    chunks: 1,
    streamed: true,
    plannedOffset: 0,
    sendOffset: 0,
    notes: [],
    ...partial,
  };
}

/**
 * The flags of a short benchmark against `url`: `requests` requests, prompts of
 * `input` tokens, outputs of `output` tokens (a number: constant; else the
 * distribution's words, e.g. `["uniform", 4, 12]`).
 */
export function benchFlags(
  url: string,
  requests: number,
  input: number,
  output: number | (string | number)[],
): string[] {
  const lengths = typeof output === "number" ? ["constant", output] : output;
  return [
    "--base-url",
    url,
    "--num-of-req",
    String(requests),
    "--input-token-distribution",
    "constant",
    String(input),
    "--output-token-distribution",
    ...lengths.map(String),
  ];
}

/** One seed/jsonl record (see `SeedRecord`, plus `index`) of a successful streamed request. */
export function fakeRecord(i: number, itl: number[], text = "x"): Record<string, unknown> {
  return {
    index: i,
    text,
    success: true,
    latency: 0.02 + itl.reduce((a, b) => a + b, 0),
    ttft: 0.02,
    itl,
    prompt_len: 8,
    error: "",
    output_len: itl.length + 1,
    output_len_source: "server",
    output_len_client: itl.length + 1,
    chunks: itl.length + 1,
    streamed: true,
    planned_offset: i * 0.01,
    send_offset: i * 0.01,
    status: 200,
    notes: [],
  };
}

/**
 * What a finished run of `results` (0.6 s, started 2026-02-02) hands its
 * result files, as `mib bench` builds it; `options` are config-file keys.
 */
export function fakeFinishedRun(
  results: RequestResult[],
  options: Record<string, unknown> = {},
): FinishedRun {
  const config = resolveBenchConfig({
    base_url: "http://127.0.0.1:1",
    num_of_req: results.length,
    output_file: "results.json",
    percentiles: "50,99.9",
    ...options,
  }, {});
  const accumulator = new RunAccumulator({ goodput: config.goodput });
  for (const r of results) accumulator.add(r, r.chunkTokens);
  const run = {
    startedAt: new Date(Date.UTC(2026, 1, 2, 3, 4, 5)),
    duration: 0.6,
    results,
    eventLoopLag: [0.1, 0.2],
    notSent: 0,
    sendingEnded: 0.5,
    pacingLag: null,
  };
  const percentiles = [...new Set([...config.percentiles, 90, 99])].sort((a, b) => a - b);
  const metrics = accumulator.metrics({ duration: run.duration, percentiles });
  return {
    config,
    run,
    accumulator,
    metrics,
    summary: summarizeAccumulated(accumulator, run.duration, run.eventLoopLag, metrics),
    model: "m",
    url: "http://127.0.0.1:1/v1/completions",
    tokenizer: "cl100k_base",
    numPrompts: results.length,
  };
}
