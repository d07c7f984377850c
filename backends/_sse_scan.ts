/**
 * A byte-level Server-Sent Events scanner: the event stream interpretation of
 * the WHATWG HTML standard, on the bytes as they are read.
 *
 * Lines end in CRLF, LF or CR (a CR ending one read and an LF starting the
 * next are one line end); a blank line dispatches the event; `data` lines
 * (one space after the colon dropped) join with "\n"; `event` names the
 * event; comments, `id`, `retry` and unknown fields are skipped, since mib
 * reads none of them; an event without a data line is not dispatched; one
 * UTF-8 BOM at the start of the stream is skipped.
 *
 * Why bytes: decoding every read to a string and splitting that string
 * costs a string per read and per line. Here a read holding whole events is
 * scanned in place and only each event's data is decoded, straight from the
 * read's bytes. Only what a read leaves unfinished is copied: the part of a
 * line it ends in, and the data of an event whose blank line has not come.
 * The caller may reuse a read's bytes after `feed` returns (mib's HTTP/1.1
 * client does), so nothing keeps a reference to them.
 *
 * UTF-8 needs no decoder state across reads: line ends, colons and spaces
 * are ASCII bytes, which are never part of a multi-byte sequence, so decoding
 * each field's bytes alone gives the same text (replacement characters
 * included) as decoding the whole stream and splitting it.
 *
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const NONE = new Uint8Array(0);
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);
const NEWLINE = new Uint8Array([LF]);

/**
 * Keeps a U+FEFF at the start of a data payload: only the stream's first
 * BOM is dropped, by the scanner itself.
 */
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** What a dispatched event carries to its handler. */
export type SseEventHandler = (data: string, time: number, event: string | undefined) => void;

/** Copies `bytes[from, to)` after `buffer[0, length)`, growing it as needed; the buffer. */
function append(
  buffer: Uint8Array,
  length: number,
  bytes: Uint8Array,
  from: number,
  to: number,
): Uint8Array {
  const needed = length + to - from;
  if (needed > buffer.length) {
    const grown = new Uint8Array(Math.max(needed, buffer.length * 2, 256));
    grown.set(buffer.subarray(0, length));
    buffer = grown;
  }
  buffer.set(bytes.subarray(from, to), length);
  return buffer;
}

/** Whether `bytes[at, to)` starts with the field name `name` (ASCII) and then ends or has a colon. */
function isField(bytes: Uint8Array, at: number, to: number, name: string): boolean {
  const end = at + name.length;
  if (end > to) return false;
  for (let i = 1; i < name.length; i++) {
    if (bytes[at + i] !== name.charCodeAt(i)) return false;
  }
  return end === to || bytes[end] === COLON;
}

/** Where the value of a field named `length` bytes starts, at `at` in a line ending at `to`. */
function valueStart(bytes: Uint8Array, at: number, to: number, length: number): number {
  const colon = at + length;
  if (colon === to) return to;
  return colon + 1 < to && bytes[colon + 1] === SPACE ? colon + 2 : colon + 1;
}

/**
 * Scans stamped SSE bytes; calls back once per dispatched event, with the
 * time of the read that completed it.
 */
export class SseScanner {
  #onEvent: SseEventHandler;
  #time = 0;
  /** Nothing read yet: a BOM (or the start of one) may come first. */
  #start = true;
  /** The last read ended in CR: an LF starting the next read ends no line. */
  #skipLf = false;
  /** The unfinished line a read ended in, copied (allocated once a read ends mid-line). */
  #line: Uint8Array = NONE;
  #lineLength = 0;
  /** The current event's data lines, copied and joined, when not in place. */
  #data: Uint8Array = NONE;
  #dataLength = 0;
  #dataLines = 0;
  /** The current event's one data line in the read being scanned: `#read[#from, #to)`. */
  #read: Uint8Array | undefined = undefined;
  #from = 0;
  #to = 0;
  #event: string | undefined = undefined;

  /** A scanner calling `onEvent(data, time, event)` for every dispatched event, in order. */
  constructor(onEvent: SseEventHandler) {
    this.#onEvent = onEvent;
  }

  /** Consumes `bytes` read at `time`; they are not used after this returns. */
  feed(bytes: Uint8Array, time: number): void {
    this.#time = time;
    const n = bytes.length;
    let i = 0;
    if (this.#start) {
      i = this.#bom(bytes);
      if (i < 0) return;
    }
    if (this.#skipLf && i < n) {
      this.#skipLf = false;
      if (bytes[i] === LF) i++;
    }
    if (this.#lineLength > 0) {
      i = this.#finishLine(bytes, i);
      if (i < 0) return;
    }
    while (i < n) {
      let end = i;
      // A byte loop beats indexOf here: one pass finds LF or CR, where
      // indexOf would need a pass for each.
      for (; end < n; end++) {
        const c = bytes[end];
        if (c < 14 && (c === LF || c === CR)) break;
      }
      if (end === n) break;
      this.#lineOf(bytes, i, end, true);
      i = end + 1;
      if (bytes[end] === CR) {
        if (i === n) this.#skipLf = true;
        else if (bytes[i] === LF) i++;
      }
    }
    if (i < n) {
      this.#line = append(this.#line, 0, bytes, i, n);
      this.#lineLength = n - i;
    }
    if (this.#read !== undefined) this.#spill();
  }

  /**
   * Ends the stream: a last line without its line end still counts, and so
   * does a last event without its blank line (a browser would drop it, but
   * servers that end without an end marker may also skip the final "\n\n").
   */
  end(): void {
    if (this.#lineLength > 0) {
      const length = this.#lineLength;
      this.#lineLength = 0;
      this.#lineOf(this.#line, 0, length, false);
    }
    this.#skipLf = false;
    this.#dispatch();
  }

  /**
   * Skips a BOM at the stream's start; where to scan `bytes` from, or -1
   * when they are all the start of a BOM, kept as the start of a line until
   * the next read tells.
   */
  #bom(bytes: Uint8Array): number {
    const held = this.#lineLength;
    const seen = Math.min(3 - held, bytes.length);
    for (let k = 0; k < seen; k++) {
      if (bytes[k] !== BOM[held + k]) {
        this.#start = false;
        return 0;
      }
    }
    if (held + seen < 3) {
      this.#line = append(this.#line, held, bytes, 0, seen);
      this.#lineLength = held + seen;
      return -1;
    }
    this.#start = false;
    this.#lineLength = 0;
    return seen;
  }

  /**
   * Ends the line held from earlier reads with `bytes` from `i`; where to
   * scan on, or -1 when the line goes on past this read.
   */
  #finishLine(bytes: Uint8Array, i: number): number {
    const n = bytes.length;
    let end = i;
    for (; end < n; end++) {
      const c = bytes[end];
      if (c < 14 && (c === LF || c === CR)) break;
    }
    const length = this.#lineLength + end - i;
    this.#line = append(this.#line, this.#lineLength, bytes, i, end);
    if (end === n) {
      this.#lineLength = length;
      return -1;
    }
    this.#lineLength = 0;
    this.#lineOf(this.#line, 0, length, false);
    const next = end + 1;
    if (bytes[end] === CR) {
      if (next === n) this.#skipLf = true;
      else if (bytes[next] === LF) return next + 1;
    }
    return next;
  }

  /**
   * Interprets the line `bytes[at, to)`; `inRead` when `bytes` is the read
   * being scanned, whose data may be decoded in place.
   */
  #lineOf(bytes: Uint8Array, at: number, to: number, inRead: boolean): void {
    if (at === to) {
      this.#dispatch();
      return;
    }
    const first = bytes[at];
    if (first === 0x64 && isField(bytes, at, to, "data")) {
      this.#addData(bytes, valueStart(bytes, at, to, 4), to, inRead);
    } else if (first === 0x65 && isField(bytes, at, to, "event")) {
      // An empty name is the default one, as eventsource-parser reports it.
      const from = valueStart(bytes, at, to, 5);
      this.#event = from === to ? undefined : UTF8.decode(bytes.subarray(from, to));
    }
  }

  /** Adds the data line `bytes[from, to)` to the current event. */
  #addData(bytes: Uint8Array, from: number, to: number, inRead: boolean): void {
    if (this.#dataLines === 0 && inRead) {
      this.#read = bytes;
      this.#from = from;
      this.#to = to;
    } else {
      if (this.#read !== undefined) this.#spill();
      if (this.#dataLines > 0) {
        this.#data = append(this.#data, this.#dataLength, NEWLINE, 0, 1);
        this.#dataLength++;
      }
      this.#data = append(this.#data, this.#dataLength, bytes, from, to);
      this.#dataLength += to - from;
    }
    this.#dataLines++;
  }

  /** Copies the data line held in place, before its read's bytes go. */
  #spill(): void {
    this.#data = append(this.#data, 0, this.#read!, this.#from, this.#to);
    this.#dataLength = this.#to - this.#from;
    this.#read = undefined;
  }

  /** Dispatches the current event, if it has data, and starts the next. */
  #dispatch(): void {
    const event = this.#event;
    this.#event = undefined;
    if (this.#dataLines === 0) return;
    let data: string;
    if (this.#read !== undefined) {
      data = this.#from === this.#to ? "" : UTF8.decode(this.#read.subarray(this.#from, this.#to));
      this.#read = undefined;
    } else {
      data = this.#dataLength === 0 ? "" : UTF8.decode(this.#data.subarray(0, this.#dataLength));
    }
    this.#dataLines = 0;
    this.#dataLength = 0;
    this.#onEvent(data, this.#time, event);
  }
}
