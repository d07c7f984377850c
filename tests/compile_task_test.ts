/**
 * `deno compile` bundles only what static imports reach; a worker module is
 * reached through `new URL(...)` and must be named with `--include`. This
 * keeps the compile task naming every worker the source starts.
 */
import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };

const ROOT = new URL("../", import.meta.url);

async function* sources(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory && !["tests", "dist", "node_modules", ".git"].includes(entry.name)) {
      yield* sources(url);
    } else if (entry.isFile && entry.name.endsWith(".ts")) yield url;
  }
}

Deno.test("deno task compile includes every worker module the source starts", async () => {
  const workers: string[] = [];
  for await (const file of sources(ROOT)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(/new Worker\(new URL\("([^"]+)", import\.meta\.url\)/g)) {
      workers.push(new URL(m[1], file).pathname.slice(ROOT.pathname.length));
    }
  }
  assert.ok(workers.length >= 2, `found ${workers.join(", ")}`);
  const task = denoJson.tasks.compile;
  for (const worker of workers) {
    assert.ok(task.includes(`--include ${worker}`), `compile task lacks --include ${worker}`);
  }
});
