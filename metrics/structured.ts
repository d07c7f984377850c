/**
 * Whether an output met the run's constraint (`--json-schema`, `--regex`,
 * `--choice`): the check every successful request's text gets, and its
 * verdict on the result (`structured_valid`, `structured_error`).
 *
 * - JSON schema: the whole text parses as JSON (surrounding whitespace
 *   allowed) and validates against the schema with Ajv (draft-07, or
 *   draft 2020-12 when the schema's `$schema` names it; unknown keywords
 *   ignored);
 * - regex: the whole text matches (`^(?:RE)$`, JavaScript's dialect, which
 *   agrees with the servers' for the common syntax);
 * - choice: the text is exactly one of the choices.
 *
 * @module
 */
import { Ajv, type ValidateFunction } from "npm:ajv@^8.20.0";
import { Ajv2020 } from "npm:ajv@^8.20.0/dist/2020.js";
import type { StructuredOutput } from "../backends/sampling.ts";
import type { RequestResult } from "../runner/result.ts";

/** The verdict on one output: valid, or why not. */
export type StructuredVerdict = { valid: true } | { valid: false; error: string };

/** A check of outputs against one constraint, compiled once per run. */
export type StructuredCheck = (text: string) => StructuredVerdict;

/** Ajv's validator of `schema`, by the draft its `$schema` names. */
function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const options = { strict: false, allErrors: false };
  const draft2020 = String(schema.$schema ?? "").includes("2020-12");
  return (draft2020 ? new Ajv2020(options) : new Ajv(options)).compile(schema);
}

/**
 * The check of outputs against `structured`.
 *
 * @throws {Error} when the JSON schema does not compile (the CLI checks it before the run).
 *
 * @example
 * ```ts
 * const check = structuredCheck({ kind: "choice", choices: ["yes", "no"] });
 * check("yes"); // { valid: true }
 * check("maybe"); // { valid: false, error: 'not one of the 2 choices: "maybe"' }
 * ```
 */
export function structuredCheck(structured: StructuredOutput): StructuredCheck {
  switch (structured.kind) {
    case "json": {
      const validate = compileSchema(structured.schema);
      return (text) => {
        let value: unknown;
        try {
          value = JSON.parse(text);
        } catch (error) {
          return { valid: false, error: `not JSON: ${(error as Error).message}` };
        }
        if (validate(value)) return { valid: true };
        const first = validate.errors?.[0];
        const where = first?.instancePath === "" ? "the value" : first?.instancePath;
        return { valid: false, error: `schema: ${where} ${first?.message ?? "is invalid"}` };
      };
    }
    case "regex": {
      const whole = new RegExp(`^(?:${structured.pattern})$`);
      return (text) =>
        whole.test(text)
          ? { valid: true }
          : { valid: false, error: `does not match the regex: ${excerpt(text)}` };
    }
    case "choice": {
      const choices = new Set(structured.choices);
      return (text) =>
        choices.has(text) ? { valid: true } : {
          valid: false,
          error: `not one of the ${choices.size} choices: ${excerpt(text)}`,
        };
    }
  }
}

/** The start of `text`, quoted, for an error. */
function excerpt(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);
}

/**
 * Puts `check`'s verdict on `result`: `structuredValid` true or false (and
 * `structuredError`) for a successful request, null for a failed one.
 */
export function judgeStructured(result: RequestResult, check: StructuredCheck): void {
  if (!result.success) {
    result.structuredValid = null;
    return;
  }
  const verdict = check(result.text);
  result.structuredValid = verdict.valid;
  if (!verdict.valid) result.structuredError = verdict.error;
}
