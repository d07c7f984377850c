/**
 * Server-Sent Events over stamped reads, through eventsource-parser.
 *
 * Each event is given the arrival time of the read that completed it: an event
 * split across reads is not complete until its last byte is there.
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import type { TimedReads } from "./types.ts";

/** Calls `onData(data, time, event)` for every SSE event in `reads`, in order. */
export function forEachSseEvent(
  reads: TimedReads,
  onData: (data: string, time: number, event: string | undefined) => void,
): void {
  let time = 0;
  const parser = createParser({
    onEvent: (message) => onData(message.data, time, message.event),
  });
  const decoder = new TextDecoder();
  for (let i = 0; i < reads.bytes.length; i++) {
    time = reads.times[i];
    parser.feed(decoder.decode(reads.bytes[i], { stream: true }));
  }
  // A last event without its blank line still counts (a browser would drop
  // it): servers that end without `[DONE]` may also skip the final "\n\n".
  parser.feed(decoder.decode() + "\n\n");
}
