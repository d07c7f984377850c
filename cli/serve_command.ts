/**
 * `mib serve`: the built-in simulator as a standalone server.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import {
  type FaultRates,
  faultsBanner,
  parseFaultSpec,
  type SimulatorHandle,
  startSimulator,
} from "../simulator/mod.ts";
import type { RawOptions } from "./options.ts";

/** The serving model's settings, for the banner (nothing when all are defaults). */
function servingModel(o: SimulatorHandle["options"]): string {
  const parts = [
    o.maxNumSeqs === null ? "" : `max ${o.maxNumSeqs} running`,
    o.prefillMsPerToken === 0 ? "" : `prefill ${o.prefillMsPerToken} ms/token`,
    o.tpotGrowthMs === 0 ? "" : `tpot +${o.tpotGrowthMs} ms per other running request`,
    o.kvCacheTokens === null ? "" : `KV cache ${o.kvCacheTokens} tokens`,
  ];
  return parts.filter((p) => p !== "").map((p) => `, ${p}`).join("");
}

/** The settings that make the simulator disagree with a client, for the banner. */
function disagreements(o: SimulatorHandle["options"]): string {
  const parts = [
    o.maxContext === null ? "" : `context ${o.maxContext}`,
    o.honour === "both" ? "" : `chat honours ${o.honour} only`,
    o.promptScale === 1 ? "" : `prompt counts ×${o.promptScale}`,
    o.acceptAnyModel ? "any model accepted" : "",
    o.prefixCache ? "prefix cache" : "",
  ];
  return parts.filter((p) => p !== "").map((p) => `, ${p}`).join("");
}

/** `--faults` read, or a usage error naming the flag and the accepted form. */
function faultRates(spec: string | undefined): FaultRates | undefined {
  if (spec === undefined) return undefined;
  try {
    return parseFaultSpec(spec);
  } catch (error) {
    throw new UsageError("--faults", (error as Error).message);
  }
}

/** The injected-fault counts for the line printed on exit. */
function faultCounts(sim: SimulatorHandle): string {
  const { requests, counts } = sim.faults();
  const parts = Object.entries(counts).map(([label, n]) => `${label} ${n}`);
  return `mib simulator: ${requests} generation request(s), faults injected: ${
    parts.length === 0 ? "none" : parts.join(", ")
  }`;
}

/** Runs the simulator with the options typed (checked by their declarations) until SIGINT/SIGTERM. */
export async function serveCommand(values: RawOptions): Promise<number> {
  const v = values as Record<string, never>;
  const faults = faultRates(v.faults);
  const sim = await startSimulator({
    // Unset values take the simulator's own defaults (simulator/_options.ts); only
    // where `mib serve` listens differs from a simulator started in code.
    hostname: v.host ?? "127.0.0.1",
    port: v.port ?? 8000,
    model: v.model,
    ttftMs: v.ttft_ms,
    tpotMs: v.tpot_ms,
    maxNumSeqs: v.max_num_seqs,
    prefillMsPerToken: v.prefill_ms_per_token,
    tpotGrowthMs: v.tpot_growth_ms,
    kvCacheTokens: v.kv_cache_tokens,
    poolingTokenMs: v.pooling_token_ms,
    embeddingDim: v.embedding_dim,
    naturalLen: v.natural_len,
    reasoningTokens: v.reasoning_tokens,
    tokensPerChunk: v.tokens_per_chunk,
    roleChunk: v.no_role_chunk === true ? false : undefined,
    tritonCumulative: v.triton_cumulative,
    legacyDelimiter: v.legacy_delimiter,
    failAfter: v.fail_after,
    faults,
    faultsSeed: v.faults_seed,
    faultsStallMs: v.faults_stall_ms,
    faultsDelayMs: v.faults_delay_ms,
    maxContext: v.max_context,
    honour: v.honour,
    promptScale: v.prompt_scale,
    acceptAnyModel: v.accept_any_model,
    prefixCache: v.prefix_cache,
    record: v.record,
    recordBodies: v.record_bodies,
    quiet: true,
  });
  const o = sim.options;
  console.log(
    `mib simulator listening on ${sim.url} (model ${o.model}, ttft ${o.ttftMs} ms, tpot ${o.tpotMs} ms, ${o.tokensPerChunk} token(s)/chunk${
      o.failAfter === null ? "" : `, failing after ${o.failAfter} chunk(s)`
    }${servingModel(o)}${faultsBanner(o)}${disagreements(o)}${
      o.record ? `, recording at ${sim.url}/mib/record` : ""
    })`,
  );
  const { promise, resolve } = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGINT", resolve);
  Deno.addSignalListener("SIGTERM", resolve);
  await promise;
  await sim.close();
  if (faults !== undefined) console.log(faultCounts(sim));
  return 0;
}
