/**
 * `--output-format csv`: the top-level numbers of the vllm result as a CSV
 * header line and one row, written at the end of the run.
 *
 * @module
 */
import { writtenAtEnd } from "./_write.ts";
import type { OutputFormat } from "./types.ts";
import { vllmFigures, vllmMeta, vllmResult } from "./vllm.ts";

/** The top-level numbers of a vLLM-format result as a CSV header and one row. */
export function csvSummary(result: Record<string, unknown>): string {
  const keys = Object.keys(result).filter((k) =>
    !Array.isArray(result[k]) && typeof result[k] !== "object"
  );
  const cell = (v: unknown) => {
    const text = v === null || v === undefined ? "" : String(v);
    return /[",\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return `${keys.join(",")}\n${keys.map((k) => cell(result[k])).join(",")}\n`;
}

/**
 * The records of CSV `text` (RFC 4180: cells in double quotes may hold
 * commas, newlines and doubled quotes), each a list of cells.
 */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') cell += c;
      else if (text[i + 1] === '"') cell += text[i++];
      else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || record.length > 0) records.push([...record, cell]);
  return records;
}

/** The cells of a CSV header naming vLLM's top-level result fields. */
const REQUIRED = ["completed", "duration"];

/** The csv format. */
export const csv: OutputFormat<"csv"> = {
  name: "csv",
  help: "its summary row",
  listsEveryRequest: false,
  streams: false,
  open: (path) =>
    writtenAtEnd((run) =>
      Deno.writeTextFile(
        path,
        csvSummary(vllmResult(run.metrics, run.accumulator.totals(), vllmMeta(run))),
      )
    ),
  detect: ({ json, firstLine }) => {
    if (json !== undefined) return false;
    const header = firstLine.split(",");
    return REQUIRED.every((name) => header.includes(name));
  },
  async read(head) {
    const [header = [], row = []] = parseCsv(await Deno.readTextFile(head.path));
    const cells = new Map(header.map((name, i) => [name, row[i]]));
    const value = (field: string) => {
      const cell = cells.get(field);
      const n = cell === undefined || cell.trim() === "" ? NaN : Number(cell);
      return Number.isFinite(n) ? n : null;
    };
    return { figures: vllmFigures(value), duration: value("duration") ?? 0 };
  },
};
