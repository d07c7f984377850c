import assert from "node:assert/strict";
import { benchCommand } from "../cli/bench_command.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import { UsageError } from "../mod.ts";
import { planTraceRun } from "../runner/plan.ts";
import { lazyTokenizer } from "../tokenizers/choose.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import { azureSeconds } from "../traces/formats.ts";
import { readTrace } from "../traces/read.ts";
import { tempDir, withSim } from "./_helpers.ts";

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const AZURE = fixture("trace_azure.csv");
const BURSTGPT = fixture("trace_burstgpt.csv");
const MOONCAKE = fixture("trace_mooncake.jsonl");

/** The fixtures' rows as replayed: offsets (s) and both lengths. */
const EXPECTED = {
  [AZURE]: {
    offsets: [0, 0.1, 0.35, 0.5, 1],
    inputs: [37, 12, 150, 64, 9],
    outputs: [5, 3, 8, 2, 4],
  },
  [BURSTGPT]: { offsets: [0, 1, 2.25, 3], inputs: [472, 33, 250, 80], outputs: [18, 7, 12, 3] },
  [MOONCAKE]: {
    offsets: [0, 0.2, 0.45, 0.6, 0.9],
    inputs: [1100, 700, 1536, 300, 1030],
    outputs: [4, 3, 2, 5, 2],
  },
};

function config(options: Record<string, unknown>) {
  return resolveBenchConfig({
    base_url: "http://127.0.0.1:1",
    tokenizer: "cl100k_base",
    disable_tqdm: true,
    ...options,
  }, {});
}

/** Asserts resolving or planning throws a one-line UsageError on `flag` holding `fragment`. */
async function assertRefused(make: () => unknown, flag: string, fragment: string) {
  await assert.rejects(
    async () => await make(),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.flag, flag, error.message);
      assert.ok(error.message.includes(fragment), error.message);
      assert.ok(!error.message.includes("\n"), error.message);
      return true;
    },
  );
}

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;

Deno.test("readTrace: each format's offsets (from the first row kept) and lengths", async () => {
  for (const [path, expected] of Object.entries(EXPECTED)) {
    const trace = await readTrace(path);
    assert.ok(
      [...trace.offsets].every((t, i) => near(t, expected.offsets[i])),
      `${path}: ${trace.offsets}`,
    );
    assert.deepEqual([...trace.inputLens], expected.inputs, path);
    assert.deepEqual([...trace.outputLens], expected.outputs, path);
  }
  assert.equal((await readTrace(BURSTGPT)).skippedEmpty, 1, "the failed BurstGPT row");
  assert.equal((await readTrace(AZURE)).format, "Azure LLM inference trace");
  assert.equal((await readTrace(MOONCAKE)).format, "Mooncake");
  assert.equal(
    azureSeconds("2023-11-16 18:15:46.6805900", Date.UTC(2023, 10, 16, 18, 15, 46)),
    0.68059,
  );
});

Deno.test("readTrace: --trace-speedup, --trace-start and --trace-limit", async () => {
  const fast = await readTrace(AZURE, { speedup: 4 });
  assert.ok([...fast.offsets].every((t, i) => near(t, EXPECTED[AZURE].offsets[i] / 4)));
  // 0.3 s in: rows from 0.35 s on, re-based to start at 0.
  const late = await readTrace(AZURE, { start: 0.3 });
  assert.ok([...late.offsets].every((t, i) => near(t, [0, 0.15, 0.65][i])), `${late.offsets}`);
  assert.deepEqual([...late.inputLens], [150, 64, 9]);
  const few = await readTrace(MOONCAKE, { limit: 2 });
  assert.deepEqual([...few.inputLens], [1100, 700]);
  assert.deepEqual([...few.hashIds!.starts], [0, 3, 5]);
  const cut = await readTrace(BURSTGPT, { maxTime: 2.25 });
  assert.deepEqual([...cut.inputLens], [472, 33]);
});

Deno.test("a trace that is no known format, or has a bad row, is one usage error naming the formats", async () => {
  await using dir = await tempDir();
  const bad = `${dir.path}/bad.csv`;
  await Deno.writeTextFile(bad, "time,prompt,output\n1,2,3\n");
  await assertRefused(
    () => readTrace(bad),
    "--request-distribution",
    'trace "' + bad + '" is no trace mib reads',
  );
  await assertRefused(
    () => readTrace(bad),
    "--request-distribution",
    "TIMESTAMP,ContextTokens,GeneratedTokens",
  );
  await assertRefused(() => readTrace(bad), "--request-distribution", "Mooncake");
  await Deno.writeTextFile(
    bad,
    "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46,5,x\n",
  );
  await assertRefused(
    () => readTrace(bad),
    "--request-distribution",
    "line 2: expected whole token counts",
  );
  await Deno.writeTextFile(bad, "Timestamp,Request tokens,Response tokens\n5,1,1\n4,1,1\n");
  await assertRefused(() => readTrace(bad), "--request-distribution", "line 3: arrives before");
  await assertRefused(
    () => readTrace(`${dir.path}/none.csv`),
    "--request-distribution",
    "no such file",
  );
});

Deno.test("what a trace gives itself is refused beside it, and trace flags without one", async () => {
  const trace = ["trace", AZURE];
  for (
    const [options, flag, fragment] of [
      [{ num_of_req: 3 }, "--num-of-req", "--trace-limit N"],
      [
        { input_token_distribution: ["constant", 5] },
        "--input-token-distribution",
        "a trace gives",
      ],
      [
        { output_token_distribution: ["constant", 5] },
        "--output-token-distribution",
        "a trace gives",
      ],
      [{ prefix_len: 4 }, "--prefix-len", "not with --request-distribution trace"],
      [{ dataset_name: "sharegpt" }, "--dataset-name", "not with --request-distribution trace"],
      [{ ramp_up: "linear", ramp_up_start_rps: 1, ramp_up_end_rps: 2 }, "--ramp-up", "send times"],
    ] as const
  ) {
    await assertRefused(() => config({ request_distribution: trace, ...options }), flag, fragment);
  }
  await assertRefused(
    () => config({ num_of_req: 3, trace_speedup: 2 }),
    "--trace-speedup",
    "give --request-distribution trace FILE",
  );
  await assertRefused(
    () => config({ request_distribution: ["trace"] }),
    "--request-distribution",
    '"trace FILE"',
  );
  const c = config({
    request_distribution: trace,
    trace_speedup: 2,
    trace_start: 1,
    trace_limit: 9,
  });
  assert.deepEqual(c.requestDistribution, {
    kind: "trace",
    path: AZURE,
    speedup: 2,
    start: 1,
    limit: 9,
  });
});

Deno.test("each trace format is replayed against the simulator with the trace's offsets and lengths", async () => {
  await using dir = await tempDir();
  await withSim({ ttftMs: 1, tpotMs: 1 }, async (sim) => {
    for (const [path, expected] of Object.entries(EXPECTED)) {
      const file = `${dir.path}/run.json`;
      const speedup = 2;
      await benchCommand(
        config({
          base_url: sim.url,
          request_distribution: ["trace", path],
          trace_speedup: speedup,
          output_file: file,
        }),
        { log: () => {} },
      );
      const records = JSON.parse(await Deno.readTextFile(file)) as Record<string, number>[];
      assert.equal(records.length, expected.offsets.length, path);
      records.forEach((r, i) => {
        assert.ok(
          near(r.planned_offset, expected.offsets[i] / speedup),
          `${path} #${i}: ${r.planned_offset}`,
        );
        // Sent at (never before) its planned time.
        assert.ok(r.send_offset >= r.planned_offset - 1e-3, `${path} #${i}: sent early`);
        assert.equal(r.prompt_len, expected.inputs[i], `${path} #${i} prompt_len`);
        assert.equal(r.prompt_len_server, expected.inputs[i], `${path} #${i}: the server's count`);
        assert.equal(r.output_len, expected.outputs[i], `${path} #${i} output_len`);
        assert.equal(r.output_len_asked, expected.outputs[i]);
      });
      const record = JSON.parse(await Deno.readTextFile(`${dir.path}/run.summary.json`));
      assert.equal(record.config.requestDistribution.kind, "trace");
    }
  });
});

Deno.test("equal Mooncake hash ids give byte-identical prompt prefixes of 512 tokens each", async () => {
  const cl100k = await loadTokenizer("cl100k_base");
  const { requests } = await planTraceRun({
    trace: { kind: "trace", path: MOONCAKE, speedup: 1, start: 0 },
    seed: 3,
    tokenizer: lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" }),
  });
  const prompts = [...requests].map((r) => r.request.prompt);
  const tokens = prompts.map((p) => cl100k.encode(p));
  // Exact lengths, by construction and under the tokenizer.
  assert.deepEqual(tokens.map((t) => t.length), EXPECTED[MOONCAKE].inputs);
  assert.deepEqual([...requests].map((r) => r.promptLen), EXPECTED[MOONCAKE].inputs);
  const prefix = (i: number, n: number) => cl100k.decode(tokens[i].slice(0, n));
  const sharedWords = (i: number, j: number) => {
    let k = 0;
    while (k < tokens[i].length && k < tokens[j].length && tokens[i][k] === tokens[j][k]) k++;
    return k;
  };
  // Rows 0, 2 and 4 share blocks 0 and 1: 1024 tokens, the same text byte for byte.
  assert.ok(prompts[2].startsWith(prefix(0, 1024)) && prompts[4].startsWith(prefix(0, 1024)));
  assert.equal(
    prompts[0].slice(0, prefix(0, 1024).length),
    prompts[2].slice(0, prefix(0, 1024).length),
  );
  // Row 1 shares block 0 only; row 3's block 5 is its own. (The next word matching by
  // chance has probability 1/4096, and the seed is fixed.)
  assert.equal(sharedWords(0, 1), 512);
  assert.equal(sharedWords(0, 2), 1024);
  assert.equal(sharedWords(0, 4), 1024);
  assert.equal(sharedWords(2, 4), 1024);
  assert.equal(sharedWords(0, 3), 0);
  // Row 0's third block (id 2) and row 2's (id 4) differ.
  assert.notEqual(
    prefix(0, 1100).slice(prefix(0, 1024).length),
    prefix(2, 1100).slice(prefix(0, 1024).length),
  );
});
