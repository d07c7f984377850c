/**
 * Reading a trace file, streamed a line at a time, into the few typed arrays
 * a replay needs: send offsets and the two token counts per row (and
 * Mooncake's hash ids). A trace of millions of rows costs 16 bytes a row.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { readLines } from "../io/lines.ts";
import { fileProblem } from "../datasets/_dataset_file.ts";
import { TRACE_FORMATS, type TraceFormat, type TraceRow } from "./formats.ts";

/** The flag a trace's errors name (its words `trace FILE` follow in the message). */
export const TRACE_FLAG = "--request-distribution";

/** How much of a trace to replay, and how fast. */
export interface TraceOptions {
  /** `--trace-speedup`: offsets are divided by this (default 1). */
  speedup?: number;
  /** `--trace-start`: rows less than this many seconds into the trace are skipped (default 0). */
  start?: number;
  /** `--trace-limit`: at most this many rows are replayed. */
  limit?: number;
  /** `--max-time-for-reqs`: only rows whose offset (after the speedup) is below this. */
  maxTime?: number;
}

/** A trace read for replay. */
export interface Trace {
  /** The format it was read as. */
  format: string;
  /** Send offsets, seconds from the first replayed row (after the speedup), ascending. */
  offsets: Float64Array;
  /** Prompt tokens of each replayed row. */
  inputLens: Uint32Array;
  /** Output tokens of each replayed row. */
  outputLens: Uint32Array;
  /**
   * Mooncake: row i's hash ids are `hashIds.ids[hashIds.starts[i] ..
   * hashIds.starts[i + 1])`.
   */
  hashIds?: { starts: Uint32Array; ids: Float64Array };
  /** Rows left out for a count of 0 tokens (BurstGPT's failed requests have 0 response tokens). */
  skippedEmpty: number;
}

/** A growable typed array of one kind. */
class Column<A extends Float64Array | Uint32Array> {
  #data: A;
  length = 0;
  constructor(readonly make: (n: number) => A) {
    this.#data = make(1024);
  }
  push(value: number): void {
    if (this.length === this.#data.length) {
      const bigger = this.make(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data[this.length++] = value;
  }
  /** The values pushed, in an array of their exact length. */
  done(): A {
    return this.#data.slice(0, this.length) as A;
  }
}

/** `trace "FILE"`: how the trace's errors begin. */
function named(path: string): string {
  return `trace ${JSON.stringify(path)}`;
}

/** Every accepted format, for the error naming them. */
export function traceFormatsHelp(): string {
  return TRACE_FORMATS.map((f) => f.shape).join("; or ");
}

/**
 * The format of trace `path` and the reader of its rows, told from its first
 * line that is not blank (a CSV's header, or Mooncake's first JSON line).
 *
 * @throws {UsageError} on `--request-distribution` when the file cannot be
 * read or is none of the formats, naming them.
 *
 * @example
 * ```ts
 * const { format } = await detectTrace("tests/fixtures/trace_azure.csv");
 * format.name; // "Azure LLM inference trace"
 * ```
 */
export async function detectTrace(
  path: string,
): Promise<{ format: TraceFormat; row: (line: string) => TraceRow | string }> {
  let first: string | undefined;
  try {
    for await (const line of readLines(path)) {
      if (line.trim() !== "") {
        first = line;
        break;
      }
    }
  } catch (error) {
    throw new UsageError(TRACE_FLAG, `${named(path)}: cannot read it: ${fileProblem(error)}`);
  }
  for (const format of TRACE_FORMATS) {
    const row = first === undefined ? undefined : format.open(first);
    if (row !== undefined) return { format, row };
  }
  const seen = first === undefined
    ? "it is empty"
    : `its first line is ${JSON.stringify(first.length > 80 ? `${first.slice(0, 80)}…` : first)}`;
  throw new UsageError(
    TRACE_FLAG,
    `${named(path)} is no trace mib reads (${seen}); expected ${traceFormatsHelp()}`,
  );
}

/**
 * Reads trace `path` for replay: its rows in time order from `start` seconds
 * into the trace, at most `limit` of them, offsets re-based to the first row
 * replayed and divided by `speedup`, stopping at `maxTime`. Rows with 0 input
 * or output tokens are left out and counted (`skippedEmpty`): nothing can ask
 * for 0 tokens, and BurstGPT marks its failed requests with 0 response tokens.
 * The file is streamed; reading stops at the limit.
 *
 * @throws {UsageError} on `--request-distribution` for a file that cannot be
 * read or is no trace, a malformed row or one earlier than the row before it
 * (both with its line number), or a trace with no row to replay.
 *
 * @example
 * ```ts
 * const trace = await readTrace("tests/fixtures/trace_burstgpt.csv", { speedup: 10 });
 * trace.offsets[0]; // 0
 * trace.inputLens.length === trace.offsets.length; // true
 * ```
 */
export async function readTrace(path: string, options: TraceOptions = {}): Promise<Trace> {
  const { speedup = 1, start = 0, limit = Infinity, maxTime = Infinity } = options;
  const { format, row: parse } = await detectTrace(path);
  const offsets = new Column((n) => new Float64Array(n));
  const inputs = new Column((n) => new Uint32Array(n));
  const outputs = new Column((n) => new Uint32Array(n));
  const starts = new Column((n) => new Uint32Array(n));
  const ids = new Column((n) => new Float64Array(n));
  let skippedEmpty = 0;
  let origin: number | undefined; // the trace's first row
  let first: number | undefined; // the first row replayed
  let previous = -Infinity;
  let lineNumber = 0;
  let header = format.header;
  const lines = readLines(path);
  try {
    for await (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      // A CSV's first line is its header; Mooncake's is a row.
      if (header) {
        header = false;
        continue;
      }
      const row = parse(line);
      const at = `${named(path)}, line ${lineNumber}`;
      if (typeof row === "string") throw new UsageError(TRACE_FLAG, `${at}: ${row}`);
      if (row.time < previous) {
        throw new UsageError(
          TRACE_FLAG,
          `${at}: arrives before the row above it; expected rows in time order`,
        );
      }
      previous = row.time;
      origin ??= row.time;
      if (row.time - origin < start) continue;
      if (row.input === 0 || row.output === 0) {
        skippedEmpty++;
        continue;
      }
      first ??= row.time;
      const offset = (row.time - first) / speedup;
      if (offset >= maxTime) break;
      offsets.push(offset);
      inputs.push(row.input);
      outputs.push(row.output);
      if (row.hashIds !== undefined) {
        starts.push(ids.length);
        for (const id of row.hashIds) ids.push(id);
      }
      if (offsets.length >= limit) break;
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(TRACE_FLAG, `${named(path)}: cannot read it: ${fileProblem(error)}`);
  } finally {
    await lines.return(undefined);
  }
  if (offsets.length === 0) {
    throw new UsageError(
      TRACE_FLAG,
      `${named(path)} has no row to replay (${skippedEmpty} with 0 tokens left out` +
        `${start > 0 ? `, rows before --trace-start ${start} s skipped` : ""})`,
    );
  }
  starts.push(ids.length);
  return {
    format: format.name,
    offsets: offsets.done(),
    inputLens: inputs.done(),
    outputLens: outputs.done(),
    hashIds: starts.length > 1 ? { starts: starts.done(), ids: ids.done() } : undefined,
    skippedEmpty,
  };
}
