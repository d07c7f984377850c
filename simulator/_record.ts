/**
 * The write record of a simulator started with `record: true`: for each
 * generation request, when it arrived and when each of its token chunks was
 * handed to the response stream, all on the server's `performance.now()`
 * clock. A benchmark client compares its own arrival stamps against it.
 *
 * @module
 */

import type { FaultLabel } from "./_faults.ts";
import type { WriteLog } from "./_pacing.ts";
import type { ImageHeader } from "../images/header.ts";

/**
 * Which protocol served a recorded request: `"completions"` and `"chat"` are
 * the OpenAI routes; the others are the native protocols (TGI, Triton's
 * generate extension, vLLM's legacy `/generate`, DeepSpeed-MII REST,
 * llama.cpp's `/completion`, SGLang's `/generate`, Ollama's `/api/generate`);
 * the pooling ones: OpenAI's `/v1/embeddings`, vLLM's `/pooling`, `/rerank`
 * and `/score`, TEI's `/embed` and `/rerank`.
 */
export type RecordedEndpoint =
  | "completions"
  | "chat"
  | "tgi"
  | "triton"
  | "vllm-legacy"
  | "mii"
  | "llamacpp"
  | "sglang"
  | "ollama"
  | "embeddings"
  | "pooling"
  | "rerank"
  | "score"
  | "tei-embed"
  | "tei-rerank";

/**
 * One generation request as the simulator served it. Times are the server's
 * `performance.now()` in milliseconds (add {@linkcode SimulatorRecord.timeOrigin}
 * for Unix epoch milliseconds); only differences between them are meant to be
 * compared with a client's clock.
 */
export interface RecordedRequest {
  /**
   * The request's `x-request-id` header when it had one, else the response id
   * (`cmpl-…`; SGLang's `rid`, a Triton request's `id`) or, for protocols
   * whose responses carry no id, a fresh one.
   */
  readonly id: string;
  /** Which protocol served it. */
  readonly endpoint: RecordedEndpoint;
  /** When the request handler started: the anchor of the pacing schedule. */
  readonly arrival: number;
  /**
   * When each token chunk was enqueued into the response stream, one entry per
   * chunk (the chat role chunk and the usage/`[DONE]` trailer are not counted).
   * A non-streaming request has one entry: when its whole body was built.
   * An injected failure (`failAfter`) is not a write.
   */
  readonly writes: readonly number[];
  /**
   * Tokens carried by each of those chunks; their sum is `completion_tokens`
   * (over every sequence, when a request asks for several: vLLM legacy's `n`,
   * DeepSpeed-MII's prompt list).
   */
  readonly tokens: readonly number[];
  /**
   * When the response stream closed, or was cut short by a client disconnect
   * or the server closing; `null` while it is still in progress.
   */
  readonly end: number | null;
  /**
   * Present (and `true`) only when the response was failed on purpose mid-way
   * by the `failAfter` option or a `cut` fault; `end` is then when the error
   * was sent (or the connection cut).
   */
  readonly error?: true;
  /**
   * The fault injected into this request (see `SimulatorOptions.faults`), e.g.
   * `"503"`, `"cut"` or `"junk:bad-json"`; absent when it drew none.
   */
  readonly fault?: FaultLabel;
  /**
   * The request body as the server parsed it (the OpenAI routes when
   * recording; every route with `recordBodies`, its text when it is not
   * JSON), so a test can check what each request carried.
   */
  readonly body?: unknown;
  /**
   * A pooling request's inputs: the texts embedded, or the documents scored
   * against its query; absent for a generation.
   */
  readonly inputs?: number;
  /**
   * The images a chat or Ollama request carried, as their headers say
   * (decoded from the data URL or base64); absent when none.
   */
  readonly images?: readonly ImageHeader[];
  /**
   * The prompt tokens the server reported for the request (`usage.prompt_tokens`
   * and the like), image tokens included; absent where not recorded.
   */
  readonly promptTokens?: number;
}

/** Everything recorded since the server started or the record was last cleared. */
export interface SimulatorRecord {
  /** The server's `performance.timeOrigin` (Unix epoch milliseconds of its clock's zero). */
  readonly timeOrigin: number;
  /** Finished and in-progress generation requests, in arrival order. */
  readonly requests: readonly RecordedRequest[];
}

/** A record entry as the server fills it in; its JSON is the wire form. */
export interface RequestLog extends WriteLog {
  readonly id: string;
  readonly endpoint: RecordedEndpoint;
  readonly arrival: number;
  /** The injected fault, set when the request drew one. */
  fault?: FaultLabel;
  /** The parsed request body, where the protocol module gave it. */
  body?: unknown;
  /** A pooling request's inputs. */
  inputs?: number;
  /** The images it carried. */
  images?: readonly ImageHeader[];
  /** The prompt tokens reported. */
  promptTokens?: number;
}

/**
 * A fresh entry; the property order is the order of the JSON members (`error`,
 * set only on a failure, and `fault` come last).
 */
export function requestLog(id: string, endpoint: RecordedEndpoint, arrival: number): RequestLog {
  return { id, endpoint, arrival, writes: [], tokens: [], end: null };
}

/**
 * Entries in arrival order. They are appended once a request's body has been
 * read, which can finish out of arrival order, so they are sorted here (a
 * stable sort of an almost sorted list, cheap).
 */
function byArrival(logs: readonly RequestLog[]): RequestLog[] {
  return logs.toSorted((a, b) => a.arrival - b.arrival);
}

/** A copy of the record that later writes do not change. */
export function snapshot(logs: readonly RequestLog[]): SimulatorRecord {
  return {
    timeOrigin: performance.timeOrigin,
    requests: byArrival(logs).map((log) => ({
      id: log.id,
      endpoint: log.endpoint,
      arrival: log.arrival,
      writes: log.writes.slice(),
      tokens: log.tokens.slice(),
      end: log.end,
      ...(log.error ? { error: true as const } : {}),
      ...(log.fault ? { fault: log.fault } : {}),
      ...(log.body !== undefined ? { body: log.body } : {}),
      ...(log.inputs === undefined ? {} : { inputs: log.inputs }),
      ...(log.images === undefined ? {} : { images: log.images }),
      ...(log.promptTokens === undefined ? {} : { promptTokens: log.promptTokens }),
    })),
  };
}

/** Entries serialized per pull of the response body. */
const ENTRIES_PER_PULL = 64;

/**
 * The record as a JSON response body, serialized a few entries at a time as
 * the client reads. A long run can hold millions of write times: one
 * `JSON.stringify` of all of it would build a string of hundreds of megabytes
 * and stall the event loop, and so the pacing of streams still in flight.
 * Entries still in progress are serialized as they stand when reached.
 */
export function recordBody(logs: readonly RequestLog[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const entries = byArrival(logs);
  let next = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(
        encoder.encode(`{"timeOrigin":${JSON.stringify(performance.timeOrigin)},"requests":[`),
      );
    },
    pull(controller) {
      const end = Math.min(entries.length, next + ENTRIES_PER_PULL);
      let text = "";
      for (; next < end; next++) text += (next > 0 ? "," : "") + JSON.stringify(entries[next]);
      if (next === entries.length) {
        controller.enqueue(encoder.encode(text + "]}"));
        controller.close();
      } else {
        controller.enqueue(encoder.encode(text));
      }
    },
  });
}
