/**
 * `mib report --fail-if`: conditions on how a current run's figures compare
 * with a baseline's, each either a relative change (`p99_ttft>+10%`) or an
 * absolute bound (`failed>0`).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { figureKeys, metricNames } from "../output/figure_keys.ts";
import type { Figures } from "../output/mod.ts";

/** A comparison of a condition. */
export type Comparison = ">" | ">=" | "<" | "<=";

/** One parsed `--fail-if` condition. */
export interface Condition {
  /** The condition as given, trimmed (`p99_ttft>+10%`). */
  text: string;
  /** Its metric's key (`p99_ttft_ms`). */
  key: string;
  /** The report figure it reads (`p99 TTFT (ms)`). */
  figure: string;
  /** How the value is compared with the bound. */
  op: Comparison;
  /** The bound: a percentage when `relative`, else in the figure's unit. */
  bound: number;
  /** Whether the bound is a change relative to the baseline, in percent. */
  relative: boolean;
}

/** How one condition came out. */
export interface Verdict {
  /** The condition. */
  condition: Condition;
  /** Whether it holds (also when a figure it needs is n/a: the gate fails closed). */
  holds: boolean;
  /** The figures it compared, e.g. `10.52 -> 41.20 (+291.6%)`, or why it could not. */
  detail: string;
}

const _FORM = "expected METRIC OP BOUND[,...] with OP one of > >= < <= and BOUND a number or " +
  'a change against the baseline like +10% or -5% (e.g. "p99_ttft>+10%,failed>0")';

/**
 * Parses a `--fail-if` value: comma-separated conditions `METRIC OP BOUND`,
 * OP one of `>`, `>=`, `<`, `<=`, BOUND a number (compared with the current
 * figure) or a signed or unsigned percentage (compared with the change
 * against the baseline). METRIC is a name of {@link metricNames}.
 *
 * @throws {UsageError} naming `--fail-if` and the accepted form.
 * @example
 * ```ts
 * parseFailIf("p99_ttft>+10%,failed>0").map((c) => c.key); // ["p99_ttft_ms", "failed"]
 * ```
 */
export function parseFailIf(text: string): Condition[] {
  const names = metricNames();
  const keys = figureKeys();
  const parts = text.split(",").map((part) => part.trim());
  if (parts.some((part) => part === "")) {
    throw new UsageError("--fail-if", `${_FORM}, got ${JSON.stringify(text)}`);
  }
  return parts.map((part) => {
    const m = /^([A-Za-z0-9_.]+)\s*(>=|<=|>|<)\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(%?)$/i
      .exec(part);
    if (m === null) throw new UsageError("--fail-if", `${_FORM}, got ${JSON.stringify(part)}`);
    const figure = names.get(m[1]);
    if (figure === undefined) {
      throw new UsageError(
        "--fail-if",
        `unknown metric "${m[1]}" in ${JSON.stringify(part)}; expected one of ${
          [...keys.values()].join(", ")
        } (or without _ms, p50 for median, e2e for e2el)`,
      );
    }
    return {
      text: part,
      key: keys.get(figure)!,
      figure,
      op: m[2] as Comparison,
      bound: Number(m[3]),
      relative: m[4] === "%",
    };
  });
}

/**
 * The change from `baseline` to `current` in percent of the baseline; 0 when
 * both are 0, ±Infinity from a baseline of 0; null when either is missing.
 *
 * @example
 * ```ts
 * relativeChange(10, 11); // ≈ 10
 * ```
 */
export function relativeChange(
  baseline: number | null | undefined,
  current: number | null | undefined,
): number | null {
  if (!_isNumber(baseline) || !_isNumber(current)) return null;
  if (baseline === 0) return current === 0 ? 0 : current > 0 ? Infinity : -Infinity;
  return (current - baseline) / Math.abs(baseline) * 100;
}

/** A change in percent, signed: `+12.3%`, `-4.0%`, `+inf%`; `n/a` for null. */
export function formatChange(change: number | null): string {
  if (change === null) return "n/a";
  if (!Number.isFinite(change)) return change > 0 ? "+inf%" : "-inf%";
  return `${change >= 0 ? "+" : ""}${change.toFixed(1)}%`;
}

/** How `condition` comes out for `current` against `baseline`. */
export function evaluateCondition(
  condition: Condition,
  baseline: Figures,
  current: Figures,
): Verdict {
  const before = baseline[condition.figure];
  const after = current[condition.figure];
  const shown = `${_show(before)} -> ${_show(after)}`;
  const change = relativeChange(before, after);
  const value = condition.relative ? change : _isNumber(after) ? after : null;
  if (value === null) {
    const side = _isNumber(after) ? "the baseline" : "the current run";
    return { condition, holds: true, detail: `n/a in ${side} (${shown})` };
  }
  return {
    condition,
    holds: _compare(value, condition.op, condition.bound),
    detail: `${shown} (${formatChange(change)})`,
  };
}

function _compare(value: number, op: Comparison, bound: number): boolean {
  switch (op) {
    case ">":
      return value > bound;
    case ">=":
      return value >= bound;
    case "<":
      return value < bound;
    case "<=":
      return value <= bound;
  }
}

function _isNumber(v: number | null | undefined): v is number {
  return typeof v === "number" && !Number.isNaN(v);
}

function _show(v: number | null | undefined): string {
  return !_isNumber(v) ? "n/a" : Number.isInteger(v) ? String(v) : v.toFixed(2);
}
