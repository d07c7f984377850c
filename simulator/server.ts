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
import { type PacedPlan, pacedStream, waitUntil } from "./_pacing.ts";
import { loadTokenCounter, type TokenCounter } from "./_tokenizer.ts";

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
}

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
 * due. Non-streaming requests answer at the last token's time.
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
        `tpot ${o.tpotMs} ms, natural length ${o.naturalLen}, ${o.tokensPerChunk} token(s)/chunk)`,
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
  /** Aborts every response still in progress when the server closes. */
  readonly #inFlight = new Set<AbortController>();
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

  async #shutdown(): Promise<void> {
    this.#externalSignal?.removeEventListener("abort", this.#onExternalAbort);
    // Graceful shutdown waits for in-flight responses; paced ones could run
    // for minutes, so end them first.
    const reason = new DOMException("The simulator was closed.", "AbortError");
    for (const controller of this.#inFlight) controller.abort(reason);
    this.#inFlight.clear();
    await this.#server.shutdown();
  }

  #onExternalAbort = () => {
    this.close().catch(() => {});
  };

  #handle = async (request: Request): Promise<Response> => {
    // The pacing schedule is anchored here, before the body is even read.
    const arrival = performance.now();
    const { pathname } = new URL(request.url);
    switch (pathname) {
      case "/health":
        return allow(request, ["GET", "HEAD"]) ?? new Response(null, { status: 200 });
      case "/v1/models":
        return allow(request, ["GET"]) ??
          jsonResponse(modelList(this.options.model, this.#created));
      case "/v1/completions":
        return allow(request, ["POST"]) ??
          await this.#generate(request, arrival, parseCompletionRequest);
      case "/v1/chat/completions":
        return allow(request, ["POST"]) ??
          await this.#generate(request, arrival, parseChatRequest);
      default:
        return httpError(404);
    }
  };

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

    const scope = this.#scope();
    if (parsed.stream) {
      const plan = this.#plan(parsed, identity, arrival, tokens, finish, promptTokens);
      const body = pacedStream(plan, scope.signal, scope.dispose);
      return new Response(body, {
        // What vLLM (Starlette) sends for a StreamingResponse of this media type.
        headers: { "content-type": "text/event-stream; charset=utf-8" },
      });
    }

    const lastTokenAt = arrival + this.options.ttftMs + (tokens - 1) * this.options.tpotMs;
    const reached = await waitUntil(lastTokenAt, scope.signal);
    scope.dispose();
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
    const { ttftMs, tpotMs, tokensPerChunk, roleChunk } = this.options;
    const mode: ChunkUsage = parsed.continuousUsage
      ? "cumulative"
      : parsed.includeUsage
      ? "null"
      : "omit";
    const encoder = new ChunkEncoder(parsed.endpoint, identity, mode, promptTokens);
    const count = Math.ceil(tokens / tokensPerChunk);
    return {
      initial: parsed.endpoint === "chat" && roleChunk ? encoder.roleChunk() : undefined,
      count,
      dueAt: (index) => {
        const lastToken = Math.min(tokens, (index + 1) * tokensPerChunk) - 1;
        return arrival + ttftMs + lastToken * tpotMs;
      },
      chunk: (index) => {
        const start = index * tokensPerChunk;
        const size = Math.min(tokensPerChunk, tokens - start);
        return encoder.tokenChunk(start, size, index === count - 1 ? finish : null);
      },
      trailer: () => encoder.closing(parsed.includeUsage ? tokens : undefined),
    };
  }

  /**
   * A signal that aborts when the server closes, registered with the server
   * until `dispose` is called.
   *
   * `request.signal` is deliberately not used: in Deno 2 merely reading it
   * makes the process print a warning about its legacy abort-on-success
   * behaviour. A client that disconnects from a stream is noticed through the
   * body's cancellation instead; a non-streaming request has nothing to write,
   * so its one pending timer simply runs out (or is aborted by `close()`).
   */
  #scope(): { signal: AbortSignal; dispose: () => void } {
    const controller = new AbortController();
    this.#inFlight.add(controller);
    return {
      signal: controller.signal,
      dispose: () => {
        this.#inFlight.delete(controller);
      },
    };
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
