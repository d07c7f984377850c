/**
 * The console table of a multi-turn run's figures by turn (see
 * `metrics/turns.ts`).
 *
 * @module
 */
import type { TurnRow } from "../metrics/turns.ts";

const _ms = (v: number | undefined) => v === undefined ? "—" : v.toFixed(1);
const _mean = (v: number | null) => v === null ? "—" : v.toFixed(1);

/**
 * The rows as an aligned plain-text table, one line per turn index.
 *
 * @example
 * ```ts
 * formatTurnTable([{
 *   turn: 0, requests: 4, failed: 0, ttft: { p50: 21, p99: 23 }, e2el: { p50: 100, p99: 110 },
 *   promptLen: 64, promptLenServer: 64, promptCached: 0,
 * }]).split("\n")[0]; // "By turn  requests  failed  TTFT p50 ms  ..."
 * ```
 */
export function formatTurnTable(rows: readonly TurnRow[]): string {
  const header = [
    "By turn",
    "requests",
    "failed",
    "TTFT p50 ms",
    "TTFT p99 ms",
    "E2E p50 ms",
    "E2E p99 ms",
    "prompt len",
    "server prompt",
    "cached",
  ];
  const lines = rows.map((r) => [
    String(r.turn),
    String(r.requests),
    String(r.failed),
    _ms(r.ttft?.p50),
    _ms(r.ttft?.p99),
    _ms(r.e2el?.p50),
    _ms(r.e2el?.p99),
    r.promptLen.toFixed(1),
    _mean(r.promptLenServer),
    _mean(r.promptCached),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  return [header, ...lines]
    .map((cells) => cells.map((c, i) => i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
    .map((cells) => cells.join("  ").trimEnd())
    .join("\n");
}
