/**
 * Result files read back: `readResults(path)`, a run's per-request results
 * again, and `mergeResults(...paths)`, the shards of one plan as one run
 * (what `mib merge` does, nothing written).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { readShardRun, resultsOf } from "../cli/merge_command.ts";
import { loadHdrLibrary } from "../metrics/sample.ts";
import { readHead } from "../output/_head.ts";
import { RESULT_FORMATS } from "../output/mod.ts";
import { type MergedRun, mergeShards, type ShardRun } from "../output/shard_merge.ts";
import type { RequestResult } from "../runner/result.ts";

/**
 * Every request's result in a seed or jsonl result file mib wrote (its
 * format told from its start), each with the fields the file keeps; give them
 * to {@linkcode summarize} for the run's figures again.
 *
 * @example
 * ```ts
 * import { readResults, summarize } from "../mod.ts";
 *
 * const results = await readResults("run.jsonl");
 * summarize(results).ttft?.p99;
 * ```
 *
 * @throws {UsageError} naming the file when it is no seed or jsonl result file.
 */
export async function readResults(path: string): Promise<RequestResult[]> {
  const head = await readHead(path);
  const format = RESULT_FORMATS.find((f) => f.detect(head))?.name;
  if (format !== "seed" && format !== "jsonl") {
    throw new UsageError(
      path,
      `${
        format === undefined ? "not a result file" : `a ${format} file`
      }; per-request results are in seed and jsonl result files (--output-format seed or jsonl)`,
    );
  }
  return await resultsOf(path, format, head.json);
}

/**
 * The shards of one plan (`mib bench --shard I/N`, each a seed or jsonl
 * result file with its run record beside it, or a run record) as the one run
 * a single client would have reported: what `mib merge` writes, returned.
 *
 * @example
 * ```ts
 * import { mergeResults } from "../mod.ts";
 *
 * const { summary, exact } = await mergeResults("shard-1.jsonl", "shard-2.jsonl");
 * ```
 *
 * @throws {UsageError} for a file that is not a shard's, shards of different plans, a shard given twice or one missing.
 */
export async function mergeResults(...paths: string[]): Promise<MergedRun> {
  const runs: ShardRun[] = [];
  for (const path of paths) runs.push(await readShardRun(path));
  return mergeShards(runs, await loadHdrLibrary());
}
