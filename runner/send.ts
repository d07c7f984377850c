/**
 * Sending one request and measuring it.
 *
 * @module
 */
import type { Backend, BuiltRequest, TimedReads } from "../backends/types.ts";
import { requestTimings } from "../metrics/request.ts";
import { readStamped } from "./_read.ts";
import type { RequestResult } from "./result.ts";

/** Everything {@linkcode sendRequest} needs besides the request itself. */
export interface SendContext {
  /** Full URL of the endpoint. */
  url: string;
  /** The server protocol. */
  backend: Backend;
  /** Extra headers for every request. */
  headers?: Record<string, string>;
  /** Client-side token count, used when the server reports none. */
  countTokens: (text: string) => number;
  /** Aborts the request (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

/** The parts of a result the scheduler knows before sending. */
export interface SendPlan {
  /** Schedule position. */
  index: number;
  /** Planned offset from run start, seconds. */
  plannedOffset: number;
  /** Token count of the prompt. */
  promptLen: number;
  /** Asked output tokens. */
  maxTokens: number;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    // Deno's fetch puts the useful part (e.g. "Connection refused") in `cause`.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Sends `built` to `context.url`, reads the whole response with a stamp per
 * read, and measures it. Never throws: a failure is a result with
 * `success: false` and its reason.
 *
 * @param runStart `performance.now()` of the run start, for offsets.
 */
export async function sendRequest(
  context: SendContext,
  built: BuiltRequest,
  plan: SendPlan,
  runStart: number,
): Promise<RequestResult> {
  const result: RequestResult = {
    index: plan.index,
    success: false,
    error: "",
    text: "",
    promptLen: plan.promptLen,
    outputLen: 0,
    outputLenSource: "tokenizer",
    ttft: null,
    itl: [],
    latency: 0,
    chunks: 0,
    plannedOffset: plan.plannedOffset,
    sendOffset: 0,
    notes: [],
  };
  const reads: TimedReads = { times: [], bytes: [] };
  const sendTime = performance.now();
  result.sendOffset = (sendTime - runStart) / 1000;
  try {
    const response = await fetch(context.url, {
      method: "POST",
      headers: { ...built.headers, ...context.headers },
      body: built.body,
      signal: context.signal,
    });
    result.status = response.status;
    if (!response.ok || response.body === null) {
      const body = (await response.text()).trim();
      result.latency = (performance.now() - sendTime) / 1000;
      result.error = `HTTP ${response.status} ${response.statusText}: ${body.slice(0, 500)}`;
      return result;
    }
    const end = await readStamped(response.body, reads);
    measure(result, context, reads, sendTime, end, plan.maxTokens);
  } catch (error) {
    const end = performance.now();
    // Keep what arrived before a cut: its timings are real.
    if (reads.bytes.length > 0) measure(result, context, reads, sendTime, end, plan.maxTokens);
    result.latency = (end - sendTime) / 1000;
    result.success = false;
    result.error = reads.bytes.length > 0
      ? `stream cut after ${reads.bytes.length} reads: ${describe(error)}`
      : describe(error);
  }
  return result;
}

function measure(
  result: RequestResult,
  context: SendContext,
  reads: TimedReads,
  sendTime: number,
  end: number,
  maxTokens: number,
): void {
  const parsed = context.backend.parseStream(reads);
  const timings = requestTimings(parsed, sendTime, end);
  result.ttft = timings.ttft;
  result.itl = timings.itl;
  result.latency = timings.latency;
  result.chunks = parsed.chunks.length;
  result.text = parsed.chunks.map((c) => c.text).join("");
  if (parsed.outputTokens !== undefined) {
    result.outputLen = parsed.outputTokens;
    result.outputLenSource = "server";
  } else {
    result.outputLen = context.countTokens(result.text);
  }
  result.notes.push(...parsed.notes);
  if (result.outputLen > result.chunks && result.chunks > 0) {
    result.notes.push(
      `${result.outputLen} tokens arrived in ${result.chunks} text chunks: some chunks carried several tokens, so itl holds one gap per chunk, not per token`,
    );
  }
  if (!parsed.complete) result.notes.push("stream ended without its end marker ([DONE])");
  if (parsed.error !== undefined) {
    result.error = `stream error: ${parsed.error}`;
  } else if (result.chunks === 0 && maxTokens > 0) {
    result.error = "stream ended without any generated text";
  } else {
    result.success = true;
  }
}
