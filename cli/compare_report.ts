/**
 * `mib report --compare BASELINE CURRENT [--fail-if CONDITIONS]`: each
 * figure of two result files side by side with its relative change, and a
 * regression gate over them.
 *
 * @module
 */
import { figureTable, showFigure } from "./_figure_table.ts";
import { figureKeys } from "../output/figure_keys.ts";
import type { ResultFile } from "../output/mod.ts";
import { type Condition, evaluateCondition, formatChange, relativeChange } from "./fail_if.ts";

/**
 * The comparison table of `current` against `baseline`: one row per figure
 * either has, named by its key (`p99_ttft_ms`), with both values and the
 * change in percent of the baseline.
 */
export function formatComparison(baseline: ResultFile, current: ResultFile): string {
  const table = figureTable([
    "metric",
    `baseline: ${baseline.file}`,
    `current: ${current.file}`,
    "change",
  ]);
  const show = showFigure;
  for (const [figure, key] of figureKeys()) {
    const before = baseline.figures[figure];
    const after = current.figures[figure];
    if (before === undefined && after === undefined) continue;
    table.push([key, show(before), show(after), formatChange(relativeChange(before, after))]);
  }
  return table.toString();
}

/**
 * The gate's lines: one per condition that holds (`fail-if
 * p99_ttft>+10%: p99_ttft_ms 10.52 -> 41.20 (+291.6%)`), or one saying none
 * did; and whether any held.
 */
export function gateLines(
  conditions: readonly Condition[],
  baseline: ResultFile,
  current: ResultFile,
): { failed: boolean; lines: string[] } {
  const held = conditions
    .map((c) => evaluateCondition(c, baseline.figures, current.figures))
    .filter((v) => v.holds);
  if (held.length === 0) {
    return {
      failed: false,
      lines: [`fail-if: none of ${conditions.length} condition(s) held`],
    };
  }
  return {
    failed: true,
    lines: held.map((v) => `fail-if ${v.condition.text}: ${v.condition.key} ${v.detail}`),
  };
}
