/**
 * A real llama.cpp `llama-server` for the tests, built by
 * `scripts/build_llama_server.sh` and running the shipped test model
 * (`tests/fixtures/stories260K.gguf`) on a CPU.
 *
 * The binary is `MIB_LLAMA_SERVER` when set, else the newest build in the
 * script's cache. Where there is none, {@linkcode llamaServerBinary} says
 * why, so tests skip loudly; with `MIB_REQUIRE_LLAMA_SERVER=1` (as `.ci/run`
 * sets) a missing binary is a failure instead.
 *
 * @module
 */

/** The test model. */
export const MODEL_PATH = new URL("./fixtures/stories260K.gguf", import.meta.url).pathname;

/** Where the build script caches its builds. */
function cacheDir(): string {
  const env = (name: string) => Deno.env.get(name);
  return env("MIB_LLAMA_CACHE") ??
    `${env("XDG_CACHE_HOME") ?? `${env("HOME")}/.cache`}/mib/llama-server`;
}

/** The llama-server binary, or why there is none. */
export function llamaServerBinary(): { path: string } | { missing: string } {
  const given = Deno.env.get("MIB_LLAMA_SERVER");
  if (given) return { path: given };
  const builds: { path: string; mtime: number }[] = [];
  try {
    for (const entry of Deno.readDirSync(cacheDir())) {
      const path = `${cacheDir()}/${entry.name}/llama-server`;
      try {
        builds.push({ path, mtime: Deno.statSync(path).mtime?.getTime() ?? 0 });
      } catch {
        // A tag folder whose build did not finish.
      }
    }
  } catch {
    // No cache folder: nothing was built here.
  }
  builds.sort((a, b) => b.mtime - a.mtime);
  if (builds.length > 0) return { path: builds[0].path };
  return {
    missing:
      `no llama-server binary (MIB_LLAMA_SERVER unset, none built under ${cacheDir()}): run scripts/build_llama_server.sh`,
  };
}

/** Whether a missing binary must fail the tests (CI) rather than skip them. */
export function llamaServerRequired(): boolean {
  return Deno.env.get("MIB_REQUIRE_LLAMA_SERVER") === "1";
}

/** A running llama-server. */
export interface LlamaServer extends AsyncDisposable {
  /** Its base URL. */
  url: string;
  /** Kills it at once (SIGKILL), as a crash would. */
  kill(): void;
  /** What it printed. */
  log(): string;
}

/**
 * Starts llama-server on a free loopback port with `args` (default: a small
 * context shared by 4 slots) and resolves once `/health` answers 200.
 */
export async function startLlamaServer(
  binary: string,
  args: string[] = ["-c", "512", "-np", "4"],
): Promise<LlamaServer> {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = probe.addr.port;
  probe.close();
  const child = new Deno.Command(binary, {
    args: ["-m", MODEL_PATH, "--host", "127.0.0.1", "--port", String(port), "-t", "1", ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const decoder = new TextDecoder();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true });
  };
  const collecting = Promise.all([collect(child.stdout), collect(child.stderr)]);
  const url = `http://127.0.0.1:${port}`;
  let alive = true;
  child.status.then(() => (alive = false));
  const deadline = performance.now() + 30_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (!alive || performance.now() > deadline) {
      if (alive) child.kill("SIGKILL");
      await child.status;
      await collecting;
      throw new Error(`llama-server did not come up on ${url}:\n${output.slice(-2000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const kill = () => {
    if (alive) child.kill("SIGKILL");
  };
  return {
    url,
    kill,
    log: () => output,
    async [Symbol.asyncDispose]() {
      kill();
      await child.status;
      await collecting;
    },
  };
}
