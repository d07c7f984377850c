/**
 * The simulator behind `mib serve`: an OpenAI-compatible HTTP server (shaped
 * like vLLM's) whose token timings are set by configuration, so a benchmark
 * run against it has a known right answer.
 *
 * @module
 */

import {
  BadRequestError,
  ChunkEncoder,
  type ChunkUsage,
  errorResponse,
  type FinishReason,
  fullResponse,
  type GenerationRequest,
  jsonResponse,
  modelList,
  modelNotFound,
  parseChatRequest,
  parseCompletionRequest,
  responseId,
  type ResponseIdentity,
  usageOf,
} from "./_openai.ts";
import { type PacedPlan, pacedStream, Scheduler, waitUntil } from "./_pacing.ts";
import {
  recordBody,
  type RequestLog,
  requestLog,
  type SimulatorRecord,
  snapshot,
} from "./_record.ts";
import { loadTokenCounter, type TokenCounter } from "./_tokenizer.ts";

export type { RecordedRequest, SimulatorRecord } from "./_record.ts";

/** Settings of {@linkcode startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Interface to bind. Default `"127.0.0.1"`. */
  hostname?: string;
  /** Port to bind; `0` picks a free one. Default `0`. */
  port?: number;
  /** Served model id; requests naming another model get 404. Default `"mib-sim"`. */
  model?: string;
  /** Milliseconds from request arrival to the first token. Default `20`. */
  ttftMs?: number;
  /** Milliseconds between successive tokens. Default `5`. */
  tpotMs?: number;
  /**
   * Tokens generated when the request does not set `ignore_eos: true`: the
   * response stops at `min(max_tokens, naturalLen)`, with finish_reason
   * `"stop"` when `naturalLen` is the smaller. Default `64`.
   */
  naturalLen?: number;
  /** Tokens carried by each streamed chunk. Default `1`. */
  tokensPerChunk?: number;
  /**
   * Chat streams open with a role-only chunk
   * (`{"delta":{"role":"assistant","content":""}}`), sent unpaced on arrival.
   * Default `true`.
   */
  roleChunk?: boolean;
  /** Aborting it closes the server, like {@linkcode SimulatorHandle.close}. */
  signal?: AbortSignal;
  /** Suppress the "listening" line on stderr. Default `true`. */
  quiet?: boolean;
  /**
   * Record when each generation request arrived and when each of its token
   * chunks was written, for comparison with a client's own timings: see
   * {@linkcode SimulatorHandle.record}, also served as `GET /mib/record`
   * (`DELETE /mib/record` clears it). Memory grows with every chunk written
   * until the record is cleared. Default `false`.
   */
  record?: boolean;
}

/** A running simulator. */
export interface SimulatorHandle {
  /** Base URL, e.g. `"http://127.0.0.1:41234"`; endpoints live under `/v1`. */
  readonly url: string;
  /** The bound port (the real one when `0` was asked for). */
  readonly port: number;
  /** Settings in effect, with defaults filled in and `port` resolved. */
  readonly options: Required<Omit<SimulatorOptions, "signal">>;
  /**
   * Stops accepting connections and aborts open responses (streams end
   * without `[DONE]`); resolves once the server has fully stopped. Safe to
   * call more than once.
   */
  close(): Promise<void>;
  /**
   * A copy of the write record: every generation request since the start or
   * the last {@linkcode SimulatorHandle.clearRecord}, in arrival order, with
   * in-progress ones as they stand. Empty unless started with `record: true`.
   */
  record(): SimulatorRecord;
  /**
   * Forgets everything recorded so far, including requests still in progress
   * (their later writes are not recorded either).
   */
  clearRecord(): void;
}

/** Where the write record is served when recording. */
const RECORD_PATH = "/mib/record";

/**
 * Context length used only to bound a chat request that sets no token limit:
 * like vLLM, such a request may generate up to the context length minus the
 * prompt (reached only with `ignore_eos`, since `naturalLen` ends it first).
 * Explicit limits are not checked against it, so long benchmarks are not cut.
 */
const CONTEXT_LENGTH = 4096;

type ResolvedOptions = Required<Omit<SimulatorOptions, "signal">>;

function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    model: options.model ?? "mib-sim",
    ttftMs: options.ttftMs ?? 20,
    tpotMs: options.tpotMs ?? 5,
    naturalLen: options.naturalLen ?? 64,
    tokensPerChunk: options.tokensPerChunk ?? 1,
    roleChunk: options.roleChunk ?? true,
    quiet: options.quiet ?? true,
    record: options.record ?? false,
  };
  const { port, ttftMs, tpotMs, naturalLen, tokensPerChunk, model } = resolved;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port: expected an integer from 0 to 65535, got ${port}`);
  }
  for (const [name, value] of [["ttftMs", ttftMs], ["tpotMs", tpotMs]] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${name}: expected a finite number >= 0, got ${value}`);
    }
  }
  for (const [name, value] of [["naturalLen", naturalLen], ["tokensPerChunk", tokensPerChunk]]) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new RangeError(`${name}: expected a positive integer, got ${value}`);
    }
  }
  if (model === "") throw new RangeError("model: expected a non-empty model id");
  return resolved;
}

/**
 * Starts a simulator and resolves once it accepts requests.
 *
 * Token `i` (0-based) of a response is written at
 * `arrival + ttftMs + i * tpotMs`, where `arrival` is when the request
 * handler started; a chunk of several tokens goes out when its last token is
 * due. Non-streaming requests answer at the last token's time. A request's
 * `x-request-id` header is echoed on its response, as vLLM does.
 *
 * @example
 * ```ts
 * const sim = await startSimulator({ ttftMs: 50, tpotMs: 10 });
 * const res = await fetch(`${sim.url}/v1/completions`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ prompt: "Hello", max_tokens: 8, ignore_eos: true }),
 * });
 * console.log((await res.json()).usage); // { prompt_tokens: 1, completion_tokens: 8, total_tokens: 9 }
 * await sim.close();
 * ```
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const resolved = resolveOptions(options);
  const { signal } = options;
  signal?.throwIfAborted();
  // Loaded before listening: building the tokenizer blocks the event loop,
  // which must not happen while requests are being paced.
  const countTokens = await loadTokenCounter();
  signal?.throwIfAborted();
  const simulator = new Simulator(resolved, countTokens, signal);
  if (!resolved.quiet) {
    const o = simulator.options;
    console.error(
      `mib simulator listening on ${simulator.url} (model ${o.model}, ttft ${o.ttftMs} ms, ` +
        `tpot ${o.tpotMs} ms, natural length ${o.naturalLen}, ${o.tokensPerChunk} token(s)/chunk` +
        `${o.record ? `, recording at ${RECORD_PATH}` : ""})`,
    );
  }
  return simulator;
}

/** One server instance; all of its state lives here. */
class Simulator implements SimulatorHandle {
  readonly url: string;
  readonly port: number;
  readonly options: ResolvedOptions;
  readonly #countTokens: TokenCounter;
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  /**
   * Every pending deadline of every response, under one timer; closing it
   * ends the responses still in progress.
   *
   * `request.signal` is deliberately not used: in Deno 2 merely reading it
   * makes the process print a warning about its legacy abort-on-success
   * behaviour. A client that disconnects from a stream is noticed through the
   * body's cancellation instead; a non-streaming request has nothing to write,
   * so its one pending deadline simply runs out (or is ended by `close()`).
   */
  readonly #scheduler = new Scheduler();
  /** The write record, when recording; appended to in arrival order (nearly). */
  #log: RequestLog[] = [];
  readonly #externalSignal: AbortSignal | undefined;
  readonly #created = Math.floor(Date.now() / 1000);
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedOptions, countTokens: TokenCounter, signal?: AbortSignal) {
    this.#countTokens = countTokens;
    this.#server = Deno.serve({
      hostname: options.hostname,
      port: options.port,
      // Silences Deno's own "Listening on" line; startSimulator logs when asked.
      onListen: () => {},
      onError: (error) =>
        errorResponse(500, "InternalServerError", `Simulator error: ${String(error)}`),
    }, this.#handle);
    const { hostname, port } = this.#server.addr;
    this.port = port;
    this.options = Object.freeze({ ...options, port });
    this.url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    this.#externalSignal = signal;
    signal?.addEventListener("abort", this.#onExternalAbort, { once: true });
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  record(): SimulatorRecord {
    return snapshot(this.#log);
  }

  clearRecord(): void {
    // A new array rather than truncation: a GET still serializing the old one
    // keeps its entries.
    this.#log = [];
  }

  async #shutdown(): Promise<void> {
    this.#externalSignal?.removeEventListener("abort", this.#onExternalAbort);
    // Graceful shutdown waits for in-flight responses; paced ones could run
    // for minutes, so end them first. Requests still reading their body when
    // this runs are ended as soon as they schedule anything.
    this.#scheduler.close(new DOMException("The simulator was closed.", "AbortError"));
    await this.#server.shutdown();
  }

  #onExternalAbort = () => {
    this.close().catch(() => {});
  };

  #handle = async (request: Request): Promise<Response> => {
    // The pacing schedule is anchored here, before the body is even read.
    const arrival = performance.now();
    const response = await this.#route(request, arrival);
    // vLLM's request-id middleware echoes the header on every response.
    const requestId = request.headers.get("x-request-id");
    if (requestId !== null) response.headers.set("x-request-id", requestId);
    return response;
  };

  #route(request: Request, arrival: number): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case "/health":
        return allow(request, ["GET", "HEAD"]) ?? new Response(null, { status: 200 });
      case "/v1/models":
        return allow(request, ["GET"]) ??
          jsonResponse(modelList(this.options.model, this.#created));
      case "/v1/completions":
        return allow(request, ["POST"]) ??
          this.#generate(request, arrival, parseCompletionRequest);
      case "/v1/chat/completions":
        return allow(request, ["POST"]) ??
          this.#generate(request, arrival, parseChatRequest);
      case RECORD_PATH:
        if (!this.options.record) return httpError(404);
        return allow(request, ["GET", "DELETE"]) ?? this.#serveRecord(request);
      default:
        return httpError(404);
    }
  }

  #serveRecord(request: Request): Response {
    if (request.method === "DELETE") {
      this.clearRecord();
      return new Response(null, { status: 204 });
    }
    return new Response(recordBody(this.#log), {
      headers: { "content-type": "application/json" },
    });
  }

  async #generate(
    request: Request,
    arrival: number,
    parse: (json: unknown) => GenerationRequest,
  ): Promise<Response> {
    let parsed: GenerationRequest;
    try {
      parsed = parse(await readJson(request));
    } catch (error) {
      if (error instanceof BadRequestError) {
        return errorResponse(400, "BadRequestError", error.message, error.param);
      }
      throw error;
    }
    // Like vLLM: body validation (400) before the model check (404).
    if (parsed.model !== undefined && parsed.model !== this.options.model) {
      return modelNotFound(parsed.model);
    }

    const promptTokens = typeof parsed.prompt === "string"
      ? this.#countTokens(parsed.prompt)
      : parsed.prompt.length;
    const limit = parsed.maxTokens ?? Math.max(1, CONTEXT_LENGTH - promptTokens);
    const tokens = parsed.ignoreEos ? limit : Math.min(limit, this.options.naturalLen);
    const finish: FinishReason = tokens === limit ? "length" : "stop";
    const identity: ResponseIdentity = {
      id: responseId(parsed.endpoint),
      created: Math.floor(Date.now() / 1000),
      model: this.options.model,
    };
    let log: RequestLog | undefined;
    if (this.options.record) {
      log = requestLog(
        request.headers.get("x-request-id") ?? identity.id,
        parsed.endpoint,
        arrival,
      );
      this.#log.push(log);
    }

    if (parsed.stream) {
      const plan = this.#plan(parsed, identity, arrival, tokens, finish, promptTokens);
      const body = pacedStream(plan, this.#scheduler, log);
      return new Response(body, {
        // What vLLM (Starlette) sends for a StreamingResponse of this media type.
        headers: { "content-type": "text/event-stream; charset=utf-8" },
      });
    }

    const lastTokenAt = arrival + this.options.ttftMs + (tokens - 1) * this.options.tpotMs;
    const reached = await waitUntil(this.#scheduler, lastTokenAt);
    if (log) {
      const now = performance.now();
      if (reached) {
        log.writes.push(now);
        log.tokens.push(tokens);
      }
      log.end = now;
    }
    if (!reached) {
      // The server is closing; the connection is about to go away.
      return errorResponse(503, "ServiceUnavailableError", "The request was aborted.");
    }
    return jsonResponse(
      fullResponse(parsed.endpoint, identity, tokens, finish, usageOf(promptTokens, tokens)),
    );
  }

  /** The streamed chunks of one response and their deadlines. */
  #plan(
    parsed: GenerationRequest,
    identity: ResponseIdentity,
    arrival: number,
    tokens: number,
    finish: FinishReason,
    promptTokens: number,
  ): PacedPlan {
    const mode: ChunkUsage = parsed.continuousUsage
      ? "cumulative"
      : parsed.includeUsage
      ? "null"
      : "omit";
    const encoder = new ChunkEncoder(parsed.endpoint, identity, mode, promptTokens);
    const { ttftMs, tpotMs, tokensPerChunk, roleChunk } = this.options;
    return new StreamPlan(encoder, {
      initial: parsed.endpoint === "chat" && roleChunk ? encoder.roleChunk() : undefined,
      firstDue: arrival + ttftMs,
      tpotMs,
      tokens,
      tokensPerChunk,
      finish,
      usageTokens: parsed.includeUsage ? tokens : undefined,
    });
  }
}

/**
 * The chunks of one streamed response. A class rather than an object of
 * closures so that the scheduler's calls into it, made once per chunk, stay
 * monomorphic across thousands of streams.
 */
class StreamPlan implements PacedPlan {
  readonly initial: Uint8Array | undefined;
  readonly count: number;
  readonly #encoder: ChunkEncoder;
  readonly #firstDue: number;
  readonly #tpotMs: number;
  readonly #tokens: number;
  readonly #perChunk: number;
  readonly #finish: FinishReason;
  readonly #usageTokens: number | undefined;

  constructor(encoder: ChunkEncoder, settings: {
    initial: Uint8Array | undefined;
    /** When token 0 is due: arrival + TTFT. */
    firstDue: number;
    tpotMs: number;
    tokens: number;
    tokensPerChunk: number;
    finish: FinishReason;
    /** `completion_tokens` of the final usage chunk; `undefined` for none. */
    usageTokens: number | undefined;
  }) {
    this.#encoder = encoder;
    this.initial = settings.initial;
    this.#firstDue = settings.firstDue;
    this.#tpotMs = settings.tpotMs;
    this.#tokens = settings.tokens;
    this.#perChunk = settings.tokensPerChunk;
    this.#finish = settings.finish;
    this.#usageTokens = settings.usageTokens;
    this.count = Math.ceil(settings.tokens / settings.tokensPerChunk);
  }

  /** A chunk is due when its last token is. */
  dueAt(index: number): number {
    const lastToken = Math.min(this.#tokens, (index + 1) * this.#perChunk) - 1;
    return this.#firstDue + lastToken * this.#tpotMs;
  }

  chunk(index: number): Uint8Array {
    const start = index * this.#perChunk;
    return this.#encoder.tokenChunk(
      start,
      this.tokens(index),
      index === this.count - 1 ? this.#finish : null,
    );
  }

  tokens(index: number): number {
    return Math.min(this.#perChunk, this.#tokens - index * this.#perChunk);
  }

  trailer(): Uint8Array {
    return this.#encoder.closing(this.#usageTokens);
  }
}

/** Parses the body as JSON, insisting on the JSON media type as vLLM does. */
async function readJson(request: Request): Promise<unknown> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";", 1)[0].trim()
    .toLowerCase();
  if (mediaType !== "application/json") {
    throw new BadRequestError("Unsupported Media Type: Only 'application/json' is allowed");
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`Invalid JSON body: ${(error as Error).message}`);
  }
}

const STATUS_TEXT: Record<number, string> = { 404: "Not Found", 405: "Method Not Allowed" };

/** Routing errors in vLLM's shape, whose `type` is the HTTP reason phrase. */
function httpError(status: 404 | 405, headers?: HeadersInit): Response {
  const phrase = STATUS_TEXT[status];
  const response = errorResponse(status, phrase, phrase);
  if (headers) new Headers(headers).forEach((value, key) => response.headers.set(key, value));
  return response;
}

/** `undefined` when the method is allowed, else the 405 response. */
function allow(request: Request, methods: readonly string[]): Response | undefined {
  if (methods.includes(request.method)) return undefined;
  return httpError(405, { allow: methods.join(", ") });
}
