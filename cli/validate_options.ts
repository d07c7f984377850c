/**
 * Config files and library callers' configs checked against the flags'
 * schema, through zod (the one module naming it). Apart from `options.ts`,
 * so that a command line without a config file never loads it.
 *
 * @module
 */
import { z } from "npm:zod@^4.6.7";
import { UsageError } from "../errors.ts";
import { acceptedForm, type OptionSpec, type RawOptions } from "./options.ts";

const splitWords = (s: string) => s.trim().split(/\s+/);

function schemaOf(spec: OptionSpec): z.ZodType {
  switch (spec.kind) {
    case "int":
      return z.number().int();
    case "positive-int":
      return z.number().int().positive();
    case "non-negative-int":
      return z.number().int().nonnegative();
    case "positive-number":
      return z.number().positive();
    case "non-negative-number":
      return z.number().nonnegative();
    case "string":
      return z.string();
    case "boolean":
      return z.boolean();
    case "choice":
      return z.enum(spec.choices as [string, ...string[]]);
    case "distribution":
      return z.union([
        z.string().transform(splitWords),
        z.array(z.union([z.string(), z.number()])),
      ]);
    case "headers":
    case "strings":
      return z.union([z.string().transform((s) => [s]), z.array(z.string())]);
    case "json-object":
      return z.union([z.string(), z.record(z.string(), z.unknown())]);
    case "percentiles":
      return z.union([z.string(), z.array(z.number())]);
    case "goodput":
      return z.union([z.string().transform(splitWords), z.array(z.string())]);
    case "requests-or-seconds":
      return z.union([z.number().int().nonnegative(), z.string()]);
  }
}

/**
 * Validates `json`, a config file's object (or a library caller's), against
 * the `specs`' schema: the values `readConfigFile` returns.
 *
 * @example
 * ```ts
 * import { BENCH_OPTIONS } from "./bench_options.ts";
 *
 * validateOptions({ num_of_req: 10 }, BENCH_OPTIONS, "config"); // { num_of_req: 10 }
 * ```
 *
 * @throws {UsageError} naming `where` and the key at fault.
 */
export function validateOptions(
  json: unknown,
  specs: readonly OptionSpec[],
  where: string,
): RawOptions {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new UsageError(
      where,
      "expected a JSON object whose keys are flag names with underscores",
    );
  }
  const schema = z.strictObject(
    Object.fromEntries(specs.map((s) => [s.key, schemaOf(s).optional()])),
  );
  const parsed = schema.safeParse(json);
  if (parsed.success) {
    return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  }
  const issue = parsed.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    throw new UsageError(
      where,
      `unknown key "${issue.keys[0]}"; accepted keys: ${specs.map((s) => s.key).join(", ")}`,
    );
  }
  const key = String(issue.path[0]);
  const spec = specs.find((s) => s.key === key)!;
  const got = JSON.stringify((json as Record<string, unknown>)[key]);
  throw new UsageError(where, `key "${key}" must be ${acceptedForm(spec)}, got ${got}`);
}
