/**
 * Prompts from a plain text or JSONL file (`--dataset-name other
 * --dataset-path F`).
 *
 * - **Plain text**: each prompt is a window of the file holding exactly the
 *   asked number of tokens. Cutting a token slice and decoding it does not
 *   give that: the BPE merges differently at the edges and a cut may split a
 *   multi-byte character. So a window starts at a word (a non-space after a
 *   space, where tiktoken's pre-tokenizers always cut), a slice a little
 *   longer than needed is encoded, its first L tokens are decoded, and that
 *   text is re-encoded: if it is not exactly L tokens, the cut moves a token
 *   either way; failing that (or when decoding does not give back the file's
 *   text, as some Hugging Face decoders' clean-ups do), the cut is found by
 *   bisecting on characters and counting; failing that, the window moves.
 *   Every prompt returned has been re-encoded to its length. Starts are drawn with `seededSource(seed,
 *   "text-windows")` among the positions that leave room for the longest
 *   window; the file is read whole (prompts files are small next to a
 *   ShareGPT dump), but only the windows and the file's last tokens are ever
 *   tokenized.
 * - **JSONL** (a `.jsonl` name, or a first non-blank line that is a JSON
 *   object): one `{"prompt": "..."}` per line, optionally with `output_len`
 *   or `max_tokens`. Prompts are sent as given and measured; the lines are
 *   taken in a seeded shuffle (`seededSource(seed, "jsonl")`, as vLLM's custom
 *   dataset does) or in file order with `inOrder`. Fewer lines than requests:
 *   all are used and the rest drawn again with replacement, with a note.
 *
 * @example
 * ```ts
 * const tokenizer = await loadTokenizer("cl100k_base");
 * const { prompts } = await loadTextPrompts({
 *   path: "book.txt",
 *   tokenizer,
 *   count: 100,
 *   seed: 0,
 *   inputLens: sampleLengths({ kind: "uniform", min: 200, max: 400 }, 100, 0, "input-tokens"),
 *   outputLens: sampleLengths({ kind: "constant", value: 128 }, 100, 0, "output-tokens"),
 * });
 * ```
 *
 * @module
 */
import { readLines } from "../io/lines.ts";
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import type { DatasetPrompt } from "./prompt.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import {
  DATASET_PATH_FLAG,
  fileProblem,
  formatCount,
  LazyShuffle,
  statDatasetFile,
} from "./_dataset_file.ts";

export type { DatasetPrompt };

/** Options of {@linkcode loadTextPrompts}. */
export interface TextPromptOptions {
  /** The text or JSONL file (`--dataset-path`). */
  path: string;
  /** Tokenizer that measures the prompts. */
  tokenizer: Tokenizer;
  /** Number of prompts to return (one per request). */
  count: number;
  /** Seed of the run: window starts, the JSONL shuffle, draws with replacement. */
  seed: number;
  /**
   * Plain text: the exact token length of each request's window (at least
   * `count` entries). JSONL: not used, the prompts are measured as they are.
   */
  inputLens: readonly number[];
  /**
   * Fixed output lengths, one per request (at least `count`), e.g. from an
   * explicit `--output-token-distribution`. They win over a JSONL line's own.
   */
  outputLens?: readonly number[];
  /**
   * Output lengths for the prompts that get theirs neither from `outputLens`
   * nor from their line: every window of a plain text file, JSONL lines
   * without `output_len`/`max_tokens`. Typically drawn from the default
   * output distribution. Without it such a prompt is a {@linkcode UsageError}.
   */
  defaultOutputLens?: readonly number[];
  /** JSONL: use the lines in file order instead of a seeded shuffle (vLLM's `--disable-shuffle`). */
  inOrder?: boolean;
}

/** Result of {@linkcode loadTextPrompts}. */
export interface TextPromptResult {
  /** `count` prompts, in request order. */
  prompts: DatasetPrompt[];
  /** Things the user should know, e.g. sampling with replacement; one line each. */
  notes: string[];
  /** How the file was read. */
  format: "text" | "jsonl";
}

/**
 * Loads `count` prompts from a plain text or JSONL file (see the module
 * documentation for how each is read).
 *
 * @throws {UsageError} on `--dataset-path` when the file is missing or empty,
 *   a JSONL line is not valid JSON or has no string `"prompt"` (with its line
 *   number), a line's `output_len` is not a positive integer, a prompt has no
 *   output length from anywhere, or a plain text file holds fewer tokens than
 *   the longest window asked for.
 * @throws {RangeError} when `count` is not a non-negative integer or a
 *   lengths array is shorter than `count`, or a window length is not a
 *   positive integer.
 */
export async function loadTextPrompts(options: TextPromptOptions): Promise<TextPromptResult> {
  const { path, count } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  for (const name of ["outputLens", "defaultOutputLens"] as const) {
    const lens = options[name];
    if (lens !== undefined && lens.length < count) {
      throw new RangeError(`${name} has ${lens.length} entries for ${count} requests`);
    }
  }
  await statDatasetFile(path);
  const first = await firstLine(path);
  if (first === undefined) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" is empty: no prompt to send`);
  }
  if (/\.jsonl$/i.test(path) || looksLikeJsonObject(first)) return await fromJsonl(options);
  return await fromText(options);
}

/** Output length of request `k` when neither the caller nor the file fixes it. */
function fallbackOutputLen(options: TextPromptOptions, k: number, what: string): number {
  const len = options.defaultOutputLens?.[k];
  if (len === undefined) {
    throw new UsageError(
      DATASET_PATH_FLAG,
      `${what} has no output length: give --output-token-distribution${
        what.startsWith("line") ? ', or "output_len" on the line' : ""
      }`,
    );
  }
  return len;
}

// ---------------------------------------------------------------------------
// Lines

/** The file's lines; a file that cannot be opened is a usage error. */
async function* lines(path: string): AsyncGenerator<string> {
  const all = readLines(path);
  let first: IteratorResult<string>;
  try {
    first = await all.next();
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  if (first.done) return;
  yield first.value;
  yield* all;
}

/** The first line that is not blank, if any. */
async function firstLine(path: string): Promise<string | undefined> {
  for await (const line of lines(path)) if (line.trim() !== "") return line;
  return undefined;
}

function looksLikeJsonObject(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed.startsWith("{")) return false;
  try {
    const value = JSON.parse(trimmed);
    return typeof value === "object" && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// JSONL

interface JsonlEntry {
  prompt: string;
  /** The line's own output length, if it has one. */
  outputLen?: number;
  /** 1-based line number, for messages. */
  line: number;
}

async function readJsonl(path: string): Promise<JsonlEntry[]> {
  const entries: JsonlEntry[] = [];
  let number = 0;
  for await (const raw of lines(path)) {
    number++;
    const line = raw.trim();
    if (line === "") continue;
    const at = `"${path}" line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new UsageError(
        DATASET_PATH_FLAG,
        `${at} is not valid JSON (${error instanceof Error ? error.message : error})`,
      );
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new UsageError(DATASET_PATH_FLAG, `${at}: expected an object {"prompt": "..."}`);
    }
    const record = value as Record<string, unknown>;
    if (typeof record.prompt !== "string" || record.prompt === "") {
      throw new UsageError(
        DATASET_PATH_FLAG,
        `${at}: expected a non-empty string "prompt", got ${
          JSON.stringify(record.prompt) ?? "none"
        }`,
      );
    }
    const entry: JsonlEntry = { prompt: record.prompt, line: number };
    for (const key of ["output_len", "max_tokens"]) {
      const len = record[key];
      if (len === undefined || len === null) continue;
      if (typeof len !== "number" || !Number.isSafeInteger(len) || len < 1) {
        throw new UsageError(
          DATASET_PATH_FLAG,
          `${at}: "${key}" must be a positive integer, got ${JSON.stringify(len)}`,
        );
      }
      // output_len first: it is the benchmark's own name for it.
      entry.outputLen ??= len;
    }
    entries.push(entry);
  }
  return entries;
}

async function fromJsonl(options: TextPromptOptions): Promise<TextPromptResult> {
  const { path, tokenizer, count, seed } = options;
  const entries = await readJsonl(path);
  if (entries.length === 0) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" has no {"prompt": ...} line`);
  }
  const notes: string[] = [];
  const picks: number[] = [];
  const order = options.inOrder ? undefined : new LazyShuffle(
    entries.length,
    seededSource(seed, "jsonl"),
  );
  for (let k = 0; k < Math.min(count, entries.length); k++) picks.push(order?.take() ?? k);
  if (count > entries.length) {
    const next = seededSource(seed, "jsonl-replacement");
    while (picks.length < count) picks.push(Math.floor(next() * entries.length));
    notes.push(
      `"${path}" has ${formatCount(entries.length)} prompts for ${
        formatCount(count)
      } requests: all are used, and the other ${
        formatCount(count - entries.length)
      } requests reuse prompts drawn with replacement`,
    );
  }
  const lengths = new Map<number, number>(); // measured once per line
  const prompts = picks.map((i, k): DatasetPrompt => {
    const entry = entries[i];
    let promptLen = lengths.get(i);
    if (promptLen === undefined) {
      promptLen = tokenizer.count(entry.prompt);
      lengths.set(i, promptLen);
    }
    const outputLen = options.outputLens?.[k] ?? entry.outputLen ??
      fallbackOutputLen(options, k, `line ${entry.line} of "${path}"`);
    return { text: entry.prompt, promptLen, outputLen };
  });
  return { prompts, notes, format: "jsonl" };
}

// ---------------------------------------------------------------------------
// Plain text windows

/** Places a window is tried at before giving up. */
const MAX_WINDOW_ATTEMPTS = 32;
/** Cut points tried around the L-th token: L, L+1, L-1, L+2, ... */
const CUT_OFFSETS = [0, 1, -1, 2, -2, 3, -3, 4, -4];
/** How far a start looks for a word before settling for any character. */
const WORD_SEARCH_CHARS = 256;

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 ||
    code === 0x3000 || (code >= 0x2000 && code <= 0x200a) || code === 0x2028 ||
    code === 0x2029 || code === 0x85 || code === 0x1680 || code === 0x202f ||
    code === 0x205f || code === 0xfeff;
}

/** Whether a word starts at `i`: a non-space after a space, or the text's start. */
function isWordStart(text: string, i: number): boolean {
  return i === 0 || (!isSpace(text.charCodeAt(i)) && isSpace(text.charCodeAt(i - 1)));
}

/**
 * The word start nearest after `pos` within `[0, limit]`, else the one
 * before, else `pos` itself moved off the second half of a surrogate pair.
 */
function snapToWord(text: string, pos: number, limit: number): number {
  const forward = Math.min(limit, pos + WORD_SEARCH_CHARS);
  for (let i = pos; i <= forward; i++) if (isWordStart(text, i)) return i;
  const backward = Math.max(0, pos - WORD_SEARCH_CHARS);
  for (let i = pos - 1; i >= backward; i--) if (isWordStart(text, i)) return i;
  const code = text.charCodeAt(pos);
  return code >= 0xdc00 && code <= 0xdfff && pos > 0 ? pos - 1 : pos;
}

async function fromText(options: TextPromptOptions): Promise<TextPromptResult> {
  const { path, tokenizer, count, seed, inputLens } = options;
  if (inputLens.length < count) {
    throw new RangeError(`inputLens has ${inputLens.length} entries for ${count} requests`);
  }
  const lens = inputLens.slice(0, count);
  for (const len of lens) {
    if (!Number.isSafeInteger(len) || len < 1) {
      throw new RangeError(`window lengths must be positive integers, got ${len}`);
    }
  }
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // a byte order mark is not content
  if (count === 0) return { prompts: [], notes: [], format: "text" };

  // Where the last window may start: the file's tail must hold the longest
  // one. Counting only that tail keeps this O(longest window), not O(file).
  const longest = lens.reduce((a, b) => Math.max(a, b), 0); // no spread: lens may be huge
  let tail = Math.min(text.length, longest * 8 + 64);
  let tailTokens: number;
  for (;;) {
    tailTokens = tokenizer.count(text.slice(text.length - tail));
    // One token of margin: a start a little earlier can merge a token away.
    if (tailTokens > longest || tail === text.length) break;
    tail = Math.min(text.length, tail * 2);
  }
  if (tailTokens < longest) {
    throw new UsageError(
      DATASET_PATH_FLAG,
      `"${path}" holds ${
        formatCount(tailTokens)
      } tokens, fewer than the longest prompt asked for (${
        formatCount(longest)
      } tokens from --input-token-distribution); use a longer file or shorter prompts`,
    );
  }
  const limit = text.length - tail;
  let charsPerToken = tail / Math.max(1, tailTokens);
  const next = seededSource(seed, "text-windows");

  const prompts = lens.map((len, k): DatasetPrompt => {
    for (let attempt = 0; attempt < MAX_WINDOW_ATTEMPTS; attempt++) {
      const start = snapToWord(text, Math.floor(next() * (limit + 1)), limit);
      const window = cutWindow(text, start, len, charsPerToken, tokenizer);
      if (window === undefined) continue;
      charsPerToken = 0.9 * charsPerToken + 0.1 * (window.length / len);
      const outputLen = options.outputLens?.[k] ??
        fallbackOutputLen(options, k, `a window of "${path}"`);
      return { text: window, promptLen: len, outputLen };
    }
    throw new UsageError(
      DATASET_PATH_FLAG,
      `could not cut a window of exactly ${len} tokens from "${path}" in ${MAX_WINDOW_ATTEMPTS} places`,
    );
  });
  return { prompts, notes: [], format: "text" };
}

/**
 * The text from `start` that encodes to exactly `len` tokens, or `undefined`
 * when no cut near the `len`-th token gives that (or the file ends first).
 */
function cutWindow(
  text: string,
  start: number,
  len: number,
  charsPerToken: number,
  tokenizer: Tokenizer,
): string | undefined {
  let span = Math.ceil(len * charsPerToken * 1.2) + 32;
  let slice: string;
  let ids: number[];
  for (;;) {
    slice = text.slice(start, start + span);
    ids = tokenizer.encode(slice);
    // One token past len, so the len-th is not the slice's truncated last piece.
    if (ids.length > len + 1 || start + span >= text.length) break;
    span *= 2;
  }
  if (ids.length < len) return undefined; // the file ends first
  for (const offset of CUT_OFFSETS) {
    const cut = len + offset;
    if (cut < 1 || cut > ids.length) continue;
    const candidate = tokenizer.decode(ids.slice(0, cut));
    // A cut inside a multi-byte character decodes to U+FFFD: not the file's text.
    if (!slice.startsWith(candidate)) continue;
    // The check that makes the length exact: re-encode what will be sent.
    if (tokenizer.count(candidate) === len) return candidate;
  }
  return cutByCounting(slice, len, tokenizer);
}

/** Character positions tried past the first one that reaches the length. */
const COUNT_SEARCH_CHARS = 8;

/**
 * The fallback when no decoded cut works (a tokenizer whose decode does not
 * give back the text, or cuts that all land inside characters): bisect on
 * the character end of `slice` for the first prefix reaching `len` tokens,
 * then try a few characters on for one of exactly `len`. About log2(slice
 * length) encodes, so only used when the cheap way fails.
 */
function cutByCounting(slice: string, len: number, tokenizer: Tokenizer): string | undefined {
  const count = (end: number) => tokenizer.count(slice.slice(0, end));
  if (count(slice.length) < len) return undefined;
  // count(lo) < len <= count(hi); counts grow with the end, if not strictly.
  let lo = 0;
  let hi = slice.length;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (count(mid) >= len) hi = mid;
    else lo = mid;
  }
  for (let end = hi; end <= Math.min(slice.length, hi + COUNT_SEARCH_CHARS); end++) {
    const last = slice.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) continue; // would split a surrogate pair
    if (count(end) === len) return slice.slice(0, end);
  }
  return undefined;
}
