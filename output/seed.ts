/**
 * `--output-format seed` (the default): the seed's output file, a JSON array
 * with one object per request, written at the end of the run.
 *
 * @module
 */
import type { ServerTimings } from "../backends/types.ts";
import type { RequestResult } from "../runner/result.ts";
import type { Phase } from "../runner/phases.ts";
import { jsonArrayElements } from "./_json_array.ts";
import { isObject } from "./_json.ts";
import { PointFigures, pointOfRecord } from "./_points.ts";
import { writtenAtEnd } from "./_write.ts";
import type { OutputFormat } from "./types.ts";

/** One object of the output file. Times are seconds. */
export interface SeedRecord {
  /** Index in the whole plan (a shard's requests keep theirs; see `--shard`). */
  index: number;
  /** Generated text. */
  text: string;
  /** Whether the request succeeded. */
  success: boolean;
  /** Send → end of response. */
  latency: number;
  /** Send → first chunk with text; null when none came. */
  ttft: number | null;
  /** Gaps between successive chunks that carried text. */
  itl: number[];
  /** Prompt tokens. */
  prompt_len: number;
  /** The server's count of the whole prompt; null when it gave none. */
  prompt_len_server: number | null;
  /** Prompt tokens the server took from its prefix cache; null when it did not say. */
  prompt_cached: number | null;
  /** Whether the server truncated the prompt to its context; null when it did not say. */
  truncated: boolean | null;
  /** Error message; empty on success. */
  error: string;
  /** Output tokens asked for (the request's max tokens). */
  output_len_asked: number | null;
  /** Output tokens. */
  output_len: number;
  /** "server" (usage) or "tokenizer" (client count). */
  output_len_source: "server" | "tokenizer";
  /** Output tokens under the client tokenizer (null until counted after the run). */
  output_len_client: number | null;
  /** Chunks that carried text. */
  chunks: number;
  /** Tokens each text chunk carried, when the server said so for every chunk; else null. */
  chunk_tokens: number[] | null;
  /** Whether the response was streamed (TTFT is null when it was not). */
  streamed: boolean;
  /** Planned send offset from the run start. */
  planned_offset: number;
  /** Actual send offset from the run start. */
  send_offset: number;
  /** HTTP status when a response came, else null. */
  status: number | null;
  /** The server's own timings of the request (llama.cpp's `timings`), ms; null when none. */
  server_timings: ServerTimingsRecord | null;
  /**
   * "warmup", "measured" or "cooldown": warm-up and cool-down requests are
   * sent but left out of every statistic (`--warmup`, `--cooldown`).
   */
  phase: Phase;
  /** It waited in the client for a free `--max-concurrency` slot. */
  waited_for_slot: boolean;
  /** The multi-turn session it belongs to (`--multi-turn`); written only for sessions' turns. */
  session?: number;
  /** Its turn in the session, 0-based; written only for sessions' turns. */
  turn?: number;
  /**
   * Whether the output met the run's constraint (`--json-schema`, `--regex`,
   * `--choice`): null for a failed request; absent in a run without one.
   */
  structured_valid?: boolean | null;
  /** Why it did not (null when it did, or the request failed); absent without a constraint. */
  structured_error?: string | null;
  /** Reasoning models: send → first reasoning token, seconds; null without reasoning. */
  ttft_reasoning?: number | null;
  /** Reasoning models: send → first answer token, seconds; null without reasoning or answer. */
  ttft_answer?: number | null;
  /** Reasoning models: reasoning tokens; null without reasoning. */
  reasoning_len?: number | null;
  /** Reasoning models: output_len − reasoning_len; null without reasoning. */
  answer_len?: number | null;
  /** Notes on how to read the numbers. */
  notes: string[];
  /** A pooling request's inputs (texts embedded, documents scored); absent for a generation. */
  input_count?: number;
  /** Images sent with the prompt; absent when none. */
  image_count?: number;
}

/** The server's own timings as a record writes them: llama.cpp's names and units. */
export interface ServerTimingsRecord {
  /** Prompt tokens evaluated (after the prefix-cache hit). */
  prompt_n?: number;
  /** Prompt processing, ms. */
  prompt_ms?: number;
  /** Tokens generated. */
  predicted_n?: number;
  /** Generation, ms. */
  predicted_ms?: number;
  /** Generation per token, ms. */
  predicted_per_token_ms?: number;
  /** Prompt tokens from the prefix cache. */
  cache_n?: number;
}

/** The record form of a request's server timings; null when there are none. */
export function serverTimingsRecord(t: ServerTimings | undefined): ServerTimingsRecord | null {
  if (t === undefined) return null;
  return {
    prompt_n: t.promptN,
    prompt_ms: t.promptMs,
    predicted_n: t.predictedN,
    predicted_ms: t.predictedMs,
    predicted_per_token_ms: t.predictedPerTokenMs,
    cache_n: t.cacheN,
  };
}

/** Converts results to the seed's record shape (snake_case, seconds). */
export function toSeedRecords(results: readonly RequestResult[]): SeedRecord[] {
  return results.map((r) => ({
    index: r.index,
    text: r.text,
    success: r.success,
    latency: r.latency,
    ttft: r.ttft,
    itl: r.itl,
    prompt_len: r.promptLen,
    error: r.error,
    prompt_len_server: r.promptLenServer ?? null,
    prompt_cached: r.promptCached ?? null,
    truncated: r.truncated ?? null,
    output_len_asked: r.outputLenAsked ?? null,
    output_len: r.outputLen,
    output_len_source: r.outputLenSource,
    output_len_client: r.outputLenClient ?? null,
    chunks: r.chunks,
    chunk_tokens: r.chunkTokens ?? null,
    streamed: r.streamed,
    planned_offset: r.plannedOffset,
    send_offset: r.sendOffset,
    status: r.status ?? null,
    server_timings: serverTimingsRecord(r.serverTimings),
    phase: r.phase ?? "measured",
    waited_for_slot: r.waitedForSlot ?? false,
    ...(r.session === undefined ? {} : { session: r.session, turn: r.turn ?? 0 }),
    ...(r.structuredValid === undefined ? {} : {
      structured_valid: r.structuredValid,
      structured_error: r.structuredError ?? null,
    }),
    ttft_reasoning: r.ttftReasoning ?? null,
    ttft_answer: r.ttftReasoning === undefined ? null : r.ttftAnswer ?? null,
    reasoning_len: r.reasoningLen ?? null,
    answer_len: r.answerLen ?? null,
    notes: r.notes,
    ...(r.inputCount === undefined ? {} : { input_count: r.inputCount }),
    ...(r.imageCount === undefined ? {} : { image_count: r.imageCount }),
  }));
}

/** A number, else undefined. */
const numberOr = (x: unknown): number | undefined => typeof x === "number" ? x : undefined;

/** A list of numbers, else undefined. */
const numbers = (x: unknown): number[] | undefined =>
  Array.isArray(x) && x.every((v) => typeof v === "number") ? x : undefined;

/**
 * A record read back from a seed or jsonl file as the result it was written
 * from ({@linkcode toSeedRecords} undone): what the file leaves out (a count
 * not made, a field an older mib did not write) stays absent, a `null`
 * `output_len` (a jsonl line written before the client counted it) is the
 * client's count when there is one, else 0.
 */
export function resultOfRecord(record: Record<string, unknown>, position = 0): RequestResult {
  const t = record.server_timings as Record<string, unknown> | null | undefined;
  const result: RequestResult = {
    index: numberOr(record.index) ?? position,
    success: record.success === true,
    error: typeof record.error === "string" ? record.error : "",
    text: typeof record.text === "string" ? record.text : "",
    promptLen: numberOr(record.prompt_len) ?? 0,
    outputLen: numberOr(record.output_len) ?? numberOr(record.output_len_client) ?? 0,
    outputLenSource: record.output_len_source === "tokenizer" ? "tokenizer" : "server",
    ttft: numberOr(record.ttft) ?? null,
    itl: numbers(record.itl) ?? [],
    latency: numberOr(record.latency) ?? 0,
    chunks: numberOr(record.chunks) ?? 0,
    streamed: record.streamed !== false,
    plannedOffset: numberOr(record.planned_offset) ?? 0,
    sendOffset: numberOr(record.send_offset) ?? 0,
    notes: Array.isArray(record.notes) ? record.notes.map(String) : [],
  };
  const optional: Partial<RequestResult> = {
    status: numberOr(record.status),
    promptLenServer: numberOr(record.prompt_len_server),
    promptCached: numberOr(record.prompt_cached),
    session: numberOr(record.session),
    turn: numberOr(record.turn),
    truncated: typeof record.truncated === "boolean" ? record.truncated : undefined,
    outputLenAsked: numberOr(record.output_len_asked),
    outputLenClient: numberOr(record.output_len_client),
    chunkTokens: numbers(record.chunk_tokens),
    inputCount: numberOr(record.input_count),
    imageCount: numberOr(record.image_count),
    serverTimings: t
      ? {
        promptN: numberOr(t.prompt_n),
        promptMs: numberOr(t.prompt_ms),
        predictedN: numberOr(t.predicted_n),
        predictedMs: numberOr(t.predicted_ms),
        predictedPerTokenMs: numberOr(t.predicted_per_token_ms),
        cacheN: numberOr(t.cache_n),
      }
      : undefined,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (result as unknown as Record<string, unknown>)[key] = value;
  }
  return result;
}

/** The seed format: a JSON array of {@link SeedRecord}s. */
export const seed: OutputFormat<"seed"> = {
  name: "seed",
  help: "a JSON array, default",
  listsEveryRequest: true,
  streams: false,
  open: (path) =>
    writtenAtEnd(({ run }) =>
      Deno.writeTextFile(path, JSON.stringify(toSeedRecords(run.results), null, 2) + "\n")
    ),
  detect: (head) => Array.isArray(head.json) || head.firstLine.trimStart().startsWith("["),
  /** Element by element as the file streams by (one already parsed on its one line is walked). */
  async read(head, onRequest) {
    const figures = new PointFigures();
    const records = Array.isArray(head.json) ? head.json : jsonArrayElements(head.path);
    for await (const record of records) {
      const point = pointOfRecord(isObject(record) ? record : {});
      figures.add(point);
      onRequest?.(point);
    }
    return { figures: figures.figures(), duration: figures.duration };
  },
};
