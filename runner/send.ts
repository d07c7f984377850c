/**
 * Sending one request and measuring it.
 *
 * @module
 */
import type {
  Backend,
  GenerationRequest,
  ParsedStream,
  ReasoningSplit,
  StreamParser,
} from "../backends/types.ts";
import { classifyFailure } from "../metrics/failure.ts";
import { noteMismatches } from "../metrics/mismatch.ts";
import { requestTimings } from "../metrics/request.ts";
import { errorExcerpt } from "./_error_excerpt.ts";
import type { RequestResult } from "./result.ts";
import { type InFlight, RequestEnded } from "./watchdog.ts";
import type { OutgoingRequest, ResponseHandler, Transport } from "./transport.ts";

/** Everything {@linkcode sendRequest} needs besides the request itself. */
export interface SendContext {
  /** Where requests go. */
  transport: Transport;
  /** The server protocol. */
  backend: Backend;
  /** Aborts the request (e.g. on Ctrl-C). */
  signal?: AbortSignal;
  /**
   * Receives one line per finished request (its send, first byte, end and
   * status) and the raw bytes of a response that failed to parse. Absent,
   * nothing is stamped or kept for it.
   */
  debug?: (line: string) => void;
}

/** The parts of a result the scheduler knows before sending. */
export interface SendPlan {
  /** Schedule position. */
  index: number;
  /** Planned offset from run start, seconds. */
  plannedOffset: number;
  /** Token count of the prompt. */
  promptLen: number;
  /** What was asked for (its parser may need the prompt or the streaming choice). */
  request: GenerationRequest;
}

/** Characters of an error body collected for its excerpt (enough for a proxy page's title). */
const MAX_ERROR_BODY = 2048;

/** Raw response bytes kept per request for the debug log. */
const MAX_DEBUG_BYTES = 4096;

/** The errors of requests ended on purpose (see `runner/watchdog.ts`), which keep their words. */
const ENDED_ON_PURPOSE = /^(timeout|aborted): /;

function describe(error: unknown): string {
  if (error instanceof RequestEnded) return error.message;
  if (error instanceof Error) {
    // Deno's fetch puts the useful part (e.g. "Connection refused") in `cause`.
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

/**
 * Feeds a 2xx body to the backend's parser and keeps the start of any other
 * body for the error message.
 */
class Collector implements ResponseHandler {
  status = 0;
  reason = "";
  errorBody = "";
  /** When the response head arrived (`performance.now()` ms); 0 before. */
  headTime = 0;
  /** The body's first bytes, kept only for the debug log. */
  raw: Uint8Array[] | undefined;
  #rawLength = 0;
  /** Only error bodies are decoded here: made on first use, since streams are many. */
  #decoder: TextDecoder | undefined;
  constructor(
    readonly parser: StreamParser,
    debug: boolean,
    readonly watched: InFlight | undefined,
  ) {
    if (debug) this.raw = [];
  }

  head(
    status: number,
    reason: string,
    time: number,
    header?: (name: string) => string | undefined,
  ): void {
    this.headTime = time;
    if (this.watched) this.watched.lastByte = time;
    this.status = status;
    this.reason = reason;
    if (header && status >= 200 && status < 300) this.parser.headers?.(header);
  }

  body(bytes: Uint8Array, time: number): void {
    if (this.watched) this.watched.lastByte = time;
    if (this.raw !== undefined && this.#rawLength < MAX_DEBUG_BYTES) {
      // A copy: the transport may reuse its buffer.
      const kept = bytes.slice(0, MAX_DEBUG_BYTES - this.#rawLength);
      this.raw.push(kept);
      this.#rawLength += kept.length;
    }
    if (this.status >= 200 && this.status < 300) this.parser.feed(bytes, time);
    else if (this.errorBody.length < MAX_ERROR_BODY) {
      this.#decoder ??= new TextDecoder();
      this.errorBody += this.#decoder.decode(bytes, { stream: true });
    }
  }
}

/**
 * Sends `request` and measures it. Never throws: a failure is a result with
 * `success: false` and its reason, keeping whatever arrived before it.
 *
 * @param runStart `performance.now()` of the run start, for offsets.
 * @param sendTime `performance.now()` of the send (default: now), which
 *   TTFT and latency count from.
 */
export async function sendRequest(
  context: SendContext,
  request: OutgoingRequest,
  plan: SendPlan,
  runStart: number,
  watched?: InFlight,
  sendTime: number = performance.now(),
): Promise<RequestResult> {
  const result: RequestResult = {
    index: plan.index,
    success: false,
    error: "",
    text: "",
    promptLen: plan.promptLen,
    outputLenAsked: plan.request.maxTokens,
    ...(plan.request.ignoreEos === false || plan.request.structured !== undefined
      ? { outputLenCapOnly: true }
      : {}),
    outputLen: 0,
    outputLenSource: "tokenizer",
    ttft: null,
    itl: [],
    latency: 0,
    chunks: 0,
    streamed: plan.request.stream !== false,
    plannedOffset: plan.plannedOffset,
    sendOffset: 0,
    notes: [],
  };
  // What went with the prompt: a pooling request's inputs, the images.
  if (plan.request.inputs !== undefined) result.inputCount = plan.request.inputs.length;
  if (plan.request.images?.length) result.imageCount = plan.request.images.length;
  const collector = new Collector(
    context.backend.createParser(plan.request),
    context.debug !== undefined,
    watched,
  );
  result.sendOffset = (sendTime - runStart) / 1000;
  let end: number;
  try {
    end = await context.transport.send(
      request,
      collector,
      watched?.controller.signal ?? context.signal,
    );
  } catch (error) {
    end = performance.now();
    // Ended on purpose (a timeout, an interrupt): say why, not how the socket closed.
    const reason = watched?.controller.signal.reason;
    result.error = describe(reason instanceof RequestEnded ? reason : error);
  }
  if (collector.status !== 0) result.status = collector.status;
  if (collector.status !== 0 && (collector.status < 200 || collector.status >= 300)) {
    result.latency = (end - sendTime) / 1000;
    result.error ||= `HTTP ${collector.status} ${collector.reason}: ${
      errorExcerpt(collector.errorBody)
    }`;
  } else {
    measure(result, collector.parser.finish(), sendTime, end, plan.request.maxTokens);
  }
  if (context.debug) {
    debugRequest(context.debug, result, collector, sendTime - result.sendOffset * 1000);
  }
  return result;
}

/** Seconds from the run start, as the debug log writes them. */
const at = (ms: number, runStart: number) => `+${((ms - runStart) / 1000).toFixed(4)} s`;

/** The debug line of a finished request, and its raw bytes when it failed to parse. */
function debugRequest(
  debug: (line: string) => void,
  result: RequestResult,
  collector: Collector,
  runStart: number,
): void {
  const send = runStart + result.sendOffset * 1000;
  const firstByte = collector.headTime === 0 ? "none" : at(collector.headTime, runStart);
  const outcome = result.success ? "ok" : `failed (${classifyFailure(result)}): ${result.error}`;
  debug(
    `request ${result.index}: planned +${result.plannedOffset.toFixed(4)} s, sent ${
      at(send, runStart)
    }, first byte ${firstByte}, end ${at(send + result.latency * 1000, runStart)}, status ${
      result.status ?? "none"
    }, ${result.chunks} text chunk(s), ${outcome}`,
  );
  if (!result.success && classifyFailure(result) === "parse" && collector.raw !== undefined) {
    const bytes = new Uint8Array(collector.raw.reduce((n, b) => n + b.length, 0));
    let offset = 0;
    for (const b of collector.raw) {
      bytes.set(b, offset);
      offset += b.length;
    }
    debug(
      `request ${result.index}: raw response body (first ${bytes.length} bytes): ${
        JSON.stringify(new TextDecoder().decode(bytes))
      }`,
    );
  }
}

function measure(
  result: RequestResult,
  parsed: ParsedStream,
  sendTime: number,
  end: number,
  maxTokens: number,
): void {
  const timings = requestTimings(parsed, sendTime, end);
  result.ttft = timings.ttft;
  result.itl = timings.itl;
  result.latency = timings.latency;
  result.chunks = parsed.chunks.length;
  result.streamed = parsed.streamed;
  if (parsed.chunks.length > 0 && parsed.chunks.every((c) => c.tokens !== undefined)) {
    result.chunkTokens = parsed.chunks.map((c) => c.tokens!);
  }
  result.text = parsed.chunks.map((c) => c.text).join("");
  // Without a server count, the client tokenizer counts after the run
  // (countOutputs), so tokenizing never competes with stamping reads.
  if (parsed.outputTokens !== undefined) {
    result.outputLen = parsed.outputTokens;
    result.outputLenSource = "server";
  }
  // What the server says it did, to hold against what was planned.
  if (parsed.promptTokens !== undefined) result.promptLenServer = parsed.promptTokens;
  if (parsed.promptCached !== undefined) result.promptCached = parsed.promptCached;
  if (parsed.truncated !== undefined) result.truncated = parsed.truncated;
  if (parsed.serverTimings !== undefined) result.serverTimings = parsed.serverTimings;
  if (parsed.reasoning !== undefined) reasoningTimes(result, parsed.reasoning, sendTime);
  result.notes.push(...parsed.notes);
  if (result.error !== "") {
    // The transport failed after the response began: a cut stream, whatever
    // the status line said and however many chunks had come. What arrived is
    // kept; the request failed.
    if (result.status !== undefined && !ENDED_ON_PURPOSE.test(result.error)) {
      result.error = `stream cut after ${result.chunks} chunks: ${result.error}`;
    }
    return;
  }
  if (!parsed.complete) result.notes.push("stream ended without its end marker ([DONE])");
  if (parsed.error !== undefined) {
    result.error = `stream error: ${parsed.error}`;
  } else if (result.chunks === 0 && maxTokens > 0) {
    result.error = "stream ended without any generated text";
  } else {
    result.success = true;
    // Now, so a jsonl line written before the client counts carries them;
    // an output only the client tokenizer counts is checked by countOutputs.
    noteMismatches(result);
  }
}

/** A reasoning response's times from the send, seconds, and what to count after the run. */
function reasoningTimes(result: RequestResult, reasoning: ReasoningSplit, sendTime: number): void {
  const since = (t: number | undefined) => (t === undefined ? null : (t - sendTime) / 1000);
  result.ttftReasoning = since(reasoning.firstTime);
  result.ttftAnswer = since(reasoning.answerTime);
  result.reasoningText = reasoning.text;
  if (reasoning.serverTokens !== undefined) result.reasoningLenServer = reasoning.serverTokens;
}

/**
 * The reasoning and answer token counts of a reasoning response: the
 * server's reasoning count, else the client tokenizer's.
 */
async function countReasoning(
  result: RequestResult,
  countTokens: (text: string) => number | Promise<number>,
): Promise<void> {
  const text = result.reasoningText;
  if (text === undefined) return;
  result.reasoningLen = result.reasoningLenServer ??
    (text === "" ? 0 : await countTokens(text));
  result.answerLen = Math.max(0, result.outputLen - result.reasoningLen);
  delete result.reasoningText;
}

/**
 * Completes results after the run: the client tokenizer counts every output
 * (`outputLenClient`; also `outputLen` where the server gave no count),
 * requests whose chunks carried several tokens get a note saying so, and so
 * do those whose output, counted only by the client, is not the asked length.
 * A count that fails leaves a note and the result otherwise as it was.
 */
export async function countOutputs(
  results: readonly RequestResult[],
  countTokens: (text: string) => number | Promise<number>,
): Promise<void> {
  for (const result of results) {
    // Both counts are kept: the server's may use another tokenizer, or none.
    try {
      result.outputLenClient = result.text === "" ? 0 : await countTokens(result.text);
    } catch (error) {
      // The measurement stands; only the client's count is missing.
      result.notes.push(
        `output not counted by the client tokenizer: ${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      continue;
    }
    if (result.outputLenSource === "tokenizer") {
      result.outputLen = result.outputLenClient;
      noteMismatches(result, ["outputLength"]);
    }
    await countReasoning(result, countTokens).catch((error) =>
      result.notes.push(`reasoning not counted by the client tokenizer: ${String(error)}`)
    );
    if (result.streamed && result.outputLen > result.chunks && result.chunks > 0) {
      result.notes.push(
        `${result.outputLen} tokens arrived in ${result.chunks} text chunks: some chunks carried several tokens, so itl holds one gap per chunk, not per token`,
      );
    }
  }
}
