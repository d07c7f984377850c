/**
 * The simulator behind `mib serve`: an HTTP server that speaks the native
 * protocol of each inference server a benchmark may target (OpenAI/vLLM,
 * TGI, Triton/TensorRT-LLM, vLLM's legacy server, DeepSpeed-MII, llama.cpp,
 * SGLang, Ollama), with token timings set by configuration, so a benchmark
 * run against it has a known right answer.
 *
 * This file holds the routing table (which path speaks which protocol) and
 * the serving of one generation, streamed or whole. What every protocol
 * shares lives beside it: `_engine.ts` plans a generation's tokens and
 * failures (`failAfter`), `_pacing.ts` is the one scheduler that paces every
 * streamed chunk, `_record.ts` records arrivals and writes (`--record`),
 * `_faults.ts` draws the injected faults (`faults`) that this file applies
 * (`_fault_bytes.ts`, `_fault_body.ts`, and `_front.ts` for the faults that
 * end a connection); the `_<protocol>.ts` modules only parse requests and
 * encode their wire format.
 *
 * @module
 */

import {
  asRecord,
  chunkCount,
  type ChunkFault,
  decodeSegment,
  failIndex,
  prefillMs,
  readJsonBody,
  type ServeContext,
  type StreamedGeneration,
  TokenPlan,
  type WholeGeneration,
} from "./_engine.ts";
import { faultyBody } from "./_fault_body.ts";
import { statusFaultResponse } from "./_fault_bytes.ts";
import {
  drawFault,
  type DrawnFault,
  faultChunk,
  type FaultStats,
  FaultTally,
  formatFaultSpec,
  hasFaults,
  needsConnectionFront,
} from "./_faults.ts";
import { type ConnectionFront, startFront } from "./_front.ts";
import { llamacppCompletion } from "./_llamacpp.ts";
import { miiGenerate } from "./_mii.ts";
import { ollamaGenerate, ollamaTags } from "./_ollama.ts";
import {
  errorResponse,
  jsonResponse,
  modelList,
  parseChatRequest,
  parseCompletionRequest,
} from "./_openai.ts";
import { openaiGenerate } from "./_openai_route.ts";
import { PrefixCache } from "./_prefix_cache.ts";
import { type ResolvedOptions, resolveOptions, type SimulatorOptions } from "./_options.ts";
import { pacedStream, Scheduler, type Seat, waitUntil } from "./_pacing.ts";
import { prometheusText } from "./_prometheus.ts";
import { ServerStats } from "./_server_stats.ts";
import {
  BatchClock,
  BatchTokenPlan,
  type EngineStats,
  growsWithBatch,
  ServingEngine,
  type Ticket,
} from "./_serving.ts";
import {
  recordBody,
  type RecordedEndpoint,
  type RequestLog,
  requestLog,
  type SimulatorRecord,
  snapshot,
} from "./_record.ts";
import { sglangGenerate } from "./_sglang.ts";
import { poolingServe } from "./_pooling.ts";
import { tgiGenerate, tgiInfo } from "./_tgi.ts";
import { loadTokenCodec, type TokenCodec, type TokenCounter } from "./_tokenizer.ts";
import { tokenize } from "./_tokenize.ts";
import { tritonRoute } from "./_triton.ts";
import { vllmLegacyGenerate } from "./_vllm_legacy.ts";

export type { RecordedEndpoint, RecordedRequest, SimulatorRecord } from "./_record.ts";
export type { EngineStats } from "./_serving.ts";
export { HONOURED_FIELDS, type HonouredField, type SimulatorOptions } from "./_options.ts";

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
  /**
   * What was injected so far under `faults`: generation requests served,
   * faults by label and each faulted request's id (also served as
   * `GET /mib/faults` when faults are on).
   */
  faults(): FaultStats;
  /**
   * What the serving engine holds now: requests running and waiting, KV-cache
   * tokens reserved (also served as `GET /metrics`, vLLM's gauges).
   */
  engine(): EngineStats;
  /**
   * The profiler calls received (`POST /start_profile`, `POST /stop_profile`,
   * vLLM's), each with its time (`performance.now()` ms, the record's clock),
   * in arrival order.
   */
  profileCalls(): ProfileCall[];
}

/** One call of vLLM's profiler endpoints, as the simulator received it. */
export interface ProfileCall {
  /** Which endpoint. */
  readonly path: "/start_profile" | "/stop_profile";
  /** When it arrived (server `performance.now()` ms). */
  readonly at: number;
}

/** Where the write record is served when recording. */
const RECORD_PATH = "/mib/record";

/** Where the fault tally is served when injecting faults. */
const FAULTS_PATH = "/mib/faults";

/**
 * Starts a simulator and resolves once it accepts requests.
 *
 * Token `i` (0-based) of a response is written at
 * `arrival + ttftMs + i * tpotMs`, where `arrival` is when the request
 * handler started; a chunk of several tokens goes out when its last token is
 * due. Non-streaming requests answer at the last token's time. A request's
 * `x-request-id` header is echoed on its response, as vLLM does.
 *
 * Routes: `GET /health`; OpenAI `GET /v1/models`, `POST /v1/completions`,
 * `POST /v1/chat/completions`; TGI `POST /generate_stream`, `GET /info`;
 * `POST /generate`, by body shape TGI (`inputs`), SGLang (`text`,
 * `input_ids` or `sampling_params`) or vLLM legacy (`prompt`); Triton
 * `POST /v2/models/{model}[/versions/1]/generate[_stream]` (and
 * `/v2/health/{live,ready}`, `/v2/models/{model}[/ready]`); DeepSpeed-MII
 * `POST /mii/{model}`; llama.cpp `POST /completion` and `/completions`;
 * `POST /tokenize`, by body shape llama.cpp (`content`), TGI (`inputs`),
 * SGLang (`prompt` as a list) or vLLM (`prompt`);
 * Ollama `POST /api/generate`, `GET /api/tags`; pooling `POST /v1/embeddings`,
 * `/pooling`, `/rerank` (`/v1/rerank`, `/v2/rerank`; TEI's when the body has
 * `texts`), `/score` (`/v1/score`), TEI `/embed`; with `record: true`,
 * `GET`/`DELETE /mib/record`.
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
  const tokens = await loadTokenCodec();
  signal?.throwIfAborted();
  const front = needsConnectionFront(resolved.faults)
    ? await startFront(resolved.hostname, resolved.port)
    : undefined;
  const simulator = new Simulator(resolved, tokens, signal, front);
  if (!resolved.quiet) {
    const o = simulator.options;
    console.error(
      `mib simulator listening on ${simulator.url} (model ${o.model}, ttft ${o.ttftMs} ms, ` +
        `tpot ${o.tpotMs} ms, natural length ${o.naturalLen}, ${o.tokensPerChunk} token(s)/chunk` +
        `${o.failAfter === null ? "" : `, failing after ${o.failAfter} chunk(s)`}` +
        `${faultsBanner(o)}${o.record ? `, recording at ${RECORD_PATH}` : ""})`,
    );
  }
  return simulator;
}

/**
 * The fault settings for a startup line: `", faults 500:0.05,cut:0.02 (seed
 * 0, stall 10000 ms, delay 1000 ms)"`, or `""` without faults.
 */
export function faultsBanner(o: SimulatorHandle["options"]): string {
  if (!hasFaults(o.faults)) return "";
  return `, faults ${
    formatFaultSpec(o.faults)
  } (seed ${o.faultsSeed}, stall ${o.faultsStallMs} ms, ` +
    `delay ${o.faultsDelayMs} ms, tally at ${FAULTS_PATH})`;
}

/**
 * The server's prompt count: `scale` times the cl100k_base count, rounded,
 * at least 1 for text that has tokens (`promptScale`).
 */
function scaled(count: TokenCounter, scale: number): TokenCounter {
  if (scale === 1) return count;
  return (text) => {
    const n = count(text);
    return n === 0 ? 0 : Math.max(1, Math.round(n * scale));
  };
}

/** A request handler of the routing table. */
type Handler = (request: Request, arrival: number) => Response | Promise<Response>;

/** One path of the routing table: the methods it answers and its handler. */
interface Route {
  readonly methods: readonly string[];
  readonly handle: Handler;
}

/** One server instance; all of its state lives here. */
class Simulator implements SimulatorHandle {
  readonly url: string;
  readonly port: number;
  readonly options: ResolvedOptions;
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
  /** With `recordBodies`: each request's body text as it is read, for its record entry. */
  readonly #bodies = new WeakMap<Request, Promise<string>>();
  readonly #externalSignal: AbortSignal | undefined;
  /** What protocol modules may use of this server. */
  readonly #ctx: ServeContext;
  /**
   * Exact paths to their routes: one map lookup per request. Paths with a
   * parameter (Triton's model, MII's deployment) are matched by prefix after.
   */
  readonly #routes: ReadonlyMap<string, Route>;
  #closing: Promise<void> | undefined;
  /** Whether any fault may be drawn. */
  readonly #faulty: boolean;
  readonly #tally = new FaultTally();
  /** The relay in front of the server, for faults that end a connection. */
  readonly #front: ConnectionFront | undefined;
  /** With a front: the local port of each request's relay connection. */
  readonly #relayPorts = new WeakMap<Request, number>();
  /** The serving model: admission queue, running batch, KV budget. */
  readonly #engine: ServingEngine;
  /** Whether the time per token depends on the running batch. */
  readonly #growing: boolean;
  /** Request-level counters and histograms, served at `/metrics`. */
  readonly #served = new ServerStats();
  /** Profiler calls received. */
  readonly #profileCalls: ProfileCall[] = [];

  constructor(
    options: ResolvedOptions,
    tokens: TokenCodec,
    signal?: AbortSignal,
    front?: ConnectionFront,
  ) {
    this.#front = front;
    this.#faulty = hasFaults(options.faults);
    this.#engine = new ServingEngine(options);
    this.#growing = growsWithBatch(options);
    this.#server = Deno.serve({
      // Behind a front, only the front's relay connects, on loopback.
      hostname: front ? "127.0.0.1" : options.hostname,
      port: front ? 0 : options.port,
      // Silences Deno's own "Listening on" line; startSimulator logs when asked.
      onListen: () => {},
      // Also receives the reason of every response body that errors (server
      // closing, an injected connection cut): answering it stays quiet where
      // Deno's default handler would print each one.
      onError: (error) =>
        errorResponse(500, "InternalServerError", `Simulator error: ${String(error)}`),
    }, this.#handle);
    const { hostname } = front ? options : this.#server.addr;
    const port = front ? front.port : this.#server.addr.port;
    front?.relayTo(this.#server.addr.port);
    this.port = port;
    this.options = Object.freeze({ ...options, port });
    this.url = `http://${hostname.includes(":") ? `[${hostname}]` : hostname}:${port}`;
    this.#ctx = {
      options: this.options,
      // What the server reports it counted; /tokenize answers with the real ids.
      countTokens: scaled(tokens.count, options.promptScale),
      weighPrompt: options.prefillMsPerToken > 0 || options.kvCacheTokens !== null
        ? (text) => this.#ctx.countTokens(text)
        : () => 0,
      tokens,
      prefixCache: options.prefixCache ? new PrefixCache() : undefined,
      created: Math.floor(Date.now() / 1000),
      stream: (request, arrival, generation) => this.#stream(request, arrival, generation),
      whole: (request, arrival, generation) => this.#whole(request, arrival, generation),
    };
    this.#routes = this.#routeTable();
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

  faults(): FaultStats {
    return this.#tally.stats(formatFaultSpec(this.options.faults), this.options.faultsSeed);
  }

  engine(): EngineStats {
    return this.#engine.stats();
  }

  profileCalls(): ProfileCall[] {
    return [...this.#profileCalls];
  }

  /** Records a profiler call and answers as vLLM does: 200, empty body. */
  #profile(path: ProfileCall["path"]): Response {
    this.#profileCalls.push({ path, at: performance.now() });
    return new Response(null, { status: 200 });
  }

  async #shutdown(): Promise<void> {
    this.#externalSignal?.removeEventListener("abort", this.#onExternalAbort);
    // Graceful shutdown waits for in-flight responses; paced ones could run
    // for minutes, so end them first. Requests still reading their body when
    // this runs are ended as soon as they schedule anything.
    const closed = new DOMException("The simulator was closed.", "AbortError");
    this.#engine.close(closed);
    this.#scheduler.close(new DOMException("The simulator was closed.", "AbortError"));
    await Promise.all([this.#server.shutdown(), this.#front?.close()]);
  }

  #onExternalAbort = () => {
    this.close().catch(() => {});
  };

  #handle = async (request: Request, info: Deno.ServeHandlerInfo): Promise<Response> => {
    // The pacing schedule is anchored here, before the body is even read.
    const arrival = performance.now();
    // A copy of the body for the record, read beside the handler's.
    if (this.options.recordBodies && request.body !== null) {
      this.#bodies.set(request, request.clone().text());
    }
    if (this.#front) this.#relayPorts.set(request, (info.remoteAddr as Deno.NetAddr).port);
    const response = await this.#route(request, arrival);
    // vLLM's request-id middleware echoes the header on every response.
    const requestId = request.headers.get("x-request-id");
    if (requestId !== null) response.headers.set("x-request-id", requestId);
    return response;
  };

  #routeTable(): Map<string, Route> {
    const ctx = this.#ctx;
    const post = (handle: Handler): Route => ({ methods: ["POST"], handle });
    const get = (handle: Handler): Route => ({ methods: ["GET"], handle });
    const routes = new Map<string, Route>([
      ["/health", { methods: ["GET", "HEAD"], handle: () => new Response(null, { status: 200 }) }],
      // OpenAI (vLLM's OpenAI server).
      ["/v1/models", get(() => jsonResponse(modelList(this.options.model, ctx.created)))],
      ["/v1/completions", post((r, a) => openaiGenerate(ctx, r, a, parseCompletionRequest))],
      ["/v1/chat/completions", post((r, a) => openaiGenerate(ctx, r, a, parseChatRequest))],
      // TGI.
      [
        "/generate_stream",
        post(async (r, a) => tgiGenerate(ctx, r, a, await readJsonBody(r), true)),
      ],
      ["/info", get(() => tgiInfo(ctx))],
      // TGI, SGLang (which also takes PUT) or vLLM legacy, by body shape.
      ["/generate", { methods: ["POST", "PUT"], handle: (r, a) => this.#generate(r, a) }],
      // llama.cpp.
      ["/completion", post((r, a) => llamacppCompletion(ctx, r, a))],
      ["/completions", post((r, a) => llamacppCompletion(ctx, r, a))],
      // llama.cpp, vLLM, SGLang or TGI, by body shape.
      ["/tokenize", post((r) => tokenize(ctx, r))],
      // Ollama.
      ["/api/generate", post((r, a) => ollamaGenerate(ctx, r, a))],
      ["/api/tags", get(() => ollamaTags(ctx))],
      // vLLM's Prometheus gauges of the serving engine.
      [
        "/metrics",
        get(() =>
          new Response(prometheusText(this.#engine.stats(), this.options.model, this.#served), {
            headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
          })
        ),
      ],
      // Pooling: OpenAI embeddings, vLLM's pooling, rerank (or TEI's, by body) and score, TEI.
      ["/v1/embeddings", post((r, a) => poolingServe(ctx, r, a, "embeddings"))],
      ["/pooling", post((r, a) => poolingServe(ctx, r, a, "pooling"))],
      ["/rerank", post((r, a) => poolingServe(ctx, r, a, "rerank"))],
      ["/v1/rerank", post((r, a) => poolingServe(ctx, r, a, "rerank"))],
      ["/v2/rerank", post((r, a) => poolingServe(ctx, r, a, "rerank"))],
      ["/score", post((r, a) => poolingServe(ctx, r, a, "score"))],
      ["/v1/score", post((r, a) => poolingServe(ctx, r, a, "score"))],
      ["/embed", post((r, a) => poolingServe(ctx, r, a, "tei-embed"))],
      // vLLM's profiler switches (served when it runs with a profiler directory).
      ["/start_profile", post(() => this.#profile("/start_profile"))],
      ["/stop_profile", post(() => this.#profile("/stop_profile"))],
    ]);
    if (this.#faulty) {
      routes.set(FAULTS_PATH, get(() => jsonResponse(this.faults())));
    }
    // Without recording the path does not exist at all (404 whatever the method).
    if (this.options.record) {
      routes.set(RECORD_PATH, {
        methods: ["GET", "DELETE"],
        handle: (request) => this.#serveRecord(request),
      });
    }
    return routes;
  }

  #route(request: Request, arrival: number): Promise<Response> | Response {
    const { pathname } = new URL(request.url);
    const route = this.#routes.get(pathname);
    if (route) return allow(request, route.methods) ?? route.handle(request, arrival);
    if (pathname.startsWith("/v2/")) {
      return tritonRoute(this.#ctx, request, arrival, pathname) ?? httpError(404);
    }
    if (pathname.startsWith("/mii/")) {
      const segment = pathname.slice("/mii/".length);
      const deployment = segment.includes("/") ? undefined : decodeSegment(segment);
      if (deployment) return miiGenerate(this.#ctx, request, arrival, deployment);
    }
    return httpError(404);
  }

  /**
   * `POST /generate`, shared by three servers: the body's keys say which
   * protocol the client speaks. A body none claims (or that is not JSON) goes
   * to SGLang, whose validation then explains what is missing.
   */
  async #generate(request: Request, arrival: number): Promise<Response> {
    const body = await readJsonBody(request);
    const fields = body.ok ? asRecord(body.value) : undefined;
    const sglang = fields !== undefined &&
      ("text" in fields || "input_ids" in fields || "sampling_params" in fields);
    if (fields && !sglang && ("inputs" in fields || "prompt" in fields)) {
      // Only SGLang's route also answers PUT.
      if (request.method !== "POST") return httpError(405, { allow: "POST" });
      return "inputs" in fields
        ? tgiGenerate(this.#ctx, request, arrival, body, false)
        : vllmLegacyGenerate(this.#ctx, request, arrival, fields);
    }
    return sglangGenerate(this.#ctx, request, arrival, body);
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

  /** A new record entry for a generation, when recording. */
  #logFor(
    request: Request,
    generation: StreamedGeneration | WholeGeneration,
    arrival: number,
  ): RequestLog | undefined {
    if (!this.options.record) return undefined;
    const { endpoint, id } = generation;
    const log = requestLog(request.headers.get("x-request-id") ?? id, endpoint, arrival);
    if (generation.recorded) Object.assign(log, generation.recorded);
    if (generation.body !== undefined) log.body = generation.body;
    this.#log.push(log);
    const body = this.#bodies.get(request);
    if (body !== undefined) {
      body.then((text) => {
        try {
          log.body = JSON.parse(text);
        } catch {
          log.body = text;
        }
      }, () => {});
    }
    return log;
  }

  /**
   * The fault of the generation this server starts serving now, tallied
   * under `id` (the request's `x-request-id` when it has one) and marked in
   * `log`; `undefined` when it drew none.
   */
  #drawFault(request: Request, id: string, log: RequestLog | undefined): DrawnFault | undefined {
    const index = this.#tally.next();
    if (!this.#faulty) return undefined;
    const { faults, faultsSeed } = this.options;
    const fault = drawFault(faults, faultsSeed, index);
    if (fault === undefined) return undefined;
    this.#tally.add(request.headers.get("x-request-id") ?? id, fault.label);
    if (log) log.fault = fault.label;
    return fault;
  }

  /**
   * The answer of a fault that strikes before the response begins (a status
   * fault, a reset, a request never answered), or `undefined` for the others.
   */
  #preempt(
    request: Request,
    arrival: number,
    fault: DrawnFault,
    endpoint: RecordedEndpoint,
    log: RequestLog | undefined,
  ): Response | Promise<Response> | undefined {
    const { kind } = fault;
    if (kind === "429" || kind === "500" || kind === "503") {
      if (log) log.end = performance.now();
      return statusFaultResponse(kind, endpoint);
    }
    if (kind !== "reset" && kind !== "never-answer") return undefined;
    const reset = () => {
      const relayPort = this.#relayPorts.get(request);
      if (relayPort !== undefined) this.#front?.reset(relayPort);
      if (log) log.end = performance.now();
      // Never reaches the client: its connection is gone.
      return new Response(null, { status: 204 });
    };
    if (kind === "reset") return reset();
    return waitUntil(this.#scheduler, arrival + this.options.faultsStallMs).then(reset);
  }

  /** How late the response begins: the delay of a `slow-headers` fault, else 0. */
  #delay(fault: DrawnFault | undefined): number {
    return fault?.kind === "slow-headers" ? this.options.faultsDelayMs : 0;
  }

  /** The chunk-level form of `fault` for a stream of `chunks` chunks, if it is one. */
  #chunkFault(fault: DrawnFault | undefined, chunks: number): ChunkFault | undefined {
    if (fault === undefined) return undefined;
    const { kind, variant } = fault;
    if (kind !== "cut" && kind !== "stall" && kind !== "junk") return undefined;
    return { kind, variant, chunk: faultChunk(fault, chunks), stallMs: this.options.faultsStallMs };
  }

  /**
   * A stream's place in the serving engine, reserving `kvTokens`: once
   * admitted, its deadlines move by the time it waited.
   */
  #seat(
    arrival: number,
    kvTokens: number,
    plan: TokenPlan,
    counts: { prompt: number; cached: number; generated: number },
  ): Seat {
    const engine = this.#engine;
    const served = this.#served;
    let ticket: Ticket | undefined;
    let admitted = false;
    return {
      take: (start, abort) => {
        ticket = {
          kvTokens,
          arrival,
          admitted: (at) => {
            if (at > arrival) plan.admittedAfter(at - arrival);
            admitted = true;
            served.admitted(at - arrival, counts.prompt, counts.cached);
            served.firstToken(plan.dueAt(0) - arrival);
            start();
          },
          aborted: abort,
        };
        engine.enter(ticket);
      },
      free: () => {
        if (ticket !== undefined) engine.leave(ticket);
        if (admitted) served.generated(counts.generated);
      },
    };
  }

  /**
   * Waits, from `start` (admission plus any slow-headers delay), until the
   * last token of an answer sent whole is due (or the chunk an injected
   * failure replaces); `false` when the server closes first. With a growing
   * time per token it steps through the chunks as a stream would.
   */
  async #generated(generation: WholeGeneration, start: number): Promise<boolean> {
    // A pooling answer has a due time of its own (no tokens are generated).
    if (generation.dueMs !== undefined) {
      return await waitUntil(this.#scheduler, start + generation.dueMs);
    }
    const { tpotMs, tokensPerChunk, failAfter } = this.options;
    const { tokens } = generation;
    const failAt = failIndex(failAfter, chunkCount(tokens, tokensPerChunk));
    const lastChunk = failAt < 0 ? chunkCount(tokens, tokensPerChunk) - 1 : failAt;
    const firstDue = start + prefillMs(this.options, generation);
    if (!this.#growing) {
      const lastToken = Math.min(tokens, (lastChunk + 1) * tokensPerChunk) - 1;
      return await waitUntil(this.#scheduler, firstDue + lastToken * tpotMs);
    }
    const clock = new BatchClock(this.#engine, this.options, { firstDue, tokens, tokensPerChunk });
    for (let chunk = 0; chunk <= lastChunk; chunk++) {
      if (!await waitUntil(this.#scheduler, clock.dueAt(chunk))) return false;
    }
    return true;
  }

  /** Streams `generation`'s chunks at their deadlines. */
  #stream(
    request: Request,
    arrival: number,
    generation: StreamedGeneration,
  ): Response | Promise<Response> {
    const log = this.#logFor(request, generation, arrival);
    const fault = this.#drawFault(request, generation.id, log);
    const preempted = fault && this.#preempt(request, arrival, fault, generation.endpoint, log);
    if (preempted) return preempted;
    const { tpotMs, tokensPerChunk, failAfter } = this.options;
    const perChunk = generation.tokensPerChunk ?? tokensPerChunk;
    const delay = this.#delay(fault);
    const { tokens, encoder } = generation;
    const sequences = generation.sequences ?? 1;
    const settings = {
      firstDue: arrival + delay + prefillMs(this.options, generation),
      tpotMs,
      tokens,
      tokensPerChunk: perChunk,
      sequences,
      failAfter,
      fault: this.#chunkFault(fault, chunkCount(tokens, perChunk)),
    };
    const plan = this.#growing
      ? new BatchTokenPlan(encoder, settings, new BatchClock(this.#engine, this.options, settings))
      : new TokenPlan(encoder, settings);
    const prompt = generation.promptTokens ?? 0;
    const seat = this.#seat(arrival, prompt + sequences * tokens, plan, {
      prompt,
      cached: generation.cachedTokens ?? 0,
      generated: sequences * tokens,
    });
    const response = new Response(pacedStream(plan, this.#scheduler, log, seat), {
      headers: generation.headers,
    });
    if (delay === 0) return response;
    return waitUntil(this.#scheduler, arrival + delay).then(() => response);
  }

  /**
   * Answers `generation` in one body when its last token is due, or with its
   * protocol's error when the chunk an injected failure replaces is due.
   */
  async #whole(request: Request, arrival: number, generation: WholeGeneration): Promise<Response> {
    const log = this.#logFor(request, generation, arrival);
    const fault = this.#drawFault(request, generation.id, log);
    const preempted = fault && this.#preempt(request, arrival, fault, generation.endpoint, log);
    if (preempted) return preempted;
    const { tokens } = generation;
    const kvTokens = (generation.promptTokens ?? 0) + (generation.recordedTokens ?? tokens);
    const { promise, resolve } = Promise.withResolvers<number | undefined>();
    const ticket: Ticket = {
      kvTokens,
      arrival,
      admitted: resolve,
      aborted: () => resolve(undefined),
    };
    this.#engine.enter(ticket);
    const admittedAt = await promise;
    if (admittedAt !== undefined) {
      this.#served.admitted(
        admittedAt - arrival,
        generation.promptTokens ?? 0,
        generation.cachedTokens ?? 0,
      );
      const first = admittedAt + this.#delay(fault) + prefillMs(this.options, generation);
      this.#served.firstToken(first - arrival);
    }
    let reached = false;
    try {
      reached = admittedAt !== undefined &&
        await this.#generated(generation, admittedAt + this.#delay(fault));
    } finally {
      this.#engine.leave(ticket);
    }
    const { tokensPerChunk, failAfter } = this.options;
    const failAt = failIndex(failAfter, chunkCount(tokens, tokensPerChunk));
    if (log) {
      const now = performance.now();
      if (reached && failAt >= 0) log.error = true;
      else if (reached) {
        log.writes.push(now);
        log.tokens.push(generation.recordedTokens ?? tokens);
      }
      log.end = now;
    }
    if (reached) this.#served.generated(generation.recordedTokens ?? tokens);
    if (!reached) {
      // The server is closing; the connection is about to go away.
      return errorResponse(503, "ServiceUnavailableError", "The request was aborted.");
    }
    const answer = failAt < 0 ? generation.answer() : generation.failure();
    // The body is one part: a fault striking inside it strikes half-way.
    const struck = this.#chunkFault(fault, 2);
    return struck ? faultyBody(answer, struck, this.#scheduler) : answer;
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
