/**
 * Unstreamed responses: the whole body is one JSON document.
 *
 * @module
 */
import { ChunkBuilder, parseJson } from "./_chunks.ts";
import type { StreamParser } from "./types.ts";

/**
 * A parser that collects the body and, at the end, hands its JSON to
 * `extract` with the arrival time of the last read. The result is marked
 * unstreamed, so TTFT and ITL stay unknown rather than 0.
 */
export function wholeBodyParser(
  extract: (json: unknown, time: number, builder: ChunkBuilder) => void,
): StreamParser {
  const builder = new ChunkBuilder(false);
  const decoder = new TextDecoder();
  let text = "";
  let time = 0;
  return {
    feed(bytes, at) {
      time = at;
      text += decoder.decode(bytes, { stream: true });
    },
    finish() {
      text += decoder.decode();
      const json = parseJson(text, builder);
      if (json !== undefined) extract(json, time, builder);
      return builder.finish();
    },
  };
}
