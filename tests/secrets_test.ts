/**
 * An API key from `--api-key-file` or the environment reaches the server and
 * nowhere else: not stdout, not stderr (with `--debug`), not any result
 * format, not the run record.
 */
import assert from "node:assert/strict";
import { benchFlags, runCli, tempDir } from "./_helpers.ts";

const SECRET = "sk-mib-test-NEVER-WRITE-7c41";

function keyServer(): { url: string; seen: string[]; close(): Promise<void> } {
  const seen: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    seen.push(req.headers.get("authorization") ?? "");
    await req.body?.cancel();
    if (req.method === "GET") return Response.json({ data: [{ id: "m" }] });
    const sse = 'data: {"choices":[{"index":0,"text":" ok"}]}\n\n' +
      'data: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":1}}\n\ndata: [DONE]\n\n';
    return new Response(sse, { headers: { "content-type": "text/event-stream" } });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, seen, close: () => server.shutdown() };
}

/** Every file under `dir`, read as text. */
async function everyFile(dir: string): Promise<string[]> {
  const texts: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile) texts.push(await Deno.readTextFile(`${dir}/${entry.name}`));
  }
  return texts;
}

for (const format of ["seed", "jsonl", "vllm", "csv"]) {
  Deno.test(`the API key (--api-key-file) is sent, and written nowhere (${format}, --debug)`, async () => {
    const server = keyServer();
    await using dir = await tempDir();
    const keyFile = `${dir.path}/key.txt`;
    await Deno.writeTextFile(keyFile, `${SECRET}\n`);
    await Deno.mkdir(`${dir.path}/out`);
    try {
      const run = await runCli([
        ...benchFlags(server.url, 2, 4, 1),
        "--api-key-file",
        keyFile,
        "--output-file",
        `${dir.path}/out/run.${format === "csv" ? "csv" : "json"}`,
        "--output-format",
        format,
        "--debug",
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      assert.ok(server.seen.length >= 3 && server.seen.every((a) => a === `Bearer ${SECRET}`));
      const outputs = [run.stdout, run.stderr, ...await everyFile(`${dir.path}/out`)];
      assert.equal(outputs.length, 4, "stdout, stderr, the result file and the run record");
      for (const text of outputs) assert.ok(!text.includes(SECRET), text.slice(0, 300));
    } finally {
      await server.close();
    }
  });
}

Deno.test("--api-key-file: a missing file and --api-key-env beside it are usage errors", async () => {
  const missing = await runCli(["--num-of-req", "1", "--api-key-file", "/no/such/key"]);
  assert.equal(missing.code, 2);
  assert.match(
    missing.stderr,
    /^mib: --api-key-file: cannot read "\/no\/such\/key" \(no such file\)/,
  );
  const both = await runCli([
    "--num-of-req",
    "1",
    "--api-key-file",
    "/no/such/key",
    "--api-key-env",
    "X",
  ]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--api-key-env\/--api-key-file: give only one/);
});

/** A server whose every answer is an error that echoes the request's headers, as some proxies do. */
function echoingServer(modelsToo: boolean): { url: string; close(): Promise<void> } {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    const echo = { error: "unauthorized", headers: Object.fromEntries(req.headers) };
    if (req.method === "GET" && !modelsToo) return Response.json({ data: [{ id: "m" }] });
    return Response.json(echo, { status: 401 });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

for (const modelsToo of [false, true]) {
  Deno.test(`an error body that echoes the request headers is written with the key redacted (${modelsToo ? "model list" : "generation"})`, async () => {
    const server = echoingServer(modelsToo);
    await using dir = await tempDir();
    try {
      const run = await runCli(
        [
          ...benchFlags(server.url, 2, 4, 1),
          "--output-file",
          `${dir.path}/run.jsonl`,
          "--output-format",
          "jsonl",
          "--debug",
        ],
        { env: { OPENAI_API_KEY: SECRET } },
      );
      const outputs = [run.stdout, run.stderr, ...await everyFile(dir.path)];
      for (const text of outputs) assert.ok(!text.includes(SECRET), text.slice(0, 600));
      const all = outputs.join("\n");
      assert.match(all, /\[redacted\]/, "the echo is there, with the key replaced");
      if (!modelsToo) assert.match(all, /HTTP 401/);
    } finally {
      await server.close();
    }
  });
}
