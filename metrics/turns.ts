/**
 * Metrics by turn of multi-turn sessions (`--multi-turn`): turn k's TTFT
 * grows with its history unless the server's prefix cache serves it, so each
 * turn index gets its own row.
 *
 * @module
 */
import type { RequestResult } from "../runner/result.ts";
import { Sample } from "./sample.ts";

/** One turn index's figures, over the measured requests of that turn (ms, tokens). */
export interface TurnRow {
  /** Turn index, 0-based. */
  turn: number;
  /** Requests of this turn sent (measured ones). */
  requests: number;
  /** Of them, failed. */
  failed: number;
  /** TTFT, ms, of the successful ones whose TTFT is known: median and p99; null for none. */
  ttft: { p50: number; p99: number } | null;
  /** E2E latency, ms, of the successful ones: median and p99; null for none. */
  e2el: { p50: number; p99: number } | null;
  /** Mean `prompt_len` (the whole history's messages under the client tokenizer). */
  promptLen: number;
  /** Mean `prompt_len_server` of those the server counted; null when it gave none. */
  promptLenServer: number | null;
  /** Mean `prompt_cached` of those the server reported it for; null when it gave none. */
  promptCached: number | null;
}

/** Running sums of one turn index. */
class _Turn {
  requests = 0;
  failed = 0;
  ttft = new Sample();
  e2el = new Sample();
  promptLen = 0;
  serverSum = 0;
  serverCount = 0;
  cachedSum = 0;
  cachedCount = 0;
}

/** Median and p99 of a sample, or null when empty. */
function _ends(sample: Sample): { p50: number; p99: number } | null {
  const stats = sample.stats([50, 99]);
  return stats === null ? null : { p50: stats.percentiles.p50, p99: stats.percentiles.p99 };
}

/**
 * Gathers {@linkcode TurnRow}s as results arrive; results without a `turn`
 * (lone requests) and warm-up or cool-down ones are left out.
 *
 * @example
 * ```ts
 * const turns = new TurnAccumulator();
 * turns.add({ turn: 0, success: true, ttft: 0.02, latency: 0.1, promptLen: 16 } as never);
 * turns.rows()[0].ttft; // { p50: 20, p99: 20 }
 * ```
 */
export class TurnAccumulator {
  readonly #turns: _Turn[] = [];

  /** Adds one finished request. */
  add(result: RequestResult): void {
    if (result.turn === undefined || (result.phase ?? "measured") !== "measured") return;
    const turn = (this.#turns[result.turn] ??= new _Turn());
    turn.requests++;
    turn.promptLen += result.promptLen;
    if (result.promptLenServer !== undefined) {
      turn.serverSum += result.promptLenServer;
      turn.serverCount++;
    }
    if (result.promptCached !== undefined) {
      turn.cachedSum += result.promptCached;
      turn.cachedCount++;
    }
    if (!result.success) {
      turn.failed++;
      return;
    }
    if (result.ttft !== null) turn.ttft.add(result.ttft * 1000);
    turn.e2el.add(result.latency * 1000);
  }

  /** One row per turn index seen, in order; empty when no result had a turn. */
  rows(): TurnRow[] {
    const rows: TurnRow[] = [];
    this.#turns.forEach((t, turn) => {
      rows.push({
        turn,
        requests: t.requests,
        failed: t.failed,
        ttft: _ends(t.ttft),
        e2el: _ends(t.e2el),
        promptLen: t.promptLen / t.requests,
        promptLenServer: t.serverCount === 0 ? null : t.serverSum / t.serverCount,
        promptCached: t.cachedCount === 0 ? null : t.cachedSum / t.cachedCount,
      });
    });
    return rows;
  }
}
