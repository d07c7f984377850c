/**
 * Records separated by a delimiter byte: newline-delimited JSON (Ollama) and
 * vLLM's legacy server, whose records end in "\0" (older) or "\n" (newer).
 *
 * @module
 */

/** Feeds stamped body bytes; calls back once per complete record. */
export interface RecordReader {
  /** Consumes bytes read at `time`. */
  feed(bytes: Uint8Array, time: number): void;
  /** Flushes a last record without its delimiter. */
  end(): void;
}

const NEWLINE = 10;
const NUL = 0;

/**
 * A reader calling `onRecord(text, time)` for every non-blank record, split at
 * "\n" and "\0" (ASCII, so a split never cuts a UTF-8 character); `time` is
 * the arrival of the read that completed the record.
 */
export function recordReader(onRecord: (text: string, time: number) => void): RecordReader {
  const decoder = new TextDecoder();
  let pending = "";
  let lastTime = 0;
  const emit = (text: string, time: number) => {
    if (text.trim() !== "") onRecord(text, time);
  };
  return {
    feed(bytes, time) {
      lastTime = time;
      let start = 0;
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== NEWLINE && bytes[i] !== NUL) continue;
        emit(pending + decoder.decode(bytes.subarray(start, i)), time);
        pending = "";
        start = i + 1;
      }
      if (start < bytes.length) pending += decoder.decode(bytes.subarray(start), { stream: true });
    },
    end() {
      emit(pending + decoder.decode(), lastTime);
      pending = "";
    },
  };
}
