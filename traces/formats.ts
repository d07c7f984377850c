/**
 * The trace formats `--request-distribution trace FILE` reads, one entry
 * each: how its first line is recognised and how a row gives an arrival time
 * and the two token counts.
 *
 * @module
 */

/** One row of a trace: when it arrived and what it asked for. */
export interface TraceRow {
  /** Arrival time in seconds on the trace's own clock (any origin). */
  readonly time: number;
  /** Prompt tokens. */
  readonly input: number;
  /** Output tokens. */
  readonly output: number;
  /** Mooncake: the ids of the prompt's 512-token blocks, equal ids equal blocks. */
  readonly hashIds?: readonly number[];
}

/**
 * A trace format. `open` sees the first line and gives the reader of the
 * following lines, or undefined when the first line is not this format's.
 * A reader returns the row of a line, or a string saying what is wrong with it.
 */
export interface TraceFormat {
  /** Its name, as notes and errors say it. */
  readonly name: string;
  /** What it looks like, for the error listing the formats. */
  readonly shape: string;
  /** Its first line is a header (a CSV's), not a row. */
  readonly header: boolean;
  /** The reader of this format's lines when `first` is its first line, else undefined. */
  open(first: string): ((line: string) => TraceRow | string) | undefined;
}

/**
 * The token size of one Mooncake hash block: a hash id stands for 512
 * prompt tokens (the last block of a prompt may be cut short).
 */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** `[label, accepted column names]` of a CSV trace's columns, all required. */
type Columns = Readonly<Record<"time" | "input" | "output", string>>;

/** Where each named column is in a CSV header, or undefined when one is missing. */
function columnIndexes(
  header: string,
  columns: Columns,
): Record<keyof Columns, number> | undefined {
  const names = header.split(",").map((name) => name.trim().toLowerCase());
  const at = (name: string) => names.indexOf(name.toLowerCase());
  const found = { time: at(columns.time), input: at(columns.input), output: at(columns.output) };
  return Object.values(found).every((i) => i >= 0) ? found : undefined;
}

/** A whole number of tokens ≥ 0 from a cell, or undefined. */
function tokens(cell: string | undefined): number | undefined {
  const n = Number(cell?.trim());
  return cell !== undefined && cell.trim() !== "" && Number.isSafeInteger(n) && n >= 0
    ? n
    : undefined;
}

/** The reader of a CSV trace with these `columns`, its times read by `time`. */
function csvFormat(
  name: string,
  columns: Columns,
  clock: () => (cell: string) => number | undefined,
  timeForm: string,
): TraceFormat {
  const header = Object.values(columns).join(",");
  return {
    name,
    shape: `a CSV with the columns ${header} (${name})`,
    header: true,
    open(first) {
      const at = columnIndexes(first, columns);
      if (at === undefined) return undefined;
      const time = clock();
      return (line) => {
        const cells = line.split(",");
        const t = time(cells[at.time]?.trim() ?? "");
        const input = tokens(cells[at.input]);
        const output = tokens(cells[at.output]);
        if (t === undefined) {
          return `${columns.time} ${JSON.stringify(cells[at.time])} is not ${timeForm}`;
        }
        if (input === undefined || output === undefined) {
          return `expected whole token counts in ${columns.input} and ${columns.output}`;
        }
        return { time: t, input, output };
      };
    },
  };
}

const DATE_TIME = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(\.\d+)?\s*(Z|[+-]\d\d:?\d\d)?$/i;

/**
 * Seconds from `originMs` (epoch ms, default the epoch) of a date-time as the
 * Azure traces write it, `2023-11-16 18:15:46.6805900` (any number of
 * fraction digits, an optional `Z` or `±hh:mm`; none means UTC, which only
 * the differences depend on). The fraction is added after the whole seconds
 * are taken from the origin, so an origin near the times keeps it to the
 * nanosecond (seconds since the epoch as a double keep only ~0.2 µs).
 *
 * @example
 * ```ts
 * azureSeconds("1970-01-01 00:01:00.5"); // 60.5
 * azureSeconds("2023-11-16 18:15:46.68059", Date.UTC(2023, 10, 16, 18, 15, 46)); // 0.68059
 * ```
 */
export function azureSeconds(text: string, originMs = 0): number | undefined {
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  if (Number.isNaN(ms)) return undefined;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    ms -= sign * (+digits.slice(0, 2) * 60 + +digits.slice(2)) * 60_000;
  }
  return (ms - originMs) / 1000 + (fraction === undefined ? 0 : Number(`0${fraction}`));
}

/** Azure times in seconds from the whole second of the first one read. */
function azureClock(): (text: string) => number | undefined {
  let origin: number | undefined;
  return (text) => {
    if (origin === undefined) {
      const whole = azureSeconds(text.replace(/\.\d+/, ""));
      if (whole === undefined) return undefined;
      origin = whole * 1000;
    }
    return azureSeconds(text, origin);
  };
}

/** Seconds as a plain number ≥ 0 (BurstGPT's `Timestamp`). */
function plainSeconds(text: string): number | undefined {
  const n = Number(text);
  return text !== "" && Number.isFinite(n) && n >= 0 ? n : undefined;
}

/** Mooncake's JSONL: `{"timestamp": ms, "input_length", "output_length", "hash_ids": [...]}`. */
const mooncake: TraceFormat = {
  name: "Mooncake",
  shape:
    'JSONL lines {"timestamp": ms, "input_length": n, "output_length": n, "hash_ids": [...]} (Mooncake)',
  header: false,
  open(first) {
    const row = mooncakeRow(first);
    return typeof row === "string" ? undefined : mooncakeRow;
  },
};

function mooncakeRow(line: string): TraceRow | string {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "not a JSON object";
  }
  if (typeof value !== "object" || value === null) return "not a JSON object";
  const v = value as Record<string, unknown>;
  const { timestamp, input_length: input, output_length: output } = v;
  const hashIds = v.hash_ids ?? [];
  if (typeof timestamp !== "number" || !Number.isFinite(timestamp) || timestamp < 0) {
    return 'expected "timestamp" in ms >= 0';
  }
  const whole = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!whole(input) || !whole(output)) {
    return 'expected whole token counts in "input_length" and "output_length"';
  }
  if (!Array.isArray(hashIds) || !hashIds.every((id) => Number.isSafeInteger(id))) {
    return 'expected "hash_ids" to be a list of integers';
  }
  return {
    time: timestamp / 1000,
    input: input as number,
    output: output as number,
    hashIds: hashIds as number[],
  };
}

/**
 * Every trace format, in the order the first line is tried against them.
 *
 * @example
 * ```ts
 * TRACE_FORMATS.find((f) => f.open("TIMESTAMP,ContextTokens,GeneratedTokens"))?.name; // "Azure LLM inference trace"
 * ```
 */
export const TRACE_FORMATS: readonly TraceFormat[] = [
  csvFormat(
    "Azure LLM inference trace",
    { time: "TIMESTAMP", input: "ContextTokens", output: "GeneratedTokens" },
    azureClock,
    "a date-time like 2023-11-16 18:15:46.6805900",
  ),
  csvFormat(
    "BurstGPT",
    { time: "Timestamp", input: "Request tokens", output: "Response tokens" },
    () => plainSeconds,
    "seconds >= 0",
  ),
  mooncake,
];
