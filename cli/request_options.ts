/**
 * The options of what each request asks for beyond its prompt and length
 * (sampling, end-of-sequence, structured outputs, the extra body) and of the
 * run's identity in its result files (`--label`, `--metadata`,
 * `--result-dir`, `--append`): their specs, spliced into `BENCH_OPTIONS`, and
 * their resolution into `BenchConfig` fields.
 *
 * @module
 */
import { basename } from "node:path";
import { UsageError } from "../errors.ts";
import type { SamplingOptions, StructuredOutput } from "../backends/sampling.ts";
import type { OptionSpec } from "./options.ts";

/** Request options, in help order. */
export const REQUEST_OPTIONS: readonly OptionSpec[] = [
  {
    key: "temperature",
    flag: "--temperature",
    arg: "<t>",
    kind: "non-negative-number",
    help: "sampling temperature sent with every request (0: greedy)",
  },
  {
    key: "top_p",
    flag: "--top-p",
    arg: "<p>",
    kind: "positive-number",
    help: "nucleus sampling: top_p sent with every request (0 < p ≤ 1)",
  },
  {
    key: "top_k",
    flag: "--top-k",
    arg: "<k>",
    kind: "int",
    help: "top_k sent with every request (-1 or 0: off, as the server defines)",
  },
  {
    key: "min_p",
    flag: "--min-p",
    arg: "<p>",
    kind: "non-negative-number",
    help: "min_p sent with every request (0 ≤ p ≤ 1)",
  },
  {
    key: "repetition_penalty",
    flag: "--repetition-penalty",
    arg: "<x>",
    kind: "positive-number",
    help: "repetition penalty sent with every request (repeat_penalty for Ollama and llama.cpp)",
  },
  {
    key: "stop",
    flag: "--stop",
    arg: "<text>",
    kind: "strings",
    help: "a stop sequence sent with every request (repeatable)",
  },
  {
    key: "seed_per_request",
    flag: "--seed-per-request",
    kind: "boolean",
    help: "send each request a sampling seed: (--seed + its plan index) mod 2^31",
  },
  {
    key: "ignore_eos",
    flag: "--ignore-eos",
    aliases: ["--no-ignore-eos"],
    kind: "boolean",
    help:
      "ask the server to generate exactly the planned length past end-of-sequence (default where the protocol can); --no-ignore-eos lets it stop on its own, the planned length a cap",
  },
  {
    key: "json_schema",
    flag: "--json-schema",
    arg: "<file>",
    kind: "string",
    help:
      "constrain every output to JSON valid against the schema in FILE, and check each output against it",
  },
  {
    key: "regex",
    flag: "--regex",
    arg: "<re>",
    kind: "string",
    help: "constrain every output to match the regular expression, and check each output",
  },
  {
    key: "choice",
    flag: "--choice",
    arg: "<a,b,c>",
    kind: "string",
    help: "constrain every output to one of the comma-separated choices, and check each output",
  },
  {
    key: "extra_body",
    flag: "--extra-body",
    arg: "<json>",
    kind: "json-object",
    help:
      "a JSON object deep-merged into every request body last, so it can override any field mib sets",
  },
  {
    key: "extra_body_file",
    flag: "--extra-body-file",
    arg: "<path>",
    kind: "string",
    help: "the same, read from a JSON file (merged before --extra-body)",
  },
];

/** Run identity options, in help order. */
export const RUN_IDENTITY_OPTIONS: readonly OptionSpec[] = [
  {
    key: "label",
    flag: "--label",
    arg: "<text>",
    kind: "string",
    help:
      "a label of the run, written in the run record and the vllm result (label) and leading vLLM's file name under --result-dir",
  },
  {
    key: "metadata",
    flag: "--metadata",
    arg: "<key=value>",
    kind: "strings",
    help:
      "a KEY=VALUE pair written in the run record (metadata) and at the top level of the vllm result, as vLLM does (repeatable)",
  },
  {
    key: "result_dir",
    flag: "--result-dir",
    arg: "<dir>",
    kind: "string",
    help:
      "write the result file in DIR (created if missing), named as vLLM names it unless --output-file gives a name",
  },
  {
    key: "append",
    flag: "--append",
    kind: "boolean",
    help:
      "append to the result file instead of replacing it (jsonl, vllm: one JSON object per line, as vLLM's --append-result)",
  },
];

/** What the request options resolve to: `BenchConfig`'s fields of them. */
export interface ResolvedRequestOptions {
  /** Sampling options given (without the seed: see `seedPerRequest`). */
  sampling?: SamplingOptions;
  /** `--seed-per-request`. */
  seedPerRequest: boolean;
  /** `--ignore-eos` / `--no-ignore-eos`; undefined: the default (on where the protocol can). */
  ignoreEos?: boolean;
  /** The output constraint. */
  structured?: StructuredOutput;
  /** `--extra-body-file` then `--extra-body`, merged. */
  extraBody?: Record<string, unknown>;
}

/** What the run identity options resolve to. */
export interface ResolvedRunIdentity {
  /** `--label`. */
  label?: string;
  /** `--metadata` pairs, in order (a later key wins). */
  metadata: Record<string, string>;
  /** `--result-dir`. */
  resultDir?: string;
  /** `--append`. */
  append: boolean;
}

/** A JSON object from `text`, or a usage error on `flag`. */
function jsonObject(text: string, flag: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      flag,
      `expected a JSON object, got invalid JSON (${(error as Error).message})`,
    );
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new UsageError(
      flag,
      `expected a JSON object like '{"top_k": 20}', got ${text.slice(0, 80)}`,
    );
  }
  return value as Record<string, unknown>;
}

/** The text of the file at `path`, or a usage error on `flag`. */
function readFile(path: string, flag: string, what: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound ? "no such file" : (error as Error).name;
    throw new UsageError(flag, `cannot read "${path}" (${why}); expected ${what}`);
  }
}

/** The one output constraint given, checked. */
function structuredOutput(
  v: Record<string, never>,
  label: (key: string) => string,
): StructuredOutput | undefined {
  const given = ["json_schema", "regex", "choice"].filter((key) => v[key] !== undefined);
  if (given.length > 1) {
    throw new UsageError(given.map(label).join("/"), "give only one output constraint");
  }
  if (v.json_schema !== undefined) {
    const path: string = v.json_schema;
    const flag = label("json_schema");
    const schema = jsonObject(readFile(path, flag, "a JSON schema file"), `${flag} ${path}`);
    // OpenAI's json_schema.name: letters, digits, _ and -, at most 64.
    const name = basename(path).replace(/\.json$/i, "").replace(/[^A-Za-z0-9_-]/g, "_")
      .slice(0, 64) || "schema";
    return { kind: "json", schema, name };
  }
  if (v.regex !== undefined) {
    const pattern: string = v.regex;
    try {
      new RegExp(pattern);
    } catch (error) {
      throw new UsageError(label("regex"), `not a regular expression: ${(error as Error).message}`);
    }
    return { kind: "regex", pattern };
  }
  if (v.choice !== undefined) {
    const choices = String(v.choice).split(",");
    if (choices.length < 1 || choices.some((c) => c === "")) {
      throw new UsageError(label("choice"), `expected choices like "yes,no", got "${v.choice}"`);
    }
    return { kind: "choice", choices };
  }
  return undefined;
}

/** Sampling options given, range-checked; undefined when none. */
function samplingOptions(
  v: Record<string, never>,
  label: (key: string) => string,
): SamplingOptions | undefined {
  const sampling: SamplingOptions = {};
  if (v.temperature !== undefined) sampling.temperature = v.temperature;
  if (v.top_p !== undefined) {
    if (v.top_p > 1) throw new UsageError(label("top_p"), `expected 0 < p ≤ 1, got ${v.top_p}`);
    sampling.topP = v.top_p;
  }
  if (v.top_k !== undefined) {
    if (v.top_k < -1) {
      throw new UsageError(label("top_k"), `expected an integer ≥ -1, got ${v.top_k}`);
    }
    sampling.topK = v.top_k;
  }
  if (v.min_p !== undefined) {
    if (v.min_p > 1) throw new UsageError(label("min_p"), `expected 0 ≤ p ≤ 1, got ${v.min_p}`);
    sampling.minP = v.min_p;
  }
  if (v.repetition_penalty !== undefined) sampling.repetitionPenalty = v.repetition_penalty;
  if (v.stop !== undefined) {
    const stop = v.stop as string[];
    if (stop.some((s) => s === "")) {
      throw new UsageError(label("stop"), "expected a non-empty stop sequence");
    }
    sampling.stop = stop;
  }
  return Object.keys(sampling).length === 0 ? undefined : sampling;
}

/**
 * The request options of merged option values `v`, checked.
 *
 * @throws {UsageError} naming the flag (or config key) at fault.
 */
export function resolveRequestOptions(
  v: Record<string, never>,
  label: (key: string) => string,
): ResolvedRequestOptions {
  let extraBody: Record<string, unknown> | undefined;
  if (v.extra_body_file !== undefined) {
    const flag = label("extra_body_file");
    extraBody = jsonObject(readFile(v.extra_body_file, flag, "a JSON object file"), flag);
  }
  if (v.extra_body !== undefined) {
    const value: string | Record<string, unknown> = v.extra_body;
    const given = typeof value === "string" ? jsonObject(value, label("extra_body")) : value;
    // The file first, the flag over it: merged the way each request merges them.
    extraBody = extraBody === undefined ? given : { ...extraBody, ...given };
  }
  return {
    sampling: samplingOptions(v, label),
    seedPerRequest: v.seed_per_request ?? false,
    ignoreEos: v.ignore_eos,
    structured: structuredOutput(v, label),
    extraBody,
  };
}

/**
 * The run identity of merged option values `v`, checked: `--metadata` pairs
 * split at their first `=`, both sides trimmed, as vLLM splits them.
 *
 * @throws {UsageError} naming the flag (or config key) at fault.
 */
export function resolveRunIdentity(
  v: Record<string, never>,
  label: (key: string) => string,
): ResolvedRunIdentity {
  const metadata: Record<string, string> = {};
  for (const item of (v.metadata ?? []) as string[]) {
    const at = item.indexOf("=");
    const key = at < 0 ? "" : item.slice(0, at).trim();
    if (key === "") {
      throw new UsageError(label("metadata"), `expected KEY=VALUE, got "${item}"`);
    }
    metadata[key] = item.slice(at + 1).trim();
  }
  return {
    label: v.label,
    metadata,
    resultDir: v.result_dir,
    append: v.append ?? false,
  };
}
