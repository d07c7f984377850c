/**
 * Settings of the simulator: what a caller may pass, and their validation
 * into the fully resolved form every protocol module reads.
 *
 * @module
 */

import { checkFaultRates, type FaultRates } from "./_faults.ts";

/** Which chat length field a simulated server honours (`SimulatorOptions.honour`). */
export type HonouredField = "max_tokens" | "max_completion_tokens" | "both";

/** Settings of {@linkcode startSimulator}; every field is optional. */
export interface SimulatorOptions {
  /** Interface to bind. Default `"127.0.0.1"`. */
  hostname?: string;
  /** Port to bind; `0` picks a free one. Default `0`. */
  port?: number;
  /**
   * Served model id; requests naming another model get the protocol's
   * not-found answer (unless `acceptAnyModel`). It is also the Triton model name (besides the aliases
   * `ensemble` and `tensorrt_llm_bls`), the DeepSpeed-MII deployment name and
   * the Ollama model (also as `<model>:latest`). Default `"mib-sim"`.
   */
  model?: string;
  /** Milliseconds from request arrival to the first token. Default `20`. */
  ttftMs?: number;
  /**
   * Milliseconds between successive tokens of a request decoding alone (a
   * running batch of 1; see `tpotGrowthMs`). Default `5`.
   */
  tpotMs?: number;
  /**
   * The serving model's batch limit, vLLM's `--max-num-seqs`: at most this
   * many requests run (prefill or decode) at once; the others wait in the
   * server's queue, first come first served, and their TTFT grows by the
   * wait. Default `null` (no limit).
   */
  maxNumSeqs?: number | null;
  /**
   * Prefill time per prompt token (the server's count) not taken from the
   * prefix cache, ms: a request's first token is due `ttftMs +
   * prefillMsPerToken · (promptTokens − cachedTokens)` after it is admitted.
   * Default `0`.
   */
  prefillMsPerToken?: number;
  /**
   * Extra time per token for each other running request, ms: the gap before a
   * chunk is `tokens * (tpotMs + tpotGrowthMs * (b - 1))`, `b` the running
   * count when the chunk before it was written (for the first chunk, when the
   * request was admitted). Default `0`.
   */
  tpotGrowthMs?: number;
  /**
   * The KV-cache budget, tokens: a request is admitted only when its prompt
   * plus every token it will generate fits in what the running requests have
   * not reserved (the peak a vLLM-style block allocation reaches, so no
   * request is ever preempted); a request larger than the whole budget runs
   * only alone. Default `null` (unlimited).
   */
  kvCacheTokens?: number | null;
  /**
   * Tokens generated when the request does not set `ignore_eos: true` (or its
   * protocol's equivalent): the response stops at `min(limit, naturalLen)`,
   * with a "stop" finish reason when `naturalLen` is the smaller. Default `64`.
   */
  naturalLen?: number;
  /**
   * A reasoning model: the first this many tokens of every streamed response
   * are reasoning, in `delta.reasoning_content` on chat completions, inside
   * `<think>…</think>` in the text of completions, in `thinking` on Ollama
   * (with an empty `response`); the rest is the answer. They count among the
   * tokens generated. Other protocols and unstreamed answers are unchanged.
   * Default `0`.
   */
  reasoningTokens?: number;
  /**
   * Tokens carried by each paced write. Protocols whose events carry one
   * token each (TGI, Triton, Ollama) write that many events back to back, as
   * a server decoding several tokens per step does; the others put them in
   * one event. Default `1`.
   */
  tokensPerChunk?: number;
  /**
   * Chat streams open with a role-only chunk
   * (`{"delta":{"role":"assistant","content":""}}`), sent unpaced on arrival.
   * Default `true`.
   */
  roleChunk?: boolean;
  /**
   * Triton's streamed `text_output` is the text generated so far (the
   * TensorRT-LLM BLS model with `accumulate_tokens`) instead of each
   * response's new text (the `ensemble` model). Default `false`.
   */
  tritonCumulative?: boolean;
  /**
   * What ends each record of the vLLM legacy `/generate` stream: `"newline"`
   * (current vLLM) or `"nul"` (`\0`, vLLM before late 2024). Default
   * `"newline"`.
   */
  legacyDelimiter?: "newline" | "nul";
  /**
   * Failure injection: when set, every generation fails when its token chunk
   * number `failAfter` (0-based) is due, after `failAfter` chunks went out.
   * A stream then sends its protocol's mid-stream error form (vLLM legacy:
   * the connection is cut) and ends; a non-streamed request gets its
   * protocol's error answer. Generations of at most `failAfter` chunks are
   * not affected. Failed requests are marked `error: true` in the record.
   * Default `null` (never).
   */
  failAfter?: number | null;
  /**
   * Mixed fault injection: the rate of each fault kind (`parseFaultSpec`
   * reads the `--faults` form `"500:0.05,cut:0.02"`). Each generation request
   * draws at most one fault, from `faultsSeed` and the order in which the
   * server starts serving it; rates sum to at most 1. Kinds: `"429"`, `"500"`
   * (JSON errors in the protocol's shape), `"503"` (a proxy's HTML page), all
   * three with `Retry-After`; `"cut"` (the connection breaks mid-stream),
   * `"stall"` (no byte for `faultsStallMs` mid-stream), `"junk"` (a malformed
   * event: bad JSON, binary bytes, unknown members or an event written a few
   * bytes at a time), `"reset"` (the connection is reset before any byte of
   * the response), `"slow-headers"` (the response begins `faultsDelayMs`
   * late, its tokens shifted with it), `"never-answer"` (nothing at all for
   * `faultsStallMs`, then a reset). Each injected fault is counted
   * ({@linkcode SimulatorHandle.faults}, `GET /mib/faults`) and marked in the
   * record. Default `{}` (none).
   */
  faults?: FaultRates;
  /** Seed of the fault draw. Default `0`. */
  faultsSeed?: number;
  /** How long a `stall` pauses and a `never-answer` holds, ms. Default `10000`. */
  faultsStallMs?: number;
  /** How late a `slow-headers` response begins, ms. Default `1000`. */
  faultsDelayMs?: number;
  /**
   * The context, in the server's own prompt tokens (see `promptScale`): a
   * prompt longer than this is cut as llama.cpp cuts it on the llama.cpp
   * routes (`truncated: true`, the request succeeds), and refused with
   * vLLM's HTTP 400 on the OpenAI routes. The other routes do not check it.
   * Default `null` (no limit).
   */
  maxContext?: number | null;
  /**
   * Which length field a chat request's limit is read from: `"max_tokens"`
   * (llama.cpp builds of early 2025), `"max_completion_tokens"` or `"both"`
   * (`max_completion_tokens` first, as vLLM). A request whose only length
   * field is not honoured generates `naturalLen` tokens, as if the field were
   * not there and the model stopped on its own. Default `"both"`.
   */
  honour?: HonouredField;
  /**
   * The server's prompt counts are this many times the simulator's
   * cl100k_base count (rounded, at least 1 for a non-empty prompt), as a
   * server whose tokenizer splits text finer (or coarser) than the client's
   * would report; token-id prompts are counted as given. Default `1`.
   */
  promptScale?: number;
  /**
   * Serve a request whatever model it names. Default `false`: a request
   * naming another model than `model` gets the protocol's not-found answer.
   */
  acceptAnyModel?: boolean;
  /**
   * Keep a prefix cache (`_prefix_cache.ts`) on the OpenAI routes: a prompt
   * whose start an earlier prompt, or prompt and reply, already had skips
   * that part's prefill, and usage reports it as vLLM does
   * (`usage.prompt_tokens_details.cached_tokens`). Default `false`.
   */
  prefixCache?: boolean;
  /**
   * Pooling requests (embeddings, rerank, score): each answers whole at
   * arrival + `ttftMs` + its input tokens × this many ms. Default `0.01`.
   */
  poolingTokenMs?: number;
  /** Length of each embedding vector the pooling routes answer with. Default `8`. */
  embeddingDim?: number;
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
  /**
   * With `record`, also keep each generation request's body (parsed JSON, or
   * its text when it is not JSON) as `body` in its record entry, so a client
   * can check what it sent. Memory grows with every prompt. Default `false`.
   */
  recordBodies?: boolean;
}

/** {@linkcode SimulatorOptions} with every default filled in. */
export type ResolvedOptions = Required<Omit<SimulatorOptions, "signal">>;

/**
 * Context length used only to bound a request that sets no token limit: like
 * vLLM, such a request may generate up to the context length minus the prompt
 * (reached only when the natural end is ignored, since `naturalLen` ends it
 * first). Explicit limits are not checked against it, so long benchmarks are
 * not cut.
 */
export const CONTEXT_LENGTH = 4096;

/** The values of {@linkcode SimulatorOptions.honour}. */
export const HONOURED_FIELDS: readonly HonouredField[] = [
  "max_tokens",
  "max_completion_tokens",
  "both",
];

/** The context a request without a token limit may fill: `maxContext` when set. */
export function contextLength(options: ResolvedOptions): number {
  return options.maxContext ?? CONTEXT_LENGTH;
}

/** Whether a request naming model `name` is served (`acceptAnyModel`, or the served one). */
export function servesModel(options: ResolvedOptions, name: string): boolean {
  return options.acceptAnyModel || name === options.model;
}

/** Fills in defaults and checks every value; throws `RangeError` naming the bad one. */
export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const resolved: ResolvedOptions = {
    hostname: options.hostname ?? "127.0.0.1",
    port: options.port ?? 0,
    model: options.model ?? "mib-sim",
    ttftMs: options.ttftMs ?? 20,
    tpotMs: options.tpotMs ?? 5,
    maxNumSeqs: options.maxNumSeqs ?? null,
    prefillMsPerToken: options.prefillMsPerToken ?? 0,
    tpotGrowthMs: options.tpotGrowthMs ?? 0,
    kvCacheTokens: options.kvCacheTokens ?? null,
    naturalLen: options.naturalLen ?? 64,
    reasoningTokens: options.reasoningTokens ?? 0,
    tokensPerChunk: options.tokensPerChunk ?? 1,
    roleChunk: options.roleChunk ?? true,
    tritonCumulative: options.tritonCumulative ?? false,
    legacyDelimiter: options.legacyDelimiter ?? "newline",
    failAfter: options.failAfter ?? null,
    faults: { ...options.faults },
    faultsSeed: options.faultsSeed ?? 0,
    faultsStallMs: options.faultsStallMs ?? 10_000,
    faultsDelayMs: options.faultsDelayMs ?? 1000,
    maxContext: options.maxContext ?? null,
    honour: options.honour ?? "both",
    promptScale: options.promptScale ?? 1,
    acceptAnyModel: options.acceptAnyModel ?? false,
    quiet: options.quiet ?? true,
    record: options.record ?? options.recordBodies ?? false,
    recordBodies: options.recordBodies ?? false,
    prefixCache: options.prefixCache ?? false,
    poolingTokenMs: options.poolingTokenMs ?? 0.01,
    embeddingDim: options.embeddingDim ?? 8,
  };
  const { port, ttftMs, tpotMs, naturalLen, tokensPerChunk, model, failAfter } = resolved;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new RangeError(`port: expected an integer from 0 to 65535, got ${port}`);
  }
  const durations = [
    ["ttftMs", ttftMs],
    ["tpotMs", tpotMs],
    ["prefillMsPerToken", resolved.prefillMsPerToken],
    ["tpotGrowthMs", resolved.tpotGrowthMs],
    ["faultsStallMs", resolved.faultsStallMs],
    ["faultsDelayMs", resolved.faultsDelayMs],
    ["poolingTokenMs", resolved.poolingTokenMs],
  ] as const;
  for (const [name, value] of durations) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`${name}: expected a finite number >= 0, got ${value}`);
    }
  }
  for (
    const [name, value] of [
      ["naturalLen", naturalLen],
      ["tokensPerChunk", tokensPerChunk],
      ["embeddingDim", resolved.embeddingDim],
    ]
  ) {
    if (!Number.isSafeInteger(value) || (value as number) < 1) {
      throw new RangeError(`${name}: expected a positive integer, got ${value}`);
    }
  }
  const { reasoningTokens } = resolved;
  if (!Number.isSafeInteger(reasoningTokens) || reasoningTokens < 0) {
    throw new RangeError(`reasoningTokens: expected an integer >= 0, got ${reasoningTokens}`);
  }
  if (model === "") throw new RangeError("model: expected a non-empty model id");
  if (failAfter !== null && (!Number.isSafeInteger(failAfter) || failAfter < 0)) {
    throw new RangeError(`failAfter: expected an integer >= 0 or null, got ${failAfter}`);
  }
  for (const name of ["maxNumSeqs", "kvCacheTokens"] as const) {
    const value = resolved[name];
    if (value !== null && (!Number.isSafeInteger(value) || value < 1)) {
      throw new RangeError(`${name}: expected a positive integer or null, got ${value}`);
    }
  }
  checkFaultRates(resolved.faults);
  if (!Number.isSafeInteger(resolved.faultsSeed)) {
    throw new RangeError(`faultsSeed: expected an integer, got ${resolved.faultsSeed}`);
  }
  const { maxContext, honour, promptScale } = resolved;
  if (maxContext !== null && (!Number.isSafeInteger(maxContext) || maxContext < 1)) {
    throw new RangeError(`maxContext: expected a positive integer or null, got ${maxContext}`);
  }
  if (!HONOURED_FIELDS.includes(honour)) {
    throw new RangeError(
      `honour: expected ${HONOURED_FIELDS.map((h) => JSON.stringify(h)).join(", ")}, got ${
        JSON.stringify(honour)
      }`,
    );
  }
  if (!Number.isFinite(promptScale) || promptScale <= 0) {
    throw new RangeError(`promptScale: expected a finite number > 0, got ${promptScale}`);
  }
  if (resolved.legacyDelimiter !== "newline" && resolved.legacyDelimiter !== "nul") {
    throw new RangeError(
      `legacyDelimiter: expected "newline" or "nul", got ${
        JSON.stringify(resolved.legacyDelimiter)
      }`,
    );
  }
  return resolved;
}
