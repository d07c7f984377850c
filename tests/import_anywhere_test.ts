/**
 * mod.ts imports from anywhere: a script in a temporary folder, run with
 * plain `deno run -A script.ts` (no `--config`, no deno.json near it),
 * imports it by path and by `file://` URL and benchmarks the simulator;
 * the README's "Library" script runs the same way. What makes it work is
 * checked too: no library module names a package by a bare specifier, and
 * each package is named with one version range.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { runDeno, tempDir, withSim } from "./_helpers.ts";

const ROOT = fromFileUrl(new URL("../", import.meta.url));
const MOD = new URL("../mod.ts", import.meta.url);

/** Runs `deno run -A script.ts ...args` with cwd `dir`: no config file applies. */
async function runScript(dir: string, text: string, args: string[] = []) {
  await Deno.writeTextFile(join(dir, "script.ts"), text);
  return await runDeno(["run", "-A", "script.ts", ...args], { cwd: dir });
}

/** A script that starts the simulator and benchmarks it through mod.ts at `specifier`. */
const benchScript = (specifier: string, outputFile: string) => `
import { readResults, runBenchmark, startSimulator, summarize } from ${JSON.stringify(specifier)};

const sim = await startSimulator({ ttftMs: 5, tpotMs: 1 });
const done = await runBenchmark({
  base_url: sim.url,
  backend: "openai-chat",
  num_of_req: 5,
  input_token_distribution: "uniform 8 32",
  output_token_distribution: "constant 8",
  output_format: "jsonl",
  output_file: ${JSON.stringify(outputFile)},
});
const again = summarize(await readResults(${JSON.stringify(outputFile)}));
console.log(JSON.stringify({ completed: done.summary.completed, again: again.completed, log: done.log.length }));
await sim.close();
`;

for (const [how, specifier] of [["by path", fromFileUrl(MOD)], ["by file:// URL", MOD.href]]) {
  Deno.test(`a script in another folder imports mod.ts ${how} and benchmarks, printing nothing of its own`, async () => {
    await using dir = await tempDir();
    const run = await runScript(dir.path, benchScript(specifier, join(dir.path, "run.jsonl")));
    assert.equal(run.code, 0, run.stderr);
    // The library printed nothing: the script's one line is all of stdout.
    const lines = run.stdout.trim().split("\n");
    assert.equal(lines.length, 1, run.stdout);
    const got = JSON.parse(lines[0]);
    assert.equal(got.completed, 5);
    assert.equal(got.again, 5);
    assert.ok(got.log > 0);
  });
}

/** The first ts block under README's "## Library". */
async function readmeLibraryScript(): Promise<string> {
  const readme = await Deno.readTextFile(join(ROOT, "README.md"));
  const section = readme.slice(readme.indexOf("\n## Library\n"));
  const match = section.match(/```ts\n([\s\S]*?)```/);
  assert.ok(match, "README's Library section has a ts block");
  return match[1];
}

Deno.test("README's Library script: ten lines that benchmark a server through mod.ts, run from a temporary folder", async () => {
  const script = await readmeLibraryScript();
  assert.ok(script.trim().split("\n").length <= 10, script);
  assert.ok(script.includes('from "jsr:@mib/cli"'), script);
  await using dir = await tempDir();
  await withSim({ ttftMs: 5, tpotMs: 1 }, async (sim) => {
    // JSR is out of reach here: the package's own files stand in for it.
    const run = await runScript(
      dir.path,
      script.replace('"jsr:@mib/cli"', JSON.stringify(MOD.href)),
      [sim.url],
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^50 requests, TTFT p50 [\d.]+ ms, p99 [\d.]+ ms\n$/);
  });
});

/** Every import specifier in `text` (static, dynamic, re-exports). */
function specifiers(text: string): string[] {
  const found = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport\s*\(?)\s*"([^"\s$,]+)"/g)) found.push(m[1]);
  return found;
}

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !["tests", "dist", "node_modules", ".git"].includes(entry.name)) {
      yield* sourceFiles(path);
    } else if (entry.isFile && entry.name.endsWith(".ts") && !entry.name.endsWith("_test.ts")) {
      yield path;
    }
  }
}

Deno.test("library modules name packages by full specifiers, each package with one version range", async () => {
  const ranges = new Map<string, Set<string>>();
  const bare: string[] = [];
  for await (const path of sourceFiles(ROOT)) {
    const file = relative(ROOT, path);
    if (file.startsWith("scripts/")) continue; // run inside the project, with its config
    for (const spec of specifiers(await Deno.readTextFile(path))) {
      if (/^(\.\.?\/|node:|jsr:|https?:)/.test(spec)) continue;
      const npm = spec.match(/^npm:(@?[^@/]+(?:\/[^@/]+)?)@([^/]+)/);
      if (npm === null) {
        bare.push(`${file}: "${spec}"`);
        continue;
      }
      const [, name, range] = npm;
      if (!ranges.has(name)) ranges.set(name, new Set());
      ranges.get(name)!.add(range);
    }
  }
  assert.deepEqual(bare, [], "bare specifiers need deno.json's imports map: use npm:NAME@RANGE");
  const mixed = [...ranges].filter(([, set]) => set.size > 1).map(([name, set]) =>
    `${name}: ${[...set].join(", ")}`
  );
  assert.deepEqual(mixed, []);
});
