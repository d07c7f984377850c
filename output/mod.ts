/**
 * Result files: every format `mib bench` writes (`--output-format`) and the
 * run record beside it, behind one {@linkcode OutputFormat} interface, and
 * reading any of them back for `mib report`.
 *
 * A format is one module of this folder exporting an `OutputFormat`, listed
 * once in {@linkcode OUTPUT_FORMATS}.
 *
 * @example Read any result file back
 * ```ts
 * import { readResultFile } from "./mod.ts";
 *
 * const { format, figures } = await readResultFile("run.jsonl");
 * console.log(format, figures["p99 TTFT (ms)"]);
 * ```
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { readHead } from "./_head.ts";
import { csv } from "./csv.ts";
import { jsonl } from "./jsonl.ts";
import { runRecord, runRecordPath } from "./run_record.ts";
import { seed } from "./seed.ts";
import type { OpenOptions, OutputFormat, OutputWriter, RequestPoint, ResultFile } from "./types.ts";
import { vllm } from "./vllm.ts";

export type {
  Figures,
  FileHead,
  FileRamp,
  FinishedRun,
  OpenOptions,
  OutputFormat,
  OutputWriter,
  ReadResult,
  RequestPoint,
  ResultFile,
  RunRecord,
} from "./types.ts";
export {
  type SeedRecord,
  type ServerTimingsRecord,
  serverTimingsRecord,
  toSeedRecords,
} from "./seed.ts";
export { runRecordPath } from "./run_record.ts";

/** The formats of `--output-format`, the default first. */
export const OUTPUT_FORMATS = [
  seed,
  jsonl,
  vllm,
  csv,
] as const;

/** The name of a format of `--output-format`. */
export type FormatName = typeof OUTPUT_FORMATS[number]["name"];

/** The names of {@linkcode OUTPUT_FORMATS}: the values `--output-format` accepts. */
export const OUTPUT_FORMAT_NAMES = OUTPUT_FORMATS.map((format) => format.name) as [
  FormatName,
  ...FormatName[],
];

/** `--output-format`'s help: "seed (…), jsonl (…) or csv (…)". */
export const OUTPUT_FORMAT_HELP: string =
  ((parts: string[]) => `${parts.slice(0, -1).join(", ")} or ${parts.at(-1)}`)(
    OUTPUT_FORMATS.map((format) => `${format.name} (${format.help})`),
  );

/** Every format `mib report` reads: those of `--output-format` and the run record. */
export const RESULT_FORMATS: readonly OutputFormat[] = [...OUTPUT_FORMATS, runRecord];

/** The format named `name` (one of {@linkcode RESULT_FORMATS}), if any. */
export function resultFormat(name: string): OutputFormat | undefined {
  return RESULT_FORMATS.find((format) => format.name === name);
}

/**
 * Whether a run writing format `name` must keep every result until it ends:
 * the file lists every request but is written at the end.
 */
export function needsEveryResult(name: FormatName): boolean {
  const format = resultFormat(name)!;
  return format.listsEveryRequest && !format.streams;
}

/**
 * Opens the result files of a run about to start: `path` in format `name`
 * and the run record beside it ({@linkcode runRecordPath}), behind one writer.
 * Hand it each request as it ends, then the finished run (or close it when
 * the run fails: a streamed file keeps what was written).
 */
export async function openOutput(
  path: string,
  name: FormatName,
  options: OpenOptions = {},
): Promise<OutputWriter> {
  const writers = [
    await resultFormat(name)!.open(path, options),
    await runRecord.open(runRecordPath(path)),
  ];
  return {
    add(result) {
      for (const writer of writers) writer.add(result);
    },
    async finish(run) {
      for (const writer of writers) await writer.finish(run);
    },
    async close() {
      for (const writer of writers) await writer.close();
    },
  };
}

/**
 * Reads a result file of any format mib writes (and vLLM's own result JSON),
 * in one pass: its format told from its start, its report figures, and each
 * request it lists handed to `onRequest` as it is read.
 *
 * @throws {UsageError} naming the file when it cannot be read or is no result file.
 */
export async function readResultFile(
  path: string,
  options: { onRequest?: (point: RequestPoint) => void } = {},
): Promise<ResultFile> {
  const head = await readHead(path);
  const format = RESULT_FORMATS.find((f) => f.detect(head));
  if (format === undefined) {
    const accepted = RESULT_FORMATS.map((f) => f.name).join(", ");
    const why = head.firstLine === "" ? "the file is empty" : head.jsonError;
    throw new UsageError(
      path,
      `not a result file mib reads (formats: ${accepted})${why === undefined ? "" : `: ${why}`}`,
    );
  }
  try {
    return { file: path, format: format.name, ...await format.read(head, options.onRequest) };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(path, `unreadable ${format.name} file: ${(error as Error).message}`);
  }
}
