/**
 * The byte-level SSE scanner (`backends/_sse_scan.ts`) against
 * eventsource-parser fed the same bytes through a streaming TextDecoder, as
 * `sseReader` did before the scanner: for random event streams split at
 * random bytes, both dispatch the same events (data and event name) at the
 * same read times. The reads are handed over in one reused buffer, scribbled
 * over after each read, as mib's HTTP/1.1 client hands them.
 *
 * The reference's decoder keeps BOMs (`ignoreBOM: true`) and leaves the
 * stream's one to eventsource-parser: Deno's streaming TextDecoder (2.9.6)
 * drops a U+FEFF at the start of every `decode` call, not only the stream's
 * first, so the former reader lost one that a read happened to start with.
 *
 * @module
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { createParser } from "eventsource-parser";
import { SseScanner } from "../backends/_sse_scan.ts";

interface Seen {
  data: string;
  event: string | undefined;
  time: number;
}

/** `bytes` cut at `cuts` (any offsets; one given twice makes an empty read), in order. */
function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b);
  const reads: Uint8Array[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    reads.push(bytes.slice(from, at));
    from = at;
  }
  return reads;
}

/** What the former `sseReader` dispatched (BOMs aside, see above): read i is stamped i. */
function reference(reads: Uint8Array[]): Seen[] {
  const seen: Seen[] = [];
  let time = 0;
  const parser = createParser({
    onEvent: (message) => seen.push({ data: message.data, event: message.event, time }),
  });
  const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  reads.forEach((bytes, i) => {
    time = i;
    parser.feed(decoder.decode(bytes, { stream: true }));
  });
  parser.feed(decoder.decode() + "\n\n");
  return seen;
}

/** What the scanner dispatches, each read passed in one reused buffer. */
function scanned(reads: Uint8Array[]): Seen[] {
  const seen: Seen[] = [];
  const scanner = new SseScanner((data, time, event) => seen.push({ data, event, time }));
  const buffer = new Uint8Array(Math.max(1, ...reads.map((r) => r.length)));
  reads.forEach((bytes, i) => {
    buffer.set(bytes);
    scanner.feed(buffer.subarray(0, bytes.length), i);
    // A scanner that kept a view of the read would now see junk.
    buffer.fill(0x78);
  });
  scanner.end();
  return seen;
}

/** Read boundaries: random offsets, some given twice (empty reads between). */
const cuts = (maxLength: number) =>
  fc.array(fc.nat(), { maxLength }).chain((at) =>
    fc.subarray(at, { maxLength: Math.min(3, at.length) }).map((again) => [...at, ...again])
  );

const encoder = new TextEncoder();
const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** Text with multi-byte characters (2, 3 and 4 bytes), a BOM and NUL, but no line end. */
const text = fc.string({
  unit: fc.oneof(
    fc.constantFrom("a", " ", ":", "{", '"', "é", "€", "😀", "\uFEFF", "\0", "data"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
}).map((s) => encoder.encode(s.replace(/[\r\n]/g, "")));

/** Bytes that need not be UTF-8 (truncated sequences, stray continuations), no line end. */
const junk = fc.uint8Array({ maxLength: 6 }).map((b) => b.filter((x) => x !== 0x0a && x !== 0x0d));

/** One line: a field name (real, near misses, a comment's empty one), a separator and a value. */
const line = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.tuple(
      fc.oneof(
        { weight: 4, arbitrary: fc.constant("data") },
        { weight: 1, arbitrary: fc.constant("event") },
        {
          weight: 2,
          arbitrary: fc.constantFrom("id", "retry", "", "dat", "datax", "events", "Data", "x"),
        },
      ),
      fc.constantFrom(":", ": ", ": ", ":  ", ""),
      fc.array(fc.oneof({ weight: 3, arbitrary: text }, { weight: 1, arbitrary: junk }), {
        maxLength: 3,
      }),
    ).map(([field, sep, value]) => concat([encoder.encode(field + sep), ...value])),
  },
  // Blank lines dispatch.
  { weight: 3, arbitrary: fc.constant(new Uint8Array(0)) },
);

const lineEnd = fc.constantFrom("\n", "\r\n", "\r").map((end) => encoder.encode(end));

/**
 * A stream: maybe a BOM (or only its first bytes, which are then no BOM),
 * lines with mixed line ends, maybe cut short (its last line without an end,
 * even mid-character).
 */
const stream = fc.tuple(
  fc.constantFrom([], [0xef, 0xbb, 0xbf], [0xef], [0xef, 0xbb]),
  fc.array(fc.tuple(line, lineEnd), { maxLength: 24 }),
  fc.nat(4),
).map(([bom, lines, cut]) => {
  const bytes = concat([
    new Uint8Array(bom),
    ...lines.flatMap(([l, end]) => [l, end]),
  ]);
  return bytes.subarray(0, Math.max(0, bytes.length - cut));
});

Deno.test("random SSE streams split at random bytes: the scanner dispatches what eventsource-parser does, at the same reads", () => {
  fc.assert(
    fc.property(stream, cuts(30), (bytes, at) => {
      const reads = split(bytes, at);
      assert.deepEqual(scanned(reads), reference(reads));
    }),
    { numRuns: 3000 },
  );
});

/**
 * Whether `bytes` start with "ï»¿", which eventsource-parser takes for a BOM
 * decoded byte by byte (its input may be such a string; the scanner's never is).
 */
function latin1Bom(bytes: Uint8Array): boolean {
  return new TextDecoder().decode(bytes.subarray(0, 6)) === "\xEF\xBB\xBF";
}

Deno.test("random bytes heavy in SSE syntax, split at random: the same events", () => {
  const token = fc.oneof(
    fc.constantFrom("\n", "\r", "\r\n", ":", " ", "data", "event", "data:", "\n\n", "é", "😀")
      .map((s) => encoder.encode(s)),
    fc.uint8Array({ minLength: 1, maxLength: 3 }),
  );
  fc.assert(
    fc.property(
      fc.array(token, { maxLength: 40 }).map(concat),
      cuts(20),
      (bytes, at) => {
        fc.pre(!latin1Bom(bytes));
        const reads = split(bytes, at);
        assert.deepEqual(scanned(reads), reference(reads));
      },
    ),
    { numRuns: 3000 },
  );
});

Deno.test("the common shapes: one event per read, several per read, one split across reads", () => {
  const event = (text: string) =>
    `data: {"choices":[{"index":0,"text":"${text}","finish_reason":null}]}\n\n`;
  const body = encoder.encode(event(" a") + event(" é") + event(" 😀") + "data: [DONE]\n\n");
  const datas = [
    '{"choices":[{"index":0,"text":" a","finish_reason":null}]}',
    '{"choices":[{"index":0,"text":" é","finish_reason":null}]}',
    '{"choices":[{"index":0,"text":" 😀","finish_reason":null}]}',
    "[DONE]",
  ];
  const ends = [...body.keys()].filter((i) => body[i - 1] === 0x0a && body[i - 2] === 0x0a);
  const perEvent = scanned(split(body, ends));
  assert.deepEqual(perEvent, datas.map((data, time) => ({ data, event: undefined, time })));
  const together = scanned([body]);
  assert.deepEqual(together, datas.map((data) => ({ data, event: undefined, time: 0 })));
  // Each byte its own read: each event is timed by its last byte's read.
  const perByte = scanned(split(body, [...body.keys()].slice(1)));
  assert.deepEqual(perByte.map((e) => e.data), datas);
  assert.deepEqual(
    perByte.map((e) => e.time),
    [...body.keys()].filter((i) => body[i] === 0x0a && body[i - 1] === 0x0a),
  );
});

Deno.test("a BOM is dropped once, at the stream's start only", () => {
  const bom = "\uFEFF";
  const one = scanned([encoder.encode(`${bom}data: a\n\n${bom}data: b\n\ndata: ${bom}c\n\n`)]);
  // A BOM later on starts an unknown field; one in a payload is text.
  assert.deepEqual(one.map((e) => e.data), ["a", `${bom}c`]);
  const two = scanned([encoder.encode(`${bom}${bom}data: a\n\ndata: b\n\n`)]);
  assert.deepEqual(two.map((e) => e.data), ["b"]);
  // One that a read starts with is text too (the former reader dropped it).
  const cut = scanned([encoder.encode("data: "), encoder.encode(`${bom}d\n\n`)]);
  assert.deepEqual(cut.map((e) => e.data), [`${bom}d`]);
});
