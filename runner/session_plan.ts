/**
 * Planning multi-turn sessions of random prompts (`--turns`): how many turns
 * each session has, each user message, each output length and each think
 * time, all drawn from the seed (see `runner/sessions.ts` for how they run).
 *
 * @module
 */
import { randomPromptSequence } from "../datasets/random.ts";
import {
  arrivalSequence,
  type ArrivalSpec,
  lazySequence,
  lengthSequence,
  type LengthSpec,
  mapSequence,
  type RampSpec,
  type Sequence,
} from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/tokenizer.ts";
import type { SharedRequestFields } from "./plan.ts";
import type { PlannedRequest } from "./run.ts";
import { firstTurn, type PlannedTurn } from "./sessions.ts";

/** The most values a per-turn stream is drawn for (the plan's own bound). */
const MAX_TURNS_DRAWN = 10_000_000;

/** What shapes a run of sessions. */
export interface SessionShape {
  /**
   * Turns per session (`--turns`), a token-length form read as a count;
   * absent when a dataset's conversations give them (ShareGPT).
   */
  turns?: LengthSpec;
  /** At most this many turns per session (`--max-turns`). */
  maxTurns?: number;
  /**
   * Think time before each turn after the first (`--think-time`), a
   * token-length form read in milliseconds; undefined: none (0 s).
   */
  thinkTime?: LengthSpec;
}

/** Options of {@linkcode planRandomSessions}. */
export interface SessionPlanOptions extends SessionShape {
  /** Turns per session, a token-length form read as a count. */
  turns: LengthSpec;
  /** Seed of every draw. */
  seed: number;
  /** Gaps between session arrivals. */
  arrival: ArrivalSpec;
  /** A ramp of the arrival rate over the `count` sessions. */
  ramp?: RampSpec;
  /** Number of sessions (exclusive with `maxTime`). */
  count?: number;
  /** Arrival window, seconds (exclusive with `count`). */
  maxTime?: number;
  /** Each user message's length in tokens. */
  input: LengthSpec;
  /** Each turn's output length. */
  output: LengthSpec;
  /** Tokenizer that defines the lengths: a tiktoken encoding's name or a loaded one. */
  tokenizer: Tokenizer | string;
  /** Fields every request carries (model, stream, …). */
  shared?: SharedRequestFields;
}

/** A plan of sessions: their first turns, and each session's asked output tokens. */
export interface SessionRunPlan {
  /** One planned request per session (its first turn), in arrival order. */
  requests: Sequence<PlannedRequest>;
  /** Σ asked output tokens over each session's turns, in the same order. */
  maxTokens: Sequence<number>;
  /** Every session arrives at 0 s. */
  allAtOnce: boolean;
}

/**
 * Plans sessions of random prompts: session s arrives at the s-th arrival
 * offset and has min(T_s, maxTurns) turns, T_s the s-th draw of `turns`
 * (stream `session-turns`); turn messages, output lengths and think times
 * are read turn after turn, session after session, from the streams
 * `input-lengths` (and the random prompts' own), `output-lengths` and
 * `think-times`. Every pass, and every run of the same options, yields the
 * same sessions byte for byte; sessions are made as they are read.
 *
 * @example
 * ```ts
 * const { requests } = planRandomSessions({
 *   seed: 0, count: 2, tokenizer: "cl100k_base",
 *   arrival: { kind: "poisson", rate: 1 },
 *   turns: { kind: "constant", value: 3 },
 *   input: { kind: "constant", value: 16 },
 *   output: { kind: "constant", value: 8 },
 * });
 * const [first] = requests;
 * first.session!.turns.length; // 3
 * ```
 */
export function planRandomSessions(options: SessionPlanOptions): SessionRunPlan {
  const { seed, maxTurns = Infinity } = options;
  const offsets = arrivalSequence(options.arrival, {
    seed,
    count: options.count,
    maxTime: options.maxTime,
    ramp: options.ramp,
  });
  const counts = lengthSequence(options.turns, offsets.length, seed, "session-turns");
  const prompts = randomPromptSequence({
    tokenizer: options.tokenizer,
    lengths: lengthSequence(options.input, MAX_TURNS_DRAWN, seed, "input-lengths"),
    seed,
  });
  const outputs = lengthSequence(options.output, MAX_TURNS_DRAWN, seed, "output-lengths");
  const thinks = options.thinkTime === undefined
    ? undefined
    : lengthSequence(options.thinkTime, MAX_TURNS_DRAWN, seed, "think-times");
  const shared = options.shared ?? {};
  const requests = lazySequence(offsets.length, function* () {
    const turnCounts = counts[Symbol.iterator]();
    const texts = prompts[Symbol.iterator]();
    const lens = outputs[Symbol.iterator]();
    const pauses = thinks?.[Symbol.iterator]();
    let index = 0;
    let id = 0;
    for (const offset of offsets) {
      const n = Math.min(turnCounts.next().value as number, maxTurns);
      const turns: PlannedTurn[] = [];
      for (let k = 0; k < n; k++) {
        const { text, promptLen } = texts.next().value!;
        const maxTokens = lens.next().value as number;
        const thinkTime = k === 0 || pauses === undefined
          ? 0
          : (pauses.next().value as number) / 1000;
        turns.push({ prompt: text, promptLen, maxTokens, thinkTime });
      }
      yield firstTurn({ id: id++, turns }, offset, index, shared);
      index += n;
    }
  });
  return {
    requests,
    maxTokens: mapSequence(requests, (r) => r.session!.turns.reduce((n, t) => n + t.maxTokens, 0)),
    allAtOnce: offsets.allAtOnce,
  };
}

/** A user turn given by a dataset: its message, token count and output length. */
export interface GivenTurn {
  /** The user's message. */
  prompt: string;
  /** Its token count under the client tokenizer. */
  promptLen: number;
  /** Output tokens to ask for. */
  outputLen: number;
}

/** Options of {@linkcode planGivenSessions}. */
export interface GivenSessionOptions {
  /** The sessions' user turns, each session at least one turn, in arrival order. */
  sessions: readonly (readonly GivenTurn[])[];
  /** Seed of the arrivals and think times. */
  seed: number;
  /** Gaps between session arrivals. */
  arrival: ArrivalSpec;
  /** A ramp of the arrival rate over the sessions. */
  ramp?: RampSpec;
  /** Think time before each turn after the first, a token-length form read in ms; none: 0 s. */
  thinkTime?: LengthSpec;
  /** Fields every request carries (model, stream, …). */
  shared?: SharedRequestFields;
}

/**
 * Plans sessions whose turns a dataset gave (ShareGPT conversations):
 * session s arrives at the s-th arrival offset; think times are read turn
 * after turn from the stream `think-times`, as {@linkcode planRandomSessions}
 * reads them.
 *
 * @example
 * ```ts
 * const { requests } = planGivenSessions({
 *   seed: 0, arrival: { kind: "poisson", rate: 1 },
 *   sessions: [[{ prompt: "hi", promptLen: 1, outputLen: 4 }, { prompt: "and?", promptLen: 2, outputLen: 4 }]],
 * });
 * const [first] = requests;
 * first.session!.turns.length; // 2
 * ```
 */
export function planGivenSessions(options: GivenSessionOptions): SessionRunPlan {
  const { seed, sessions } = options;
  const offsets = arrivalSequence(options.arrival, {
    seed,
    count: sessions.length,
    ramp: options.ramp,
  });
  const thinks = options.thinkTime === undefined
    ? undefined
    : lengthSequence(options.thinkTime, MAX_TURNS_DRAWN, seed, "think-times");
  const shared = options.shared ?? {};
  const requests = lazySequence(offsets.length, function* () {
    const pauses = thinks?.[Symbol.iterator]();
    let index = 0;
    let id = 0;
    for (const offset of offsets) {
      const given = sessions[id];
      const turns: PlannedTurn[] = given.map((turn, k) => ({
        prompt: turn.prompt,
        promptLen: turn.promptLen,
        maxTokens: turn.outputLen,
        thinkTime: k === 0 || pauses === undefined ? 0 : (pauses.next().value as number) / 1000,
      }));
      yield firstTurn({ id: id++, turns }, offset, index, shared);
      index += turns.length;
    }
  });
  return {
    requests,
    maxTokens: mapSequence(requests, (r) => r.session!.turns.reduce((n, t) => n + t.maxTokens, 0)),
    allAtOnce: offsets.allAtOnce,
  };
}
