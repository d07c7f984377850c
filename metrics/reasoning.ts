/**
 * Reasoning models in the summary: over the measured successful requests
 * that had reasoning, the time to their first reasoning token and to their
 * first answer token (send → the first chunk of each; see
 * `backends/_reasoning.ts`), and their reasoning and answer tokens. TTFT
 * itself stays the first chunk of either.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { Sample } from "./sample.ts";
import { toStats } from "./summary.ts";
import type { Stats } from "./types.ts";

/** The reasoning rows of a summary (`Summary.reasoning`). */
export interface ReasoningSummary {
  /** Measured successful requests that had reasoning. */
  requests: number;
  /** Send → first reasoning token, ms. */
  ttftReasoning?: Stats;
  /** Send → first answer token, ms (requests whose answer came). */
  ttftAnswer?: Stats;
  /** Σ reasoning tokens. */
  reasoningTokens: number;
  /** Σ answer tokens. */
  answerTokens: number;
}

/** Gathers {@linkcode ReasoningSummary} one result at a time. */
export class ReasoningTally {
  readonly #reasoning = new Sample();
  readonly #answer = new Sample();
  #requests = 0;
  #reasoningTokens = 0;
  #answerTokens = 0;

  /** Adds `result` when it is a measured success with reasoning. */
  add(result: RequestResult): void {
    if (!result.success || result.phase !== undefined || result.ttftReasoning === undefined) return;
    this.#requests++;
    if (result.ttftReasoning !== null) this.#reasoning.add(result.ttftReasoning * 1000);
    if (result.ttftAnswer != null) this.#answer.add(result.ttftAnswer * 1000);
    this.#reasoningTokens += result.reasoningLen ?? 0;
    this.#answerTokens += result.answerLen ?? 0;
  }

  /** The summary rows, or undefined when no request had reasoning. */
  summary(): ReasoningSummary | undefined {
    if (this.#requests === 0) return undefined;
    return {
      requests: this.#requests,
      ttftReasoning: toStats(this.#reasoning.stats([90, 99])),
      ttftAnswer: toStats(this.#answer.stats([90, 99])),
      reasoningTokens: this.#reasoningTokens,
      answerTokens: this.#answerTokens,
    };
  }
}
