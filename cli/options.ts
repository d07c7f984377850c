/**
 * Options as data. Each command declares its options once, as a list of
 * {@linkcode OptionSpec}; from that list come its commander flags and help,
 * the checks of what was typed (kind, repeats), the config-file schema, and
 * the README table that `tests/readme_test.ts` holds to it.
 *
 * @module
 */
import { type Command, Option } from "./_commander.ts";
import { UsageError } from "../errors.ts";

/** How an option's value is written. */
export type ValueKind =
  | "int"
  | "positive-int"
  | "non-negative-int"
  | "positive-number"
  | "non-negative-number"
  | "string"
  | "boolean"
  | "choice"
  | "distribution"
  | "headers"
  | "strings"
  | "json-object"
  | "percentiles"
  | "goodput"
  | "requests-or-seconds";

/** One option of a command. */
export interface OptionSpec {
  /** Config-file key and value name: the flag's name with underscores (`num_of_req`). */
  key: string;
  /** Command-line flag (`--num-of-req`; `--no-x` for a flag that turns a default off). */
  flag: string;
  /**
   * Other spellings of the flag (`--host-port` for `--host_port`); give only
   * one of them. For a boolean, `--no-` + the flag's name is its negation
   * (`--no-ignore-eos` sets `ignore_eos` false).
   */
  aliases?: readonly string[];
  /** Placeholder of the value in help, e.g. `<n>`; none for booleans. */
  arg?: string;
  /** Value kind. */
  kind: ValueKind;
  /** The accepted values of a `choice`. */
  choices?: readonly string[];
  /** One-line help. */
  help: string;
}

/** Option values keyed by config-file key, before defaults and cross-checks. */
export type RawOptions = Record<string, unknown>;

/** Where each value came from. */
export type Sources = Record<string, "cli" | "config">;

/** The accepted form of an option's value, in words. */
export function acceptedForm(spec: OptionSpec): string {
  switch (spec.kind) {
    case "int":
      return "an integer";
    case "positive-int":
      return "a positive integer";
    case "non-negative-int":
      return "an integer ≥ 0";
    case "positive-number":
      return "a number > 0";
    case "non-negative-number":
      return "a number ≥ 0";
    case "string":
      return "a string";
    case "boolean":
      return "true or false";
    case "choice": {
      const choices = spec.choices!;
      return choices.length === 2 ? choices.join(" or ") : `one of ${choices.join(", ")}`;
    }
    case "distribution":
      return 'an array like ["normal", 200, 10] or a string like "normal 200 10"';
    case "headers":
      return 'a "Name: value" string or an array of them';
    case "strings":
      return "a string or an array of strings";
    case "json-object":
      return "a JSON object, or its text";
    case "percentiles":
      return 'a list like "50,90,99" or [50, 90, 99.9]';
    case "goodput":
      return 'SLOs like ["ttft:200", "tpot:50"] or "ttft:200 e2el:2000"';
    case "requests-or-seconds":
      return 'a number of requests like 20 or of seconds like "10s"';
  }
}

/** Kinds whose flag takes several words (`--request-distribution poisson 5`). */
const VARIADIC: ReadonlySet<ValueKind> = new Set(["distribution", "goodput"]);

/**
 * Converts a command-line string to the option's value.
 *
 * @throws {UsageError} naming the flag and the accepted form.
 *
 * @example
 * ```ts
 * parseFlagValue({ key: "seed", flag: "--seed", arg: "<n>", kind: "int", help: "" }, "7"); // 7
 * ```
 */
export function parseFlagValue(spec: OptionSpec, value: string): unknown {
  const fail = () => {
    throw new UsageError(spec.flag, `expected ${acceptedForm(spec)}, got "${value}"`);
  };
  switch (spec.kind) {
    case "int":
    case "positive-int":
    case "non-negative-int":
      if (!/^[+-]?\d+$/.test(value.trim())) fail();
      break;
    case "positive-number":
    case "non-negative-number":
      if (value.trim() === "" || !Number.isFinite(Number(value))) fail();
      break;
    case "choice":
      if (!spec.choices!.includes(value)) fail();
      return value;
    default:
      return value;
  }
  const number = Number(value);
  if (!fitsKind(spec.kind, number)) fail();
  return number;
}

/** Whether `n` is a value of a numeric `kind` (what the config-file schema also checks). */
function fitsKind(kind: ValueKind, n: number): boolean {
  const int = Number.isSafeInteger(n);
  switch (kind) {
    case "int":
      return int;
    case "positive-int":
      return int && n > 0;
    case "non-negative-int":
      return int && n >= 0;
    case "positive-number":
      return Number.isFinite(n) && n > 0;
    case "non-negative-number":
      return Number.isFinite(n) && n >= 0;
    default:
      return true;
  }
}

/** Kinds whose flag may be given several times, every value kept in order. */
const REPEATABLE: ReadonlySet<ValueKind> = new Set(["headers", "strings"]);

/** The negation spelling of a boolean spec (`--no-ignore-eos` of `--ignore-eos`), if it has one. */
function negationOf(spec: OptionSpec): string | undefined {
  if (spec.kind !== "boolean") return undefined;
  const negation = `--no-${spec.flag.replace(/^--/, "")}`;
  return spec.aliases?.includes(negation) ? negation : undefined;
}

/** Commander's attribute name of a flag: camel-cased at dashes, `--no-x` stored as `x`. */
function attributeOf(flag: string): string {
  return flag.replace(/^--?(no-)?/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Every spelling of the option. */
function spellings(spec: OptionSpec): string[] {
  return [spec.flag, ...(spec.aliases ?? [])];
}

/**
 * Declares `specs` on `command`: one commander option per spelling (aliases
 * hidden from help), each counted as it is parsed so that
 * {@linkcode typedOptions} can refuse a flag given twice.
 */
// deno-lint-ignore no-explicit-any
export function addOptions(command: Command<any, any, any>, specs: readonly OptionSpec[]): void {
  for (const spec of specs) {
    for (const [i, spelling] of spellings(spec).entries()) {
      const placeholder = spec.arg === undefined
        ? ""
        : ` ${VARIADIC.has(spec.kind) ? "<args...>" : spec.arg}`;
      const option = new Option(spelling + placeholder, spec.help);
      if (i > 0 && spelling !== negationOf(spec)) option.hideHelp();
      // Repeatable: every occurrence is kept, in order.
      if (REPEATABLE.has(spec.kind)) {
        option.argParser((value: string, previous: string[] | undefined) => [
          ...(previous ?? []),
          value,
        ]);
      }
      command.addOption(option);
    }
  }
}

/**
 * The values the user typed on `command`'s line, keyed by config key and
 * converted to their kinds.
 *
 * @throws {UsageError} for a value of the wrong form, a flag given twice
 *   (other than a repeatable one), or two spellings of one flag.
 */
export function typedOptions(
  // deno-lint-ignore no-explicit-any
  command: Command<any, any, any>,
  specs: readonly OptionSpec[],
  args: readonly string[],
): RawOptions {
  const opts = command.opts() as Record<string, unknown>;
  const raw: RawOptions = {};
  for (const spec of specs) {
    const negation = negationOf(spec);
    const typed = (s: string) => args.some((a) => a === s || a.startsWith(`${s}=`));
    // A flag and its negation share commander's attribute: tell them apart by what was typed.
    const given = spellings(spec).filter((s) =>
      negation === undefined ? command.getOptionValueSource(attributeOf(s)) === "cli" : typed(s)
    );
    if (given.length === 0) continue;
    if (given.length > 1) {
      throw new UsageError(given.join("/"), "give only one spelling");
    }
    if (!REPEATABLE.has(spec.kind)) {
      // Commander keeps the last of a repeated flag; a benchmark should not guess.
      const times = args.filter((a) => a === given[0] || a.startsWith(`${given[0]}=`)).length;
      if (times > 1) {
        throw new UsageError(given[0], `given ${times} times; give it once`);
      }
    }
    const value = opts[attributeOf(given[0])];
    if (negation !== undefined) raw[spec.key] = given[0] !== negation;
    else if (spec.flag.startsWith("--no-")) raw[spec.key] = value === false;
    else if (typeof value === "string") raw[spec.key] = parseFlagValue(spec, value);
    else raw[spec.key] = value;
  }
  return raw;
}

/**
 * Reads and validates a JSON config file whose keys are the `specs`' keys
 * (`{"backend": "vllm", "num_of_req": 100}`).
 *
 * @throws {UsageError} naming `--config-file` and the key at fault.
 */
export async function readConfigFile(
  path: string,
  specs: readonly OptionSpec[],
): Promise<RawOptions> {
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
  // The schema library loads only when there is a file to check.
  const { validateOptions } = await import("./validate_options.ts");
  return validateOptions(json, specs, where);
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
export function labelFor(
  specs: readonly OptionSpec[],
  key: string,
  sources: Sources,
  configPath?: string,
): string {
  if (sources[key] === "config" && configPath) return `--config-file ${configPath}: key "${key}"`;
  return specs.find((s) => s.key === key)?.flag ?? key;
}
