/**
 * `--output-format jsonl`: one JSON line per request, written as each ends,
 * then a `{"summary": …}` line when the run finishes.
 *
 * @module
 */
import { readLines } from "../io/lines.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import type { Summary } from "../metrics/types.ts";
import type { RequestResult } from "../runner/result.ts";
import { finite, isObject } from "./_json.ts";
import { PointFigures, pointOfRecord } from "./_points.ts";
import { toSeedRecords } from "./seed.ts";
import type { OpenOptions, OutputFormat, OutputWriter } from "./types.ts";

/**
 * Appends one JSON line per finished request to `path`, each written (not
 * buffered) the moment it is handed over, so a crash or a kill loses nothing
 * already measured. A run that keeps no results hands each over once its
 * output is counted; `output_len` is null on a line written before the
 * client tokenizer counted it (`output_len_client` null too).
 */
async function openJsonl(path: string, options: OpenOptions = {}): Promise<OutputWriter> {
  // Appended (--append): the lines go after those of earlier runs.
  const file = await Deno.open(
    path,
    options.append ? { append: true, create: true } : { write: true, create: true, truncate: true },
  );
  const encoder = new TextEncoder();
  const writeLine = (value: unknown) => {
    const bytes = encoder.encode(JSON.stringify(value) + "\n");
    // A write to a file completes into the page cache, which outlives the process.
    for (let written = 0; written < bytes.length;) {
      written += file.writeSync(bytes.subarray(written));
    }
  };
  let open = true;
  const close = async (summary?: Summary) => {
    if (!open) return;
    open = false;
    if (summary !== undefined) writeLine({ summary });
    await file.sync();
    file.close();
  };
  return {
    add(result: RequestResult) {
      const [record] = toSeedRecords([result]);
      writeLine({
        ...record,
        output_len: result.outputLenSource === "server" || result.outputLenClient !== undefined
          ? record.output_len
          : null,
      });
    },
    finish: ({ summary }) => close(summary),
    close: () => close(),
  };
}

/** A first line jsonl starts with: a request's record or, for a run of none, the summary. */
function isJsonlLine(value: unknown): boolean {
  return isObject(value) && value.tool === undefined &&
    (typeof value.success === "boolean" || isObject(value.summary));
}

/** The jsonl format. */
export const jsonl: OutputFormat<"jsonl"> = {
  name: "jsonl",
  help: "a line per request as each finishes, then a summary line",
  listsEveryRequest: true,
  streams: true,
  open: openJsonl,
  detect: (head) => head.jsonLine && isJsonlLine(head.json),
  /**
   * Line by line into a {@link PointFigures} (histograms past its exact
   * limit), so the file's size is not bounded by memory. The duration is the
   * summary line's, else the last response's end.
   */
  async read(head, onRequest) {
    const figures = new PointFigures({ hdr: await loadHdrLibrary() });
    let duration: number | null = null;
    let number = 0;
    for await (const line of readLines(head.path)) {
      number++;
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new Error(`line ${number}: ${(error as Error).message}`);
      }
      if (!isObject(value)) throw new Error(`line ${number}: not a JSON object`);
      if ("summary" in value) {
        duration = isObject(value.summary) ? finite(value.summary.duration) : null;
        continue;
      }
      const point = pointOfRecord(value);
      figures.add(point);
      onRequest?.(point);
    }
    const total = duration ?? figures.duration;
    return { figures: figures.figures(total), duration: total };
  },
};
