/**
 * Reading distribution specs from command-line words or config arrays.
 *
 * @module
 */

import { UsageError } from "../errors.ts";
import {
  ARRIVAL_FORMS,
  describeForms,
  expectedForm,
  type Form,
  LENGTH_FORMS,
  quoteReceived,
} from "./_forms.ts";
import { arrivalProblem, lengthProblem } from "./_validate.ts";
import type { ArrivalSpec, LengthSpec } from "./types.ts";

/**
 * Parses `NAME ARGS...` for `--request-distribution` (gaps between requests, in seconds):
 * `poisson RATE` (RATE requests/s, or `inf`/`Infinity` for all at once),
 * `exponential MEAN`, `uniform MIN MAX`, `normal MEAN STD` or `constant GAP`.
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
  const { kind, values: [a, b], received } = readForm(args, ARRIVAL_FORMS, flag);
  const spec: ArrivalSpec = kind === "poisson"
    ? { kind, rate: a }
    : kind === "exponential"
    ? { kind, mean: a }
    : kind === "uniform"
    ? { kind, min: a, max: b }
    : kind === "normal"
    ? { kind, mean: a, std: b }
    : { kind, gap: a };
  const problem = arrivalProblem(spec);
  if (problem !== undefined) {
    throw new UsageError(flag, expectedForm(kind, ARRIVAL_FORMS[kind], received, problem));
  }
  return spec;
}

/**
 * Parses `NAME ARGS...` for `--input-token-distribution` / `--output-token-distribution`:
 * `uniform MIN MAX` (integers, both ends included, MIN ≥ 1), `normal MEAN STD`
 * (MEAN ≥ 1) or `constant N` (integer N ≥ 1).
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
  const { kind, values: [a, b], received } = readForm(args, LENGTH_FORMS, flag);
  const spec: LengthSpec = kind === "uniform"
    ? { kind, min: a, max: b }
    : kind === "normal"
    ? { kind, mean: a, std: b }
    : { kind, value: a };
  const problem = lengthProblem(spec);
  if (problem !== undefined) {
    throw new UsageError(flag, expectedForm(kind, LENGTH_FORMS[kind], received, problem));
  }
  return spec;
}

interface ReadForm<Kind extends string> {
  kind: Kind;
  /** One number per parameter of the form. */
  values: number[];
  received: string;
}

/** Checks name, argument count and numeric syntax; range rules are left to the caller. */
function readForm<Kind extends string>(
  args: readonly (string | number)[],
  forms: { readonly [K in Kind]: Form },
  flag: string,
): ReadForm<Kind> {
  const tokens = tokenize(args);
  const received = quoteReceived(tokens);
  const [name, ...rest] = tokens;
  if (typeof name !== "string" || toNumber(name) !== undefined) {
    const why = tokens.length === 0 ? "" : " (the distribution name comes first)";
    throw new UsageError(flag, `expected one of ${describeForms(forms)}, got ${received}${why}`);
  }
  const kind = name.toLowerCase();
  if (!isKind(forms, kind)) {
    throw new UsageError(
      flag,
      `expected one of ${describeForms(forms)}, got ${received} (unknown distribution ${
        JSON.stringify(name)
      })`,
    );
  }
  const form = forms[kind];
  if (rest.length !== form.params.length) {
    throw new UsageError(flag, expectedForm(kind, form, received));
  }
  const values = rest.map((token, i) => {
    const value = toNumber(token);
    if (value === undefined) {
      const problem = `${form.params[i]} ${JSON.stringify(String(token))} is not a number`;
      throw new UsageError(flag, expectedForm(kind, form, received, problem));
    }
    return value;
  });
  return { kind, values, received };
}

function isKind<Kind extends string>(
  forms: { readonly [K in Kind]: Form },
  name: string,
): name is Kind {
  return Object.hasOwn(forms, name);
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
