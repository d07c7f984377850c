/**
 * Requests whose server did something other than what mib planned: another
 * output length than asked, another prompt length than `prompt_len`, a
 * prompt cut to the context. Each is a successful request whose numbers
 * still read wrong (throughput per token, TPOT), so each gets a note, the
 * run counts them, and `--strict` fails on them.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import type { Mismatches } from "./types.ts";

/** The kinds of mismatch, in the order summaries list them. */
export const MISMATCH_KINDS = ["outputLength", "promptLength", "truncated"] as const;

/** One kind of mismatch between what mib planned and what the server did. */
export type MismatchKind = typeof MISMATCH_KINDS[number];

/**
 * How far two counts of one text may be apart and still agree: by at most
 * max(`tokens`, `fraction` · the planned count). A server adds a BOS token
 * (some two special tokens) to the prompt it counts, which is normal, not a
 * mismatch.
 */
export const LENGTH_TOLERANCE = { tokens: 2, fraction: 0.02 } as const;

/**
 * Whether `counted` is further from `planned` than {@link LENGTH_TOLERANCE}.
 *
 * @example
 * ```ts
 * differsBeyondTolerance(100, 101); // false: a BOS token
 * differsBeyondTolerance(100, 530); // true
 * differsBeyondTolerance(1000, 1019); // false: within 2 %
 * ```
 */
export function differsBeyondTolerance(planned: number, counted: number): boolean {
  return Math.abs(counted - planned) > allowedDifference(planned);
}

/**
 * Special tokens a pooling request's server may add per input, beyond the
 * tolerance: a text gets [CLS] … [SEP], a query–document pair of a
 * cross-encoder up to 4 (XLM-RoBERTa's `<s> q </s></s> d </s>`).
 */
export const POOLING_SPECIAL_TOKENS = 4;

/** The tolerance of {@link LENGTH_TOLERANCE} for a planned count, `tokens` per sequence. */
function allowedDifference(
  planned: number,
  sequences = 1,
  tokens: number = LENGTH_TOLERANCE.tokens,
) {
  return Math.max(tokens * sequences, LENGTH_TOLERANCE.fraction * planned);
}

/**
 * Whether the server's prompt count of `r` is off the plan: beyond the
 * tolerance, which for a pooling request of n inputs is
 * max(4·n, 2 % of `promptLen`) (each input gets its own special tokens); with
 * images only when the server counted fewer than `promptLen` less the
 * tolerance, since its count then includes the images' tokens, which
 * `promptLen` (text only) leaves out.
 */
function promptCountDiffers(r: RequestResult): boolean {
  if (r.promptLenServer === undefined) return false;
  const allowed = r.inputCount === undefined
    ? allowedDifference(r.promptLen)
    : allowedDifference(r.promptLen, r.inputCount, POOLING_SPECIAL_TOKENS);
  const excess = r.promptLenServer - r.promptLen;
  return r.imageCount ? -excess > allowed : Math.abs(excess) > allowed;
}

/** A generated length and who counted it. */
export interface GeneratedLength {
  /** Tokens generated. */
  count: number;
  /** The server's count, or the client tokenizer's count of the text. */
  by: "server" | "tokenizer";
}

/**
 * The generated length of `r`: the server's count, else the client
 * tokenizer's once it has counted (undefined before).
 */
export function generatedLength(r: RequestResult): GeneratedLength | undefined {
  if (r.outputLenSource === "server") return { count: r.outputLen, by: "server" };
  return r.outputLenClient === undefined
    ? undefined
    : { count: r.outputLenClient, by: "tokenizer" };
}

/**
 * The mismatches of `r`, none unless it succeeded:
 *
 * - `outputLength`: the generated length differs from `outputLenAsked` — at
 *   all when the server counted it; beyond {@link LENGTH_TOLERANCE} when only
 *   the client tokenizer did (re-tokenizing text rarely gives the server's
 *   count exactly). When the asked length was only a cap
 *   (`outputLenCapOnly`: `--no-ignore-eos`, a structured output), only a
 *   longer output differs: a natural stop before it is what was asked;
 * - `promptLength`: the server's whole-prompt count differs from `promptLen`
 *   beyond {@link LENGTH_TOLERANCE} (per input for a pooling request; with
 *   images, only a count below the text's: see `promptCountDiffers`; a
 *   truncated prompt is counted as `truncated` instead: its server count is
 *   the truncated one);
 * - `truncated`: the server said it cut the prompt to its context.
 */
export function mismatchesOf(r: RequestResult): MismatchKind[] {
  if (!r.success) return [];
  const kinds: MismatchKind[] = [];
  const asked = r.outputLenAsked;
  const generated = generatedLength(r);
  if (asked !== undefined && asked > 0 && generated !== undefined) {
    const differs = r.outputLenCapOnly === true && generated.count <= asked
      ? false
      : generated.by === "server"
      ? generated.count !== asked
      : differsBeyondTolerance(asked, generated.count);
    if (differs) kinds.push("outputLength");
  }
  if (r.truncated !== true && promptCountDiffers(r)) kinds.push("promptLength");
  if (r.truncated === true) kinds.push("truncated");
  return kinds;
}

/** The note a request with mismatch `kind` gets. */
export function mismatchNote(kind: MismatchKind, r: RequestResult): string {
  switch (kind) {
    case "outputLength": {
      const generated = generatedLength(r);
      const who = generated?.by === "server"
        ? "the server generated"
        : "the client tokenizer counted";
      return `asked for ${r.outputLenAsked} output tokens, ${who} ${generated?.count}: ` +
        "the server did not honour the length field or ignore_eos";
    }
    case "promptLength":
      return `the server counted ${r.promptLenServer} prompt tokens, the plan ${r.promptLen} ` +
        `(prompt_len, client tokenizer): more than max(${LENGTH_TOLERANCE.tokens}, ` +
        `${LENGTH_TOLERANCE.fraction * 100} %) apart: the server's tokenizer is not the ` +
        "client's (or it counted a chat template too)";
    case "truncated":
      return `the server truncated the prompt to its context (truncated: true)${
        r.promptLenServer === undefined
          ? ""
          : `; it processed ${r.promptLenServer} prompt tokens by its own count (prompt_len ${r.promptLen})`
      }`;
  }
}

/**
 * Adds the note of each mismatch of `r` it does not carry yet (`only`: just
 * those kinds). Called as soon as the server's counts are in, and again once
 * the client tokenizer has counted an output the server did not.
 */
export function noteMismatches(r: RequestResult, only?: readonly MismatchKind[]): void {
  for (const kind of mismatchesOf(r)) {
    if (only !== undefined && !only.includes(kind)) continue;
    const note = mismatchNote(kind, r);
    if (!r.notes.includes(note)) r.notes.push(note);
  }
}

/** The mismatches of a run, gathered one result at a time. */
export class MismatchCounter {
  readonly #counts: Mismatches = noMismatches();

  /** Counts the mismatches of one finished result. */
  add(r: RequestResult): void {
    const kinds = mismatchesOf(r);
    if (kinds.length === 0) return;
    const m = this.#counts;
    for (const kind of kinds) m[kind]++;
    if (kinds.includes("outputLength")) {
      const generated = generatedLength(r)!;
      m.asked = widen(m.asked, r.outputLenAsked!);
      m.generated = widen(m.generated, generated.count);
      if (generated.by === "server") m.generatedByServer++;
    }
    if (kinds.includes("promptLength")) {
      m.plannedPromptTokens += r.promptLen;
      m.serverPromptTokens += r.promptLenServer!;
      m.promptExcess = widen(m.promptExcess ?? null, r.promptLenServer! - r.promptLen);
      m.promptPlanned = widen(m.promptPlanned ?? null, r.promptLen);
    }
  }

  /** The counts so far (a copy). */
  counts(): Mismatches {
    const m = this.#counts;
    return {
      ...m,
      asked: m.asked && [m.asked[0], m.asked[1]],
      generated: m.generated && [m.generated[0], m.generated[1]],
      ...(m.promptExcess && m.promptPlanned
        ? {
          promptExcess: [m.promptExcess[0], m.promptExcess[1]],
          promptPlanned: [m.promptPlanned[0], m.promptPlanned[1]],
        }
        : {}),
    };
  }
}

/** A run without mismatches. */
export function noMismatches(): Mismatches {
  return {
    outputLength: 0,
    promptLength: 0,
    truncated: 0,
    asked: null,
    generated: null,
    generatedByServer: 0,
    plannedPromptTokens: 0,
    serverPromptTokens: 0,
  };
}

/** Mismatches of every kind, added up (a request with two kinds counts twice). */
export function mismatchTotal(m: Mismatches | undefined): number {
  return m === undefined ? 0 : m.outputLength + m.promptLength + m.truncated;
}

function widen(range: [number, number] | null, value: number): [number, number] {
  return range === null ? [value, value] : [Math.min(range[0], value), Math.max(range[1], value)];
}
