/**
 * Prompts cut from a plain text file: each prompt is a window of the file
 * holding exactly the asked number of tokens.
 *
 * Cutting a token slice and decoding it does not give that: the BPE merges
 * differently at the edges and a cut may split a multi-byte character. So a
 * window starts at a word (a non-space after a space, where tiktoken's
 * pre-tokenizers always cut), a slice a little longer than needed is encoded,
 * its first L tokens are decoded, and that text is re-encoded: if it is not
 * exactly L tokens, the cut moves a token either way; failing that (or when
 * decoding does not give back the file's text, as some Hugging Face decoders'
 * clean-ups do), the cut is found by bisecting on characters and counting;
 * failing that, the window moves. Every prompt returned has been re-encoded
 * to its length. Starts are drawn with `seededSource(seed, "text-windows")`
 * among the positions that leave room for the longest window; the file is
 * read whole (prompts files are small next to a ShareGPT dump), but only the
 * windows and the file's last tokens are ever tokenized.
 *
 * One of the two formats of the `other` dataset (`other.ts` tells them apart).
 *
 * @example
 * ```ts
 * import { sampleLengths } from "../distributions/mod.ts";
 * import { loadTokenizer } from "../tokenizers/mod.ts";
 *
 * const { prompts } = await loadTextWindows({
 *   path: "book.txt",
 *   tokenizer: await loadTokenizer("cl100k_base"),
 *   count: 100,
 *   seed: 0,
 *   inputLens: sampleLengths({ kind: "uniform", min: 200, max: 400 }, 100, 0, "input-lengths"),
 *   outputLens: sampleLengths({ kind: "constant", value: 128 }, 100, 0, "output-lengths"),
 * });
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import type { DatasetPrompt, SampledPrompts } from "./types.ts";
import {
  checkRequestCount,
  DATASET_PATH_FLAG,
  fallbackOutputLen,
  fileProblem,
  formatCount,
} from "./_dataset_file.ts";

/** Options of {@linkcode loadTextWindows}. */
export interface TextWindowOptions {
  /** The text file (`--dataset-path`). */
  path: string;
  /** Tokenizer that measures the windows. */
  tokenizer: Tokenizer;
  /** Number of prompts to return (one per request). */
  count: number;
  /** Seed of the run: where the windows start. */
  seed: number;
  /** The exact token length of each request's window (at least `count` entries). */
  inputLens: readonly number[];
  /** Fixed output lengths, one per request (at least `count`). */
  outputLens?: readonly number[];
  /**
   * Output lengths when `outputLens` is not given, typically drawn from the
   * default output distribution. Without either, a {@linkcode UsageError}.
   */
  defaultOutputLens?: readonly number[];
}

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

/**
 * Loads `count` windows of a plain text file, window `k` exactly
 * `inputLens[k]` tokens (see the module documentation).
 *
 * @throws {UsageError} on `--dataset-path` when the file cannot be read,
 *   holds fewer tokens than the longest window, no window of a length can be
 *   cut, or a window has no output length from anywhere.
 * @throws {RangeError} when `count` is not a non-negative integer, a lengths
 *   array is shorter than `count`, or a window length is not a positive
 *   integer.
 */
export async function loadTextWindows(options: TextWindowOptions): Promise<SampledPrompts> {
  const { path, tokenizer, count, seed, inputLens } = options;
  checkRequestCount(count, {
    outputLens: options.outputLens,
    defaultOutputLens: options.defaultOutputLens,
    inputLens,
  });
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
  if (count === 0) return { prompts: [], notes: [] };

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
        fallbackOutputLen(options.defaultOutputLens, k, `a window of "${path}"`);
      return { text: window, promptLen: len, outputLen };
    }
    throw new UsageError(
      DATASET_PATH_FLAG,
      `could not cut a window of exactly ${len} tokens from "${path}" in ${MAX_WINDOW_ATTEMPTS} places`,
    );
  });
  return { prompts, notes: [] };
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
