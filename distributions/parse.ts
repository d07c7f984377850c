/**
 * Reading distribution specs from command-line words or config arrays.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import { expectedForm, expectedOneOf, quoteReceived, unknownKind } from "./_messages.ts";
import { ARRIVAL_FORMS, type ArrivalSpec } from "./arrival_forms.ts";
import type { DistributionForm, FormArgs, FormTable } from "./form.ts";
import { LENGTH_FORMS, type LengthSpec } from "./length_forms.ts";
import { type RequestDistribution, TRACE_FORM } from "./trace_form.ts";

/**
 * Parses `NAME ARGS...` for `--request-distribution` (gaps between requests, in
 * seconds) as one of {@link ARRIVAL_FORMS}, e.g. `poisson RATE` (RATE requests/s,
 * or `inf`/`Infinity` for all at once) or `uniform MIN MAX`.
 *
 * Arguments may be strings or numbers, as they come from the CLI or a JSON
 * config; a string holding several words (`"poisson 5"`) is split on whitespace.
 * Names are case-insensitive.
 *
 * @param flag Named in error messages, e.g. `"--request-distribution"`.
 * @throws {UsageError} on `flag` when the name is missing or unknown, the
 * argument count is wrong, an argument is not a number, or a value is out of range.
 *
 * @example
 * ```ts
 * parseArrivalSpec(["poisson", "5"], "--request-distribution"); // { kind: "poisson", rate: 5 }
 * parseArrivalSpec(["poisson", "inf"], "--request-distribution"); // { kind: "poisson", rate: Infinity }
 * parseArrivalSpec(["uniform", 0.1, 0.3], "config key \"request_distribution\"");
 * ```
 */
export function parseArrivalSpec(args: readonly (string | number)[], flag: string): ArrivalSpec {
  return parseIn<ArrivalSpec>(ARRIVAL_FORMS, args, flag);
}

/**
 * Parses `--request-distribution`: `trace FILE` (a trace to replay at real
 * speed from its start; the CLI fills in `--trace-speedup` and friends), or
 * any arrival form as {@link parseArrivalSpec} reads it. Errors list every
 * form, `trace FILE` included. A path may hold spaces when given as its own
 * argument (`["trace", "my trace.csv"]`).
 *
 * @throws {UsageError} on `flag` as {@link parseArrivalSpec} does, or for
 * `trace` without exactly one FILE.
 *
 * @example
 * ```ts
 * parseRequestDistribution(["trace", "azure.csv"], "--request-distribution");
 * // { kind: "trace", path: "azure.csv", speedup: 1, start: 0 }
 * parseRequestDistribution(["gamma", 5, 0.5], "--request-distribution");
 * // { kind: "gamma", rate: 5, burstiness: 0.5 }
 * ```
 */
export function parseRequestDistribution(
  args: readonly (string | number)[],
  flag: string,
): RequestDistribution {
  const tokens = tokenize(args);
  if (typeof tokens[0] !== "string" || tokens[0].toLowerCase() !== "trace") {
    return parseIn<ArrivalSpec>({ ...ARRIVAL_FORMS, trace: TRACE_FORM }, args, flag);
  }
  const path = args.length === 2 ? args[1] : tokens.length === 2 ? tokens[1] : undefined;
  if (typeof path !== "string" || path === "") {
    throw new UsageError(flag, expectedForm("trace", TRACE_FORM, quoteReceived(tokens)));
  }
  return { kind: "trace", path, speedup: 1, start: 0 };
}

/**
 * Parses `NAME ARGS...` for `--input-token-distribution` / `--output-token-distribution`
 * as one of {@link LENGTH_FORMS}, e.g. `uniform MIN MAX` (integers, both ends
 * included, MIN ≥ 1) or `constant N` (integer N ≥ 1).
 *
 * Accepts the same argument shapes as {@link parseArrivalSpec}.
 *
 * @param flag Named in error messages, e.g. `"--input-token-distribution"`.
 * @throws {UsageError} on `flag` for the same kinds of mistakes as {@link parseArrivalSpec}.
 *
 * @example
 * ```ts
 * parseLengthSpec(["normal", 200, 10], "--input-token-distribution"); // { kind: "normal", mean: 200, std: 10 }
 * parseLengthSpec(["constant 128"], "--output-token-distribution"); // { kind: "constant", value: 128 }
 * ```
 */
export function parseLengthSpec(args: readonly (string | number)[], flag: string): LengthSpec {
  return parseIn<LengthSpec>(LENGTH_FORMS, args, flag);
}

/** Reads the words of one form of `forms` into its spec `S`, held to the form's rules. */
function parseIn<S extends { kind: string }>(
  forms: FormTable,
  args: readonly (string | number)[],
  flag: string,
): S {
  const tokens = tokenize(args);
  const received = quoteReceived(tokens);
  const [name, ...rest] = tokens;
  if (typeof name !== "string" || toNumber(name) !== undefined) {
    const why = tokens.length === 0 ? undefined : "the distribution name comes first";
    throw new UsageError(flag, expectedOneOf(forms, received, why));
  }
  const kind = name.toLowerCase();
  if (!Object.hasOwn(forms, kind)) {
    throw new UsageError(flag, expectedOneOf(forms, received, unknownKind(name)));
  }
  const form: DistributionForm<FormArgs> = forms[kind];
  const argNames = Object.keys(form.args);
  if (rest.length !== argNames.length) {
    throw new UsageError(flag, expectedForm(kind, form, received));
  }
  const numbers = rest.map((token, i) => {
    const value = toNumber(token);
    if (value === undefined) {
      const problem = `${argNames[i]} ${JSON.stringify(String(token))} is not a number`;
      throw new UsageError(flag, expectedForm(kind, form, received, problem));
    }
    return value;
  });
  const values = Object.fromEntries(
    Object.values(form.args).map((field, i) => [field, numbers[i]]),
  );
  const problem = form.problem(values);
  if (problem !== undefined) {
    throw new UsageError(flag, expectedForm(kind, form, received, problem));
  }
  // A kind of the table with a number in every field its form names: the shape of S.
  return { kind, ...values } as unknown as S;
}

// Config values are untyped at run time, so anything may arrive here.
function tokenize(args: readonly unknown[]): unknown[] {
  return args.flatMap((arg) => typeof arg === "string" ? arg.split(/\s+/).filter(Boolean) : [arg]);
}

// Stricter than Number(): Number("") is 0 and Number("0x10") is 16, neither of which a user means.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INFINITE = /^([+-]?)inf(inity)?$/i;

function toNumber(token: unknown): number | undefined {
  if (typeof token === "number") return Number.isNaN(token) ? undefined : token;
  if (typeof token !== "string") return undefined;
  const infinite = INFINITE.exec(token);
  if (infinite) return infinite[1] === "-" ? -Infinity : Infinity;
  return DECIMAL.test(token) ? Number(token) : undefined;
}
