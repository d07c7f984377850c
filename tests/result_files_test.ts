import assert from "node:assert/strict";
import { startSimulator } from "../mod.ts";
import { runCli, tempDir } from "./_helpers.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

Deno.test("jsonl: a run killed with SIGKILL leaves one valid line per finished request", async () => {
  const sim = await startSimulator({ ttftMs: 5, tpotMs: 2 });
  await using dir = await tempDir();
  const out = `${dir.path}/run.jsonl`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--base-url",
      sim.url,
      "--num-of-req",
      "200",
      "--request-distribution",
      "constant",
      "0.05",
      "--input-token-distribution",
      "constant",
      "8",
      "--output-token-distribution",
      "constant",
      "4",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
    ],
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    // Wait for a few finished requests, then kill without warning.
    for (let i = 0; i < 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const text = await Deno.readTextFile(out).catch(() => "");
      if (text.split("\n").filter(Boolean).length >= 5) break;
    }
    child.kill("SIGKILL");
    await child.status;
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean);
    assert.ok(lines.length >= 5, `${lines.length} lines`);
    const indexes = lines.map((line) => JSON.parse(line)).map((r) => {
      assert.equal(r.success, true);
      assert.equal(r.output_len, 4);
      assert.equal(r.itl.length, 3);
      return r.index;
    });
    assert.deepEqual(indexes, [...indexes].sort((a, b) => a - b));
  } finally {
    await sim.close();
  }
});

Deno.test("jsonl ends with a summary line; the run record redacts secrets and names the seed", async () => {
  const sim = await startSimulator({ ttftMs: 2, tpotMs: 1 });
  await using dir = await tempDir();
  const out = `${dir.path}/run.jsonl`;
  try {
    const run = await runCli([
      "--base-url",
      sim.url,
      "--num-of-req",
      "3",
      "--seed",
      "7",
      "--input-token-distribution",
      "constant",
      "8",
      "--output-token-distribution",
      "constant",
      "4",
      "--header",
      "X-Api-Key: hunter2",
      "--output-format",
      "jsonl",
      "--output-file",
      out,
    ], { env: { OPENAI_API_KEY: "sk-secret-xyz" } });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const lines = (await Deno.readTextFile(out)).split("\n").filter(Boolean).map((l) =>
      JSON.parse(l)
    );
    assert.equal(lines.length, 4);
    assert.equal(lines[3].summary.completed, 3);
    const recordText = await Deno.readTextFile(`${dir.path}/run.summary.json`);
    assert.ok(!recordText.includes("sk-secret-xyz") && !recordText.includes("hunter2"));
    const record = JSON.parse(recordText);
    assert.equal(record.seed, 7);
    assert.equal(record.tool, "mib");
    assert.equal(record.config.headers.authorization, "[redacted]");
    assert.equal(record.config.headers["x-api-key"], "[redacted]");
    assert.equal(record.config.requestDistribution.rate, "inf");
    assert.equal(record.summary.totalOutputTokens, 12);
  } finally {
    await sim.close();
  }
});
