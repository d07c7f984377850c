/**
 * `mib report FILE...`: the summary of result files of any format mib writes
 * side by side, with `--merge` several run records as one, and with `--html`
 * a page of charts too; or the tables of `sweep.json` files, and with `--html`
 * their latency against throughput curves. Each file is read once.
 *
 * @module
 */
import Table from "../output/_cli_table.ts";
import { UsageError } from "../errors.ts";
import { OPTIONAL_FIGURES, REPORT_FIGURES, TOKEN_TIMING_FIGURES } from "../output/figures.ts";
import { mergeRecords } from "../output/merge.ts";
import { type Figures, readResultFile, type ResultFile } from "../output/mod.ts";
import { formatSweepTable, isSweepFile, readSweepFile } from "../output/sweep_file.ts";

/** The figures a report shows for one file. */
export interface ReportColumn {
  /** The file. */
  file: string;
  /** Its format's name ("merged": several run records as one). */
  format: string;
  /** Figure → value (ms for times, per second for rates). */
  figures: Figures;
}

/** The report of `columns` as a table, one column per file. */
export function formatReport(columns: readonly ReportColumn[]): string {
  const table = new Table({
    head: ["", ...columns.map((c) => `${c.file} (${c.format})`)],
    style: Deno.stdout.isTerminal() ? undefined : { head: [], border: [] },
  });
  const show = (v: number | null | undefined) =>
    v === null || v === undefined || !Number.isFinite(v)
      ? "n/a"
      : Number.isInteger(v)
      ? String(v)
      : v.toFixed(2);
  const optional = OPTIONAL_FIGURES.filter((figure) =>
    columns.some((c) => c.figures[figure] !== undefined)
  );
  for (const figure of [...REPORT_FIGURES, ...optional]) {
    table.push([
      figure,
      ...columns.map((c) => show(c.figures[figure])),
    ]);
  }
  return [table.toString(), ...noTokenTimingLines(columns)].join("\n");
}

/**
 * One note per column with successful requests but no TTFT, TPOT or ITL at
 * all, saying why they show n/a.
 */
export function noTokenTimingLines(columns: readonly ReportColumn[]): string[] {
  return columns
    .filter((c) =>
      (c.figures.completed ?? 0) > 0 &&
      TOKEN_TIMING_FIGURES.every((figure) => c.figures[figure] === null)
    )
    .map((c) =>
      `note: ${c.file}: no TTFT, TPOT or ITL: no request of it streamed generated tokens ` +
      `(an embeddings or rerank run, or unstreamed responses)`
    );
}

/** The merged column of run records `files`. */
async function mergedColumn(files: readonly ResultFile[]): Promise<ReportColumn> {
  const records = files.map(({ file, record }) => {
    if (record === undefined) {
      throw new UsageError(
        "--merge",
        `"${file}" is not a run record; give the X.summary.json files mib bench writes`,
      );
    }
    return { file, record };
  });
  return {
    file: `merged (${records.length} runs)`,
    format: "merged",
    figures: await mergeRecords(records),
  };
}

/**
 * The report of `sweep.json` files: each sweep's table, and with `html` one
 * page of their curves side by side.
 */
async function sweepReport(
  files: string[],
  sweeps: boolean[],
  options: { merge?: boolean; html?: string },
): Promise<number> {
  const other = files.find((_, i) => !sweeps[i]);
  if (other !== undefined) {
    throw new UsageError(
      other,
      "is not a sweep.json, and the other files are: report sweeps or result files, not both",
    );
  }
  if (options.merge) {
    throw new UsageError(
      "--merge",
      "merges run records, not sweeps; give the X.summary.json files",
    );
  }
  const named = [];
  for (const file of files) named.push({ name: file, sweep: await readSweepFile(file) });
  for (const { name, sweep } of named) {
    console.log(`${name} (${sweep.url}, ${sweep.mode})`);
    console.log(formatSweepTable(sweep));
  }
  if (options.html !== undefined) {
    const { writeSweepHtml } = await import("../output/sweep_html.ts");
    await writeSweepHtml(options.html, named);
  }
  return 0;
}

/**
 * Runs `mib report`; returns the exit status. With `merge`, every file must be
 * a run record, and a last column shows them merged; with `html`, the page of
 * charts is written there too.
 */
export async function reportCommand(
  files: string[],
  options: { merge?: boolean; html?: string } = {},
): Promise<number> {
  const sweeps = await Promise.all(files.map(isSweepFile));
  if (sweeps.some((s) => s)) return await sweepReport(files, sweeps, options);
  const read: ResultFile[] = [];
  if (options.html !== undefined) {
    // Only now: the page inlines uPlot, which a plain report need not load.
    const { readChartRun, writeHtmlReport } = await import("../output/html.ts");
    const runs = [];
    // One file at a time, so only one file's parse is held at once.
    for (const file of files) runs.push(await readChartRun(file));
    await writeHtmlReport(options.html, runs);
    read.push(...runs.map((run) => run.file));
  } else {
    for (const file of files) read.push(await readResultFile(file));
  }
  const columns: ReportColumn[] = options.merge ? [...read, await mergedColumn(read)] : read;
  console.log(formatReport(columns));
  return 0;
}
