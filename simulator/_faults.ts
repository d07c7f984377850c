/**
 * Mixed fault injection (`faults`, `mib serve --faults`): which faults exist,
 * the `KIND:RATE,...` spec that sets their rates, the seeded draw that gives
 * each generation request at most one of them, and the tally of what was
 * injected.
 *
 * The draw is a pure function of the seed and the request's serving index
 * (0 for the first generation the server starts serving, 1 for the next, …),
 * so a run that sends its requests one after another meets the same faults
 * every time.
 *
 * @module
 */

/** A fault the simulator can inject into a generation request. */
export type FaultKind =
  | "429"
  | "500"
  | "503"
  | "cut"
  | "stall"
  | "junk"
  | "reset"
  | "slow-headers"
  | "never-answer";

/** Every fault kind, in the order the spec's help lists them. */
export const FAULT_KINDS: readonly FaultKind[] = [
  "429",
  "500",
  "503",
  "cut",
  "stall",
  "junk",
  "reset",
  "slow-headers",
  "never-answer",
];

/**
 * The forms of a `junk` fault, drawn evenly: `bad-json` (an event whose JSON
 * is cut in half), `binary` (an event whose data is non-UTF-8 bytes),
 * `extra-fields` (valid JSON with members no protocol defines) and `split`
 * (a valid event written a few bytes at a time, one write per millisecond).
 * A client must fail the first two and take the last two as they are.
 */
export type JunkVariant = "bad-json" | "binary" | "extra-fields" | "split";

/** The junk forms, in draw order. */
export const JUNK_VARIANTS: readonly JunkVariant[] = [
  "bad-json",
  "binary",
  "extra-fields",
  "split",
];

/** Rate of each fault kind, from 0 to 1; absent kinds are never drawn. Rates sum to at most 1. */
export type FaultRates = Readonly<Partial<Record<FaultKind, number>>>;

/**
 * How a fault is tallied and recorded: its kind, and for `junk` its variant
 * (`"junk:bad-json"`).
 */
export type FaultLabel = Exclude<FaultKind, "junk"> | `junk:${JunkVariant}`;

/**
 * What a client that handles each fault right records for the request: the
 * failure kind of mib's `classifyFailure`, or `"success"` for a fault that
 * must be measured, not failed.
 */
export const EXPECTED_OUTCOME: Readonly<Record<FaultLabel, string>> = {
  "429": "http_status",
  "500": "http_status",
  "503": "http_status",
  "cut": "stream_cut",
  "stall": "timeout",
  "junk:bad-json": "parse",
  "junk:binary": "parse",
  "junk:extra-fields": "success",
  "junk:split": "success",
  "reset": "connect",
  "slow-headers": "success",
  "never-answer": "timeout",
};

/** The fault one request drew. */
export interface DrawnFault {
  /** Its kind. */
  readonly kind: FaultKind;
  /** For `junk`, its form. */
  readonly variant?: JunkVariant;
  /** Its tally label. */
  readonly label: FaultLabel;
  /**
   * Where in the stream a `cut`, `stall` or `junk` strikes, as a fraction
   * from 0 to 1: the chunk index is `floor(position × (chunks − 1)) + 1`,
   * capped at the last, so at least one chunk goes out first when there are
   * two or more.
   */
  readonly position: number;
}

/** The accepted form of a fault spec, for error messages and help. */
export const FAULT_SPEC_FORM = `KIND:RATE[,KIND:RATE...] with KIND one of ${
  FAULT_KINDS.join(", ")
} and rates from 0 to 1 summing to at most 1, e.g. 500:0.05,cut:0.02`;

/** Rates may sum to 1 plus this, for decimal rounding (0.1 + 0.2). */
const SUM_SLACK = 1e-9;

/**
 * Parses a fault spec such as `"500:0.05,429:0.02,cut:0.01"`.
 *
 * @throws {RangeError} naming what is wrong and the accepted form.
 *
 * @example
 * ```ts
 * parseFaultSpec("500:0.05,cut:0.02"); // { "500": 0.05, cut: 0.02 }
 * ```
 */
export function parseFaultSpec(spec: string): FaultRates {
  const rates: Partial<Record<FaultKind, number>> = {};
  const fail = (why: string): never => {
    throw new RangeError(`${why}: expected ${FAULT_SPEC_FORM}, got ${JSON.stringify(spec)}`);
  };
  if (spec.trim() === "") fail("empty spec");
  for (const part of spec.split(",")) {
    const match = /^\s*([a-z0-9-]+)\s*:\s*([^\s:]+)\s*$/.exec(part);
    if (!match) fail(`${JSON.stringify(part.trim())} is not KIND:RATE`);
    const [, kind, rate] = match!;
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) fail(`unknown fault ${kind}`);
    if (kind in rates) fail(`${kind} given twice`);
    const value = Number(rate);
    if (!/^[0-9.eE+-]+$/.test(rate) || !(value >= 0 && value <= 1)) {
      fail(`rate of ${kind} is not a number from 0 to 1`);
    }
    rates[kind as FaultKind] = value;
  }
  checkFaultRates(rates, fail);
  return rates;
}

/**
 * Checks rates given as an object: known kinds, each from 0 to 1, summing to
 * at most 1. `fail` receives what is wrong (by default a `RangeError`).
 */
export function checkFaultRates(
  rates: FaultRates,
  fail: (why: string) => never = (why) => {
    throw new RangeError(`faults: ${why}`);
  },
): void {
  let sum = 0;
  for (const [kind, rate] of Object.entries(rates)) {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) fail(`unknown fault ${kind}`);
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      fail(`rate of ${kind} is not a number from 0 to 1`);
    }
    sum += rate as number;
  }
  if (sum > 1 + SUM_SLACK) fail(`the rates sum to ${Number(sum.toFixed(9))}, more than 1`);
}

/** The rates as a spec, in {@linkcode FAULT_KINDS} order (`""` for none). */
export function formatFaultSpec(rates: FaultRates): string {
  return FAULT_KINDS.filter((k) => (rates[k] ?? 0) > 0).map((k) => `${k}:${rates[k]}`).join(",");
}

/** Whether any fault has a rate above 0. */
export function hasFaults(rates: FaultRates): boolean {
  return FAULT_KINDS.some((k) => (rates[k] ?? 0) > 0);
}

/** Whether the rates need the connection-level front (faults that end a connection). */
export function needsConnectionFront(rates: FaultRates): boolean {
  return (rates.reset ?? 0) > 0 || (rates["never-answer"] ?? 0) > 0;
}

/**
 * A uniform number in [0, 1) from `(seed, index, stream)`: a 32-bit
 * integer mix (the "lowbias32" finaliser) of the three, so neighbouring
 * indexes give unrelated draws.
 */
function uniform(seed: number, index: number, stream: number): number {
  let x = (Math.imul(index, 0x9e3779b1) ^ Math.imul(seed | 0, 0x85ebca77) ^ stream) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
  return ((x ^ (x >>> 16)) >>> 0) / 2 ** 32;
}

/**
 * The fault of generation request `index` under `rates` and `seed`, or
 * `undefined` when it drew none. One draw picks the kind by cumulative rate
 * (kinds in {@linkcode FAULT_KINDS} order), a second the position in the
 * stream, a third the junk form.
 *
 * @example
 * ```ts
 * drawFault({ cut: 1 }, 0, 7)?.kind; // "cut"
 * ```
 */
export function drawFault(rates: FaultRates, seed: number, index: number): DrawnFault | undefined {
  const u = uniform(seed, index, 1);
  let edge = 0;
  for (const kind of FAULT_KINDS) {
    edge += rates[kind] ?? 0;
    if (u >= edge) continue;
    const position = uniform(seed, index, 2);
    if (kind !== "junk") return { kind, label: kind, position };
    const variant = JUNK_VARIANTS[Math.floor(uniform(seed, index, 3) * JUNK_VARIANTS.length)];
    return { kind, variant, label: `junk:${variant}`, position };
  }
  return undefined;
}

/** The chunk a `cut`, `stall` or `junk` fault strikes in a stream of `chunks` chunks. */
export function faultChunk(fault: DrawnFault, chunks: number): number {
  if (chunks <= 1) return 0;
  return Math.min(chunks - 1, 1 + Math.floor(fault.position * (chunks - 1)));
}

/** What a simulator injected so far (see `SimulatorHandle.faults`). */
export interface FaultStats {
  /** The spec in effect (`""` when faults are off). */
  readonly spec: string;
  /** The seed of the draw. */
  readonly seed: number;
  /** Generation requests served so far (each drew once). */
  readonly requests: number;
  /** Faults injected, by label; only labels injected at least once appear. */
  readonly counts: Readonly<Partial<Record<FaultLabel, number>>>;
  /** Every faulted request, in serving order: its id (`x-request-id` when it had one) and fault. */
  readonly faulted: readonly { readonly id: string; readonly fault: FaultLabel }[];
}

/** The running tally of one server. */
export class FaultTally {
  #requests = 0;
  readonly #counts: Partial<Record<FaultLabel, number>> = {};
  readonly #faulted: { id: string; fault: FaultLabel }[] = [];

  /** The serving index of the next generation request, counting it. */
  next(): number {
    return this.#requests++;
  }

  /** Notes that request `id` got `fault`. */
  add(id: string, fault: FaultLabel): void {
    this.#counts[fault] = (this.#counts[fault] ?? 0) + 1;
    this.#faulted.push({ id, fault });
  }

  /** A copy of the tally. */
  stats(spec: string, seed: number): FaultStats {
    return {
      spec,
      seed,
      requests: this.#requests,
      counts: { ...this.#counts },
      faulted: this.#faulted.slice(),
    };
  }
}
