/**
 * Interrupts of a running `mib bench` (a child process against the simulator):
 * SIGTERM and SIGINT stop sending, give requests in flight `--grace`, end the
 * rest as aborted, write every result, and exit 143 / 130; a second signal
 * ends them at once.
 */
import assert from "node:assert/strict";
import { benchFlags, tempDir, withSim } from "./_helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/**
 * Starts the CLI with `args`, sends `signals` (the first once the run header
 * is out and `after` ms have passed, each next one `gap` ms later), and
 * collects what it printed.
 */
async function interrupt(
  args: string[],
  signals: Deno.Signal[],
  after = 700,
  gap = 300,
): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const started = performance.now();
  const decoder = new TextDecoder();
  let stdout = "";
  let stderr = "";
  let sent = false;
  const readErr = (async () => {
    for await (const chunk of child.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  for await (const chunk of child.stdout) {
    stdout += decoder.decode(chunk, { stream: true });
    if (!sent && /^mib: openai /m.test(stdout)) {
      sent = true;
      (async () => {
        await new Promise((r) => setTimeout(r, after));
        for (const [i, signal] of signals.entries()) {
          if (i > 0) await new Promise((r) => setTimeout(r, gap));
          child.kill(signal);
        }
      })();
    }
  }
  await readErr;
  const { code } = await child.status;
  return { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

// 2 s per request (100 tokens at 20 ms), 30 planned over ~3 s: most are in flight or unsent at the signal.
const slow = { ttftMs: 5, tpotMs: 20 };
const flags = (url: string) => [
  ...benchFlags(url, 30, 8, 100),
  "--request-distribution",
  "poisson",
  "10",
];

Deno.test("SIGTERM: stop sending, end what outlives --grace as aborted, write everything, exit 143", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  await withSim(slow, async (sim) => {
    const run = await interrupt([...flags(sim.url), "--grace", "0.3", "--output-file", out], [
      "SIGTERM",
    ]);
    assert.equal(run.code, 143, run.stdout + run.stderr);
    assert.match(run.stderr, /^mib: SIGTERM: sending stopped/m);
    const records = JSON.parse(await Deno.readTextFile(out));
    assert.ok(records.length > 0 && records.length < 30, `${records.length} sent`);
    const aborted = records.filter((r: { error: string }) => r.error.startsWith("aborted: "));
    assert.ok(aborted.length > 0, "requests still in flight after the grace were aborted");
    for (const r of aborted) {
      assert.equal(r.error, "aborted: in flight at SIGTERM and still running after --grace 0.3 s");
    }
    assert.match(run.stdout, new RegExp(`Failures by kind\\s*│?\\s*aborted ${aborted.length}`));
    assert.match(run.stdout, /interrupted: \d+ planned request\(s\) were not sent/);
    const record = JSON.parse(await Deno.readTextFile(`${dir.path}/out.summary.json`));
    assert.equal(record.summary.failures.aborted, aborted.length);
  });
});

Deno.test("SIGINT with jsonl: the summary line is written and the run exits 130", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.jsonl`;
  await withSim(slow, async (sim) => {
    const run = await interrupt(
      [...flags(sim.url), "--grace", "0.3", "--output-file", out, "--output-format", "jsonl"],
      ["SIGINT"],
    );
    assert.equal(run.code, 130, run.stdout + run.stderr);
    const lines = (await Deno.readTextFile(out)).trim().split("\n").map((l) => JSON.parse(l));
    assert.ok("summary" in lines.at(-1), "the last line is the summary");
    assert.equal(lines.at(-1).summary.total, lines.length - 1);
  });
});

Deno.test("a second SIGINT ends the requests in flight at once, without waiting for --grace", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  await withSim(slow, async (sim) => {
    const run = await interrupt(
      [...flags(sim.url), "--grace", "60", "--output-file", out],
      ["SIGINT", "SIGINT"],
    );
    assert.equal(run.code, 130, run.stdout + run.stderr);
    assert.ok(run.seconds < 30, `ended in ${run.seconds} s, not after the 60 s grace`);
    const records = JSON.parse(await Deno.readTextFile(out));
    assert.ok(
      records.some((r: { error: string }) =>
        r.error === "aborted: in flight at a second signal (SIGINT)"
      ),
    );
  });
});

Deno.test("ten million planned requests: sending starts at once (the plan is made as sent), SIGINT writes what was sent", async () => {
  await using dir = await tempDir();
  const out = `${dir.path}/out.jsonl`;
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    const run = await interrupt(
      [
        ...benchFlags(sim.url, 10_000_000, 8, 4),
        "--request-distribution",
        "poisson",
        "100",
        "--output-format",
        "jsonl",
        "--output-file",
        out,
      ],
      ["SIGINT"],
      1000,
    );
    assert.equal(run.code, 130, run.stdout + run.stderr);
    const lines = (await Deno.readTextFile(out)).trimEnd().split("\n").map((l) => JSON.parse(l));
    const summary = lines.pop().summary;
    assert.ok(lines.length > 10, `${lines.length} requests recorded`);
    assert.equal(summary.total, lines.length, "the summary counts every recorded request");
    const notSent = /interrupted: (\d+) planned request\(s\) were not sent/.exec(run.stdout);
    assert.ok(notSent, run.stdout);
    assert.equal(Number(notSent[1]) + lines.length, 10_000_000, "planned = sent + not sent");
  });
});
