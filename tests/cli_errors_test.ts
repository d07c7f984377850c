import assert from "node:assert/strict";
import { runCli, tempDir } from "./_helpers.ts";

/** Asserts a usage error: exit 2, one line naming `flag`, no stack trace. */
async function assertUsageError(
  args: string[],
  flag: string,
  also?: RegExp,
  env?: Record<string, string>,
): Promise<void> {
  const run = await runCli(args, { env });
  assert.equal(run.code, 2, `exit status for ${args.join(" ")}: ${run.stderr}`);
  const lines = run.stderr.trim().split("\n").filter((l) => !l.startsWith("(run mib bench --help"));
  assert.equal(lines.length, 1, `one line expected, got:\n${run.stderr}`);
  assert.ok(lines[0].includes(flag), `"${lines[0]}" should name ${flag}`);
  if (also) assert.match(lines[0], also);
  assert.ok(!/\bat .*\.ts:\d+/.test(run.stderr), "no stack trace without --debug");
  assert.equal(run.stdout, "");
}

const base = ["--base-url", "http://127.0.0.1:9"];

Deno.test("unknown backend names the flag and lists the accepted names", async () => {
  await assertUsageError([...base, "--num-of-req", "1", "--backend", "nope"], "--backend", /vllm/);
});

Deno.test("malformed distributions are usage errors", async () => {
  for (
    const dist of [["poisson"], ["uniform", "5"], ["normal", "a", "b"], ["poisson", "-3"], [
      "zipf",
      "1",
    ]]
  ) {
    await assertUsageError(
      [...base, "--num-of-req", "1", "--request-distribution", ...dist],
      "--request-distribution",
    );
  }
  await assertUsageError(
    [...base, "--num-of-req", "1", "--input-token-distribution", "uniform", "10"],
    "--input-token-distribution",
  );
});

Deno.test("exactly one of --num-of-req and --max-time-for-reqs", async () => {
  await assertUsageError([...base], "--num-of-req", /exactly one/);
  await assertUsageError(
    [...base, "--num-of-req", "2", "--max-time-for-reqs", "3"],
    "--max-time-for-reqs",
    /only one/,
  );
  await assertUsageError([...base, "--num-of-req", "abc"], "--num-of-req", /positive integer/);
  await assertUsageError([...base, "--num-of-req", "0"], "--num-of-req");
});

Deno.test("config file: missing, invalid JSON, unknown key, wrong type", async () => {
  await using dir = await tempDir();
  await assertUsageError(
    ["--config-file", `${dir.path}/none.json`],
    "--config-file",
    /no such file/,
  );
  const bad = `${dir.path}/bad.json`;
  await Deno.writeTextFile(bad, "{not json");
  await assertUsageError(["--config-file", bad], "--config-file", /not valid JSON/);
  const unknown = `${dir.path}/unknown.json`;
  await Deno.writeTextFile(unknown, JSON.stringify({ num_of_req: 1, colour: "red" }));
  await assertUsageError(["--config-file", unknown], "colour", /unknown key/);
  const wrong = `${dir.path}/wrong.json`;
  await Deno.writeTextFile(wrong, JSON.stringify({ num_of_req: "ten" }));
  await assertUsageError(["--config-file", wrong], "num_of_req", /positive integer/);
  const dist = `${dir.path}/dist.json`;
  await Deno.writeTextFile(
    dist,
    JSON.stringify({ num_of_req: 1, request_distribution: ["poisson"] }),
  );
  await assertUsageError(["--config-file", dist], "request_distribution");
});

Deno.test("output file in a missing folder fails before anything is sent", async () => {
  await assertUsageError(
    [...base, "--num-of-req", "1", "--output-file", "/nonexistent-folder-mib/out.json"],
    "--output-file",
    /does not exist/,
  );
});

Deno.test("datasets: --dataset-path is required and must exist; unknown dataset names", async () => {
  await assertUsageError(
    [...base, "--num-of-req", "1", "--dataset-name", "sharegpt"],
    "--dataset-path",
  );
  await assertUsageError(
    [
      ...base,
      "--num-of-req",
      "1",
      "--dataset-name",
      "other",
      "--dataset-path",
      "/no/such/file.txt",
    ],
    "--dataset-path",
    /no such file/,
  );
  await assertUsageError(
    [...base, "--num-of-req", "1", "--dataset-name", "books"],
    "--dataset-name",
  );
});

Deno.test("datasets: an ignored --dataset-path or another dataset's option is a usage error", async () => {
  await using dir = await tempDir();
  const jsonl = `${dir.path}/p.jsonl`;
  await Deno.writeTextFile(jsonl, '{"prompt": "hi"}\n');
  // random (the default, or named) makes its own prompts: a file would be ignored.
  for (const name of [[], ["--dataset-name", "random"]]) {
    await assertUsageError(
      [...base, "--num-of-req", "1", ...name, "--dataset-path", jsonl],
      "--dataset-path",
      /--dataset-name random reads no file; .*give --dataset-name sharegpt or other$/,
    );
  }
  const other = ["--dataset-name", "other", "--dataset-path", jsonl];
  await assertUsageError(
    [...base, "--num-of-req", "1", ...other, "--sharegpt-min-len", "3"],
    "--sharegpt-min-len",
    /applies to --dataset-name sharegpt only, not other; drop it or give --dataset-name sharegpt$/,
  );
  await assertUsageError(
    [...base, "--num-of-req", "1", "--sharegpt-max-prompt-len", "100"],
    "--sharegpt-max-prompt-len",
    /--dataset-name sharegpt only, not random/,
  );
  const config = `${dir.path}/args.json`;
  await Deno.writeTextFile(config, JSON.stringify({ num_of_req: 1, sharegpt_max_total_len: 100 }));
  await assertUsageError(
    [...base, "--config-file", config],
    "--sharegpt-max-total-len",
    /--dataset-name sharegpt only, not random/,
  );
});

Deno.test("datasets: a --sharegpt-* bound is an integer, ≥ 0 for the minimum and > 0 for the maxima", async () => {
  await using dir = await tempDir();
  const sharegpt = [...base, "--num-of-req", "1", "--dataset-name", "sharegpt"];
  await assertUsageError(
    [...sharegpt, "--sharegpt-min-len", "-1"],
    "--sharegpt-min-len",
    /integer ≥ 0/,
  );
  await assertUsageError(
    [...sharegpt, "--sharegpt-min-len", "2.5"],
    "--sharegpt-min-len",
    /integer ≥ 0/,
  );
  for (const flag of ["--sharegpt-max-prompt-len", "--sharegpt-max-total-len"]) {
    await assertUsageError([...sharegpt, flag, "0"], flag, /positive integer, got "0"/);
    await assertUsageError([...sharegpt, flag, "many"], flag, /positive integer/);
  }
  const config = `${dir.path}/args.json`;
  await Deno.writeTextFile(config, JSON.stringify({ num_of_req: 1, sharegpt_max_prompt_len: 0 }));
  await assertUsageError(["--config-file", config], "sharegpt_max_prompt_len", /positive integer/);
});

Deno.test("other input mistakes", async () => {
  await assertUsageError(
    [...base, "--num-of-req", "1", "--tokenizer", "meta-llama/Llama-3-8B"],
    "--tokenizer",
    /not in the local Hugging Face cache/,
    { HF_HUB_OFFLINE: "1", HF_HOME: "/nonexistent-mib-hf-home" },
  );
  await assertUsageError([...base, "--num-of-req", "1", "--tokenizer", "nonsense"], "--tokenizer");
  await assertUsageError(
    ["--host_port", "localhost", "--num-of-req", "1"],
    "--host_port",
    /host:port/,
  );
  await assertUsageError([...base, "--num-of-req", "1", "--use-beam-search"], "--use-beam-search");
  await assertUsageError(
    [...base, "--num-of-req", "1", "--backend", "openai-chat", "--best-of", "2"],
    "--best-of",
  );
  await assertUsageError(
    [...base, "--num-of-req", "1", "--prefix-text", "x", "--prefix-len", "3"],
    "--prefix",
  );
  await assertUsageError([...base, "--num-of-req", "1", "--bogus"], "--bogus");
});

Deno.test("too many requests is refused before any network call", async () => {
  // A port nothing listens on: a ready check would fail with exit 1, not 2.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${listener.addr.port}`;
  listener.close();
  await assertUsageError(
    ["--base-url", url, "--num-of-req", "1000000000"],
    "--num-of-req",
    /at most 10000000/,
  );
});

Deno.test("a flag given twice, or in both spellings, is a usage error", async () => {
  await assertUsageError(
    [...base, "--num-of-req", "5", "--num-of-req", "6"],
    "--num-of-req",
    /twice|2 times/,
  );
  await assertUsageError(
    [
      ...base,
      "--num-of-req",
      "1",
      "--request-distribution",
      "poisson",
      "5",
      "--request-distribution",
      "poisson",
      "6",
    ],
    "--request-distribution",
    /2 times/,
  );
  await assertUsageError(
    ["--host_port", "a:1", "--host-port", "b:2", "--num-of-req", "1"],
    "--host_port/--host-port",
  );
  await assertUsageError(["serve", "--port", "0", "--port", "1"], "--port", /2 times/);
  await assertUsageError(["report", "--merge", "--merge", "x.json"], "--merge", /2 times/);
});

Deno.test("--debug adds the stack trace", async () => {
  const run = await runCli([...base, "--num-of-req", "1", "--backend", "nope", "--debug"]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /UsageError/);
  assert.ok(run.stderr.trim().split("\n").length > 1);
});

Deno.test("`mib bench --help` lists every flag of the seed", async () => {
  const run = await runCli(["bench", "--help"]);
  assert.equal(run.code, 0);
  for (
    const flag of [
      "--seed",
      "--backend",
      "--base-url",
      "--host_port",
      "--endpoint",
      "--num-of-req",
      "--max-time-for-reqs",
      "--request-distribution",
      "--input-token-distribution",
      "--output-token-distribution",
      "--prefix-text",
      "--prefix-len",
      "--no-prefix",
      "--dataset-name",
      "--dataset-path",
      "--model",
      "--tokenizer",
      "--trust-remote-code",
      "--disable-tqdm",
      "--best-of",
      "--use-beam-search",
      "--output-file",
      "--debug",
      "--config-file",
    ]
  ) {
    assert.ok(run.stdout.includes(flag), `help lists ${flag}`);
  }
});

Deno.test("`mib bench` is the default command's alias and --host-port the seed's second spelling", async () => {
  const run = await runCli([
    "bench",
    "--host-port",
    "127.0.0.1:9",
    "--num-of-req",
    "1",
    "--backend",
    "nope",
  ]);
  assert.equal(run.code, 2);
  assert.match(run.stderr, /--backend/);
});
