/**
 * `deno task compile [TARGET...]`: standalone `mib` binaries in `dist/`, one
 * per target (default: every one of {@link TARGETS}), each with the
 * permissions of {@link PERMISSIONS} baked in and every worker module
 * embedded, and `dist/SHA256SUMS` over them.
 *
 * `deno compile` needs the runtime `denort` of the target: it downloads it
 * from dl.deno.land, or takes `$DENORT_BIN` (one platform's runtime, so then
 * only this machine's target is built). Without either the script says so
 * in one line and exits 1, leaving no file behind; a full `deno` binary given
 * as `DENORT_BIN` (which yields a file that runs as `deno`, not `mib`) is
 * refused likewise, and the binary built for this machine is run with
 * `--version` before it is kept.
 *
 * @module
 */
import denoJson from "../deno.json" with { type: "json" };

/** One release binary. */
export interface Target {
  /** `deno compile --target` triple. */
  target: string;
  /** The file's name in `dist/` and in a release. */
  asset: string;
}

/** The release binaries: x86_64/aarch64 Linux and macOS, x86_64 Windows. */
export const TARGETS: readonly Target[] = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
].map((target) => ({
  target,
  asset: `mib-${target}${target.includes("windows") ? ".exe" : ""}`,
}));

/**
 * The environment variables a binary may read, by name: the API key's
 * default variable and the Hugging Face and ShareGPT caches'. A variable
 * named with `--api-key-env` is not among them (names are run-time
 * arguments): use `OPENAI_API_KEY` or `--api-key-file` with a binary.
 */
export const ENV_VARS: readonly string[] = [
  "OPENAI_API_KEY",
  "HF_HOME",
  "HF_HUB_CACHE",
  "HUGGINGFACE_HUB_CACHE",
  "HF_ENDPOINT",
  "HF_TOKEN",
  "HUGGING_FACE_HUB_TOKEN",
  "HF_TOKEN_PATH",
  "HF_HUB_OFFLINE",
  "HOME",
  "USERPROFILE",
  "XDG_CACHE_HOME",
];

/**
 * The permissions baked into every binary. A compiled program cannot be
 * given more at run time, and the hosts and paths it touches are run-time
 * arguments (`--base-url`, `--output-file`, `--dataset-path`, the cache
 * folders), so net, read and write are granted whole; environment
 * variables are granted by name; no subprocess, FFI or system information.
 */
export const PERMISSIONS: readonly string[] = [
  "--allow-net",
  "--allow-read",
  "--allow-write",
  `--allow-env=${ENV_VARS.join(",")}`,
];

/**
 * The modules `deno compile` cannot reach through static imports, embedded
 * with `--include`: each `new Worker(new URL(...))` module. (Data files are
 * static `with { type: "json" | "text" }` imports, bundled without it.)
 */
export const INCLUDES: readonly string[] = [
  "runner/_pacer_worker.ts",
  "runner/_run_worker.ts",
  "tokenizers/_tokenizer_worker.ts",
];

/** The `deno compile` arguments building `target` into `output`. */
export function compileArgs(target: string, output: string): string[] {
  return [
    "compile",
    "--target",
    target,
    ...PERMISSIONS,
    ...INCLUDES.flatMap((file) => ["--include", file]),
    "--output",
    output,
    "main.ts",
  ];
}

/**
 * The one line saying why `deno compile` failed for `target`, from its
 * stderr: a runtime it could not download, or its own first error line.
 */
export function compileFailure(target: string, stderr: string): string {
  // deno's messages are coloured; drop the escapes.
  // deno-lint-ignore no-control-regex
  const plain = stderr.replace(/\x1b\[[0-9;]*m/g, "");
  const download = /https:\/\/dl\.deno\.land\/\S*denort\S*\.zip/.exec(plain);
  if (download !== null) {
    return `compile: ${target}: deno compile could not download its runtime ${download[0]} ` +
      `(no network?): run where dl.deno.land is reachable, or set DENORT_BIN to the denort ` +
      `of deno ${Deno.version.deno} for this machine`;
  }
  const first = plain.split("\n").find((line) => /error/i.test(line)) ?? plain.trim();
  return `compile: ${target}: deno compile failed: ${first.trim()}`;
}

/**
 * Why `versionOutput` (what a runtime or a built binary printed for
 * `--version`) shows a full `deno` rather than `denort` or mib; undefined
 * when it does not.
 */
export function fullDenoReason(versionOutput: string): string | undefined {
  const deno = /^deno (\d+\.\d+\.\d+\S*) \(/m.exec(versionOutput);
  if (deno === null || !/^typescript /m.test(versionOutput)) return undefined;
  return `it runs as deno ${deno[1]}`;
}

async function _output(command: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" })
      .output();
    return new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  } catch (error) {
    return `cannot run: ${(error as Error).message}`;
  }
}

async function _sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function _remove(path: string): Promise<void> {
  await Deno.remove(path).catch(() => {});
}

/** Builds the binaries `args` names (default all) into `dist`; returns the exit status. */
export async function compile(args: string[], dist = "dist"): Promise<number> {
  const host = Deno.build.target;
  const unknown = args.find((name) => !TARGETS.some((t) => t.target === name));
  if (unknown !== undefined) {
    console.error(
      `compile: unknown target "${unknown}"; expected ${TARGETS.map((t) => t.target).join(", ")}`,
    );
    return 2;
  }
  let targets = args.length === 0 ? [...TARGETS] : TARGETS.filter((t) => args.includes(t.target));
  const denort = Deno.env.get("DENORT_BIN");
  if (denort !== undefined) {
    const reason = fullDenoReason(await _output(denort, ["--version"]));
    if (reason !== undefined) {
      console.error(
        `compile: DENORT_BIN=${denort} is a full deno binary (${reason}), whose output would run ` +
          `as deno, not mib: set it to denort (dl.deno.land/release/v${Deno.version.deno}/` +
          `denort-${host}.zip), or unset it`,
      );
      return 1;
    }
    if (targets.some((t) => t.target !== host)) {
      console.error(`compile: DENORT_BIN is one platform's runtime: building ${host} only`);
      targets = targets.filter((t) => t.target === host);
    }
  }
  await Deno.mkdir(dist, { recursive: true });
  const built: Target[] = [];
  for (const target of targets) {
    const output = `${dist}/${target.asset}`;
    const run = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target.target, output),
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!run.success) {
      console.error(compileFailure(target.target, new TextDecoder().decode(run.stderr)));
      await _remove(output);
      return 1;
    }
    if (target.target === host) {
      const said = await _output(output, ["--version"]);
      const reason = fullDenoReason(said) ??
        (said.includes(denoJson.version)
          ? undefined
          : `its --version said ${JSON.stringify(said)}`);
      if (reason !== undefined) {
        console.error(`compile: ${output} does not run as mib (${reason}); removed it`);
        await _remove(output);
        return 1;
      }
    }
    console.log(`compile: ${output}`);
    built.push(target);
  }
  const sums = [];
  for (const target of built) {
    sums.push(`${await _sha256(`${dist}/${target.asset}`)}  ${target.asset}\n`);
  }
  await Deno.writeTextFile(`${dist}/SHA256SUMS`, sums.join(""));
  console.log(`compile: ${dist}/SHA256SUMS`);
  return 0;
}

if (import.meta.main) {
  Deno.exit(await compile(Deno.args, Deno.env.get("MIB_DIST") ?? "dist"));
}
