/**
 * Resolving the multi-turn options (`--multi-turn`, `--turns`,
 * `--max-turns`, `--think-time`) into a {@linkcode SessionShape}, refusing
 * what sessions cannot combine with yet.
 *
 * @module
 */
import { parseLengthSpec } from "../distributions/mod.ts";
import { UsageError } from "../errors.ts";
import type { SessionShape } from "../runner/session_plan.ts";
import { SERVER_TOKENIZER } from "../tokenizers/server.ts";

/**
 * The session shape the values ask for, or undefined for lone requests.
 *
 * @throws {UsageError} for a session option without sessions, sessions of a
 *   dataset that has none yet, or beside an option they do not combine with.
 */
export function resolveSessions(
  v: Record<string, never>,
  label: (key: string) => string,
): SessionShape | undefined {
  const on = v.multi_turn === true || v.turns !== undefined;
  if (!on) {
    for (const key of ["max_turns", "think_time"]) {
      if (v[key] !== undefined) {
        throw new UsageError(label(key), "shapes multi-turn sessions: give --multi-turn as well");
      }
    }
    return undefined;
  }
  const dataset = v.dataset_name ?? "random";
  if (dataset !== "random" && dataset !== "sharegpt") {
    throw new UsageError(
      label("multi_turn"),
      `sessions of --dataset-name ${dataset} are not implemented yet; use sharegpt (its conversations), or random with --turns DIST`,
    );
  }
  if (dataset === "sharegpt") {
    if (v.turns !== undefined) {
      throw new UsageError(
        label("turns"),
        "a ShareGPT conversation gives its own turns: leave --turns out (--max-turns caps them)",
      );
    }
    if (v.num_of_req === undefined) {
      throw new UsageError(
        label("multi_turn"),
        "ShareGPT sessions are counted: give --num-of-req N (the number of conversations)",
      );
    }
  } else if (v.turns === undefined) {
    throw new UsageError(
      label("multi_turn"),
      "random sessions need their number of turns: give --turns DIST (e.g. --turns uniform 2 6)",
    );
  }
  const refused = [
    "warmup",
    "cooldown",
    "shard",
    "workers",
    "prefix_text",
    "prefix_len",
    "ramp_up",
  ].filter((key) => v[key] !== undefined && (key !== "workers" || v[key] !== 1));
  const trace = Array.isArray(v.request_distribution) &&
    (v.request_distribution as unknown[])[0] === "trace";
  if (refused.length > 0 || trace) {
    throw new UsageError(
      label("multi_turn"),
      `not (yet) with ${
        [...refused.map(label), ...(trace ? ["a trace"] : [])].join(", ")
      }: give sessions the whole plan, in one process`,
    );
  }
  if (v.tokenizer === SERVER_TOKENIZER) {
    throw new UsageError(
      label("multi_turn"),
      "each turn's prompt counts the server's replies with a local tokenizer: give --tokenizer NAME",
    );
  }
  return {
    turns: v.turns === undefined ? undefined : parseLengthSpec(v.turns, label("turns")),
    maxTurns: v.max_turns,
    thinkTime: v.think_time === undefined
      ? undefined
      : parseLengthSpec(v.think_time, label("think_time")),
  };
}
