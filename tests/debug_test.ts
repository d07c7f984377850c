/**
 * `--debug` (flag or config key): what it logs to stderr, with secrets
 * redacted, against a real server on loopback whose second event is not JSON.
 */
import assert from "node:assert/strict";
import { runCli, tempDir } from "./_helpers.ts";

/** A completions server whose stream breaks JSON after one good event. */
function garbageServer(): { url: string } & AsyncDisposable {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    await req.body?.cancel();
    return new Response('data: {"choices":[{"text":" a"}]}\n\ndata: {oops\n\n', {
      headers: { "content-type": "text/event-stream" },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

const flags = (url: string) => [
  "--base-url",
  url,
  "--num-of-req",
  "2",
  "--model",
  "m",
  "--tokenizer",
  "cl100k_base",
  "--input-token-distribution",
  "constant",
  "4",
  "--output-token-distribution",
  "constant",
  "4",
  "--header",
  "Authorization: Bearer sk-very-secret",
];

function assertDebugLog(stderr: string): void {
  const lines = stderr.split("\n").filter((l) => l.startsWith("debug: "));
  assert.ok(lines.some((l) => l.startsWith("debug: configuration: {")), stderr);
  assert.ok(lines.some((l) => /values from the command line: .*num_of_req/.test(l)), stderr);
  assert.ok(lines.some((l) => l.startsWith("debug: planned request 0: at +0.000 s")), stderr);
  for (const index of [0, 1]) {
    const line = lines.find((l) => l.startsWith(`debug: request ${index}: planned`));
    assert.ok(line, `a line for request ${index}`);
    const m = /sent \+([\d.]+) s, first byte \+([\d.]+) s, end \+([\d.]+) s, status 200/.exec(
      line!,
    );
    assert.ok(m, line);
    const [sent, head, end] = m!.slice(1).map(Number);
    assert.ok(sent <= head && head <= end, line);
    assert.match(line!, /failed \(parse\): .*unparsable/);
    const raw = lines.find((l) => l.startsWith(`debug: request ${index}: raw response body`));
    assert.ok(raw?.includes(String.raw`data: {oops\n\n`), raw);
  }
  assert.ok(!stderr.includes("sk-very-secret"), "the API key is never printed");
  assert.ok(stderr.includes("[redacted]"));
}

Deno.test("--debug logs the configuration, the plan, each request and unparsable bytes", async () => {
  await using server = garbageServer();
  const run = await runCli([...flags(server.url), "--debug"]);
  assert.equal(run.code, 1, run.stderr);
  assertDebugLog(run.stderr);
  assert.ok(!run.stdout.includes("debug:"), "debug lines go to stderr only");
});

Deno.test('"debug": true in a config file logs the same', async () => {
  await using server = garbageServer();
  await using dir = await tempDir();
  const config = `${dir.path}/c.json`;
  await Deno.writeTextFile(config, JSON.stringify({ debug: true }));
  const run = await runCli([...flags(server.url), "--config-file", config]);
  assertDebugLog(run.stderr);
  assert.match(run.stderr, /from --config-file: debug/);
});

Deno.test("without --debug nothing is logged for it", async () => {
  await using server = garbageServer();
  const run = await runCli(flags(server.url));
  assert.equal(run.code, 1);
  assert.ok(!run.stderr.includes("debug:"), run.stderr);
});
