/**
 * Test helpers: a real llama.cpp `llama-server`, when one has been built
 * (`scripts/build_llama_server.sh`), on a free loopback port.
 *
 * @module
 */
import { join } from "node:path";

/**
 * The `llama-server` binary to test against: `$MIB_LLAMA_SERVER`, else the
 * newest build in the script's cache (`$MIB_LLAMA_CACHE`, else
 * `$XDG_CACHE_HOME/mib/llama-server`, else `~/.cache/mib/llama-server`);
 * undefined when there is none.
 */
export function llamaServerBinary(): string | undefined {
  const given = Deno.env.get("MIB_LLAMA_SERVER");
  if (given) return isExecutable(given) ? given : undefined;
  const cache = Deno.env.get("MIB_LLAMA_CACHE") ??
    join(
      Deno.env.get("XDG_CACHE_HOME") ?? join(Deno.env.get("HOME") ?? ".", ".cache"),
      "mib",
      "llama-server",
    );
  const found: { path: string; mtime: number }[] = [];
  try {
    for (const entry of Deno.readDirSync(cache)) {
      const path = join(cache, entry.name, "llama-server");
      if (isExecutable(path)) {
        found.push({ path, mtime: Deno.statSync(path).mtime?.getTime() ?? 0 });
      }
    }
  } catch {
    return undefined;
  }
  return found.sort((a, b) => b.mtime - a.mtime)[0]?.path;
}

function isExecutable(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0;
  } catch {
    return false;
  }
}

/** A running `llama-server`; disposing it stops the process. */
export interface LlamaServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
}

/** A free loopback port: bound, then released for the server to take. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/**
 * Starts `binary -m model` on a free loopback port (one slot, 512-token
 * context) and resolves once `/health` answers 200.
 *
 * @throws {Error} when it does not become healthy within 60 s.
 */
export async function startLlamaServer(binary: string, model: string): Promise<LlamaServer> {
  const port = freePort();
  const child = new Deno.Command(binary, {
    args: ["-m", model, "--host", "127.0.0.1", "--port", String(port), "-c", "512", "-np", "1"],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.ok) return { url, [Symbol.asyncDispose]: stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`${binary} did not become healthy on ${url} within 60 s`);
}
