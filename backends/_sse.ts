/**
 * Server-Sent Events, incrementally, through the byte scanner of
 * `_sse_scan.ts`.
 *
 * Each event is given the arrival time of the read that completed it: an event
 * split across reads is not complete until its last byte is there.
 *
 * @module
 */
import { SseScanner } from "./_sse_scan.ts";
import { ChunkBuilder, parseJson } from "./_chunks.ts";
import type { StreamParser } from "./types.ts";

/** Feeds stamped body bytes; calls back once per complete SSE event. */
export interface SseReader {
  /** Consumes bytes read at `time`. */
  feed(bytes: Uint8Array, time: number): void;
  /** Flushes a last event that lacked its blank line. */
  end(): void;
}

/**
 * An SSE reader calling `onData(data, time)` for every event, in order. Its
 * `feed` may be given a reused buffer's bytes: it keeps none of them.
 */
export function sseReader(onData: (data: string, time: number) => void): SseReader {
  const scanner = new SseScanner(onData);
  // Detached methods: parsers hand `feed` on as it is.
  return {
    feed: (bytes, time) => scanner.feed(bytes, time),
    end: () => scanner.end(),
  };
}

/**
 * A parser of SSE events that each carry one JSON object, as most inference
 * servers stream: `onJson` reads each object into the builder; a `[DONE]`
 * event marks the response complete; an unparsable event is an error.
 */
export function sseJsonParser(
  onJson: (json: Record<string, unknown>, time: number, builder: ChunkBuilder) => void,
): StreamParser {
  const builder = new ChunkBuilder();
  const sse = sseReader((data, time) => {
    if (data === "[DONE]") {
      builder.event(time);
      builder.complete();
      return;
    }
    const json = parseJson(data, builder);
    if (json && typeof json === "object") onJson(json as Record<string, unknown>, time, builder);
  });
  return {
    feed: sse.feed,
    finish() {
      sse.end();
      return builder.finish();
    },
  };
}
