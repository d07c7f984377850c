/**
 * `deno task bench:sse`: what SSE framing costs per event, the former way
 * (a streaming TextDecoder, then eventsource-parser on the string) against
 * the byte scanner `sseReader` now uses (`backends/_sse_scan.ts`).
 *
 * The events are OpenAI completion chunks as vLLM sends them (~250 bytes:
 * `data: {"id":"cmpl-…","object":"text_completion","created":…,"model":"…",
 * "choices":[{"index":0,"text":" word",…}],"usage":null}` and a blank line),
 * 256 per response, then `data: [DONE]`; a new reader per response, as each
 * request has. The responses' reads, cut four ways:
 *   - 1 event/read: each event its own read (the common case: one chunk per
 *     token, each read as it comes);
 *   - 8 events/read: several events per read (a client falling behind);
 *   - split in two: every event cut in two reads at a varying point;
 *   - 2 KiB reads: the body cut into the 2 KiB reads of mib's HTTP/1.1
 *     client's buffer (several events per read, one split at each end).
 * The reads are views into one buffer, made before timing, so only the
 * framing is timed; the handler adds each data's length to a sink.
 *
 * Figures:
 *   - µs/event: wall time over ~100k events (390 responses) per run, after a
 *     warm-up; median and every run (`--runs`, default 7, the two ways taking
 *     turns in each run).
 *   - bytes/event allocated: in a child process (`--v8-flags=--expose-gc,
 *     --min-semi-space-size=512,--max-semi-space-size=512,--trace-gc`), heap
 *     growth over 100k events after `gc()`, divided by the events: the young
 *     generation is then large enough that no collection runs in between,
 *     which the child's `--trace-gc` lines confirm (a figure with a
 *     collection inside would be marked "gc!").
 *   - JSON: per event, `JSON.parse` of its data and reading what mib's
 *     OpenAI parser reads (error, choices[0].index/.text, usage), against
 *     pulling the text out of the string with `indexOf` (correct only for this
 *     exact shape, so a figure, not a replacement).
 *
 * Usage: deno task bench:sse [--runs N]. Takes about half a minute on the 2-core
 * development machine.
 *
 * @module
 */
import { createParser } from "eventsource-parser";
import Table from "../output/_cli_table.ts";
import { type SseReader, sseReader } from "../backends/_sse.ts";

const SELF = new URL(import.meta.url).pathname;
const TOKENS = 256;
const RESPONSES = 390;

/** Median of `values` (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

type Reader = (onData: (data: string, time: number) => void) => SseReader;

/** The former `sseReader`, verbatim: decode each read, hand the text to eventsource-parser. */
const before: Reader = (onData) => {
  let time = 0;
  const parser = createParser({ onEvent: (message) => onData(message.data, time) });
  const decoder = new TextDecoder();
  return {
    feed(bytes, at) {
      time = at;
      parser.feed(decoder.decode(bytes, { stream: true }));
    },
    end() {
      parser.feed(decoder.decode() + "\n\n");
    },
  };
};

const WAYS: [string, Reader][] = [["TextDecoder + eventsource-parser", before], [
  "byte scanner",
  sseReader,
]];

const WORDS = " the of and to a in is it you that he was for on are with as his they be at one have"
  .split(" ").slice(1).map((w) => ` ${w}`).concat([" naïve", " café", " 東京"]);

/** One response's events, as vLLM streams them. */
function responseEvents(seed: number): string[] {
  const id = `cmpl-${(seed * 2654435761 >>> 0).toString(16).padStart(8, "0")}${"4e0f9a3c1b2d5e6f"}`;
  const events: string[] = [];
  for (let i = 0; i < TOKENS; i++) {
    const chunk = {
      id,
      object: "text_completion",
      created: 1718000000 + seed,
      model: "meta-llama/Llama-3.1-8B-Instruct",
      choices: [{
        index: 0,
        text: WORDS[(seed + i * 7) % WORDS.length],
        logprobs: null,
        finish_reason: null,
        stop_reason: null,
      }],
      usage: null,
    };
    events.push(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  events.push("data: [DONE]\n\n");
  return events;
}

/** A response's bytes and where each event ends in them. */
interface Body {
  bytes: Uint8Array;
  ends: number[];
}

function body(seed: number): Body {
  const encoder = new TextEncoder();
  const parts = responseEvents(seed).map((e) => encoder.encode(e));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  const ends: number[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
    ends.push(at);
  }
  return { bytes, ends };
}

/** Views of `bytes` cut at `cuts` (ascending). */
function cut(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const reads: Uint8Array[] = [];
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    if (at > from) reads.push(bytes.subarray(from, at));
    from = at;
  }
  return reads;
}

const PATTERNS: [string, (b: Body) => Uint8Array[]][] = [
  ["1 event/read", (b) => cut(b.bytes, b.ends)],
  ["8 events/read", (b) => cut(b.bytes, b.ends.filter((_, i) => i % 8 === 7))],
  ["split in two", (b) =>
    cut(
      b.bytes,
      b.ends.flatMap((end, i) => {
        const start = i === 0 ? 0 : b.ends[i - 1];
        // A varying cut, somewhere in the event's first 90%.
        return [start + 1 + ((i * 37) % Math.floor((end - start) * 0.9)), end];
      }),
    )],
  ["2 KiB reads", (b) => {
    const cuts = [];
    for (let at = 2048; at < b.bytes.length; at += 2048) cuts.push(at);
    return cut(b.bytes, cuts);
  }],
];

const BODIES = Array.from({ length: RESPONSES }, (_, i) => body(i));
const EVENTS = RESPONSES * (TOKENS + 1);

/** Where the handlers put their work, so that none of it is optimised away. */
let sink = 0;
const onData = (data: string, time: number) => {
  sink += data.length + time;
};

/** Feeds every response's reads, each through a new reader. */
function feedAll(reader: Reader, responses: Uint8Array[][]): void {
  for (const reads of responses) {
    const sse = reader(onData);
    for (let i = 0; i < reads.length; i++) sse.feed(reads[i], i);
    sse.end();
  }
}

/** µs per event of `reader` on `responses`. */
function time(reader: Reader, responses: Uint8Array[][]): number {
  const start = performance.now();
  feedAll(reader, responses);
  return (performance.now() - start) * 1000 / EVENTS;
}

// ---------------------------------------------------------------------------
// JSON

/** What mib's OpenAI parser reads of a chunk, through JSON.parse. */
function parsed(data: string): number {
  const message = JSON.parse(data);
  if (message.error !== undefined && message.error !== null) return -1;
  let text = "";
  for (const choice of message.choices) {
    if (choice && (choice.index ?? 0) === 0) text += String(choice.text ?? "");
  }
  const usage = message.usage;
  return text.length + (usage && typeof usage.completion_tokens === "number" ? 1 : 0);
}

/** The same pulled out by indexOf: right only for chunks of exactly this shape. */
function extracted(data: string): number {
  if (data.indexOf('"error"') !== -1) return -1;
  const at = data.indexOf('"text":"') + 8;
  let end = data.indexOf('"', at);
  while (data.charCodeAt(end - 1) === 92) end = data.indexOf('"', end + 1);
  const raw = data.slice(at, end);
  const text = raw.indexOf("\\") === -1 ? raw : JSON.parse(`"${raw}"`);
  return text.length + (data.endsWith('"usage":null}') ? 0 : 1);
}

function jsonTime(read: (data: string) => number, datas: string[]): number {
  const start = performance.now();
  for (const data of datas) sink += read(data);
  return (performance.now() - start) * 1000 / datas.length;
}

// ---------------------------------------------------------------------------
// Allocation (child process)

const ALLOC_EVENTS = 100_000;

/** In the child: bytes allocated per event for way `w`, pattern `p`. */
function allocChild(w: number, p: number): void {
  const gc = (globalThis as unknown as { gc: () => void }).gc;
  const [, reader] = WAYS[w];
  const responses = BODIES.map(PATTERNS[p][1]);
  feedAll(reader, responses); // warm-up: code compiled, no first-use allocation counted
  gc();
  gc();
  const n = Math.round(ALLOC_EVENTS / (TOKENS + 1));
  const slice = responses.slice(0, n);
  console.log("BEGIN");
  const before = Deno.memoryUsage().heapUsed;
  feedAll(reader, slice);
  const grown = Deno.memoryUsage().heapUsed - before;
  console.log("END");
  console.log(JSON.stringify({ bytesPerEvent: grown / (n * (TOKENS + 1)) }));
}

async function allocation(w: number, p: number): Promise<string> {
  const flags = "--expose-gc,--min-semi-space-size=512,--max-semi-space-size=512,--trace-gc";
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `--v8-flags=${flags}`, SELF, "--alloc", `${w},${p}`],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`allocation child failed: ${text}`);
  const lines = text.trim().split("\n");
  const inside = lines.slice(lines.indexOf("BEGIN") + 1, lines.indexOf("END"));
  const { bytesPerEvent } = JSON.parse(lines.find((l) => l.startsWith('{"bytesPerEvent"'))!);
  return `${bytesPerEvent.toFixed(0)}${inside.length > 0 ? " (gc!)" : ""}`;
}

// ---------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = Deno.args;
  const alloc = args.indexOf("--alloc");
  if (alloc !== -1) {
    const [w, p] = args[alloc + 1].split(",").map(Number);
    allocChild(w, p);
    return;
  }
  const runsAt = args.indexOf("--runs");
  const runs = runsAt === -1 ? 7 : Number(args[runsAt + 1]);

  const table = new Table({
    head: ["reads", "way", "µs/event (median)", "runs", "bytes/event allocated"],
  });
  for (const [p, [pattern, reads]] of PATTERNS.entries()) {
    const responses = BODIES.map(reads);
    for (const [, reader] of WAYS) feedAll(reader, responses); // warm-up
    const times: number[][] = WAYS.map(() => []);
    for (let r = 0; r < runs; r++) {
      // Taking turns, so load on the shared machine falls on both alike.
      const order = r % 2 === 0 ? [0, 1] : [1, 0];
      for (const w of order) times[w].push(time(WAYS[w][1], responses));
    }
    for (const [w, [way]] of WAYS.entries()) {
      table.push([
        pattern,
        way,
        median(times[w]).toFixed(2),
        times[w].map((t) => t.toFixed(2)).join(" "),
        await allocation(w, p),
      ]);
    }
  }
  console.log(`SSE framing, ${EVENTS} events per run (${RESPONSES} responses of ${TOKENS} + 1)`);
  console.log(table.toString());

  const datas: string[] = [];
  for (const b of BODIES) {
    before((data) => {
      if (data !== "[DONE]") datas.push(data);
    }).feed(b.bytes, 0);
  }
  for (const data of datas.slice(0, 2000)) {
    if (parsed(data) !== extracted(data)) throw new Error(`extraction differs on ${data}`);
  }
  const json = new Table({ head: ["per event's data", "µs/event (median)", "runs"] });
  const jsonRuns: number[][] = [[], []];
  jsonTime(parsed, datas);
  jsonTime(extracted, datas);
  for (let r = 0; r < runs; r++) {
    jsonRuns[0].push(jsonTime(parsed, datas));
    jsonRuns[1].push(jsonTime(extracted, datas));
  }
  for (const [i, name] of ["JSON.parse + fields", "indexOf extraction"].entries()) {
    json.push([
      name,
      median(jsonRuns[i]).toFixed(2),
      jsonRuns[i].map((t) => t.toFixed(2)).join(" "),
    ]);
  }
  console.log(`\nReading the chunk, ${datas.length} events' data per run`);
  console.log(json.toString());
}

if (import.meta.main) await main();
