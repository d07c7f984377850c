/**
 * What every protocol module shares: the description of a generation it hands
 * to the server (which paces, records and fails it), the paced plan built
 * from that description, and small wire helpers.
 *
 * A protocol module only parses its request, answers its own errors, and
 * encodes its chunks; timing, recording and failure injection live in one
 * place, so every protocol is paced exactly alike.
 *
 * @module
 */

import { junkBytes } from "./_fault_bytes.ts";
import type { JunkVariant } from "./_faults.ts";
import type { ResolvedOptions } from "./_options.ts";
import type { PacedPlan } from "./_pacing.ts";
import type { RecordedEndpoint } from "./_record.ts";
import type { TokenCodec, TokenCounter } from "./_tokenizer.ts";

/** How one protocol writes the chunks of a streamed generation. */
export interface StreamEncoder {
  /** Written unpaced as the stream opens (the OpenAI chat role chunk), if anything. */
  readonly initial: Uint8Array | undefined;
  /**
   * The bytes carrying tokens `start .. start+count-1`; `last` marks the
   * final chunk. Called once per chunk, in order, so an encoder may keep
   * running state (cumulative text).
   */
  chunk(start: number, count: number, last: boolean): Uint8Array;
  /** Written right after the last chunk (a final event, `[DONE]`); may be empty. */
  trailer(): Uint8Array;
  /** The protocol's mid-stream error form; `undefined` cuts the connection instead. */
  failure(): Uint8Array | undefined;
}

/** What every generation tells the server. */
interface GenerationBase {
  /** Protocol label for the record. */
  readonly endpoint: RecordedEndpoint;
  /** Record id when the request has no `x-request-id` header. */
  readonly id: string;
  /** Tokens to generate per sequence; at least 1. */
  readonly tokens: number;
  /**
   * The server's count of the prompt, for the serving model (prefill time,
   * KV-cache need; see `_serving.ts`). Default 0.
   */
  readonly promptTokens?: number;
}

/** A generation answered with a paced stream. */
export interface StreamedGeneration extends GenerationBase {
  /** Encodes the chunks. */
  readonly encoder: StreamEncoder;
  /** Response headers (the protocol's content type). */
  readonly headers: HeadersInit;
  /**
   * Tokens per paced chunk, when the protocol fixes it (Triton without
   * `stream: true` answers once with everything); default the server's
   * `tokensPerChunk`.
   */
  readonly tokensPerChunk?: number;
  /**
   * Sequences generated side by side (vLLM legacy's `n`): each chunk carries
   * that many times its tokens, and the record counts them all. Default 1.
   */
  readonly sequences?: number;
}

/** A generation answered with one body once its last token is due. */
export interface WholeGeneration extends GenerationBase {
  /** Tokens the record credits to the answer (the sum over sequences); default `tokens`. */
  readonly recordedTokens?: number;
  /** The answer; built when the last token is due. */
  answer(): Response;
  /** The protocol's error answer to an injected failure (`failAfter`). */
  failure(): Response;
}

/** What a protocol module may use of the server. */
export interface ServeContext {
  /** Settings in effect. */
  readonly options: ResolvedOptions;
  /** The server's prompt token count: cl100k_base, times `promptScale`. */
  readonly countTokens: TokenCounter;
  /**
   * The prompt count the serving model needs for `promptTokens` of a
   * generation: {@linkcode ServeContext.countTokens} when prefill time or a
   * KV budget makes it matter, else 0 without counting (for protocols that
   * do not count the prompt anyway).
   */
  weighPrompt(text: string): number;
  /** The same tokenizer's ids, for the tokenize endpoints. */
  readonly tokens: TokenCodec;
  /** Unix seconds when the server started. */
  readonly created: number;
  /**
   * Answers with `generation` as a paced stream, recorded when recording (a
   * promise when an injected fault delays or withholds the answer).
   */
  stream(
    request: Request,
    arrival: number,
    generation: StreamedGeneration,
  ): Response | Promise<Response>;
  /** Answers with `generation` in one body at its last token's time, recorded when recording. */
  whole(request: Request, arrival: number, generation: WholeGeneration): Promise<Response>;
}

/** Paced chunks of `tokens` tokens, `perChunk` at a time; the last may carry fewer. */
export function chunkCount(tokens: number, perChunk: number): number {
  return Math.ceil(tokens / perChunk);
}

/**
 * The chunk index an injected failure replaces, or `-1`: chunk `failAfter`
 * when the generation has that many chunks and more, else none.
 */
export function failIndex(failAfter: number | null, chunks: number): number {
  return failAfter !== null && failAfter < chunks ? failAfter : -1;
}

/** An injected fault that strikes one chunk of a stream (see `_faults.ts`). */
export interface ChunkFault {
  /**
   * `cut`: the connection breaks where the chunk was due; `stall`: the chunk
   * and all after it come `stallMs` late; `junk`: the chunk is malformed in
   * form `variant` (`split`: written a few bytes at a time).
   */
  readonly kind: "cut" | "stall" | "junk";
  /** The chunk struck. */
  readonly chunk: number;
  /** The pause of a `stall`, ms. */
  readonly stallMs: number;
  /** The form of a `junk`. */
  readonly variant?: JunkVariant;
}

/**
 * The chunks of one streamed generation and their deadlines: chunk `j` is
 * due when its last token is, `firstDue + lastToken * tpotMs` (plus the pause
 * of a stall fault from the chunk it strikes). A class so the scheduler's
 * per-chunk calls stay monomorphic across thousands of streams.
 */
export class TokenPlan implements PacedPlan {
  readonly initial: Uint8Array | undefined;
  readonly count: number;
  readonly failAt: number;
  readonly splitAt: number;
  readonly #encoder: StreamEncoder;
  /** The stall fault's first late chunk (`Infinity` for none) and its pause. */
  readonly #stallAt: number;
  readonly #stallMs: number;
  /** The junk fault's chunk (`-1` for none) and form. */
  readonly #junkAt: number;
  readonly #junk: JunkVariant;
  readonly #cut: boolean;
  #firstDue: number;
  readonly #tpotMs: number;
  readonly #tokens: number;
  readonly #perChunk: number;
  readonly #sequences: number;

  /** Plans `settings.tokens` tokens, the first due at `settings.firstDue`. */
  constructor(encoder: StreamEncoder, settings: {
    /** When token 0 is due: arrival + TTFT. */
    firstDue: number;
    tpotMs: number;
    tokens: number;
    tokensPerChunk: number;
    sequences: number;
    failAfter: number | null;
    /** An injected fault striking one chunk, if any. */
    fault?: ChunkFault;
  }) {
    this.#encoder = encoder;
    this.initial = encoder.initial;
    this.#firstDue = settings.firstDue;
    this.#tpotMs = settings.tpotMs;
    this.#tokens = settings.tokens;
    this.#perChunk = settings.tokensPerChunk;
    this.#sequences = settings.sequences;
    this.count = chunkCount(settings.tokens, settings.tokensPerChunk);
    const { fault } = settings;
    this.#cut = fault?.kind === "cut";
    this.failAt = this.#cut ? fault!.chunk : failIndex(settings.failAfter, this.count);
    this.#stallAt = fault?.kind === "stall" ? fault.chunk : Infinity;
    this.#stallMs = fault?.stallMs ?? 0;
    const junk = fault?.kind === "junk" ? fault.variant ?? "bad-json" : undefined;
    this.#junk = junk ?? "bad-json";
    this.#junkAt = junk !== undefined && junk !== "split" ? fault!.chunk : -1;
    this.splitAt = junk === "split" ? fault!.chunk : -1;
  }

  /**
   * The request waited `waitMs` in the serving engine's queue before it was
   * admitted: every deadline moves by as much. Called before the first
   * deadline is read.
   */
  admittedAfter(waitMs: number): void {
    this.#firstDue += waitMs;
  }

  dueAt(index: number): number {
    const lastToken = Math.min(this.#tokens, (index + 1) * this.#perChunk) - 1;
    const due = this.#firstDue + lastToken * this.#tpotMs;
    return index >= this.#stallAt ? due + this.#stallMs : due;
  }

  chunk(index: number): Uint8Array {
    const bytes = this.#encoder.chunk(
      index * this.#perChunk,
      this.#size(index),
      index === this.count - 1,
    );
    return index === this.#junkAt ? junkBytes(this.#junk, bytes) : bytes;
  }

  tokens(index: number): number {
    return this.#size(index) * this.#sequences;
  }

  trailer(): Uint8Array {
    return this.#encoder.trailer();
  }

  failure(): Uint8Array | undefined {
    // A cut breaks the connection, whatever the protocol's error form.
    return this.#cut ? undefined : this.#encoder.failure();
  }

  #size(index: number): number {
    return Math.min(this.#perChunk, this.#tokens - index * this.#perChunk);
  }
}

/** Shared UTF-8 encoder. */
export const utf8: TextEncoder = new TextEncoder();

/** An empty chunk, for protocols with nothing to add after the last token. */
export const NO_BYTES: Uint8Array = new Uint8Array(0);

/** A response whose body is `body` as is. */
export function textResponse(status: number, body: string, contentType: string): Response {
  return new Response(body, { status, headers: { "content-type": contentType } });
}

/** A response whose body is `value` as compact JSON. */
export function jsonAnswer(
  value: unknown,
  status = 200,
  contentType = "application/json",
): Response {
  return textResponse(status, JSON.stringify(value), contentType);
}

/** A request body read as JSON: the value, or why it is not JSON. */
export type JsonBody =
  | { readonly ok: true; readonly value: unknown; readonly empty: false }
  | { readonly ok: false; readonly error: string; readonly empty: boolean };

/**
 * Reads the body as JSON whatever its content type (most of these servers do
 * not check it; those that do, check the header themselves).
 */
export async function readJsonBody(request: Request): Promise<JsonBody> {
  const text = await request.text();
  if (text.trim() === "") return { ok: false, error: "empty body", empty: true };
  try {
    return { ok: true, value: JSON.parse(text), empty: false };
  } catch (error) {
    return { ok: false, error: (error as Error).message, empty: false };
  }
}

/** A JSON object's members, or `undefined` when `value` is not an object. */
export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : undefined;
}

/** A JSON value that is a whole number (JSON has one number type). */
export function isInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value);
}

/** A percent-decoded path segment, or `undefined` when its escapes are malformed. */
export function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** 32 random hex digits, the id style of vLLM and SGLang. */
export function randomHex(): string {
  return crypto.randomUUID().replaceAll("-", "");
}

/**
 * `value` as a JSON string literal the way Python's `json.dumps` writes it by
 * default (`ensure_ascii`): every non-ASCII UTF-16 unit escaped as `\uXXXX`,
 * so byte-exact records of Python servers survive any prompt.
 */
export function pythonJsonString(value: string): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (unit) => "\\u" + unit.charCodeAt(0).toString(16).padStart(4, "0"),
  );
}

/** The message of an injected failure, the same in every protocol's error form. */
export function failureMessage(options: ResolvedOptions): string {
  return `Simulated failure after ${options.failAfter} token chunk(s) (failAfter)`;
}
