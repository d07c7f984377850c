/**
 * Server-Sent Events, incrementally, through eventsource-parser.
 *
 * Each event is given the arrival time of the read that completed it: an event
 * split across reads is not complete until its last byte is there.
 *
 * @module
 */
import { createParser } from "./_eventsource.ts";
import { ChunkBuilder, parseJson } from "./_chunks.ts";
import type { StreamParser } from "./types.ts";

/** Feeds stamped body bytes; calls back once per complete SSE event. */
export interface SseReader {
  /** Consumes bytes read at `time`. */
  feed(bytes: Uint8Array, time: number): void;
  /** Flushes a last event that lacked its blank line. */
  end(): void;
}

/** An SSE reader calling `onData(data, time)` for every event, in order. */
export function sseReader(onData: (data: string, time: number) => void): SseReader {
  let time = 0;
  const parser = createParser({ onEvent: (message) => onData(message.data, time) });
  const decoder = new TextDecoder();
  return {
    feed(bytes, at) {
      time = at;
      parser.feed(decoder.decode(bytes, { stream: true }));
    },
    end() {
      // A last event without its blank line still counts (a browser would drop
      // it): servers that end without `[DONE]` may also skip the final "\n\n".
      parser.feed(decoder.decode() + "\n\n");
    },
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
