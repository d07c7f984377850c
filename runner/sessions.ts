/**
 * Multi-turn chat sessions (`--multi-turn`, `--turns`): a session is a
 * conversation whose user turns are sent one after another, each request
 * carrying the history so far (the earlier user turns and the server's own
 * replies to them), the next turn sent `thinkTime` after the previous
 * response ended.
 *
 * The plan fixes everything but the send times: each session's arrival
 * offset (its first turn's planned offset, from `--request-distribution`),
 * and per turn the user message, its token count, the output length asked
 * and the think time before it, all drawn from the seed. Only what the server
 * answers (its replies, and so the later prompts, and when each turn ends)
 * depends on the run. The send loop (`runner/run.ts`) sends first turns at
 * their offsets, as any request; a first turn's {@linkcode PlannedRequest}
 * carries its {@linkcode SessionPlan}, and {@linkcode followUp} makes each
 * later turn's request from the turn before and its result.
 *
 * Indices: the turns of the plan are numbered in plan order, session by
 * session (session 0's turns first), so turn k of a session whose first turn
 * has plan index i has index i + k: dense, and the same on every run.
 *
 * @module
 */
import type { ChatMessage, GenerationRequest } from "../backends/types.ts";
import type { PlannedRequest } from "./run.ts";
import type { RequestResult } from "./result.ts";

/** One user turn of a planned session. */
export interface PlannedTurn {
  /** The user's message. */
  readonly prompt: string;
  /** Its token count under the client tokenizer. */
  readonly promptLen: number;
  /** Output tokens to ask for. */
  readonly maxTokens: number;
  /** Seconds from the end of the previous turn's response to this turn's send (0 for the first). */
  readonly thinkTime: number;
}

/** A planned session: its number and its user turns, the first included. */
export interface SessionPlan {
  /** Session number in the plan, 0-based (the result's `session`). */
  readonly id: number;
  /** Every user turn in order; `turns[0]` is the first request's own prompt. */
  readonly turns: readonly PlannedTurn[];
}

/**
 * The first turn of `session` as a planned request, sent at `offset` with
 * plan index `index`; `shared` fields (model, stream, …) go on every turn.
 *
 * @example
 * ```ts
 * const first = firstTurn(
 *   { id: 0, turns: [{ prompt: " hi", promptLen: 1, maxTokens: 8, thinkTime: 0 }] },
 *   0.5,
 *   0,
 *   {},
 * );
 * first.request.messages; // [{ role: "user", content: " hi" }]
 * ```
 */
export function firstTurn(
  session: SessionPlan,
  offset: number,
  index: number,
  shared: Omit<GenerationRequest, "prompt" | "maxTokens">,
): PlannedRequest {
  const turn = session.turns[0];
  return {
    offset,
    index,
    promptLen: turn.promptLen,
    request: {
      ...shared,
      prompt: turn.prompt,
      maxTokens: turn.maxTokens,
      messages: [{ role: "user", content: turn.prompt }],
    },
    session,
    turn: 0,
  };
}

/**
 * The next turn of `planned`'s session after it ended with `result`, planned
 * `thinkTime` after `end` (seconds from the run start), or undefined when the
 * session is over: its last turn was sent, or this one failed (a conversation
 * cannot go on without the reply). Its messages are the history so far, the
 * server's reply (`result.text`) and the next user message; its `promptLen`
 * counts every message's content: this turn's `promptLen`, `replyLen` (the
 * client tokenizer's count of the reply) and the new message's.
 *
 * @example
 * ```ts
 * const session = {
 *   id: 0,
 *   turns: [
 *     { prompt: " hi", promptLen: 1, maxTokens: 8, thinkTime: 0 },
 *     { prompt: " more", promptLen: 1, maxTokens: 8, thinkTime: 0.25 },
 *   ],
 * };
 * const first = firstTurn(session, 0, 0, {});
 * const result = { success: true, text: " hello" } as import("./result.ts").RequestResult;
 * const next = followUp(first, result, 1, 2.0)!;
 * next.offset; // 2.25
 * next.promptLen; // 3
 * next.request.messages!.length; // 3
 * ```
 */
export function followUp(
  planned: PlannedRequest,
  result: Pick<RequestResult, "success" | "text">,
  replyLen: number,
  end: number,
): PlannedRequest | undefined {
  const { session } = planned;
  const turn = (planned.turn ?? 0) + 1;
  if (session === undefined || !result.success || turn >= session.turns.length) return undefined;
  const next = session.turns[turn];
  const history: readonly ChatMessage[] = planned.request.messages ??
    [{ role: "user", content: planned.request.prompt }];
  return {
    offset: end + next.thinkTime,
    index: (planned.index ?? 0) + 1,
    promptLen: planned.promptLen + replyLen + next.promptLen,
    request: {
      ...planned.request,
      prompt: next.prompt,
      maxTokens: next.maxTokens,
      messages: [
        ...history,
        { role: "assistant", content: result.text },
        { role: "user", content: next.prompt },
      ],
    },
    session,
    turn,
  };
}

/** Turns of `planned`'s session not sent after turn `planned.turn` (0 for a lone request). */
export function turnsLeft(planned: PlannedRequest): number {
  return planned.session === undefined ? 0 : planned.session.turns.length - (planned.turn ?? 0) - 1;
}
