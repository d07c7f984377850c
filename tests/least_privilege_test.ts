/**
 * A benchmark under the narrowest permissions README shows, and a missing
 * permission as one clear line.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

const run = (permissions: string[], args: string[]) => runCli(args, { permissions });

Deno.test("a benchmark runs under --allow-net=HOST:PORT --allow-read/--allow-write=OUT --allow-env=OPENAI_API_KEY", async () => {
  const sim = await startSimulator({ ttftMs: 1, tpotMs: 1 });
  await using dir = await tempDir();
  const host = new URL(sim.url).host;
  try {
    const narrow = [
      `--allow-net=${host}`,
      `--allow-read=${dir.path}`,
      `--allow-write=${dir.path}`,
      "--allow-env=OPENAI_API_KEY",
    ];
    const args = [
      ...benchFlags(sim.url, 3, 8, 4),
      "--tokenizer",
      "cl100k_base",
      "--output-file",
      `${dir.path}/out.json`,
    ];
    const ok = await run(narrow, args);
    assert.equal(ok.code, 0, ok.stderr + ok.stdout);
    assert.equal(JSON.parse(await Deno.readTextFile(`${dir.path}/out.json`)).length, 3);

    const started = performance.now();
    const noNet = await run(narrow.slice(1), args);
    assert.equal(noNet.code, 2, noNet.stderr);
    const lines = noNet.stderr.trim().split("\n");
    assert.equal(lines.length, 1, noNet.stderr);
    assert.match(
      lines[0],
      /^mib: Requires net access to ".*", run again with the --allow-net flag$/,
    );
    assert.ok(performance.now() - started < 4000, "said at once, not after the ready check's wait");

    const noWrite = await run([narrow[0], narrow[3]], args);
    assert.equal(noWrite.code, 2, noWrite.stderr);
    assert.match(
      noWrite.stderr,
      /^mib: --output-file: no permission to write in ".*": run with --allow-write=/,
    );
  } finally {
    await sim.close();
  }
});
