/**
 * Multi-turn sessions from a ShareGPT file (`--dataset-name sharegpt
 * --multi-turn`): each sampled conversation's human turns, in order, each
 * with the token count of the reply the dataset gives it (the output length
 * to ask for, unless `--output-token-distribution` is given). The replies
 * themselves are never sent: a session's later turns carry the server's own
 * replies (see `runner/sessions.ts`).
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import { UsageError } from "../errors.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import { indexShareGpt, PAIR, readElement } from "./_sharegpt_index.ts";

/** One human turn of a conversation, with the reply the dataset has after it. */
export interface ConversationTurn {
  /** The human turn's text. */
  prompt: string;
  /** The assistant turn right after it, when there is one. */
  reply?: string;
}

/** A conversation's turns as a session replays them: its token counts measured. */
export interface SessionTurn {
  /** The human turn's text. */
  prompt: string;
  /** Its token count under the run's tokenizer. */
  promptLen: number;
  /** Output tokens to ask for: the dataset reply's count, or the drawn length. */
  outputLen: number;
}

/** Options of {@linkcode loadShareGptSessions}. */
export interface ShareGptSessionOptions {
  /** The ShareGPT JSON file. */
  path: string;
  /** Counts prompts and replies. */
  tokenizer: Tokenizer;
  /** Sessions to make. */
  count: number;
  /** Seed of the conversations' order. */
  seed: number;
  /** At most this many turns per session. */
  maxTurns?: number;
  /** Output lengths to ask for, turn after turn (`--output-token-distribution`); else the replies'. */
  outputLens?: Iterable<number>;
}

/** Sessions and what the user should know about them. */
export interface ShareGptSessions {
  /** One entry per session, each at least one turn. */
  sessions: SessionTurn[][];
  /** One line each (e.g. that conversations were used more than once). */
  notes: string[];
}

const HUMAN = new Set(["human", "user"]);
const ASSISTANT = new Set(["gpt", "chatgpt", "bing", "bard", "assistant", "model"]);

/**
 * The human turns of a ShareGPT element, in order, each with the assistant
 * turn right after it (none for a last human turn with no answer). Turns that
 * are neither side, or have no string text, are skipped.
 *
 * @example
 * ```ts
 * conversationTurns({ conversations: [
 *   { from: "human", value: "hi" }, { from: "gpt", value: "hello" }, { from: "human", value: "bye" },
 * ] }); // [{ prompt: "hi", reply: "hello" }, { prompt: "bye" }]
 * ```
 */
export function conversationTurns(element: unknown): ConversationTurn[] {
  const turns = (element as { conversations?: unknown })?.conversations;
  if (!Array.isArray(turns)) return [];
  const out: ConversationTurn[] = [];
  for (let i = 0; i < turns.length; i++) {
    const { from, value } = (turns[i] ?? {}) as { from?: unknown; value?: unknown };
    if (typeof from !== "string" || !HUMAN.has(from) || typeof value !== "string") continue;
    if (value.trim() === "") continue;
    const next = (turns[i + 1] ?? {}) as { from?: unknown; value?: unknown };
    const answered = typeof next.from === "string" && ASSISTANT.has(next.from) &&
      typeof next.value === "string";
    out.push(answered ? { prompt: value, reply: next.value as string } : { prompt: value });
  }
  return out;
}

/**
 * `count` sessions from the conversations of `path` that have a prompt/reply
 * pair, in an order drawn from the seed (each conversation once; more
 * sessions than conversations reuse them in the same order, with a note).
 * A turn's output length is the dataset reply's token count, or the next of
 * `outputLens` when given; a last human turn without a reply asks for the
 * mean reply length of its session (at least 1).
 *
 * @throws {UsageError} on `--dataset-path` for a file that is not a ShareGPT
 *   JSON array, or has no conversation with a prompt and a reply.
 */
export async function loadShareGptSessions(
  options: ShareGptSessionOptions,
): Promise<ShareGptSessions> {
  const { tokenizer, count, maxTurns = Infinity } = options;
  const index = await indexShareGpt(options.path);
  const candidates: number[] = [];
  for (let i = 0; i < index.count; i++) if (index.status[i] === PAIR) candidates.push(i);
  if (candidates.length === 0) {
    throw new UsageError(
      "--dataset-path",
      `${options.path} has no conversation with a human turn and a reply`,
    );
  }
  // Fisher-Yates over the candidates, from the seed.
  const next = seededSource(options.seed, "sharegpt-sessions");
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  const lens = options.outputLens?.[Symbol.iterator]();
  const sessions: SessionTurn[][] = [];
  using file = await Deno.open(options.path);
  for (let s = 0; s < count; s++) {
    const element = await readElement(file, index, candidates[s % candidates.length]);
    const turns = conversationTurns(element).slice(0, maxTurns);
    const replies = turns.filter((t) => t.reply !== undefined).map((t) =>
      tokenizer.count(t.reply!)
    );
    const meanReply = replies.length === 0
      ? 1
      : Math.max(1, Math.round(replies.reduce((a, b) => a + b, 0) / replies.length));
    let r = 0;
    sessions.push(turns.map((turn) => {
      const fromDataset = turn.reply === undefined ? meanReply : Math.max(1, replies[r++]);
      const drawn = lens?.next();
      return {
        prompt: turn.prompt,
        promptLen: tokenizer.count(turn.prompt),
        outputLen: drawn === undefined || drawn.done ? fromDataset : drawn.value,
      };
    }));
  }
  const notes = count > candidates.length
    ? [
      `${count} sessions from ${candidates.length} conversations: each is replayed ${
        Math.ceil(count / candidates.length)
      } time(s) at most, in the same order`,
    ]
    : [];
  return { sessions, notes };
}
