/**
 * The plan-scale scenario of `deno task bench`: does the planned count cost
 * anything before or during a run?
 *
 * `mib bench` runs as users run it (its own process, a jsonl output file),
 * planning N requests at Poisson 50/s, for a few seconds, then is stopped with
 * SIGTERM (which writes the summary line). Figures per N:
 *
 * - start: spawning `mib` → its first request arriving at the simulator, ms;
 * - RSS: the process's peak resident set (VmHWM) over the run, MB;
 * - schedule lag p99: the summary's pacing lag p99, ms.
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** What the simulator recorded (GET /mib/record), as far as this needs. */
export interface ArrivalRecord {
  timeOrigin: number;
  requests: { arrival: number }[];
}

/** One run's figures. */
export interface PlanScaleFigures {
  "start (ms)": number;
  "peak RSS (MB)": number;
  "schedule lag p99 (ms)": number;
  [figure: string]: number;
}

/** The process's peak resident set in MB, from /proc (NaN where there is none). */
function peakRss(pid: number): number {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = /VmHWM:\s+(\d+)/.exec(status)?.[1];
    return kb === undefined ? NaN : Number(kb) / 1024;
  } catch {
    return NaN;
  }
}

/**
 * Runs `mib bench` planning `count` requests against `serverUrl` for
 * `seconds`, then stops it. `record` reads the simulator's record, which
 * `clear` emptied before.
 */
export async function planScaleOnce(
  serverUrl: string,
  count: number,
  server: { clear(): Promise<void>; record(): Promise<ArrivalRecord> },
  seconds = 3,
): Promise<PlanScaleFigures> {
  await server.clear();
  const out = await Deno.makeTempFile({ suffix: ".jsonl" });
  try {
    const before = performance.timeOrigin + performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        MAIN,
        "bench",
        "--base-url",
        serverUrl,
        "--num-of-req",
        `${count}`,
        "--request-distribution",
        "poisson",
        "50",
        "--input-token-distribution",
        "constant",
        "64",
        "--output-token-distribution",
        "constant",
        "4",
        "--output-format",
        "jsonl",
        "--output-file",
        out,
        "--disable-tqdm",
      ],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const stderr = new Response(child.stderr).text();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    // "mib: <backend> <url> …" is printed just before the first request.
    while (!/^mib: /m.test(seen)) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`mib exited before sending: ${seen}${await stderr}`);
      seen += value;
    }
    const drained = (async () => {
      while (!(await reader.read()).done) { /* drain */ }
    })();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const rss = peakRss(child.pid);
    child.kill("SIGTERM");
    await child.status;
    await drained;
    await stderr;
    const record = await server.record();
    const first = Math.min(...record.requests.map((r) => r.arrival));
    const lines = (await Deno.readTextFile(out)).trimEnd().split("\n");
    const summary = JSON.parse(lines[lines.length - 1]).summary;
    return {
      "start (ms)": record.timeOrigin + first - before,
      "peak RSS (MB)": rss,
      "schedule lag p99 (ms)": summary?.pacingLag?.p99 ?? NaN,
    };
  } finally {
    await Deno.remove(out).catch(() => {});
  }
}
