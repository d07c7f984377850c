/**
 * `mib serve`: the built-in simulator as a standalone server.
 *
 * @module
 */
import type { Command } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import { startSimulator } from "../simulator/mod.ts";

/** Options of `mib serve` as commander hands them over. */
export interface ServeFlags {
  host?: string;
  port?: string;
  model?: string;
  ttftMs?: string;
  tpotMs?: string;
  naturalLen?: string;
  tokensPerChunk?: string;
  roleChunk?: boolean;
  tritonCumulative?: boolean;
  legacyDelimiter?: string;
  failAfter?: string;
  record?: boolean;
}

/** Declares the flags of `mib serve` on `command`. */
// deno-lint-ignore no-explicit-any
export function serveOptions(command: Command<any, any, any>): void {
  command
    .option("--host <host>", "address to listen on (default 127.0.0.1)")
    .option("--port <port>", "port to listen on, 0 for any free one (default 8000)")
    .option("--model <id>", "served model id (default mib-sim)")
    .option("--ttft-ms <ms>", "time to first token, ms (default 20)")
    .option("--tpot-ms <ms>", "time between tokens, ms (default 5)")
    .option(
      "--natural-len <n>",
      "tokens generated when a request does not set ignore_eos (default 64)",
    )
    .option("--tokens-per-chunk <n>", "tokens carried by each streamed chunk (default 1)")
    .option("--no-role-chunk", "chat: no role-only first chunk")
    .option(
      "--triton-cumulative",
      "Triton: streamed text_output is the text generated so far (TensorRT-LLM BLS " +
        "accumulate_tokens) instead of each response's new text (default off)",
    )
    .option(
      "--legacy-delimiter <newline|nul>",
      "vLLM legacy /generate: record terminator, newline (current vLLM) or nul (older) " +
        "(default newline)",
    )
    .option(
      "--fail-after <n>",
      "failure injection: every generation fails when its token chunk n is due, after n " +
        "chunks, with its protocol's mid-stream error (vLLM legacy: connection cut) or error " +
        "answer (default never)",
    )
    .option(
      "--record",
      "record when each request arrived and each token chunk was written; served as JSON at " +
        "GET /mib/record ({timeOrigin, requests: [{id, endpoint, arrival, writes, tokens, end}]}, " +
        "server performance.now() ms, id from x-request-id), cleared by DELETE /mib/record " +
        "(default off; memory grows with every chunk until cleared)",
    );
}

function number(
  flag: string,
  value: string | undefined,
  min: number,
  integer: boolean,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new UsageError(
      flag,
      `expected ${integer ? "an integer" : "a number"} ≥ ${min}, got "${value}"`,
    );
  }
  return n;
}

function delimiter(value: string | undefined): "newline" | "nul" {
  if (value === undefined || value === "newline" || value === "nul") return value ?? "newline";
  throw new UsageError("--legacy-delimiter", `expected newline or nul, got "${value}"`);
}

/** Runs the simulator until SIGINT/SIGTERM; returns the exit status. */
export async function serveCommand(flags: ServeFlags): Promise<number> {
  let options;
  try {
    options = {
      hostname: flags.host ?? "127.0.0.1",
      port: number("--port", flags.port ?? "8000", 0, true),
      model: flags.model,
      ttftMs: number("--ttft-ms", flags.ttftMs, 0, false),
      tpotMs: number("--tpot-ms", flags.tpotMs, 0, false),
      naturalLen: number("--natural-len", flags.naturalLen, 1, true),
      tokensPerChunk: number("--tokens-per-chunk", flags.tokensPerChunk, 1, true),
      roleChunk: flags.roleChunk ?? true,
      tritonCumulative: flags.tritonCumulative ?? false,
      legacyDelimiter: delimiter(flags.legacyDelimiter),
      failAfter: number("--fail-after", flags.failAfter, 0, true) ?? null,
      record: flags.record ?? false,
      quiet: true,
    };
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`mib: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const sim = await startSimulator(options);
  const o = sim.options;
  console.log(
    `mib simulator listening on ${sim.url} (model ${o.model}, ttft ${o.ttftMs} ms, tpot ${o.tpotMs} ms, ${o.tokensPerChunk} token(s)/chunk${
      o.failAfter === null ? "" : `, failing after ${o.failAfter} chunk(s)`
    }${o.record ? `, recording at ${sim.url}/mib/record` : ""})`,
  );
  const { promise, resolve } = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGINT", resolve);
  Deno.addSignalListener("SIGTERM", resolve);
  await promise;
  await sim.close();
  return 0;
}
