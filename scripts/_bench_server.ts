/**
 * The simulator in its own process, for the bench scripts.
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;

/** A running `mib serve`. */
export interface SimulatorProcess {
  /** Its base URL. */
  url: string;
  /** Stops it (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts `mib serve --port 0 FLAGS...` and resolves once it listens. */
export async function spawnSimulator(flags: string[]): Promise<SimulatorProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "serve", "--port", "0", ...flags],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  let url: string | undefined;
  while (url === undefined) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`the simulator exited before listening: ${seen}`);
    seen += value;
    url = /listening on (http:\/\/\S+)/.exec(seen)?.[1];
  }
  // Keep draining its stdout so it never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await child.status;
    },
  };
}
