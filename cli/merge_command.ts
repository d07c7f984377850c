/**
 * `mib merge FILE... -o merged.json`: the shards of one plan (`mib bench
 * --shard I/N`) as one run. Reads each file once: a seed or jsonl result
 * file with its run record beside it, or a run record alone.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { readLines } from "../io/lines.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { readHead } from "../output/_head.ts";
import { jsonArrayElements } from "../output/_json_array.ts";
import { isObject } from "../output/_json.ts";
import { RESULT_FORMATS, runRecordPath } from "../output/mod.ts";
import { writeRecordFile } from "../output/run_record.ts";
import { resultOfRecord } from "../output/seed.ts";
import { mergeShards, type ShardRun } from "../output/shard_merge.ts";
import type { RequestResult } from "../runner/result.ts";

/** The per-request records of a seed or jsonl file, one at a time (its summary line skipped). */
async function* recordsOf(path: string, format: "seed" | "jsonl", json: unknown) {
  if (format === "seed") {
    yield* Array.isArray(json) ? json : jsonArrayElements(path);
    return;
  }
  for await (const line of readLines(path)) {
    if (line.trim() === "") continue;
    const value = JSON.parse(line);
    if (!(isObject(value) && "summary" in value)) yield value;
  }
}

/** The run record at `path`, parsed, or a one-line error naming `file`. */
async function readRecord(path: string, file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    throw new UsageError(
      file,
      `no run record beside it (${path}), which states its plan and shard; keep the X.summary.json mib bench wrote beside it`,
    );
  }
  const value = JSON.parse(text);
  if (!isObject(value)) throw new UsageError(path, "not a run record");
  return value;
}

/** One shard's files, read from `file` (a seed or jsonl result file, or a run record). */
export async function readShardRun(file: string): Promise<ShardRun> {
  const head = await readHead(file);
  const format = RESULT_FORMATS.find((f) => f.detect(head))?.name;
  if (format === "record") return { file, record: head.json as Record<string, unknown> };
  if (format !== "seed" && format !== "jsonl") {
    throw new UsageError(
      file,
      `${
        format === undefined ? "not a result file" : `a ${format} file`
      }; mib merge takes seed or jsonl result files and run records (X.summary.json) of mib bench --shard I/N`,
    );
  }
  const record = await readRecord(runRecordPath(file), file);
  return { file, record, results: await resultsOf(file, format, head.json) };
}

/**
 * Every request's result in the seed or jsonl file at `file` (`json`: its
 * parsed content when the head held it whole).
 *
 * @throws {UsageError} naming the file when a record cannot be read.
 */
export async function resultsOf(
  file: string,
  format: "seed" | "jsonl",
  json: unknown,
): Promise<RequestResult[]> {
  const results: RequestResult[] = [];
  try {
    for await (const value of recordsOf(file, format, json)) {
      results.push(resultOfRecord(isObject(value) ? value : {}, results.length));
    }
  } catch (error) {
    throw new UsageError(file, `unreadable ${format} file: ${(error as Error).message}`);
  }
  return results;
}

/**
 * Runs `mib merge`: reads every file, checks they are every shard of one
 * plan, writes the merged run record to `output` and hands its summary to `log`.
 * Returns the exit status.
 *
 * @throws {UsageError} for a missing `--output`, a file that is not a shard's,
 *   shards of different plans, a shard given twice or one missing.
 */
export async function mergeCommand(
  files: readonly string[],
  options: { output?: string },
  log: (line: string) => void,
): Promise<number> {
  if (options.output === undefined) {
    throw new UsageError(
      "--output",
      "required: the file to write the merged run record to (-o merged.json)",
    );
  }
  const runs: ShardRun[] = [];
  for (const file of files) runs.push(await readShardRun(file));
  const { record, summary, exact } = mergeShards(runs, await loadHdrLibrary());
  await writeRecordFile(options.output, record);
  const { formatSummary } = await import("./summary_table.ts");
  log(formatSummary(summary, undefined, String(record.tokenizer ?? "")));
  log(
    `merged ${runs.length} shards into ${options.output} (${
      exact ? "exact: from every request's result" : "timings from summed histograms, within 0.05 %"
    })`,
  );
  return summary.failed > 0 || summary.completed === 0 ? 1 : 0;
}
