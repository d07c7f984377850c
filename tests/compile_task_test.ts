/**
 * `deno task compile` (scripts/compile.ts), checked without downloading a
 * runtime: its targets, the permissions it bakes in, every worker module the
 * source starts and every file it reads beside its modules embedded, every
 * environment variable the source reads granted, and its refusals.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import {
  compileArgs,
  compileFailure,
  ENV_VARS,
  fullDenoReason,
  INCLUDES,
  PERMISSIONS,
  TARGETS,
} from "../scripts/compile.ts";
import { DEFAULT_API_KEY_ENV } from "../cli/resolve.ts";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

const ROOT = new URL("../", import.meta.url);

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (
      entry.isDirectory &&
      !["tests", "scripts", "dist", "node_modules", ".git"].includes(entry.name)
    ) {
      yield* sources(url);
    } else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield url;
    }
  }
}

/** Every match of `pattern` (group 1 a path relative to the file) as a path from the root. */
async function modulePaths(pattern: RegExp): Promise<string[]> {
  const found: string[] = [];
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(pattern)) {
      found.push(new URL(m[1], file).pathname.slice(ROOT.pathname.length));
    }
  }
  return found;
}

Deno.test("deno task compile runs scripts/compile.ts for five targets into dist/", () => {
  assert.match(denoJson.tasks.compile, /^deno run .* scripts\/compile\.ts$/);
  assert.deepEqual(TARGETS.map((t) => t.target), [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  assert.deepEqual(
    TARGETS.map((t) => t.asset),
    TARGETS.map((t) => `mib-${t.target}${t.target.endsWith("msvc") ? ".exe" : ""}`),
  );
  const args = compileArgs("aarch64-apple-darwin", "dist/x");
  assert.deepEqual(args.slice(0, 3), ["compile", "--target", "aarch64-apple-darwin"]);
  assert.deepEqual(args.slice(-3), ["--output", "dist/x", "main.ts"]);
});

Deno.test("the binaries get net, read, write and named env vars only", async () => {
  const args = compileArgs("x86_64-unknown-linux-gnu", "dist/x");
  const allows = args.filter((a) => a.startsWith("--allow") || a === "-A");
  assert.deepEqual(allows, [...PERMISSIONS]);
  assert.deepEqual(allows.map((a) => a.split("=")[0]), [
    "--allow-net",
    "--allow-read",
    "--allow-write",
    "--allow-env",
  ]);
  assert.equal(PERMISSIONS[3], `--allow-env=${ENV_VARS.join(",")}`);
  // Every variable the source reads by name is granted.
  const read = new Set([DEFAULT_API_KEY_ENV]);
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(file);
    for (
      const m of text.matchAll(/(?:\benv|Deno\.env\.get|envOf\(options\))\("([A-Z][A-Z0-9_]*)"\)/g)
    ) {
      read.add(m[1]);
    }
  }
  assert.ok(read.size >= 10, [...read].join(","));
  for (const name of read) assert.ok(ENV_VARS.includes(name), `${name} is not granted`);
});

Deno.test("deno task compile embeds every worker module and every file read beside a module", async () => {
  const workers = await modulePaths(/new Worker\(\s*new URL\("([^"]+)", import\.meta\.url\)/g);
  assert.ok(workers.length >= 3, `found ${workers.join(", ")}`);
  // Files read at run time through the module's own URL (not static imports).
  const data = await modulePaths(
    /Deno\.(?:readTextFile|readFile|open)(?:Sync)?\(\s*new URL\("([^"]+)", import\.meta\.url\)/g,
  );
  const args = compileArgs("x86_64-unknown-linux-gnu", "dist/x");
  for (const file of [...workers, ...data]) {
    assert.ok(INCLUDES.includes(file), `INCLUDES lacks ${file}`);
    assert.ok(args.join(" ").includes(`--include ${file}`), `compile lacks --include ${file}`);
  }
  for (const file of INCLUDES) await Deno.stat(new URL(file, ROOT));
});

Deno.test("compile says in one line why deno compile failed: no runtime to download", () => {
  const stderr = "\x1b[0m\x1b[32mCompile\x1b[0m main.ts to dist/mib\n" +
    "\x1b[1m\x1b[31merror\x1b[0m: Writing deno compile executable to temporary file 'x'\n\n" +
    "Caused by:\n    0: Setting up base binary.\n    1: error sending request for url " +
    "(https://dl.deno.land/release/v2.9.6/denort-aarch64-apple-darwin.zip): client error " +
    "(Connect): dns error\n";
  const line = compileFailure("aarch64-apple-darwin", stderr);
  assert.ok(!line.includes("\n"));
  assert.match(line, /^compile: aarch64-apple-darwin: deno compile could not download its runtime/);
  assert.match(line, /DENORT_BIN/);
  assert.match(
    compileFailure("x", "error: boom\nmore"),
    /^compile: x: deno compile failed: error: boom$/,
  );
});

Deno.test("a full deno as DENORT_BIN is refused in one line, leaving no file", async () => {
  const version = new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "piped" }).output())
      .stdout,
  );
  assert.match(fullDenoReason(version) ?? "", /^it runs as deno \d/);
  assert.equal(fullDenoReason("0.1.0\n"), undefined);
  assert.equal(fullDenoReason("mib 0.1.0\n"), undefined);
  await using dir = await tempDir();
  const run = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-run",
      "--allow-read",
      "--allow-write",
      "--allow-env",
      "scripts/compile.ts",
    ],
    cwd: ROOT,
    env: { DENORT_BIN: Deno.execPath(), MIB_DIST: `${dir.path}/dist` },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 1, stderr);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, /^compile: DENORT_BIN=.* is a full deno binary/);
  const left = [];
  for await (const entry of Deno.readDir(dir.path)) left.push(entry.name);
  assert.deepEqual(left, []);
});

Deno.test("a benchmark runs under exactly the permissions the binaries get", async () => {
  const sim = await startSimulator({ ttftMs: 1, tpotMs: 1 });
  await using dir = await tempDir();
  try {
    const run = await runCli([
      ...benchFlags(sim.url, 3, 8, 4),
      "--tokenizer",
      "cl100k_base",
      "--output-file",
      `${dir.path}/out.json`,
    ], { permissions: [...PERMISSIONS] });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir.path}/out.json`)).length, 3);
  } finally {
    await sim.close();
  }
});
