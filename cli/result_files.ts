/**
 * Result files beside the summary: the seed's JSON array, newline-delimited
 * JSON written as requests finish, and the run record.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };
import { toSeedRecords } from "../metrics/seed_output.ts";
import type { Summary } from "../metrics/summary.ts";
import type { RequestResult } from "../runner/result.ts";
import type { BenchConfig } from "./resolve.ts";

/** The result file formats of `--output-format`. */
export const OUTPUT_FORMATS = ["seed", "jsonl"] as const;

/** A result file format. */
export type OutputFormat = typeof OUTPUT_FORMATS[number];

/**
 * Appends one JSON line per finished request to `path`, each written (not
 * buffered) the moment the request ends, so a crash or a kill loses nothing
 * already measured. `output_len` is null on a line whose count the client
 * tokenizer makes after the run.
 */
export async function openJsonlWriter(path: string): Promise<{
  write(result: RequestResult): void;
  close(summary: Summary): Promise<void>;
}> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const writeLine = (value: unknown) => {
    const bytes = encoder.encode(JSON.stringify(value) + "\n");
    // A write to a file completes into the page cache, which outlives the process.
    for (let written = 0; written < bytes.length;) {
      written += file.writeSync(bytes.subarray(written));
    }
  };
  return {
    write(result) {
      const [record] = toSeedRecords([result]);
      writeLine({
        index: result.index,
        ...record,
        output_len: result.outputLenSource === "server" ? record.output_len : null,
      });
    },
    async close(summary) {
      writeLine({ summary });
      await file.sync();
      file.close();
    },
  };
}

/** Writes the seed's output file: a JSON array, one object per request. */
export async function writeSeedFile(
  path: string,
  results: readonly RequestResult[],
): Promise<void> {
  await Deno.writeTextFile(path, JSON.stringify(toSeedRecords(results), null, 2) + "\n");
}

/** Where the run record of results file `path` goes: `X.json` → `X.summary.json`. */
export function runRecordPath(path: string): string {
  return path.replace(/(\.jsonl?|\.csv)?$/, ".summary.json");
}

/** Header names whose values are secrets. */
const SECRET_HEADER = /^(authorization|proxy-authorization|x-api-key|api-key|cookie)$/i;

/** The configuration with every secret replaced by "[redacted]". */
export function redactConfig(config: BenchConfig): Record<string, unknown> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(config.headers)) {
    headers[name] = SECRET_HEADER.test(name) ? "[redacted]" : value;
  }
  return { ...config, headers };
}

/**
 * Writes the run record: the resolved configuration (secrets redacted), the
 * tool version, the start time, the seed and the summary.
 */
export async function writeRunRecord(
  path: string,
  config: BenchConfig,
  run: { startedAt: Date; model?: string; url: string; tokenizer: string },
  summary: Summary,
): Promise<void> {
  const record = {
    tool: "mib",
    version: denoJson.version,
    started_at: run.startedAt.toISOString(),
    seed: config.seed,
    url: run.url,
    model: run.model ?? null,
    tokenizer: run.tokenizer,
    config: redactConfig(config),
    summary,
  };
  // Infinity (poisson inf) has no JSON form: write it as the string "inf".
  const text = JSON.stringify(record, (_, v) => (v === Infinity ? "inf" : v), 2);
  await Deno.writeTextFile(path, text + "\n");
}
