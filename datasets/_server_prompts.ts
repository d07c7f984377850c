/**
 * Random prompts of exact lengths in a tokenizer mib cannot run itself, only
 * ask: the server's (`--tokenizer server`).
 *
 * Under that tokenizer a pool word may be several tokens, so the length of a
 * prompt is known only once the server has counted it. Each prompt is built
 * from pool words and corrected round by round: a round counts every prompt
 * not yet exact in one batch, then adds words where one falls short, drops
 * the last where one is over, and finishes the last few tokens with filler
 * words measured to add exactly one token each. A run's prompts thus cost a
 * handful of batched rounds, not a round trip per prompt per word.
 *
 * One calibration batch comes first: how many tokens a pool word adds on
 * average, and which short words add exactly one. The first draw of each
 * prompt uses the same seeded stream as the local random dataset, so where
 * every pool word is one token (a server counting with cl100k_base) the
 * prompts are exactly those of `--tokenizer cl100k_base`, confirmed by one
 * round.
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { PrefixOption } from "./types.ts";
import { drawWords, shippedWordPool } from "./word_pool.ts";

/** What counts: a batch of texts in, their token counts out (the server's). */
export interface BatchCounter {
  /** Token counts of `texts`, in order. */
  countAll(texts: readonly string[]): Promise<number[]>;
}

/** Options of {@linkcode serverRandomPrompts}. */
export interface ServerPromptOptions {
  /** The server's counter. */
  counter: BatchCounter;
  /** One entry per prompt: the number of tokens after the prefix. */
  lengths: readonly number[];
  /** Seed of the run. */
  seed: number;
  /** Shared prefix; default none. */
  prefix?: PrefixOption;
}

/** Prompts with the server's counts, and what the user should know. */
export interface ServerPrompts {
  /** One per length: the text sent and its token count as the server counts it. */
  prompts: { text: string; promptLen: number }[];
  /** E.g. how many prompts missed their length. */
  notes: string[];
}

/** The pool the words come from: cl100k_base's, plain English words. */
const POOL = "cl100k_base";

/** Rounds before a prompt keeps the count it has. */
const MAX_ROUNDS = 12;

/** Pool words sampled to learn how many tokens a word adds. */
const SAMPLE = 64;

/**
 * Shortfalls up to this many tokens (or two words' worth, if more) are filled
 * with one-token fillers.
 */
const FILL_UP_TO = 4;

/** Text the calibration appends to: a word's cost is what it adds after it. */
const CONTEXT = " the cat";

/** Filler candidates: short words and letters, most tokenizers' single tokens. */
const FILLER_CANDIDATES = [
  ..." a I the of to and in is it was he on at".split(/(?= )/),
  ..."abcdefghijklmnopqrstuvwxyz".split("").map((c) => ` ${c}`),
];

interface Calibration {
  /** Mean tokens a pool word adds (at least 1). */
  perWord: number;
  /** Words that add exactly one token. */
  fillers: string[];
}

async function calibrate(counter: BatchCounter, words: readonly string[], seed: number) {
  const sample = drawWords(words, seededSource(seed, "random-dataset-server-sample"), SAMPLE);
  const texts = [CONTEXT, ...[...sample, ...FILLER_CANDIDATES].map((w) => CONTEXT + w)];
  const [base, ...counts] = await counter.countAll(texts);
  const added = counts.map((c) => c - base);
  const sampled = added.slice(0, SAMPLE);
  const perWord = Math.max(1, sampled.reduce((a, b) => a + b, 0) / SAMPLE);
  const fillers = FILLER_CANDIDATES.filter((_, i) => added[SAMPLE + i] === 1);
  return { perWord, fillers } satisfies Calibration;
}

/** A prompt under construction. */
interface Draft {
  index: number;
  /** Its token count goal, prefix included. */
  target: number;
  words: string[];
  /** How many of the last words are fillers (one token each). */
  fillers: number;
}

/**
 * Brings each draft to its target with the server's counts, round by round;
 * returns the count of each (by index), and how many missed.
 */
async function settle(
  counter: BatchCounter,
  drafts: Draft[],
  prefix: string,
  words: readonly string[],
  calibration: Calibration,
  next: () => number,
): Promise<{ counts: number[]; missed: number }> {
  const counts: number[] = [];
  let pending = drafts;
  for (let round = 0; round < MAX_ROUNDS && pending.length > 0; round++) {
    const found = await counter.countAll(pending.map((d) => prefix + d.words.join("")));
    pending.forEach((draft, k) => (counts[draft.index] = found[k]));
    pending = pending.filter((draft) => counts[draft.index] !== draft.target);
    // No correction after the last count: the text must stay the one counted.
    if (round === MAX_ROUNDS - 1) break;
    for (const draft of pending) {
      adjust(draft, draft.target - counts[draft.index], words, calibration, next);
    }
  }
  return { counts, missed: pending.length };
}

/**
 * One correction of `draft`, `short` tokens below its target (negative: over).
 * A small shortfall is filled with one-token fillers, exactly; a larger one
 * gets words, and an excess loses its trailing fillers, else a word more than
 * the excess needs: both land a little short, for fillers to finish.
 */
function adjust(
  draft: Draft,
  short: number,
  words: readonly string[],
  { perWord, fillers }: Calibration,
  next: () => number,
): void {
  const fillUpTo = Math.max(FILL_UP_TO, Math.ceil(2 * perWord));
  if (short > 0) {
    if (short <= fillUpTo && fillers.length > 0) {
      for (let i = 0; i < short; i++) {
        draft.words.push(fillers[Math.floor(next() * fillers.length)]);
      }
      draft.fillers += short;
    } else {
      const add = Math.max(1, Math.floor((short - fillUpTo / 2) / perWord));
      draft.words.push(...drawWords(words, next, add));
      draft.fillers = 0;
    }
    return;
  }
  const over = -short;
  if (draft.fillers >= over) {
    // Each filler is one token: dropping `over` of them is exact.
    draft.words.splice(draft.words.length - over);
    draft.fillers -= over;
    return;
  }
  const drop = Math.ceil(over / perWord) + (fillers.length > 0 ? 1 : 0);
  draft.words.splice(Math.max(0, draft.words.length - drop));
  draft.fillers = 0;
}

/**
 * Random prompts whose length the server's counter gives exactly: the body
 * after the prefix has `lengths[i]` tokens as the server counts the whole
 * prompt (the prefix's own count subtracted), and `promptLen` is the server's
 * count of the whole text. A prompt that cannot be brought to its length in
 * a dozen rounds keeps the count it has, with a note.
 *
 * @example
 * ```ts
 * const counter = { countAll: async (texts: readonly string[]) => texts.map((t) => t.split(" ").length - 1) };
 * const { prompts } = await serverRandomPrompts({ counter, lengths: [5], seed: 0 });
 * prompts[0].promptLen; // 5
 * ```
 */
export async function serverRandomPrompts(options: ServerPromptOptions): Promise<ServerPrompts> {
  const { counter, lengths, seed } = options;
  const prefix = options.prefix ?? { kind: "none" };
  const words = shippedWordPool(POOL)!;
  const calibration = await calibrate(counter, words, seed);
  const firstDraw = (stream: () => number, len: number) =>
    drawWords(words, stream, Math.max(len > 0 ? 1 : 0, Math.round(len / calibration.perWord)));
  const adjustments = seededSource(seed, "random-dataset-server-adjust");
  const notes: string[] = [];

  let prefixText = "";
  let prefixLen = 0;
  if (prefix.kind === "text") {
    prefixText = prefix.text;
    [prefixLen] = await counter.countAll([prefixText]);
  } else if (prefix.kind === "tokens") {
    // The same stream as the local prefix, settled to its length like a prompt.
    const draft = {
      index: 0,
      target: prefix.len,
      words: firstDraw(seededSource(seed, "random-dataset-prefix"), prefix.len),
      fillers: 0,
    };
    const { counts, missed } = await settle(counter, [draft], "", words, calibration, adjustments);
    prefixText = draft.words.join("");
    prefixLen = counts[0];
    if (missed > 0) {
      notes.push(`the prefix is ${prefixLen} tokens in the server's tokenizer, not ${prefix.len}`);
    }
  }

  const next = seededSource(seed, "random-dataset-prompts");
  const drafts = lengths.map((len, index) => ({
    index,
    target: prefixLen + len,
    words: firstDraw(next, len),
    fillers: 0,
  }));
  const { counts, missed } = await settle(
    counter,
    drafts,
    prefixText,
    words,
    calibration,
    adjustments,
  );
  if (missed > 0) {
    notes.push(
      `${missed} prompt(s) could not be brought to their sampled length in the server's tokenizer; their prompt_len is the server's count`,
    );
  }
  return {
    prompts: drafts.map((d) => ({
      text: prefixText + d.words.join(""),
      promptLen: counts[d.index],
    })),
    notes,
  };
}
