/**
 * What is measured of one request.
 *
 * @module
 */
import type { ServerTimings } from "../backends/types.ts";
import type { Phase } from "./phases.ts";

/** The measured outcome of one request. Times are seconds. */
export interface RequestResult {
  /** Position in the planned schedule (0-based). */
  index: number;
  /** The request completed and its stream ended without an error. */
  success: boolean;
  /** Why it failed; empty on success. */
  error: string;
  /** HTTP status, when a response came. */
  status?: number;
  /** Generated text. */
  text: string;
  /** Token count of the prompt sent. */
  promptLen: number;
  /**
   * The server's count of the whole prompt (prefix-cache hits included), when
   * it gave one; compared with `promptLen` (see `metrics/mismatch.ts`).
   */
  promptLenServer?: number;
  /** Prompt tokens the server took from its prefix cache, when it said. */
  promptCached?: number;
  /** Whether the server cut the prompt to its context, when it said (llama.cpp). */
  truncated?: boolean;
  /** Output tokens asked for (the request's max tokens); absent in results read from old files. */
  outputLenAsked?: number;
  /**
   * `outputLenAsked` is only a cap: the server was let stop on its own
   * (`--no-ignore-eos`) or its output was constrained (`--json-schema`,
   * `--regex`, `--choice`), so a shorter output is no mismatch.
   */
  outputLenCapOnly?: boolean;
  /**
   * Whether the output met the run's constraint (`--json-schema`, `--regex`,
   * `--choice`): null when the request failed; absent without a constraint.
   */
  structuredValid?: boolean | null;
  /** Why the output did not meet it (a JSON parse error, the first schema error, …). */
  structuredError?: string;
  /** Output tokens: the server's count when it gave one, else the client tokenizer's. */
  outputLen: number;
  /** Where `outputLen` came from. */
  outputLenSource: "server" | "tokenizer";
  /** Output tokens under the client tokenizer, counted after the run. */
  outputLenClient?: number;
  /** Send → arrival of the first chunk carrying generated text; null when none came. */
  ttft: number | null;
  /** Gaps between successive chunks that carried text, one per chunk after the first. */
  itl: number[];
  /** Send → end of the response (or → the failure). */
  latency: number;
  /** Number of chunks that carried text. */
  chunks: number;
  /** Tokens each text chunk carried, when the server said so for every chunk. */
  chunkTokens?: number[];
  /** The response was streamed (when false, `ttft` is null and `itl` empty: unknown). */
  streamed: boolean;
  /** Planned send time, from the run start. */
  plannedOffset: number;
  /** Actual send time, from the run start. */
  sendOffset: number;
  /** The server's own timings of the request, when it reported them (llama.cpp). */
  serverTimings?: ServerTimings;
  /**
   * Warm-up and cool-down requests are sent but left out of every statistic
   * (see `runner/phases.ts`); absent means measured.
   */
  phase?: Phase;
  /**
   * True when its send time came while `--max-concurrency` requests were in
   * flight, so it waited in the client for a free slot (its schedule lag
   * `sendOffset − plannedOffset` is then mostly that wait).
   */
  waitedForSlot?: boolean;
  /** The multi-turn session it belongs to (`--multi-turn`, `--turns`); absent for a lone request. */
  session?: number;
  /** Its turn in that session, 0-based; its prompt carries the turns before it and their replies. */
  turn?: number;
  /**
   * A pooling request's inputs (`--batch`): the texts embedded, or the
   * documents scored against its query; absent for a generation.
   */
  inputCount?: number;
  /** Images sent with the prompt (`--image-count`, `--image-dir`); absent when none. */
  imageCount?: number;
  /** Things that affect how the numbers read (multi-token chunks, role-only first chunk, …). */
  notes: string[];
  /**
   * A reasoning model's response (see `backends/_reasoning.ts`): send → the
   * first chunk with reasoning text, seconds; absent when it had none.
   */
  ttftReasoning?: number | null;
  /** With reasoning: send → the first chunk with answer text, seconds; null when none came. */
  ttftAnswer?: number | null;
  /**
   * With reasoning: its tokens, the server's count when it gave one, else the
   * client tokenizer's of the reasoning text (counted after the run).
   */
  reasoningLen?: number;
  /** With reasoning: `outputLen − reasoningLen` (output_len stays the total). */
  answerLen?: number;
  /** With reasoning: its text, until counted. */
  reasoningText?: string;
  /** With reasoning: the server's count of its tokens, when it gave one. */
  reasoningLenServer?: number;
}
