#!/usr/bin/env -S deno run -A
/**
 * The `mib` command line.
 *
 * ```sh
 * deno run -A main.ts --backend vllm --host_port localhost:8000 --num-of-req 100 \
 *   --request-distribution poisson 5
 * deno run -A main.ts serve --port 8000
 * deno run -A main.ts demo
 * ```
 *
 * @module
 */
import { Command, CommanderError, Option } from "@commander-js/extra-typings";
import denoJson from "./deno.json" with { type: "json" };
import { benchCommand } from "./cli/bench_command.ts";
import { mergeOptions, parseFlagValue, type RawOptions, readConfigFile } from "./cli/config.ts";
import { demoCommand } from "./cli/demo_command.ts";
import { FIELDS } from "./cli/fields.ts";
import { resolveBenchConfig } from "./cli/resolve.ts";
import { serveCommand, serveOptions } from "./cli/serve_command.ts";
import { UsageError } from "./errors.ts";

/** Exit status for input mistakes. */
const USAGE_EXIT = 2;

/** Adds every benchmark flag of {@linkcode FIELDS} to `command`. */
function addBenchOptions(command: Command<[], Record<string, unknown>>): void {
  for (const field of FIELDS) {
    const spec = field.arg === undefined
      ? field.flag
      : `${field.flag} ${
        field.kind === "distribution" || field.kind === "goodput" ? "<args...>" : field.arg
      }`;
    const option = new Option(spec, field.help);
    // Repeatable: every occurrence is kept, in order.
    if (field.kind === "headers") {
      option.argParser((value: string, previous: string[] | undefined) => [
        ...(previous ?? []),
        value,
      ]);
    }
    command.addOption(option);
  }
  command.addOption(new Option("--host-port <host:port>").hideHelp());
  command.addOption(
    new Option("--config-file <path>", "JSON file of options (keys: flag names with underscores)"),
  );
}

/** Command-line values the user actually typed, keyed by config-file key. */
function typedOptions(command: Command<[], Record<string, unknown>>): RawOptions {
  const opts = command.opts();
  const raw: RawOptions = {};
  for (const field of FIELDS) {
    // Commander names a value after its flag, camel-cased at dashes, and
    // stores --no-prefix as `prefix: false`.
    const attribute = field.flag.replace(/^--(no-)?/, "")
      .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (command.getOptionValueSource(attribute) !== "cli") continue;
    const value = opts[attribute];
    if (field.key === "no_prefix") raw.no_prefix = value === false;
    else if (typeof value === "string") raw[field.key] = parseFlagValue(field, value);
    else raw[field.key] = value;
  }
  if (command.getOptionValueSource("hostPort") === "cli") {
    if (raw.host_port !== undefined) {
      throw new UsageError("--host_port/--host-port", "give only one spelling");
    }
    raw.host_port = opts.hostPort;
  }
  return raw;
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UsageError) {
    console.error(`mib: ${error.message}`);
    if (debug) console.error(error.stack);
    return USAGE_EXIT;
  }
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT;
  console.error(`mib: ${error instanceof Error ? error.message : String(error)}`);
  if (debug && error instanceof Error) console.error(error.stack);
  else console.error("mib: run with --debug for a stack trace");
  return 1;
}

/** Builds the `mib` program; `exit` receives the status each command ends with. */
export function buildProgram(exit: (code: number) => void): Command {
  const program = new Command("mib")
    .description("mib, the Modular Inference Benchmarker: how fast is your LLM server, really")
    .version(denoJson.version)
    .exitOverride()
    .showHelpAfterError("(run mib bench --help for every benchmark flag)")
    .addHelpText("after", "\nThe benchmark flags: mib bench --help");

  const bench = program.command("bench", { isDefault: true })
    .description("run a benchmark (the default command)")
    .exitOverride() as unknown as Command<[], Record<string, unknown>>;
  addBenchOptions(bench);
  bench.action(async () => {
    const opts = bench.opts();
    const debug = opts.debug === true;
    try {
      const cli = typedOptions(bench);
      const configPath = opts.configFile as string | undefined;
      const file = configPath === undefined ? {} : await readConfigFile(configPath);
      const { values, sources } = mergeOptions(cli, file);
      const config = resolveBenchConfig(values, sources, configPath);
      const controller = new AbortController();
      const onInterrupt = () => controller.abort();
      Deno.addSignalListener("SIGINT", onInterrupt);
      try {
        const { summary } = await benchCommand(config, {
          log: console.log,
          signal: controller.signal,
        });
        exit(summary.failed > 0 || summary.completed === 0 ? 1 : 0);
      } finally {
        Deno.removeSignalListener("SIGINT", onInterrupt);
      }
    } catch (error) {
      exit(reportError(error, debug));
    }
  });

  const serve = program.command("serve")
    .description("run the built-in simulator server (every backend's protocol, paced)")
    .exitOverride();
  serveOptions(serve);
  serve.action(async (opts) => exit(await serveCommand(opts)));

  program.command("report")
    .description(
      "summarise result files (seed JSON array, jsonl, vllm JSON or run record), side by side",
    )
    .argument("<files...>", "result files")
    .option("--html <out.html>", "also write a self-contained HTML page of charts to this file")
    .option(
      "--merge",
      "the files are run records (X.summary.json) of one load, e.g. from several client machines: add a column merging them through their histograms",
    )
    .exitOverride()
    .action(async (files: string[], opts: { html?: string; merge?: boolean }) => {
      try {
        if (opts.merge && opts.html !== undefined) {
          throw new UsageError(
            "--html",
            "charts per-request results, which run records lack: use --html or --merge, not both",
          );
        }
        const { reportCommand } = await import("./cli/report_command.ts");
        exit(await reportCommand(files, opts));
      } catch (error) {
        exit(reportError(error, false));
      }
    });

  program.command("demo")
    .description("start the simulator on a free port, benchmark it, print the summary")
    .exitOverride()
    .action(async () => {
      try {
        exit(await demoCommand());
      } catch (error) {
        exit(reportError(error, false));
      }
    });
  return program;
}

/**
 * Runs the CLI on `args` and resolves to its exit status.
 *
 * @example
 * ```ts
 * Deno.exit(await main(["--host_port", "localhost:8000", "--num-of-req", "10"]));
 * ```
 */
export async function main(args: string[]): Promise<number> {
  let code = 0;
  const program = buildProgram((c) => code = c);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    code = reportError(error, args.includes("--debug"));
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
