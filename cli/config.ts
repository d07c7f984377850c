/**
 * Resolving the benchmark configuration from the command line and an optional
 * JSON config file (`--config-file`): flags given on the command line win,
 * then the file, then the defaults.
 *
 * @module
 */
import { z } from "zod";
import { UsageError } from "../errors.ts";
import { TRANSPORTS } from "../runner/transport.ts";
import { OUTPUT_FORMAT_NAMES } from "../output/mod.ts";
import { DATASET_NAMES, type Field, type FieldKind, FIELDS } from "./fields.ts";

/** Option values keyed by config-file key, before defaults and cross-checks. */
export type RawOptions = Record<string, unknown>;

/** Where each value came from, for error messages. */
export type Sources = Record<string, "cli" | "config">;

const distributionArgs = z.union([
  z.string().transform((s) => s.trim().split(/\s+/)),
  z.array(z.union([z.string(), z.number()])),
]);

const SCHEMAS: Record<FieldKind, z.ZodType> = {
  "int": z.number().int(),
  "positive-int": z.number().int().positive(),
  "non-negative-int": z.number().int().nonnegative(),
  "positive-number": z.number().positive(),
  "string": z.string(),
  "boolean": z.boolean(),
  "distribution": distributionArgs,
  "dataset-name": z.enum(DATASET_NAMES),
  "transport": z.enum(TRANSPORTS),
  "headers": z.union([z.string().transform((s) => [s]), z.array(z.string())]),
  "output-format": z.enum(OUTPUT_FORMAT_NAMES),
  "percentiles": z.union([z.string(), z.array(z.number())]),
  "goodput": z.union([z.string().transform((s) => s.trim().split(/\s+/)), z.array(z.string())]),
};

const FORMS: Record<FieldKind, string> = {
  "int": "an integer",
  "positive-int": "a positive integer",
  "non-negative-int": "an integer ≥ 0",
  "positive-number": "a number > 0",
  "string": "a string",
  "boolean": "true or false",
  "distribution": 'an array like ["normal", 200, 10] or a string like "normal 200 10"',
  "dataset-name": `one of ${DATASET_NAMES.join(", ")}`,
  "transport": `one of ${TRANSPORTS.join(", ")}`,
  "headers": 'a "Name: value" string or an array of them',
  "output-format": `one of ${OUTPUT_FORMAT_NAMES.join(", ")}`,
  "percentiles": 'a list like "50,90,99" or [50, 90, 99.9]',
  "goodput": 'SLOs like ["ttft:200", "tpot:50"] or "ttft:200 e2el:2000"',
};

/** The accepted form of a field's value, in words. */
export function acceptedForm(field: Field): string {
  return FORMS[field.kind];
}

/** The config-file schema: every key optional, unknown keys rejected. */
const configSchema = z.strictObject(
  Object.fromEntries(FIELDS.map((f) => [f.key, SCHEMAS[f.kind].optional()])),
);

/**
 * Reads and validates a JSON config file whose keys are the flag names with
 * underscores (`{"backend": "vllm", "num_of_req": 100}`).
 *
 * @throws {UsageError} naming `--config-file` and the key at fault.
 */
export async function readConfigFile(path: string): Promise<RawOptions> {
  const where = `--config-file ${path}`;
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    const reason = error instanceof Deno.errors.NotFound ? "no such file" : String(error);
    throw new UsageError(where, `cannot read the file (${reason}); expected a JSON object file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(where, `not valid JSON (${(error as Error).message})`);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new UsageError(
      where,
      "expected a JSON object whose keys are flag names with underscores",
    );
  }
  const parsed = configSchema.safeParse(json);
  if (parsed.success) {
    return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  }
  const issue = parsed.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    throw new UsageError(
      where,
      `unknown key "${issue.keys[0]}"; accepted keys: ${FIELDS.map((f) => f.key).join(", ")}`,
    );
  }
  const key = String(issue.path[0]);
  const field = FIELDS.find((f) => f.key === key)!;
  const got = JSON.stringify((json as Record<string, unknown>)[key]);
  throw new UsageError(where, `key "${key}" must be ${acceptedForm(field)}, got ${got}`);
}

/**
 * Converts a command-line string to the field's value.
 *
 * @throws {UsageError} naming the flag and the accepted form.
 */
export function parseFlagValue(field: Field, value: string): unknown {
  const fail = () => {
    throw new UsageError(field.flag, `expected ${acceptedForm(field)}, got "${value}"`);
  };
  switch (field.kind) {
    case "int":
    case "positive-int":
    case "non-negative-int":
      if (!/^[+-]?\d+$/.test(value.trim())) fail();
      break;
    case "positive-number":
      if (value.trim() === "" || !Number.isFinite(Number(value))) fail();
      break;
    case "dataset-name":
    case "transport":
    case "output-format":
      if (!SCHEMAS[field.kind].safeParse(value).success) fail();
      return value;
    default:
      return value;
  }
  const parsed = SCHEMAS[field.kind].safeParse(Number(value));
  if (!parsed.success) fail();
  return parsed.data;
}

/**
 * Merges config-file values under command-line ones.
 *
 * @returns the merged values and where each came from.
 */
export function mergeOptions(
  cli: RawOptions,
  file: RawOptions,
): { values: RawOptions; sources: Sources } {
  const values: RawOptions = {};
  const sources: Sources = {};
  for (const [key, value] of Object.entries(file)) {
    values[key] = value;
    sources[key] = "config";
  }
  for (const [key, value] of Object.entries(cli)) {
    values[key] = value;
    sources[key] = "cli";
  }
  return { values, sources };
}

/** How to name a key in an error, by where its value came from. */
export function labelFor(key: string, sources: Sources, configPath?: string): string {
  const field = FIELDS.find((f) => f.key === key);
  if (sources[key] === "config" && configPath) return `--config-file ${configPath}: key "${key}"`;
  return field?.flag ?? key;
}
