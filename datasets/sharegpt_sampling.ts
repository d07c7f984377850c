/**
 * Prompts from a ShareGPT conversation dump (`--dataset-name sharegpt
 * --dataset-path F`), sampled as vLLM's benchmark does.
 *
 * The file is the standard ShareGPT JSON: one array of
 * `{id, conversations: [{from, value}, ...]}` (ShareGPT_V3_unfiltered_cleaned_split.json:
 * ~670 MB, ~94k conversations). A conversation's prompt is its first human
 * turn, sent as is; its output length is the token count of the assistant
 * turn right after it, unless the caller fixes output lengths.
 *
 * Sampling: the conversations are shuffled with `seededSource(seed,
 * "sharegpt")` and the first `count` usable ones are taken in that order
 * (vLLM's `sample_sharegpt_requests`), tokenizing only the candidates looked
 * at. A conversation is skipped when, checked in this order, it is not a
 * conversation, has fewer than two turns, has no human turn followed by an
 * assistant turn, its prompt is under `minLen` or over `maxPromptLen` tokens,
 * its output is under `minLen`, or prompt + output is over `maxTotalLen`.
 * With fixed output lengths the output rules use the caller's length of the
 * request being filled; a conversation that fails only the total rule for one
 * request is kept aside and offered to the next requests first, since a
 * later, shorter output may fit it. When the file runs out first, the missing
 * prompts are drawn with replacement from the usable ones and a note says so:
 * the run never shrinks silently.
 *
 * Loading streams the file once (see `_sharegpt_index.ts`: bounded memory,
 * full JSON validation, byte offsets of every conversation) and caches the
 * index and the token counts per file content and tokenizer
 * (`_sharegpt_cache.ts`), so a second run reads the file only to hash it.
 *
 * @example
 * ```ts
 * import { loadTokenizer } from "../tokenizers/mod.ts";
 *
 * const tokenizer = await loadTokenizer("cl100k_base");
 * const { prompts, notes } = await loadShareGpt({
 *   path: "ShareGPT_V3_unfiltered_cleaned_split.json",
 *   tokenizer,
 *   count: 1000,
 *   seed: 0,
 * });
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { seededSource } from "../distributions/mod.ts";
import type { DatasetPrompt } from "./types.ts";
import { BOUND_FLAGS, DEFAULT_SHAREGPT_BOUNDS, type ShareGptBounds } from "./sharegpt.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import {
  DATASET_PATH_FLAG,
  fileProblem,
  formatCount,
  LazyShuffle,
  statDatasetFile,
} from "./_dataset_file.ts";
import {
  type CacheEntry,
  type CacheKey,
  defaultCacheDir,
  readCache,
  sha256File,
  tokenizerProbe,
  writeCache,
} from "./_sharegpt_cache.ts";
import {
  indexShareGpt,
  NO_PAIR,
  NOT_CONVERSATION,
  PAIR,
  type Pair,
  pairOf,
  readElement,
  StaleIndexError,
  TOO_FEW_TURNS,
} from "./_sharegpt_index.ts";

export type { DatasetPrompt };
export { defaultCacheDir };

/** Why a conversation was not used, in the order the rules are checked. */
export type ShareGptSkipReason =
  | "notConversation"
  | "tooFewTurns"
  | "noPair"
  | "shortPrompt"
  | "longPrompt"
  | "shortOutput"
  | "longTotal";

/** Options of {@linkcode loadShareGpt}. */
export interface ShareGptOptions {
  /** The ShareGPT JSON file (`--dataset-path`). */
  path: string;
  /** Tokenizer that measures prompts and outputs. */
  tokenizer: Tokenizer;
  /** Number of prompts to return (one per request). */
  count: number;
  /** Seed of the run: the shuffle and any draws with replacement. */
  seed: number;
  /** Length rules; missing fields take {@linkcode DEFAULT_SHAREGPT_BOUNDS}. */
  bounds?: Partial<ShareGptBounds>;
  /**
   * Fixed output lengths, one per request (at least `count`), e.g. drawn from
   * `--output-token-distribution`. Absent: each prompt's output length is its
   * conversation's reply length.
   */
  outputLens?: readonly number[];
  /**
   * Folder of the length cache. Absent: {@linkcode defaultCacheDir}; `null`:
   * no cache (the file is then not hashed either).
   */
  cacheDir?: string | null;
}

/** What loading found, for the run's notes and for tests. */
export interface ShareGptStats {
  /** Elements of the file's top-level array. */
  conversations: number;
  /**
   * Conversations looked at, in shuffled order, until `count` were usable or
   * the file ran out. The counts below are over these.
   */
  examined: number;
  /** Examined conversations that passed every rule (prompts drawn without replacement). */
  usable: number;
  /** Examined conversations skipped, by the first rule they failed. */
  skipped: Record<ShareGptSkipReason, number>;
  /** Whether the index and known lengths came from the cache (no streaming pass). */
  cached: boolean;
  /** Texts tokenized in this run (prompts and replies not found in the cache). */
  tokenized: number;
  /** Wall time of the whole load, in milliseconds. */
  loadMs: number;
}

/** Result of {@linkcode loadShareGpt}. */
export interface ShareGptResult {
  /** `count` prompts, in request order. */
  prompts: DatasetPrompt[];
  /** Things the user should know, e.g. sampling with replacement; one line each. */
  notes: string[];
  /** What loading found. */
  stats: ShareGptStats;
}

const SKIP_LABELS: Readonly<Record<ShareGptSkipReason, (b: ShareGptBounds) => string>> = {
  notConversation: () => "not a {conversations: [{from, value}, ...]} object",
  tooFewTurns: () => "fewer than two turns",
  noPair: () => "no human turn followed by a gpt turn",
  shortPrompt: (b) => `prompt under --sharegpt-min-len ${b.minLen} tokens`,
  longPrompt: (b) => `prompt over --sharegpt-max-prompt-len ${b.maxPromptLen} tokens`,
  shortOutput: (b) => `output under --sharegpt-min-len ${b.minLen} tokens`,
  longTotal: (b) => `prompt + output over --sharegpt-max-total-len ${b.maxTotalLen} tokens`,
};

const STATUS_REASON: Readonly<Record<number, ShareGptSkipReason>> = {
  [NOT_CONVERSATION]: "notConversation",
  [TOO_FEW_TURNS]: "tooFewTurns",
  [NO_PAIR]: "noPair",
};

/**
 * Samples `count` prompts from a ShareGPT file.
 *
 * Each prompt's `promptLen` is the tokenizer's count of exactly its `text`;
 * `outputLen` is the fixed length of its request, or its reply's count.
 * Same file, tokenizer, options and seed give the same prompts, cached or not.
 *
 * @throws {UsageError} on `--dataset-path` when the file is missing, not
 *   valid JSON (with the byte offset), not an array of conversations, or has
 *   no usable conversation (with how many each rule removed); on a
 *   `--sharegpt-*` flag for a bad bound; on `--output-token-distribution` for
 *   a fixed length no conversation could satisfy.
 * @throws {RangeError} when `count` is not a non-negative integer or
 *   `outputLens` is shorter than `count`.
 */
export async function loadShareGpt(options: ShareGptOptions): Promise<ShareGptResult> {
  const started = performance.now();
  const { path, tokenizer, count, seed } = options;
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`count must be a non-negative integer, got ${count}`);
  }
  const bounds = resolveBounds(options.bounds);
  const fixed = options.outputLens;
  if (fixed !== undefined) checkFixedOutputLens(fixed, count, bounds);
  const fileInfo = await statDatasetFile(path);
  const cacheDir = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const notes: string[] = [];

  let key: CacheKey | undefined;
  let entry: CacheEntry | undefined;
  if (cacheDir !== null) {
    key = {
      fileSha256: await hashDataset(path),
      fileSize: fileInfo.size,
      tokenizer: tokenizer.name,
      probe: tokenizerProbe(tokenizer),
    };
    entry = await readCache(cacheDir, key);
  }
  let cached = entry !== undefined;
  let outcome: Sampled;
  try {
    entry ??= await freshEntry(path);
    outcome = await sample(path, entry, { tokenizer, count, seed, bounds, fixed });
  } catch (error) {
    if (!(error instanceof StaleIndexError)) throw error;
    if (!cached) {
      throw new UsageError(DATASET_PATH_FLAG, `"${path}" changed while it was being read`);
    }
    // A cache that matched the file's hash yet points at the wrong bytes: drop it.
    cached = false;
    entry = await freshEntry(path);
    outcome = await sample(path, entry, { tokenizer, count, seed, bounds, fixed });
  }

  if (cacheDir !== null && key !== undefined && (!cached || outcome.tokenized > 0)) {
    try {
      await writeCache(cacheDir, key, entry);
    } catch (error) {
      notes.push(
        `ShareGPT: could not write the length cache in "${cacheDir}" (${
          fileProblem(error)
        }); the next run will tokenize again`,
      );
    }
  }

  const { slots, usable, examined, skipped, tokenized } = outcome;
  if (usable.length === 0 && count > 0) {
    throw noUsableError(path, entry.index.count, skipped, bounds);
  }
  if (usable.length < count) {
    fillWithReplacement(slots, usable, seed, bounds, fixed);
    notes.push(
      `ShareGPT: only ${formatCount(usable.length)} of ${
        formatCount(entry.index.count)
      } conversations in "${path}" are usable (${skipSummary(skipped, bounds)}); the other ${
        formatCount(count - usable.length)
      } of ${formatCount(count)} prompts were sampled from them again, with replacement`,
    );
  }
  return {
    prompts: slots as DatasetPrompt[],
    notes,
    stats: {
      conversations: entry.index.count,
      examined,
      usable: usable.length,
      skipped,
      cached,
      tokenized,
      loadMs: performance.now() - started,
    },
  };
}

function resolveBounds(given: Partial<ShareGptBounds> | undefined): ShareGptBounds {
  const bounds = { ...DEFAULT_SHAREGPT_BOUNDS, ...stripUndefined(given ?? {}) };
  for (const name of Object.keys(BOUND_FLAGS) as (keyof ShareGptBounds)[]) {
    const value = bounds[name];
    // A minimum of 0 turns the rule off; a maximum of 0 would leave nothing.
    const least = name === "minLen" ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) {
      throw new UsageError(
        BOUND_FLAGS[name],
        `expected ${least === 0 ? "an integer ≥ 0" : "a positive integer"}, got ${value}`,
      );
    }
  }
  if (bounds.maxPromptLen < bounds.minLen) {
    throw new UsageError(
      BOUND_FLAGS.maxPromptLen,
      `${bounds.maxPromptLen} is under --sharegpt-min-len ${bounds.minLen}: no prompt could pass`,
    );
  }
  if (bounds.maxTotalLen < 2 * bounds.minLen) {
    throw new UsageError(
      BOUND_FLAGS.maxTotalLen,
      `${bounds.maxTotalLen} leaves no room for a prompt and an output of --sharegpt-min-len ${bounds.minLen} tokens each`,
    );
  }
  return bounds;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<
    T
  >;
}

/** Fixed lengths no conversation could ever satisfy are the caller's mistake: say so up front. */
function checkFixedOutputLens(
  fixed: readonly number[],
  count: number,
  bounds: ShareGptBounds,
): void {
  if (fixed.length < count) {
    throw new RangeError(`outputLens has ${fixed.length} entries for ${count} requests`);
  }
  for (let k = 0; k < count; k++) {
    const len = fixed[k];
    if (len < bounds.minLen) {
      throw new UsageError(
        "--output-token-distribution",
        `an output length of ${len} is under --sharegpt-min-len ${bounds.minLen}, which ShareGPT sampling applies to fixed output lengths too; raise the output lengths or lower --sharegpt-min-len`,
      );
    }
    if (len > bounds.maxTotalLen - bounds.minLen) {
      throw new UsageError(
        "--output-token-distribution",
        `an output length of ${len} leaves no room for a prompt of --sharegpt-min-len ${bounds.minLen} tokens within --sharegpt-max-total-len ${bounds.maxTotalLen}`,
      );
    }
  }
}

async function hashDataset(path: string): Promise<string> {
  try {
    return await sha256File(path);
  } catch (error) {
    throw new UsageError(DATASET_PATH_FLAG, `cannot read "${path}": ${fileProblem(error)}`);
  }
}

async function freshEntry(path: string): Promise<CacheEntry> {
  const index = await indexShareGpt(path);
  if (index.count === 0) {
    throw new UsageError(DATASET_PATH_FLAG, `"${path}" is an empty array: no conversation`);
  }
  return {
    index,
    promptLens: new Int32Array(index.count).fill(-1),
    outputLens: new Int32Array(index.count).fill(-1),
  };
}

interface SampleOptions {
  tokenizer: Tokenizer;
  count: number;
  seed: number;
  bounds: ShareGptBounds;
  fixed: readonly number[] | undefined;
}

interface Sampled {
  /** One per request; `undefined` where the file ran out before the request was filled. */
  slots: (DatasetPrompt | undefined)[];
  /** The distinct usable prompts found, in the order taken. */
  usable: DatasetPrompt[];
  examined: number;
  skipped: Record<ShareGptSkipReason, number>;
  tokenized: number;
}

/** A conversation whose prompt passed, set aside because a fixed output did not fit. */
interface Pending {
  /** Element index: the text is re-read when used, so a long wait list holds no texts. */
  i: number;
  promptLen: number;
}

/** The first `count` usable conversations in shuffled order; updates `entry`'s lengths. */
async function sample(path: string, entry: CacheEntry, options: SampleOptions): Promise<Sampled> {
  const { tokenizer, count, seed, bounds, fixed } = options;
  const { index, promptLens, outputLens } = entry;
  const skipped: Record<ShareGptSkipReason, number> = {
    notConversation: 0,
    tooFewTurns: 0,
    noPair: 0,
    shortPrompt: 0,
    longPrompt: 0,
    shortOutput: 0,
    longTotal: 0,
  };
  const slots: (DatasetPrompt | undefined)[] = new Array(count).fill(undefined);
  const usable: DatasetPrompt[] = [];
  const pending: Pending[] = [];
  // Shortest set-aside prompt, so a request whose output fits none skips the scan.
  let shortestPending = Infinity;
  const order = new LazyShuffle(index.count, seededSource(seed, "sharegpt"));
  let tokenized = 0;

  using file = await Deno.open(path);
  // The candidate being judged: parsed at most once, and only when needed.
  let memo: { i: number; pair: Pair & { status: typeof PAIR } } | undefined;
  const pairAt = async (i: number) => {
    if (memo?.i === i) return memo.pair;
    const pair = pairOf(await readElement(file, index, i));
    if (pair.status !== PAIR) throw new StaleIndexError(`element ${i} has no prompt any more`);
    memo = { i, pair };
    return pair;
  };

  const take = (k: number, prompt: DatasetPrompt) => {
    slots[k] = prompt;
    usable.push(prompt);
  };
  for (let k = 0; k < count; k++) {
    if (fixed !== undefined && shortestPending + fixed[k] <= bounds.maxTotalLen) {
      const fit = pending.findIndex((p) => p.promptLen + fixed[k] <= bounds.maxTotalLen);
      if (fit !== -1) {
        const [p] = pending.splice(fit, 1);
        shortestPending = pending.reduce((min, q) => Math.min(min, q.promptLen), Infinity);
        take(k, { text: (await pairAt(p.i)).prompt, promptLen: p.promptLen, outputLen: fixed[k] });
        continue;
      }
    }
    // Once the file has run out, take() is undefined at once and only the
    // set-aside prompts above can still fill later requests.
    for (;;) {
      const i = order.take();
      if (i === undefined) break;
      const status = index.status[i];
      if (status !== PAIR) {
        skipped[STATUS_REASON[status]]++;
        continue;
      }
      let promptLen = promptLens[i];
      if (promptLen < 0) {
        promptLen = promptLens[i] = tokenizer.count((await pairAt(i)).prompt);
        tokenized++;
      }
      if (promptLen < bounds.minLen) {
        skipped.shortPrompt++;
        continue;
      }
      if (promptLen > bounds.maxPromptLen) {
        skipped.longPrompt++;
        continue;
      }
      let outputLen: number;
      if (fixed !== undefined) {
        outputLen = fixed[k];
        if (promptLen + outputLen > bounds.maxTotalLen) {
          pending.push({ i, promptLen });
          shortestPending = Math.min(shortestPending, promptLen);
          continue;
        }
      } else {
        outputLen = outputLens[i];
        if (outputLen < 0) {
          outputLen = outputLens[i] = tokenizer.count((await pairAt(i)).reply);
          tokenized++;
        }
        if (outputLen < bounds.minLen) {
          skipped.shortOutput++;
          continue;
        }
        if (promptLen + outputLen > bounds.maxTotalLen) {
          skipped.longTotal++;
          continue;
        }
      }
      take(k, { text: (await pairAt(i)).prompt, promptLen, outputLen });
      break;
    }
  }
  // Set aside and never fitted: they failed the total rule for every request tried.
  skipped.longTotal += pending.length;
  return { slots, usable, examined: order.taken, skipped, tokenized };
}

/**
 * Fills the empty slots, in request order, by drawing with replacement from
 * the usable prompts found (with fixed output lengths: from those that fit
 * the slot's length).
 */
function fillWithReplacement(
  slots: (DatasetPrompt | undefined)[],
  usable: readonly DatasetPrompt[],
  seed: number,
  bounds: ShareGptBounds,
  fixed: readonly number[] | undefined,
): void {
  const next = seededSource(seed, "sharegpt-replacement");
  // Sorted by prompt length (stable), the prompts that fit an output are a prefix.
  const pool = usable.slice().sort((a, b) => a.promptLen - b.promptLen);
  for (let k = 0; k < slots.length; k++) {
    if (slots[k] !== undefined) continue;
    if (fixed === undefined) {
      slots[k] = { ...pool[Math.floor(next() * pool.length)] };
      continue;
    }
    const room = bounds.maxTotalLen - fixed[k];
    let fits = 0;
    while (fits < pool.length && pool[fits].promptLen <= room) fits++;
    if (fits === 0) {
      throw new UsageError(
        "--output-token-distribution",
        `an output length of ${
          fixed[k]
        } fits none of the ${pool.length} usable ShareGPT prompts within --sharegpt-max-total-len ${bounds.maxTotalLen}`,
      );
    }
    const p = pool[Math.floor(next() * fits)];
    slots[k] = { text: p.text, promptLen: p.promptLen, outputLen: fixed[k] };
  }
}

function skipSummary(skipped: Record<ShareGptSkipReason, number>, bounds: ShareGptBounds): string {
  const parts = (Object.keys(SKIP_LABELS) as ShareGptSkipReason[])
    .filter((reason) => skipped[reason] > 0)
    .map((reason) => `${formatCount(skipped[reason])} ${SKIP_LABELS[reason](bounds)}`);
  return parts.length === 0 ? "none skipped" : `skipped: ${parts.join(", ")}`;
}

function noUsableError(
  path: string,
  conversations: number,
  skipped: Record<ShareGptSkipReason, number>,
  bounds: ShareGptBounds,
): UsageError {
  if (skipped.notConversation === conversations) {
    return new UsageError(
      DATASET_PATH_FLAG,
      `"${path}" is not an array of ShareGPT conversations: none of its ${
        formatCount(conversations)
      } elements is an object with a "conversations" array of {from, value} turns`,
    );
  }
  return new UsageError(
    DATASET_PATH_FLAG,
    `no usable conversation in "${path}": of ${formatCount(conversations)}, ${
      skipSummary(skipped, bounds)
    }`,
  );
}
