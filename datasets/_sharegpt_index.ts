/**
 * One streaming pass over a ShareGPT file that keeps, per conversation, only
 * where it is (byte offset and length) and whether it has a prompt/reply pair.
 *
 * The file is a single JSON array of ~670 MB for the usual
 * ShareGPT_V3_unfiltered_cleaned_split.json, so it is never read into one
 * string nor `JSON.parse`d whole: @streamparser/json's tokenizer and token
 * parser validate it chunk by chunk (every byte of it, so malformed JSON is
 * reported with its byte offset wherever it is), the parser hands over each
 * array element once complete and drops it (`keepStack: false`), and the
 * tokenizer's byte offsets give the element's extent. Sampling later re-reads
 * and `JSON.parse`s only the few elements it needs, so memory stays bounded by
 * the largest conversation, not the file.
 *
 * Why the library and not a hand-written byte scanner, measured on this
 * 2-core machine over the 670 MB ShareGPT-shaped file of
 * scripts/bench_datasets.ts, in the page cache (medians of 3):
 *
 * | pass over 670 MB (94k conversations)                   | time   | rate      |
 * | ------------------------------------------------------- | ------ | --------- |
 * | tokenizer + token parser, 64 KiB string buffer (chosen) | 2.5 s  | ~265 MB/s |
 * | the same with the library's default unbuffered strings  | 5.5 s  | ~120 MB/s |
 * | tokenizer alone, 64 KiB buffer (no grammar check)       | 2.2 s  | ~310 MB/s |
 * | byte scanner: depth + strings/escapes, `indexOf` jumps  | 0.37 s | ~1.8 GB/s |
 * | reading the file, no parsing                            | 0.05 s |           |
 * | SHA-256 of the file (node:crypto)                       | 0.40 s | ~1.7 GB/s |
 *
 * The library clears the 100 MB/s bar with room to spare, checks the whole
 * grammar (a scanner would only check the nesting, leaving a malformed
 * conversation to be found, or not, when sampled), and is maintained, so it
 * is used. Peak RSS of a whole cold load stays ~70 MiB above the ~150 MiB the
 * cl100k tokenizer takes. Were the ~2 s ever to matter more than full
 * validation, the scanner is the way to win them back.
 *
 * @module
 */
import {
  type ParsedTokenInfo,
  Tokenizer as JsonTokenizer,
  TokenizerError,
  TokenParser,
  TokenType,
} from "npm:@streamparser/json@0.0.26";
import { UsageError } from "../errors.ts";
import { DATASET_PATH_FLAG, fileProblem } from "./_dataset_file.ts";

/** An element with a human turn followed by an assistant turn. */
export const PAIR = 1;
/** An element that is not an object with a `conversations` array of turns. */
export const NOT_CONVERSATION = 2;
/** A conversation of fewer than two turns. */
export const TOO_FEW_TURNS = 3;
/** A conversation whose first human turn is not followed by an assistant turn. */
export const NO_PAIR = 4;

/** Status of one array element. */
export type ElementStatus =
  | typeof PAIR
  | typeof NOT_CONVERSATION
  | typeof TOO_FEW_TURNS
  | typeof NO_PAIR;

/** Where each element of the top-level array is, and what it is. */
export interface ShareGptIndex {
  /** Number of elements in the top-level array. */
  readonly count: number;
  /** Byte offset of each element in the file. */
  readonly starts: Float64Array;
  /** Byte length of each object element (0 for other elements, never read). */
  readonly lengths: Uint32Array;
  /** {@linkcode ElementStatus} of each element. */
  readonly status: Uint8Array;
}

/** `from` values of the user's side. ShareGPT dumps use "human"; some conversions "user". */
const HUMAN_ROLES = new Set(["human", "user"]);
/**
 * `from` values of the model's side. ShareGPT_V3 uses "gpt" and, in a few
 * hundred conversations, "chatgpt", "bing" or "bard"; conversions use
 * "assistant" or "model".
 */
const ASSISTANT_ROLES = new Set(["gpt", "chatgpt", "bing", "bard", "assistant", "model"]);

/** The prompt and reply of a conversation, or why it has none. */
export type Pair =
  | { status: typeof PAIR; prompt: string; reply: string }
  | { status: Exclude<ElementStatus, typeof PAIR> };

/**
 * The first human turn and the assistant turn right after it. A turn is an
 * object with string `from` and `value`; only the turns looked at are
 * checked.
 */
export function pairOf(element: unknown): Pair {
  if (typeof element !== "object" || element === null || Array.isArray(element)) {
    return { status: NOT_CONVERSATION };
  }
  const turns = (element as { conversations?: unknown }).conversations;
  if (!Array.isArray(turns)) return { status: NOT_CONVERSATION };
  if (turns.length < 2) return { status: TOO_FEW_TURNS };
  const human = turns.findIndex((turn) => HUMAN_ROLES.has(roleOf(turn)));
  if (human === -1 || human + 1 >= turns.length) return { status: NO_PAIR };
  const reply = turns[human + 1];
  if (!ASSISTANT_ROLES.has(roleOf(reply))) return { status: NO_PAIR };
  const promptText = (turns[human] as { value?: unknown }).value;
  const replyText = (reply as { value?: unknown }).value;
  if (typeof promptText !== "string" || typeof replyText !== "string") {
    return { status: NOT_CONVERSATION };
  }
  return { status: PAIR, prompt: promptText, reply: replyText };
}

function roleOf(turn: unknown): string {
  if (typeof turn !== "object" || turn === null) return "";
  const from = (turn as { from?: unknown }).from;
  return typeof from === "string" ? from : "";
}

/** Read size of the streaming pass; larger buys nothing measurable. */
const CHUNK_BYTES = 1 << 20;
/**
 * The tokenizer's string buffer: with 0 (its default) each string is built by
 * concatenation and the pass takes twice as long (see the table above).
 */
const STRING_BUFFER_BYTES = 1 << 16;

/** A growable typed array, so millions of elements cost bytes, not JS values. */
class Column<T extends Float64Array | Uint32Array | Uint8Array> {
  data: T;
  constructor(readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  set(i: number, value: number): void {
    if (i >= this.data.length) {
      const bigger = this.make(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[i] = value;
  }
}

/** A problem found while streaming, with the byte offset it was found at. */
class MalformedJson extends Error {
  constructor(readonly offset: number, readonly reason: string) {
    super(reason);
  }
}

const TOKEN_TEXT: Record<number, string> = {
  [TokenType.LEFT_BRACE]: '"{"',
  [TokenType.RIGHT_BRACE]: '"}"',
  [TokenType.LEFT_BRACKET]: '"["',
  [TokenType.RIGHT_BRACKET]: '"]"',
  [TokenType.COLON]: '":"',
  [TokenType.COMMA]: '","',
  [TokenType.TRUE]: "true",
  [TokenType.FALSE]: "false",
  [TokenType.NULL]: "null",
  [TokenType.STRING]: "a string",
  [TokenType.NUMBER]: "a number",
};

function isContainerOpen(token: TokenType): boolean {
  return token === TokenType.LEFT_BRACE || token === TokenType.LEFT_BRACKET;
}

function isContainerClose(token: TokenType): boolean {
  return token === TokenType.RIGHT_BRACE || token === TokenType.RIGHT_BRACKET;
}

/**
 * Streams `path` once and indexes its top-level array.
 *
 * @throws {UsageError} on `--dataset-path` when the file cannot be read, is
 *   not valid JSON (with the byte offset), or is not a JSON array.
 */
export async function indexShareGpt(path: string): Promise<ShareGptIndex> {
  const starts = new Column((n) => new Float64Array(n));
  const lengths = new Column((n) => new Uint32Array(n));
  const status = new Column((n) => new Uint8Array(n));
  let count = 0;
  let completed = 0;
  let depth = 0;
  let sawToken = false;
  // Bytes stripped before the tokenizer (a UTF-8 byte order mark): its
  // offsets are relative to what it was fed.
  let shift = 0;

  const tokens = new JsonTokenizer({ stringBufferSize: STRING_BUFFER_BYTES });
  // "$.*": each element of the top-level array, handed over once complete and
  // then dropped from the parser (keepStack: false), so nothing accumulates.
  const parser = new TokenParser({ paths: ["$.*"], keepStack: false });
  parser.onValue = ({ value }) => {
    status.set(completed++, pairOf(value).status);
  };
  tokens.onToken = (info: ParsedTokenInfo) => {
    const token = info.token;
    const offset = info.offset + shift;
    if (!sawToken) {
      sawToken = true;
      if (token !== TokenType.LEFT_BRACKET) throw new NotAnArray(token);
    }
    if (depth === 1 && token !== TokenType.COMMA && token !== TokenType.RIGHT_BRACKET) {
      // The first token of a new element.
      starts.set(count, offset);
      lengths.set(count, 0);
      count++;
    }
    if (isContainerOpen(token)) depth++;
    else if (isContainerClose(token)) {
      depth--;
      if (depth === 1) {
        const length = offset + 1 - starts.data[count - 1];
        if (length > 0xffffffff) {
          throw new MalformedJson(offset, "a conversation of over 4 GiB");
        }
        lengths.set(count - 1, length);
      }
    }
    try {
      parser.write(info);
    } catch {
      // The token parser checks the grammar but knows no offsets; the token does.
      const what = TOKEN_TEXT[token] ?? "a token";
      const where = parser.isEnded ? " after the end of the top-level array" : "";
      throw new MalformedJson(offset, `unexpected ${what}${where}`);
    }
  };

  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  let size = 0;
  try {
    const buffer = new Uint8Array(CHUNK_BYTES);
    for (;;) {
      const n = await file.read(buffer);
      if (n === null) break;
      let chunk = buffer.subarray(0, n);
      if (size === 0 && n >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) {
        shift = 3;
        chunk = chunk.subarray(3);
      }
      size += n;
      // write() consumes the bytes synchronously, so the buffer is reused.
      tokens.write(chunk);
    }
    tokens.end();
    if (!sawToken) throw new MalformedJson(0, "the file is empty");
    if (!parser.isEnded) throw new MalformedJson(size, "unexpected end of file (truncated?)");
  } catch (error) {
    throw asUsageError(error, path, shift);
  } finally {
    file.close();
  }
  if (completed !== count) {
    // Cannot happen for valid JSON; guards the offset bookkeeping.
    throw new Error(`ShareGPT index: ${count} elements started, ${completed} completed`);
  }
  return {
    count,
    starts: starts.data.slice(0, count),
    lengths: lengths.data.slice(0, count),
    status: status.data.slice(0, count),
  };
}

/** The top-level value is not an array. */
class NotAnArray extends Error {
  constructor(readonly token: TokenType) {
    super("not an array");
  }
}

function asUsageError(error: unknown, path: string, shift: number): unknown {
  if (error instanceof UsageError) return error;
  if (error instanceof NotAnArray) {
    const found = error.token === TokenType.LEFT_BRACE
      ? "an object"
      : (TOKEN_TEXT[error.token] ?? "something else");
    return new UsageError(
      DATASET_PATH_FLAG,
      `"${path}" is not a ShareGPT file: expected a JSON array of conversations, found ${found} at the top level`,
    );
  }
  if (error instanceof MalformedJson) {
    return new UsageError(
      DATASET_PATH_FLAG,
      `"${path}" is not valid JSON: ${error.reason} at byte ${error.offset}`,
    );
  }
  if (error instanceof TokenizerError) {
    const unexpected = /Unexpected "([^]*)" at chunk position "\d+" \(absolute position "(\d+)"\)/
      .exec(error.message);
    if (unexpected !== null) {
      return new UsageError(
        DATASET_PATH_FLAG,
        `"${path}" is not valid JSON: unexpected ${JSON.stringify(unexpected[1])} at byte ${
          Number(unexpected[2]) + shift
        }`,
      );
    }
    if (/ended in the middle of a token/.test(error.message)) {
      return new UsageError(
        DATASET_PATH_FLAG,
        `"${path}" is not valid JSON: unexpected end of file inside a value (truncated?)`,
      );
    }
    return new UsageError(DATASET_PATH_FLAG, `"${path}" is not valid JSON: ${error.message}`);
  }
  if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
    return new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
  return error;
}

/** An element re-read from the file no longer matches the index. */
export class StaleIndexError extends Error {
  override name = "StaleIndexError";
}

const decoder = new TextDecoder();

/**
 * Reads and parses element `i` of `index` from `file`.
 *
 * @throws {StaleIndexError} when the bytes there are not a JSON object (the
 *   file changed under a cached index).
 */
export async function readElement(
  file: Deno.FsFile,
  index: ShareGptIndex,
  i: number,
): Promise<unknown> {
  const length = index.lengths[i];
  const bytes = new Uint8Array(length);
  await file.seek(index.starts[i], Deno.SeekMode.Start);
  let got = 0;
  while (got < length) {
    const n = await file.read(bytes.subarray(got));
    if (n === null) throw new StaleIndexError(`element ${i} runs past the end of the file`);
    got += n;
  }
  if (length < 2 || bytes[0] !== 0x7b || bytes[length - 1] !== 0x7d) {
    throw new StaleIndexError(`element ${i} is not where the index says`);
  }
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    throw new StaleIndexError(`element ${i} is not valid JSON any more`);
  }
}
