/**
 * A Server-Sent Events scanner that works on the bytes as they are read: the
 * event stream interpretation of the WHATWG HTML standard.
 *
 * Lines end in CRLF, LF or CR (a CR ending one read and an LF starting the
 * next are one line end); a blank line dispatches the event; `data` lines
 * (one space after the colon dropped) join with "\n"; `event` names the
 * event; comments, `id`, `retry` and unknown fields are skipped, since mib
 * reads none of them; an event without a data line is not dispatched; one
 * UTF-8 BOM at the start of the stream is skipped.
 *
 * Each read's complete lines (its bytes up to its last line end) are decoded
 * at once, with no decoder state carried between reads, and split there;
 * each event's data is a slice of that text. The bytes after a read's last
 * line end, the start of a line, are copied and held until the line ends.
 * Why not a streaming decoder: it must be fed every byte, line ends
 * included, and holds a split character in its own state. Why not decode
 * each event's data bytes alone: a `decode` call costs ~0.3 µs whatever its
 * length, so one per read beats one per event once a read holds two events.
 * The caller may reuse a read's bytes after `feed` returns (mib's HTTP/1.1
 * client does): nothing keeps a reference to them.
 *
 * Decoding the text between line ends apart gives what decoding the whole
 * stream would, replacement characters included: line ends are ASCII bytes,
 * which never belong to a multi-byte sequence, so every UTF-8 decoder state
 * ends at one.
 *
 * @module
 */

const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const COLON = 0x3a;
const NONE = new Uint8Array(0);
const BOM = new Uint8Array([0xef, 0xbb, 0xbf]);

/**
 * Keeps every U+FEFF: the stream's first BOM is dropped by the scanner
 * itself, and one later on is text (an unknown field's name, a payload's).
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

/** Where the first line end in `bytes[from, n)` is, or `n`. */
function lineEnd(bytes: Uint8Array, from: number): number {
  const n = bytes.length;
  // A byte loop beats indexOf here: one pass finds LF or CR, where indexOf
  // would need a pass for each.
  for (let i = from; i < n; i++) {
    const c = bytes[i];
    if (c < 14 && (c === LF || c === CR)) return i;
  }
  return n;
}

/** Whether `text[at, to)` starts with the field name `name`, then ends or has a colon. */
function isField(text: string, at: number, to: number, name: string): boolean {
  const end = at + name.length;
  if (end > to) return false;
  for (let i = 1; i < name.length; i++) {
    if (text.charCodeAt(at + i) !== name.charCodeAt(i)) return false;
  }
  return end === to || text.charCodeAt(end) === COLON;
}

/**
 * The value of a field `length` characters long at `at` in the line
 * `text[at, to)`, where `text[to]` is a line end or past the text.
 */
function valueOf(text: string, at: number, to: number, length: number): string {
  const colon = at + length;
  if (colon === to) return "";
  return text.slice(text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1, to);
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
  /** The current event's data lines, joined. */
  #data = "";
  #dataLines = 0;
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
    let last = n - 1;
    while (last >= i && bytes[last] !== LF && bytes[last] !== CR) last--;
    if (last >= i) {
      if (last === n - 1 && bytes[last] === CR) this.#skipLf = true;
      // Blank lines first, with no decode: after a line held from the last
      // read, they are often all that is left of its event.
      let c = bytes[i];
      while (c === LF || c === CR) {
        this.#dispatch();
        i += c === CR && bytes[i + 1] === LF ? 2 : 1;
        c = i <= last ? bytes[i] : 0;
      }
      if (i <= last) {
        this.#lines(UTF8.decode(i === 0 && last === n - 1 ? bytes : bytes.subarray(i, last + 1)));
      }
    }
    if (last + 1 < n) {
      this.#line = append(this.#line, 0, bytes, last + 1, n);
      this.#lineLength = n - last - 1;
    }
  }

  /**
   * Ends the stream: a last line without its line end still counts, and so
   * does a last event without its blank line (a browser would drop it, but
   * servers that end without an end marker may also skip the final "\n\n").
   */
  end(): void {
    if (this.#lineLength > 0) {
      const text = UTF8.decode(this.#line.subarray(0, this.#lineLength));
      this.#lineLength = 0;
      this.#lineOf(text, 0, text.length);
    }
    this.#skipLf = false;
    this.#dispatch();
  }

  /**
   * Skips a BOM at the stream's start; where to scan `bytes` from, or -1
   * when they are all the start of a BOM, held as the start of a line until
   * a read tells.
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
    const end = lineEnd(bytes, i);
    const length = this.#lineLength + end - i;
    this.#line = append(this.#line, this.#lineLength, bytes, i, end);
    if (end === n) {
      this.#lineLength = length;
      return -1;
    }
    this.#lineLength = 0;
    const text = UTF8.decode(this.#line.subarray(0, length));
    this.#lineOf(text, 0, text.length);
    const next = end + 1;
    if (bytes[end] === CR) {
      if (next === n) this.#skipLf = true;
      else if (bytes[next] === LF) return next + 1;
    }
    return next;
  }

  /** Interprets `text`, whole lines each ending in CR, LF or CRLF. */
  #lines(text: string): void {
    const n = text.length;
    let i = 0;
    let cr = text.indexOf("\r");
    let lf = text.indexOf("\n");
    if (cr === -1) {
      // The usual stream: LF alone, one search per line.
      while (lf !== -1) {
        this.#lineOf(text, i, lf);
        i = lf + 1;
        lf = text.indexOf("\n", i);
      }
      return;
    }
    while (i < n) {
      const end = cr === -1 ? lf : lf === -1 ? cr : Math.min(cr, lf);
      this.#lineOf(text, i, end);
      i = end + 1;
      if (end === cr && text.charCodeAt(i) === LF) i++;
      if (cr !== -1 && cr < i) cr = text.indexOf("\r", i);
      if (lf !== -1 && lf < i) lf = text.indexOf("\n", i);
    }
  }

  /** Interprets the line `text[at, to)`. */
  #lineOf(text: string, at: number, to: number): void {
    if (at === to) {
      this.#dispatch();
      return;
    }
    const first = text.charCodeAt(at);
    if (first === 0x64 && isField(text, at, to, "data")) {
      const value = valueOf(text, at, to, 4);
      this.#data = this.#dataLines === 0 ? value : `${this.#data}\n${value}`;
      this.#dataLines++;
    } else if (first === 0x65 && isField(text, at, to, "event")) {
      // An empty name is the default one, as eventsource-parser reports it.
      this.#event = valueOf(text, at, to, 5) || undefined;
    }
  }

  /** Dispatches the current event, if it has data, and starts the next. */
  #dispatch(): void {
    const event = this.#event;
    this.#event = undefined;
    if (this.#dataLines === 0) return;
    const data = this.#data;
    this.#data = "";
    this.#dataLines = 0;
    this.#onEvent(data, this.#time, event);
  }
}
