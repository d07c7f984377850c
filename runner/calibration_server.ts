/**
 * The recording simulator `mib calibrate` measures the client against: in a
 * process of its own (`mib serve --record`, this same program), so that its
 * writes do not run on the client's thread, as a real server's do not. Where
 * no subprocess may be started (a compiled binary, or no `--allow-run`), in
 * this process instead, which makes the ceiling lower still.
 *
 * @module
 */
import { RunError } from "../errors.ts";
import type { ServerWrites } from "../metrics/client_timing.ts";
import type { CalibrationTarget } from "./calibration.ts";

/** A running calibration server. */
export interface CalibrationServer extends CalibrationTarget {
  /** Where it runs: its own process, or this one (sharing the client's thread). */
  where: "process" | "in-process";
  /** Stops it. */
  close(): Promise<void>;
}

/** The simulator's timings. */
export interface CalibrationServerOptions {
  /** Time to first token, ms. */
  ttftMs: number;
  /** Time per output token, ms. */
  tpotMs: number;
}

const granted = (descriptor: Deno.PermissionDescriptor) =>
  Deno.permissions.querySync(descriptor).state === "granted";

/** Whether this program can start itself as `mib serve` in a subprocess. */
function canSpawn(): boolean {
  // A compiled binary has no --allow-run baked in (see scripts/compile.ts).
  return !Deno.build.standalone && granted({ name: "run", command: Deno.execPath() });
}

/**
 * Starts the simulator with `--record` on a free loopback port: in its own
 * process when this program may start one, else in this one.
 *
 * @throws {RunError} when the subprocess exits before it listens.
 */
export async function startCalibrationServer(
  options: CalibrationServerOptions,
): Promise<CalibrationServer> {
  return canSpawn() ? await spawnServer(options) : await inProcessServer(options);
}

/** Record and clear through the simulator's `/mib/record`. */
function overHttp(url: string): Omit<CalibrationTarget, "url"> {
  return {
    record: async () => {
      const response = await fetch(`${url}/mib/record`);
      return await response.json() as { requests: ServerWrites[] };
    },
    clear: async () => {
      const response = await fetch(`${url}/mib/record`, { method: "DELETE" });
      await response.body?.cancel();
    },
  };
}

async function spawnServer(options: CalibrationServerOptions): Promise<CalibrationServer> {
  const main = new URL("../main.ts", import.meta.url).href;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--no-prompt",
      // All the simulator needs: to listen on loopback.
      "--allow-net=127.0.0.1",
      main,
      "serve",
      "--port",
      "0",
      "--record",
      "--ttft-ms",
      String(options.ttftMs),
      "--tpot-ms",
      String(options.tpotMs),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Drained as it comes, so the child never blocks on a full pipe; kept for a failure's message.
  let errors = "";
  const stderr = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (errors = (errors + text).slice(-2000)) }),
  ).catch(() => {});
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url: string | undefined;
  while (url === undefined) {
    const { done, value } = await reader.read();
    if (done) {
      await child.status;
      await stderr;
      throw new RunError(
        `the calibration simulator (mib serve) exited before listening: ${
          (errors || seen).trim().split("\n").at(-1) ?? ""
        }`,
      );
    }
    seen += value;
    url = /listening on (http:\/\/\S+)/.exec(seen)?.[1];
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    url,
    where: "process",
    ...overHttp(url),
    close: async () => {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await Promise.all([drained, stderr]);
    },
  };
}

async function inProcessServer(options: CalibrationServerOptions): Promise<CalibrationServer> {
  // Loaded only here: `mib bench` without --calibrate never loads the simulator.
  const { startSimulator } = await import("../simulator/mod.ts");
  const sim = await startSimulator({
    port: 0,
    ttftMs: options.ttftMs,
    tpotMs: options.tpotMs,
    record: true,
    quiet: true,
  });
  return {
    url: sim.url,
    where: "in-process",
    record: () => Promise.resolve(sim.record()),
    clear: () => Promise.resolve(sim.clearRecord()),
    close: () => sim.close(),
  };
}
