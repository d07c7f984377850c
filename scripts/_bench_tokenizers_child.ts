/**
 * The measured side of `scripts/bench_tokenizers.ts`: one candidate library
 * and one encoding per process, so each load, RSS and peak is that library's
 * alone. No static import but `node:process` (for CPU time), so the
 * baseline before the load is the runtime's own.
 *
 * ```sh
 * deno run -A scripts/_bench_tokenizers_child.ts measure <candidate> <encoding> <corpus file> <prose file>
 * deno run -A scripts/_bench_tokenizers_child.ts identity <encoding> <corpus file> <seed>
 * ```
 *
 * Each prints one JSON line: a {@linkcode Measurement} or an
 * {@linkcode IdentityReport}.
 *
 * @module
 */
import process from "node:process";

/** An encoding as the candidates take it: ids of plain text, count, text of ids. */
export interface Codec {
  /** Ids of `text`, special-token strings being plain text. */
  encode(text: string): number[];
  /** `encode(text).length`, by the library's fastest path that gives it. */
  count(text: string): number;
  /** Text of `ids`, as the library decodes it. */
  decode(ids: number[]): string;
}

/** The encodings benchmarked: every one mib lists. */
export type BenchEncoding =
  | "cl100k_base"
  | "o200k_base"
  | "p50k_base"
  | "p50k_edit"
  | "r50k_base"
  | "gpt2";

// Every specifier is spelled out so `deno check` and the lock file see them all.
const JS_TIKTOKEN_RANKS = {
  cl100k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/cl100k_base"),
  o200k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/o200k_base"),
  p50k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/p50k_base"),
  p50k_edit: () => import("npm:js-tiktoken@^1.0.21/ranks/p50k_edit"),
  r50k_base: () => import("npm:js-tiktoken@^1.0.21/ranks/r50k_base"),
  gpt2: () => import("npm:js-tiktoken@^1.0.21/ranks/gpt2"),
};

async function jsTiktoken(encoding: BenchEncoding): Promise<Codec> {
  const { Tiktoken } = await import("npm:js-tiktoken@^1.0.21/lite");
  const tiktoken = new Tiktoken((await JS_TIKTOKEN_RANKS[encoding]()).default);
  // Empty allowed and disallowed lists: special-token strings are plain text.
  const encode = (text: string) => tiktoken.encode(text, [], []);
  return { encode, count: (text) => encode(text).length, decode: (ids) => tiktoken.decode(ids) };
}

const GPT_TOKENIZER = {
  cl100k_base: () => import("npm:gpt-tokenizer@^4.0.0/encoding/cl100k_base"),
  o200k_base: () => import("npm:gpt-tokenizer@^4.0.0/encoding/o200k_base"),
  p50k_base: () => import("npm:gpt-tokenizer@^4.0.0/encoding/p50k_base"),
  p50k_edit: () => import("npm:gpt-tokenizer@^4.0.0/encoding/p50k_edit"),
  r50k_base: () => import("npm:gpt-tokenizer@^4.0.0/encoding/r50k_base"),
  gpt2: () => import("npm:gpt-tokenizer@^4.0.0/encoding/gpt2"),
};

async function gptTokenizer(encoding: BenchEncoding): Promise<Codec> {
  const api = (await GPT_TOKENIZER[encoding]()).default;
  // An empty disallowed set is what makes special-token strings plain text;
  // by default gpt-tokenizer throws on them.
  const plain = { disallowedSpecial: new Set<string>() };
  return {
    encode: (text) => api.encode(text, plain),
    count: (text) => api.countTokens(text, plain),
    decode: (ids) => api.decode(ids),
  };
}

const utf8 = new TextDecoder();

/** The WASM bindings with every rank table built into one 5.6 MB module. */
async function tiktokenFull(encoding: BenchEncoding): Promise<Codec> {
  const { get_encoding } = await import("npm:tiktoken@^1.0.22");
  const tiktoken = get_encoding(encoding);
  return wasmCodec(tiktoken);
}

const TIKTOKEN_RANKS = {
  cl100k_base: () => import("npm:tiktoken@^1.0.22/encoders/cl100k_base"),
  o200k_base: () => import("npm:tiktoken@^1.0.22/encoders/o200k_base"),
  p50k_base: () => import("npm:tiktoken@^1.0.22/encoders/p50k_base"),
  p50k_edit: () => import("npm:tiktoken@^1.0.22/encoders/p50k_edit"),
  r50k_base: () => import("npm:tiktoken@^1.0.22/encoders/r50k_base"),
  gpt2: () => import("npm:tiktoken@^1.0.22/encoders/gpt2"),
};

/** The WASM bindings' lite build, given the one rank table used. */
async function tiktokenLite(encoding: BenchEncoding): Promise<Codec> {
  const { Tiktoken } = await import("npm:tiktoken@^1.0.22/lite");
  // The rank modules are CommonJS, whose `default` is the table itself;
  // their types say it is the module, hence the cast.
  const ranks = (await TIKTOKEN_RANKS[encoding]()).default as unknown as WasmRanks;
  return wasmCodec(new Tiktoken(ranks.bpe_ranks, ranks.special_tokens, ranks.pat_str));
}

interface WasmRanks {
  bpe_ranks: string;
  special_tokens: Record<string, number>;
  pat_str: string;
}

interface WasmTiktoken {
  encode_ordinary(text: string): Uint32Array;
  decode(tokens: Uint32Array): Uint8Array;
}

function wasmCodec(tiktoken: WasmTiktoken): Codec {
  // encode_ordinary ignores special tokens altogether: they are plain text.
  // The encoder lives in WASM memory until free(); a benchmark process never frees it.
  const encode = (text: string) => Array.from(tiktoken.encode_ordinary(text));
  return {
    encode,
    count: (text) => tiktoken.encode_ordinary(text).length,
    decode: (ids) => utf8.decode(tiktoken.decode(Uint32Array.from(ids))),
  };
}

/** What mib ships: gpt-tokenizer behind `tokenizers/_tiktoken.ts`, with its own decode. */
async function mib(encoding: BenchEncoding): Promise<Codec> {
  const { loadTiktoken } = await import("../tokenizers/_tiktoken.ts");
  const codec = await loadTiktoken(encoding);
  return { encode: codec.encode, count: codec.count, decode: codec.decode };
}

/** The libraries compared, by the name the table shows; `js-tiktoken` is the reference. */
export const CANDIDATES: Readonly<Record<string, (encoding: BenchEncoding) => Promise<Codec>>> = {
  "js-tiktoken": jsTiktoken,
  "gpt-tokenizer": gptTokenizer,
  "tiktoken (WASM)": tiktokenFull,
  "tiktoken/lite (WASM)": tiktokenLite,
  "mib (tokenizers/_tiktoken.ts)": mib,
};

/**
 * Splits `text` into pieces of about `size` characters, each ending at a
 * line break (or the end), as prompts and outputs reach a tokenizer.
 */
export function chunks(text: string, size: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start + size);
    end = end === -1 ? text.length : end + 1;
    out.push(text.slice(start, end));
    start = end;
  }
  return out;
}

/** The size of the pieces the throughput passes encode. */
export const CHUNK_CHARS = 4096;

/** One candidate's figures for one encoding, in one process. */
export interface Measurement {
  /** Wall time of the import and construction. */
  loadMs: number;
  /** CPU time (user + system, every thread) of the import and construction. */
  loadCpuMs: number;
  /** RSS before the import (MiB): the runtime, the corpus. */
  rssBeforeMb: number;
  /** RSS right after the construction (MiB). */
  rssLoadedMb: number;
  /** Tokens of the corpus, by `encode`. */
  tokens: number;
  /**
   * Tokens per second of the first `encode` pass over the English prose
   * file's pieces (the first text the encoder sees), in millions.
   */
  proseMtps: number;
  /** Tokens per second of the first `encode` pass over the corpus's pieces, in millions. */
  encodeMtps: number;
  /** Tokens per second of a `count` pass, after the encode pass, in millions. */
  countMtps: number;
  /** The peak RSS of the whole process (VmHWM, MiB), after every pass. */
  rssPeakMb: number;
}

const MiB = 1024 * 1024;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function peakRssMb(): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
    if (kb !== undefined) return Number(kb) / 1024;
  } catch {
    // not Linux: the current RSS is the best there is
  }
  return Deno.memoryUsage().rss / MiB;
}

/** Encodes every piece with `encode`, returning the tokens and the seconds it took. */
function pass(pieces: readonly string[], encode: (text: string) => number): [number, number] {
  const t = performance.now();
  let tokens = 0;
  for (const piece of pieces) tokens += encode(piece);
  return [tokens, (performance.now() - t) / 1000];
}

/**
 * Loads `candidate` for `encoding`, then encodes the prose at `prosePath`,
 * and encodes and counts the corpus at `path`.
 */
export async function measure(
  candidate: string,
  encoding: BenchEncoding,
  path: string,
  prosePath: string,
): Promise<Measurement> {
  const pieces = chunks(await Deno.readTextFile(path), CHUNK_CHARS);
  const prose = chunks(await Deno.readTextFile(prosePath), CHUNK_CHARS);
  const rssBeforeMb = Deno.memoryUsage().rss / MiB;
  const cpu0 = cpuMs();
  const t0 = performance.now();
  const codec = await CANDIDATES[candidate](encoding);
  const loadMs = performance.now() - t0;
  const loadCpuMs = cpuMs() - cpu0;
  const rssLoadedMb = Deno.memoryUsage().rss / MiB;

  const [proseTokens, proseS] = pass(prose, (text) => codec.encode(text).length);
  const [tokens, encodeS] = pass(pieces, (text) => codec.encode(text).length);
  const [counted, countS] = pass(pieces, codec.count);
  if (counted !== tokens) throw new Error(`${candidate}: count ${counted} ≠ encode ${tokens}`);
  return {
    loadMs,
    loadCpuMs,
    rssBeforeMb,
    rssLoadedMb,
    tokens,
    proseMtps: proseTokens / proseS / 1e6,
    encodeMtps: tokens / encodeS / 1e6,
    countMtps: tokens / countS / 1e6,
    rssPeakMb: peakRssMb(),
  };
}

/** A piece of text on which a candidate disagrees with js-tiktoken. */
export interface Mismatch {
  /** The candidate. */
  candidate: string;
  /**
   * What differs: the ids, the count, the decoded text of a piece's
   * reference ids, or the text of one id decoded alone (`piece` is then `id N`).
   */
  what: "ids" | "count" | "decode" | "decode1";
  /** Which piece: `line N`, `slice N`, `chunk N`, `corpus`, or `id N`. */
  piece: string;
  /** The first differing id's index (ids), else -1. */
  at: number;
  /** The piece, JSON-quoted and cut to 80 characters (for `decode1`, what js-tiktoken gave). */
  text: string;
  /** For `decode1`: what the candidate gave, JSON-quoted. */
  got?: string;
}

/** What the identity check found for one encoding. */
export interface IdentityReport {
  /** Pieces compared. */
  pieces: number;
  /** Tokens in them, by js-tiktoken. */
  tokens: number;
  /** Candidates that could not be loaded, with why. */
  failed: Record<string, string>;
  /** Per candidate: mismatches found (the first 20 of each are in `mismatches`). */
  counts: Record<string, Record<Mismatch["what"], number>>;
  /** The first mismatches. */
  mismatches: Mismatch[];
  /** For gpt2: whether js-tiktoken's gpt2 rank table equals its r50k_base one. */
  gpt2IsR50k?: boolean;
}

/** A small seeded generator (mulberry32), so the slices are the same every run. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * The pieces the identity check encodes: every line (without its line
 * break), every line with it, `slices` random slices (a UTF-16 cut, so some
 * split a surrogate pair and hold a lone surrogate), the throughput chunks
 * and the whole corpus.
 */
export function identityPieces(text: string, seed: number, slices = 2000): [string, string][] {
  const pieces: [string, string][] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => pieces.push([`line ${i + 1}`, line]));
  lines.forEach((line, i) => pieces.push([`line ${i + 1} + \\n`, line + "\n"]));
  const random = mulberry32(seed);
  for (let i = 0; i < slices; i++) {
    // Log-uniform lengths, 1 to 4096 characters: many short, some long.
    const length = Math.ceil(Math.exp(random() * Math.log(4096)));
    const start = Math.floor(random() * Math.max(1, text.length - length));
    pieces.push([`slice ${i + 1} (${start}+${length})`, text.slice(start, start + length)]);
  }
  chunks(text, CHUNK_CHARS).forEach((chunk, i) => pieces.push([`chunk ${i + 1}`, chunk]));
  pieces.push(["corpus", text]);
  return pieces;
}

/** Compares every candidate's ids, counts and decoding with js-tiktoken's on the corpus's pieces. */
export async function identity(
  encoding: BenchEncoding,
  path: string,
  seed: number,
): Promise<IdentityReport> {
  const pieces = identityPieces(await Deno.readTextFile(path), seed);
  const reference = await CANDIDATES["js-tiktoken"](encoding);
  const expected = pieces.map(([, text]) => reference.encode(text));
  const report: IdentityReport = {
    pieces: pieces.length,
    tokens: expected.reduce((sum, ids) => sum + ids.length, 0),
    failed: {},
    counts: {},
    mismatches: [],
  };
  for (const [name, load] of Object.entries(CANDIDATES)) {
    if (name === "js-tiktoken") continue;
    let codec: Codec;
    try {
      codec = await load(encoding);
    } catch (error) {
      report.failed[name] = error instanceof Error ? error.message : String(error);
      continue;
    }
    const counts = { ids: 0, count: 0, decode: 0, decode1: 0 };
    report.counts[name] = counts;
    const note = (
      what: Mismatch["what"],
      piece: string,
      text: string,
      at: number,
      got?: string,
    ) => {
      counts[what]++;
      if (counts[what] > 5) return;
      report.mismatches.push({
        candidate: name,
        what,
        piece,
        at,
        text: JSON.stringify(text).slice(0, 80),
        got: got === undefined ? undefined : JSON.stringify(got),
      });
    };
    pieces.forEach(([piece, text], index) => {
      const want = expected[index];
      let got: number[];
      try {
        got = codec.encode(text);
      } catch {
        got = [];
      }
      const at = firstDifference(want, got);
      if (at !== -1) note("ids", piece, text, at);
      let count: number;
      try {
        count = codec.count(text);
      } catch {
        count = -1;
      }
      if (count !== want.length) note("count", piece, text, -1);
      let decoded: string | undefined;
      try {
        decoded = codec.decode(want);
      } catch {
        decoded = undefined;
      }
      if (decoded !== reference.decode(want)) note("decode", piece, text, -1);
    });
    // One id at a time, one call after another: ids that end inside a
    // character must give U+FFFD, and must not leave bytes behind for the next call.
    for (const id of new Set(expected.flat())) {
      const want = reference.decode([id]);
      let got: string | undefined;
      try {
        got = codec.decode([id]);
      } catch {
        got = undefined;
      }
      if (got !== want) note("decode1", `id ${id}`, want, -1, got ?? "(threw)");
    }
  }
  if (encoding === "gpt2") {
    const [gpt2, r50k] = await Promise.all([
      JS_TIKTOKEN_RANKS.gpt2(),
      JS_TIKTOKEN_RANKS.r50k_base(),
    ]);
    report.gpt2IsR50k = JSON.stringify(gpt2.default) === JSON.stringify(r50k.default);
  }
  return report;
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  const result = mode === "measure"
    ? await measure(args[0], args[1] as BenchEncoding, args[2], args[3])
    : await identity(args[0] as BenchEncoding, args[1], Number(args[2]));
  console.log(JSON.stringify(result));
}
