/**
 * The hot path: read a response body and stamp every read as it arrives.
 *
 * Nothing here parses, decodes or logs; the stamp is taken first thing after
 * the read resolves, and the bytes are kept as they came for the parser.
 *
 * @module
 */
import type { TimedReads } from "../backends/types.ts";

/**
 * Reads `body` to its end into `into`, stamping each read with
 * `performance.now()`, and returns the stamp of the end. If the stream breaks,
 * what was read so far stays in `into`.
 */
export async function readStamped(
  body: ReadableStream<Uint8Array>,
  into: TimedReads,
): Promise<number> {
  const { times, bytes } = into;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    const now = performance.now();
    if (done) return now;
    times.push(now);
    bytes.push(value);
  }
}
