/**
 * One client run of the benchmark (scripts/bench.ts), in its own process so
 * that its CPU and memory are its own. Reads a JSON scenario from the first
 * argument, runs it with the library's runner, and prints a JSON report.
 *
 * @module
 */
import process from "node:process";
import { arrivalOffsets, type ArrivalSpec, getBackend, runSchedule } from "../mod.ts";
import type { TransportName } from "../runner/transport.ts";
import type { RequestResult } from "../runner/result.ts";

/** What the orchestrator asks for. */
export interface ClientScenario {
  url: string;
  transport: TransportName;
  arrival: ArrivalSpec;
  count?: number;
  maxTime?: number;
  outputTokens: number;
  promptWords: number;
  requestIdPrefix: string;
}

/** What the client reports back. */
export interface ClientReport {
  /** Client CPU (user + system, all threads) during the run, µs. */
  cpuMicros: number;
  /** Run wall time, ms. */
  wallMs: number;
  /** Resident memory before the run and its peak during it, bytes. */
  rssBefore: number;
  rssPeak: number;
  /** Event-loop probe delays, ms. */
  eventLoopLag: number[];
  /** Per request: [index, success, ttft s, send offset s, planned offset s, output tokens, itl...]. */
  results: {
    index: number;
    success: boolean;
    error: string;
    ttft: number | null;
    sendOffset: number;
    plannedOffset: number;
    outputLen: number;
    itl: number[];
  }[];
}

/** The part of a request's result a client report carries. */
export function reportedResult(r: RequestResult): ClientReport["results"][number] {
  return {
    index: r.index,
    success: r.success,
    error: r.error,
    ttft: r.ttft,
    sendOffset: r.sendOffset,
    plannedOffset: r.plannedOffset,
    outputLen: r.outputLen,
    itl: r.itl,
  };
}

function peakRssSinceReset(): number | undefined {
  try {
    const status = Deno.readTextFileSync("/proc/self/status");
    const kb = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) * 1024;
  } catch {
    return undefined;
  }
}

function resetPeakRss(): void {
  try {
    // Linux: writing 5 resets the peak resident set size (VmHWM).
    Deno.writeTextFileSync("/proc/self/clear_refs", "5");
  } catch { /* not Linux or not allowed: the sampler still runs */ }
}

if (import.meta.main) {
  const scenario: ClientScenario = JSON.parse(Deno.args[0]);
  const offsets = arrivalOffsets(scenario.arrival, {
    seed: 0,
    count: scenario.count,
    maxTime: scenario.maxTime,
  });
  const prompt = " hello".repeat(scenario.promptWords);
  const requests = offsets.map((offset) => ({
    offset,
    promptLen: scenario.promptWords,
    request: { prompt, maxTokens: scenario.outputTokens },
  }));
  const backend = getBackend("openai");
  // Connections are not warmed: each scenario starts cold, as a user's run does.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const rssBefore = Deno.memoryUsage().rss;
  resetPeakRss();
  let sampledPeak = rssBefore;
  const sampler = setInterval(() => {
    sampledPeak = Math.max(sampledPeak, Deno.memoryUsage().rss);
  }, 50);
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const run = await runSchedule({
    url: scenario.url,
    backend,
    requests,
    transport: scenario.transport,
    requestIdPrefix: scenario.requestIdPrefix,
    // The simulator always reports usage; this is never called for a success.
    countTokens: (text) => text.length,
  });
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  clearInterval(sampler);
  const report: ClientReport = {
    cpuMicros: cpu.user + cpu.system,
    wallMs,
    rssBefore,
    rssPeak: Math.max(sampledPeak, peakRssSinceReset() ?? 0),
    eventLoopLag: run.eventLoopLag,
    results: run.results.map(reportedResult),
  };
  console.log(JSON.stringify(report));
}
