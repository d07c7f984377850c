/**
 * The table `mib report` prints figures in, and how it shows one.
 *
 * @module
 */
import Table from "../output/_cli_table.ts";

/** A table with `head`, uncoloured when stdout is no terminal. */
export function figureTable(head: string[]): Table.Table {
  return new Table({
    head,
    style: Deno.stdout.isTerminal() ? undefined : { head: [], border: [] },
  });
}

/** A figure as a cell: integers as they are, others to 2 decimals, `n/a` for none. */
export function showFigure(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v)
    ? "n/a"
    : Number.isInteger(v)
    ? String(v)
    : v.toFixed(2);
}
