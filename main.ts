#!/usr/bin/env -S deno run -A
/**
 * The `mib` command line.
 *
 * ```sh
 * deno run -A main.ts --backend vllm --host_port localhost:8000 --num-of-req 100 \
 *   --request-distribution poisson 5
 * deno run -A main.ts serve --port 8000
 * deno run -A main.ts sweep --auto --num-of-req 100 --output-dir sweep-1
 * deno run -A main.ts calibrate
 * deno run -A main.ts demo
 * ```
 *
 * @module
 */
import { Command, CommanderError } from "./cli/_commander.ts";
import denoJson from "./deno.json" with { type: "json" };
import { BENCH_OPTIONS, CALIBRATE_OPTION, CONFIG_FILE_OPTION } from "./cli/bench_options.ts";
import { CALIBRATE_OPTIONS, resolveCalibrate } from "./cli/calibrate_options.ts";
import { checkAgainstCalibration } from "./cli/calibration_warning.ts";
import {
  addOptions,
  mergeOptions,
  type OptionSpec,
  readConfigFile,
  typedOptions,
} from "./cli/options.ts";
import { MERGE_OPTIONS } from "./cli/merge_options.ts";
import { REPORT_OPTIONS } from "./cli/report_options.ts";
import { resolveBenchConfig } from "./cli/resolve.ts";
import { SERVE_OPTIONS } from "./cli/serve_options.ts";
import { resolveSweep, SWEEP_OPTIONS } from "./cli/sweep_options.ts";
import { RunError, UsageError } from "./errors.ts";
import { RequestEnded } from "./runner/watchdog.ts";
import { RESULT_FORMATS } from "./output/mod.ts";

/** Exit status for input mistakes. */
const USAGE_EXIT = 2;

/** Signals that stop a run, and their exit status (128 + the signal's number). */
const INTERRUPTS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGBREAK: 149 } as const;

/**
 * Stopping a run on SIGINT, SIGTERM or SIGHUP (SIGINT and SIGBREAK on
 * Windows): the first stops sending and gives requests in flight `grace`
 * seconds, then ends them as aborted; a second ends them at once. Every
 * result so far is written either way, and the run exits 128 + the signal's
 * number.
 */
function listenForInterrupts(grace: number) {
  const stop = new AbortController();
  const abort = new AbortController();
  let first: keyof typeof INTERRUPTS | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const listeners: [Deno.Signal, () => void][] = [];
  for (const name of Object.keys(INTERRUPTS) as (keyof typeof INTERRUPTS)[]) {
    const listener = () => {
      if (first === undefined) {
        first = name;
        stop.abort();
        console.error(
          `mib: ${name}: sending stopped; requests in flight get ${grace} s (--grace), then every result is written (${name} again to end them now)`,
        );
        timer = setTimeout(() =>
          abort.abort(
            new RequestEnded(
              `aborted: in flight at ${name} and still running after --grace ${grace} s`,
            ),
          ), grace * 1000);
      } else {
        abort.abort(new RequestEnded(`aborted: in flight at a second signal (${name})`));
      }
    };
    try {
      Deno.addSignalListener(name, listener);
      listeners.push([name, listener]);
    } catch {
      // Not a signal on this platform (SIGHUP on Windows, SIGBREAK elsewhere).
    }
  }
  return {
    stop: stop.signal,
    abort: abort.signal,
    /** 128 + the signal's number when one came, else undefined. */
    exitCode: (): number | undefined => first === undefined ? undefined : INTERRUPTS[first],
    close(): void {
      clearTimeout(timer);
      for (const [name, listener] of listeners) Deno.removeSignalListener(name, listener);
    },
  };
}

/** The options of `mib bench` on its command line: every field and `--config-file`. */
const BENCH_LINE: readonly OptionSpec[] = [...BENCH_OPTIONS, CONFIG_FILE_OPTION];

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UsageError) {
    console.error(`mib: ${error.message}`);
    if (debug) console.error(error.stack);
    return USAGE_EXIT;
  }
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : USAGE_EXIT;
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    // Deno's message names the permission and the flag that grants it.
    console.error(`mib: ${error.message}`);
    if (debug) console.error(error.stack);
    return USAGE_EXIT;
  }
  if (error instanceof RunError) {
    console.error(`mib: ${error.message}`);
    if (debug) console.error(error.stack);
    return 1;
  }
  console.error(`mib: ${error instanceof Error ? error.message : String(error)}`);
  if (debug && error instanceof Error) console.error(error.stack);
  else console.error("mib: run with --debug for a stack trace");
  return 1;
}

/**
 * What `mib --version` prints: mib's version (`deno.json`'s, the one source)
 * and the Deno, V8 and TypeScript versions running it.
 *
 * @example
 * ```ts
 * versionText(); // "mib 0.1.0\ndeno 2.9.6 (v8 15.0.245.2-rusty, typescript 6.0.3)"
 * ```
 */
export function versionText(): string {
  const { deno, v8, typescript } = Deno.version;
  return `mib ${denoJson.version}\ndeno ${deno} (v8 ${v8}, typescript ${typescript})`;
}

/**
 * Builds the `mib` program for the command line `args`; `exit` receives the
 * status each command ends with.
 */
export function buildProgram(exit: (code: number) => void, args: readonly string[]): Command {
  const program = new Command("mib")
    .description("mib, the Modular Inference Benchmarker: how fast is your LLM server, really")
    .version(versionText(), "-V, --version", "print mib's version and Deno's, then exit")
    .exitOverride()
    .showHelpAfterError("(run mib bench --help for every benchmark flag)")
    .addHelpText("after", "\nThe benchmark flags: mib bench --help");

  const bench = program.command("bench", { isDefault: true })
    .description("run a benchmark (the default command)")
    .exitOverride();
  // --calibrate is bench's own: a sweep's line has no such flag.
  const benchLine = [...BENCH_LINE, CALIBRATE_OPTION];
  addOptions(bench, benchLine);
  bench.action(async () => {
    let debug = args.includes("--debug");
    try {
      const { config_file: configPath, calibrate, ...cli } = typedOptions(bench, benchLine, args);
      const file = configPath === undefined
        ? {}
        : await readConfigFile(String(configPath), BENCH_OPTIONS);
      const { values, sources } = mergeOptions(cli, file);
      debug ||= values.debug === true;
      const config = resolveBenchConfig(values, sources, configPath as string | undefined);
      // The simulator is loaded only for --calibrate; otherwise one small file is read, if there.
      const fresh = calibrate === true
        ? await (await import("./cli/calibrate_command.ts")).calibrateForBench(
          config.transport,
          console.error,
        )
        : undefined;
      const interrupts = listenForInterrupts(config.grace);
      try {
        // Each command loads what it runs: --help, serve and report load no benchmark.
        const { benchCommand, strictFails } = await import("./cli/bench_command.ts");
        const { summary } = await benchCommand(config, {
          log: console.log,
          debug: config.debug ? (line) => console.error(`debug: ${line}`) : undefined,
          sources,
          signal: interrupts.abort,
          stop: interrupts.stop,
          // After every check: a mistaken command line is told its mistake, not a warning.
          beforeRun: () => checkAgainstCalibration(config, console.error, fresh),
        });
        const failed = summary.failed > 0 || summary.completed === 0 ||
          strictFails(config, summary);
        exit(interrupts.exitCode() ?? (failed ? 1 : 0));
      } finally {
        interrupts.close();
      }
    } catch (error) {
      exit(reportError(error, debug));
    }
  });

  const serve = program.command("serve")
    .description("run the built-in simulator server (every backend's protocol, paced)")
    .exitOverride();
  addOptions(serve, SERVE_OPTIONS);
  serve.action(async () => {
    try {
      const { serveCommand } = await import("./cli/serve_command.ts");
      exit(await serveCommand(typedOptions(serve, SERVE_OPTIONS, args)));
    } catch (error) {
      exit(reportError(error, false));
    }
  });

  const sweep = program.command("sweep")
    .description(
      "a series of benchmarks against one server (--rates, --concurrency or --auto), side by side",
    )
    .exitOverride();
  const sweepLine = [...BENCH_LINE, ...SWEEP_OPTIONS];
  addOptions(sweep, sweepLine);
  sweep.action(async () => {
    let debug = args.includes("--debug");
    try {
      const typed = typedOptions(sweep, sweepLine, args);
      const own = new Set(SWEEP_OPTIONS.map((o) => o.key));
      const pick = (mine: boolean) =>
        Object.fromEntries(Object.entries(typed).filter(([key]) => own.has(key) === mine));
      const { config_file: configPath, ...cli } = pick(false);
      const file = configPath === undefined
        ? {}
        : await readConfigFile(String(configPath), BENCH_OPTIONS);
      const { values, sources } = mergeOptions(cli, file);
      debug ||= values.debug === true;
      const plan = resolveSweep(pick(true), values);
      const bench = { values, sources, configPath: configPath as string | undefined };
      const { grace, debug: debugLog } = resolveBenchConfig(values, sources, bench.configPath);
      const interrupts = listenForInterrupts(grace);
      try {
        const { sweepCommand } = await import("./cli/sweep_command.ts");
        const { failed } = await sweepCommand(plan, bench, {
          log: console.log,
          progress: console.error,
          debug: debugLog ? (line) => console.error(`debug: ${line}`) : undefined,
          signal: interrupts.abort,
          stop: interrupts.stop,
        });
        exit(interrupts.exitCode() ?? (failed ? 1 : 0));
      } finally {
        interrupts.close();
      }
    } catch (error) {
      exit(reportError(error, debug));
    }
  });

  const calibrate = program.command("calibrate")
    .description(
      "measure this host's client ceiling (streams, tokens/s, requests/s it keeps time at) " +
        "against the recording simulator, and save it for mib bench's warning",
    )
    .exitOverride();
  addOptions(calibrate, CALIBRATE_OPTIONS);
  calibrate.action(async () => {
    try {
      const request = resolveCalibrate(typedOptions(calibrate, CALIBRATE_OPTIONS, args));
      const { calibrateCommand } = await import("./cli/calibrate_command.ts");
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      Deno.addSignalListener("SIGINT", onSignal);
      try {
        await calibrateCommand(request, {
          log: console.log,
          progress: console.error,
          json: (text) => console.log(text.trimEnd()),
          signal: stop.signal,
        });
      } finally {
        Deno.removeSignalListener("SIGINT", onSignal);
      }
      exit(stop.signal.aborted ? INTERRUPTS.SIGINT : 0);
    } catch (error) {
      exit(reportError(error, false));
    }
  });

  const report = program.command("report")
    .description(
      `summarise result files (${RESULT_FORMATS.map((f) => f.name).join(", ")}), side by side`,
    )
    .argument("<files...>", "result files")
    .exitOverride();
  addOptions(report, REPORT_OPTIONS);
  report.action(async (files: string[]) => {
    try {
      const opts = typedOptions(report, REPORT_OPTIONS, args) as {
        html?: string;
        merge?: boolean;
        compare?: boolean;
        failIf?: string;
      };
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

  const merge = program.command("merge")
    .description(
      "the shards of one plan (mib bench --shard I/N) as one run: merged run record and summary",
    )
    .argument("<files...>", "every shard's seed or jsonl result file, or run record")
    .exitOverride();
  addOptions(merge, MERGE_OPTIONS);
  merge.action(async (files: string[]) => {
    try {
      const opts = typedOptions(merge, MERGE_OPTIONS, args) as { output?: string };
      const { mergeCommand } = await import("./cli/merge_command.ts");
      exit(await mergeCommand(files, opts, console.log));
    } catch (error) {
      exit(reportError(error, false));
    }
  });

  program.command("demo")
    .description("start the simulator on a free port, benchmark it, print the summary")
    .exitOverride()
    .action(async () => {
      try {
        const { demoCommand } = await import("./cli/demo_command.ts");
        exit(await demoCommand());
      } catch (error) {
        exit(reportError(error, false));
      }
    });
  return program;
}

/** The subcommands that are not `bench`, and the words that only print. */
const NOT_BENCH = new Set(["serve", "sweep", "report", "merge", "demo", "calibrate", "help"]);
const PRINT_ONLY = new Set(["--help", "-h", "--version", "-V"]);

/** Whether `args` run a benchmark (the default command). */
function startsBenchmark(args: readonly string[]): boolean {
  return !NOT_BENCH.has(args[0]) && !args.some((arg) => PRINT_ONLY.has(arg));
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
  // A benchmark's modules start loading while the command line is read.
  if (startsBenchmark(args)) import("./cli/bench_command.ts").catch(() => {});
  const program = buildProgram((c) => code = c, args);
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    code = reportError(error, args.includes("--debug"));
  }
  return code;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
