/**
 * `mib calibrate` end to end (the CLI, its simulator process, the cache file
 * in a temporary `XDG_CACHE_HOME`), and `mib bench`'s warning against a
 * hand-written cache file. Nothing here asserts a ceiling's value: that is
 * the machine's, not mib's.
 */
import assert from "node:assert/strict";
import type { CalibrationRecord, HostKey } from "../runner/calibration_cache.ts";
import { hostKey } from "../runner/calibration_cache.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

// The children get a temporary XDG_CACHE_HOME; Deno would move its own cache there with it.
const denoDir: string = JSON.parse(
  new TextDecoder().decode(
    (await new Deno.Command(Deno.execPath(), { args: ["info", "--json"], stdout: "piped" })
      .output()).stdout,
  ),
).denoDir;

const CEILING_LINE =
  /^client ceiling on this host: .*streams.*requests\/s \(token-time error p99 ≤ 5 ms, schedule lag p99 ≤ 1 ms\)$/m;

/** The cache file's entries under `cache` (an `XDG_CACHE_HOME`). */
async function cachedEntries(cache: string): Promise<CalibrationRecord[]> {
  const file = JSON.parse(await Deno.readTextFile(`${cache}/mib/calibration.json`));
  assert.equal(file.mib_calibrations, 1);
  return file.entries;
}

Deno.test("mib calibrate: steps, the ceiling line, the figures file, and the cache entry of this host", async () => {
  await using dir = await tempDir();
  const run = await runCli(
    ["calibrate", "--duration-per-step", "0.5", "--output-file", `${dir.path}/figures.json`],
    { env: { XDG_CACHE_HOME: dir.path, DENO_DIR: denoDir } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, CEILING_LINE);
  assert.match(run.stdout, /the simulator ran in its own process on this host.*conservative/);
  assert.match(run.stdout, /│ requests\/s\s+│ requests\s+│ failed/);
  assert.match(run.stdout, /│ streams\s+│ tokens each\s+│ failed/);
  // A line per step as it ends; the first of each series always runs.
  assert.match(run.stderr, /^mib calibrate: 500 requests\/s \(\d+ requests\): schedule lag p99/m);
  assert.match(run.stderr, /^mib calibrate: 64 streams of \d+ tokens: token-time error p99/m);
  const [entry, ...more] = await cachedEntries(dir.path);
  assert.equal(more.length, 0);
  assert.deepEqual(entry.host, hostKey());
  assert.equal(entry.transport, "http1");
  assert.equal(entry.server.where, "process");
  assert.deepEqual(entry, JSON.parse(await Deno.readTextFile(`${dir.path}/figures.json`)));
  // Ascending, stopping at the first miss; the ceiling is the last pass before it.
  for (const kind of ["rate", "streams"] as const) {
    const steps = entry.steps.filter((s) => s.kind === kind);
    assert.ok(steps.length > 0, kind);
    assert.ok(steps.slice(0, -1).every((s) => s.passed), `${kind}: only the last may miss`);
    const top = steps.filter((s) => s.passed).at(-1)?.load ?? 0;
    assert.equal(kind === "rate" ? entry.ceiling.requestsPerSecond : entry.ceiling.streams, top);
  }
  const streams = entry.steps.filter((s) => s.kind === "streams");
  for (const step of streams) {
    assert.equal(step.requests, step.load, "one request per stream");
    assert.ok(step.tokenTimeError !== null, "every stream step is matched with the record");
  }
  // A second calibration of the same host replaces its entry.
  const again = await runCli(
    ["calibrate", "--duration-per-step", "0.3", "--streams", "4", "--rates", "20"],
    { env: { XDG_CACHE_HOME: dir.path, DENO_DIR: denoDir } },
  );
  assert.equal(again.code, 0, again.stderr);
  const entries = await cachedEntries(dir.path);
  assert.equal(entries.length, 1);
  assert.deepEqual(entries[0].steps.map((s) => [s.kind, s.load]), [["rate", 20], ["streams", 4]]);
});

Deno.test("mib calibrate --json --no-save: JSON alone on stdout, the tables on stderr, no cache file", async () => {
  await using dir = await tempDir();
  const run = await runCli(
    [
      "calibrate",
      "--duration-per-step",
      "0.3",
      "--streams",
      "4",
      "--rates",
      "20",
      "--json",
      "--no-save",
    ],
    { env: { XDG_CACHE_HOME: dir.path, DENO_DIR: denoDir } },
  );
  assert.equal(run.code, 0, run.stderr);
  const record: CalibrationRecord = JSON.parse(run.stdout);
  assert.equal(record.mib_calibration, 1);
  assert.equal(record.targets.tokenTimeErrorP99Ms, 5);
  assert.equal(record.durationPerStep, 0.3);
  assert.match(run.stderr, CEILING_LINE);
  await assert.rejects(Deno.stat(`${dir.path}/mib/calibration.json`), Deno.errors.NotFound);
});

/** A cache file under `cache` holding one entry of `host` with the given ceiling. */
async function writeCache(
  cache: string,
  host: HostKey,
  ceiling: { streams: number; requestsPerSecond: number },
): Promise<void> {
  const entry: CalibrationRecord = {
    mib_calibration: 1,
    date: "2026-12-01T10:00:00.000Z",
    host,
    transport: "http1",
    server: { where: "process", ttftMs: 2, tpotMs: 5 },
    durationPerStep: 2,
    targets: { tokenTimeErrorP99Ms: 5, scheduleLagP99Ms: 1, rateTolerance: 0.01 },
    ceiling: {
      ...ceiling,
      tokensPerSecond: ceiling.streams * 200,
      streamsMissedAt: ceiling.streams * 2,
      rateMissedAt: ceiling.requestsPerSecond * 2,
    },
    steps: [],
  };
  await Deno.mkdir(`${cache}/mib`, { recursive: true });
  await Deno.writeTextFile(
    `${cache}/mib/calibration.json`,
    JSON.stringify({ mib_calibrations: 1, entries: [entry] }),
  );
}

const warnings = (stderr: string) =>
  stderr.split("\n").filter((l) => l.includes("calibrated client ceiling"));

/** A short benchmark of `sim` with `requests` of 16 tokens, the cache under `cache`. */
function bench(url: string, cache: string, requests: number, extra: string[] = []) {
  return runCli([...benchFlags(url, requests, 8, 16), "--tokenizer", "cl100k_base", ...extra], {
    env: { XDG_CACHE_HOME: cache, DENO_DIR: denoDir },
  });
}

const CEILING = { streams: 16, requestsPerSecond: 100 };

Deno.test("mib bench warns in one line before a run above the cached ceiling", async () => {
  await using dir = await tempDir();
  const host = hostKey()!;
  await writeCache(dir.path, host, CEILING);
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    const [paced, burst, mistaken] = await Promise.all([
      // 2,000 requests/s of 16 tokens: ~160 streams at the calibration's 5 ms a token.
      bench(sim.url, dir.path, 200, ["--request-distribution", "poisson", "2000"]),
      // All at once: every request is in flight together.
      bench(sim.url, dir.path, 40),
      // A mistake is told alone: the warning comes after every check.
      bench(sim.url, dir.path, 200, [
        "--dataset-name",
        "other",
        "--dataset-path",
        `${dir.path}/missing.txt`,
      ]),
    ]);
    assert.equal(mistaken.code, 2, mistaken.stderr);
    assert.deepEqual(warnings(mistaken.stderr), []);
    assert.match(mistaken.stderr, /--dataset-path/);
    assert.equal(paced.code, 0, paced.stderr);
    assert.deepEqual(warnings(paced.stderr), [
      "warning: planned ~160 streams and ~2,000 requests/s exceed this host's calibrated client " +
      "ceiling of 16 streams and 100 requests/s (mib calibrate, 2026-12-01); timing error may " +
      "exceed 5 ms, and schedule lag may exceed 1 ms — spread the load with --workers 20, or " +
      `--shard it across machines (this host has ${host.cpus} CPUs)`,
    ]);
    assert.equal(burst.code, 0, burst.stderr);
    assert.equal(warnings(burst.stderr).length, 1, burst.stderr);
    assert.match(
      warnings(burst.stderr)[0],
      /^warning: planned ~40 streams exceeds .* ceiling of 16 streams .* --workers 3\b/,
    );
  });
});

Deno.test("mib bench says nothing below the cached ceiling, or with another host's or version's", async () => {
  await using below = await tempDir();
  await using otherHost = await tempDir();
  await using otherVersion = await tempDir();
  const host = hostKey()!;
  await writeCache(below.path, host, CEILING);
  await writeCache(otherHost.path, { ...host, hostname: `${host.hostname}-other` }, CEILING);
  await writeCache(otherVersion.path, { ...host, mib: "0.0.0" }, CEILING);
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    const runs = await Promise.all([
      bench(sim.url, below.path, 8, ["--request-distribution", "poisson", "50"]),
      // Far above the ceiling, but it is not this host's.
      bench(sim.url, otherHost.path, 200, ["--request-distribution", "poisson", "2000"]),
      bench(sim.url, otherVersion.path, 200, ["--request-distribution", "poisson", "2000"]),
    ]);
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(warnings(run.stderr), []);
    }
  });
});

Deno.test("mib bench --calibrate: a short calibration, saved, then the run", async () => {
  await using dir = await tempDir();
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    const run = await runCli(
      [...benchFlags(sim.url, 4, 8, 4), "--tokenizer", "cl100k_base", "--calibrate"],
      { env: { XDG_CACHE_HOME: dir.path, DENO_DIR: denoDir } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, CEILING_LINE);
    // The calibration's lines stay off stdout, which is the benchmark's summary.
    assert.doesNotMatch(run.stdout, /client ceiling/);
    assert.match(run.stdout, /Successful requests/);
    const [entry] = await cachedEntries(dir.path);
    assert.equal(entry.durationPerStep, 0.5);
  });
});

Deno.test("mib calibrate: a bad value is one line naming its flag, exit 2", async () => {
  const cases: [string[], RegExp][] = [
    [
      ["--timing-error-target", "-1"],
      /^mib: --timing-error-target: expected a number > 0, got "-1"$/,
    ],
    [["--duration-per-step", "0"], /^mib: --duration-per-step: expected a number > 0, got "0"$/],
    [["--streams", "64,0"], /^mib: --streams: expected positive integers .*got "0"$/],
    [["--rates", "500,500"], /^mib: --rates: .*each once/],
    [["--transport", "h2"], /^mib: --transport: expected http1 or fetch, got "h2"$/],
  ];
  for (const [flags, line] of cases) {
    const run = await runCli(["calibrate", ...flags]);
    assert.equal(run.code, 2, `${flags.join(" ")}: ${run.stderr}`);
    const lines = run.stderr.trim().split("\n").filter((l) => !l.startsWith("(run mib bench"));
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], line);
    assert.equal(run.stdout, "");
  }
});
