/**
 * The request options on the wire: every backend sends each sampling option,
 * `ignore_eos`, the structured-output constraint and the extra body in its
 * protocol's fields (read back from the simulator's record of the request
 * bodies), refuses what its protocol has no field for, and a run checks and
 * counts its constrained outputs.
 */
import assert from "node:assert/strict";
import { BACKENDS, type SeedRecord } from "../mod.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

/** The flags a backend needs beyond the common ones. */
function needs(name: string): string[] {
  return BACKENDS[name].features.model === "required" ? ["--model", "mib-sim"] : [];
}

type Body = Record<string, unknown>;

/** The recorded bodies of the simulator's requests, in request-id order. */
async function recordedBodies(url: string): Promise<Body[]> {
  const record = await (await fetch(`${url}/mib/record`)).json();
  return (record.requests as { id: string; body: Body }[])
    .sort((a, b) => a.id.localeCompare(b.id)).map((r) => r.body);
}

/** Where each backend puts its sampling fields and what it names each ("" for none). */
const WIRE: Record<string, { at: (b: Body) => Body; names: Record<string, string> }> = {};
const top = (b: Body) => b;
const openAiNames = {
  temperature: "temperature",
  top_p: "top_p",
  top_k: "top_k",
  min_p: "min_p",
  repetition_penalty: "repetition_penalty",
  stop: "stop",
  seed: "seed",
};
for (const name of ["openai", "openai-chat", "vllm", "lmdeploy", "cserve", "vllm /generate"]) {
  WIRE[name] = { at: top, names: openAiNames };
}
WIRE["tgi"] = { at: (b) => b.parameters as Body, names: { ...openAiNames, min_p: "" } };
WIRE["llama.cpp"] = {
  at: top,
  names: { ...openAiNames, repetition_penalty: "repeat_penalty" },
};
WIRE["sglang"] = {
  at: (b) => b.sampling_params as Body,
  names: { ...openAiNames, seed: "sampling_seed" },
};
WIRE["ollama"] = {
  at: (b) => b.options as Body,
  names: { ...openAiNames, repetition_penalty: "repeat_penalty" },
};
WIRE["tensorrt-llm"] = {
  at: top,
  names: { ...openAiNames, min_p: "", stop: "stop_words", seed: "random_seed" },
};
WIRE["deepspeed-mii"] = {
  at: top,
  names: { ...openAiNames, min_p: "", repetition_penalty: "", seed: "" },
};

const VALUES: Record<string, [string, unknown]> = {
  temperature: ["--temperature", 0.25],
  top_p: ["--top-p", 0.9],
  top_k: ["--top-k", 7],
  min_p: ["--min-p", 0.05],
  repetition_penalty: ["--repetition-penalty", 1.1],
};

/** An extra body each server whose keys are keyword arguments takes. */
const STRICT_KEYS: Record<string, string> = {
  "deepspeed-mii": '{"do_sample": false}',
  "vllm /generate": '{"presence_penalty": 0.5}',
};

// Generating backends only: a pooling backend takes no sampling options (tests/pooling_test.ts).
const CASES = [
  ...Object.keys(BACKENDS)
    .filter((backend) => BACKENDS[backend].features.pooling === undefined)
    .map((backend) => ({ name: backend, backend, args: [] as string[] })),
  { name: "vllm /generate", backend: "vllm", args: ["--endpoint", "/generate"] },
];

Deno.test("every backend sends each sampling option, the seed and the extra body in its protocol's fields", async () => {
  await withSim({ recordBodies: true, naturalLen: 4 }, async (sim) => {
    for (const c of CASES) {
      const wire = WIRE[c.name];
      assert.ok(wire, `a wire table for ${c.name}`);
      const flags: string[] = [];
      for (const [key, [flag, value]] of Object.entries(VALUES)) {
        if (wire.names[key] !== "") flags.push(flag, String(value));
      }
      flags.push("--stop", "END", "--stop", "STOP");
      if (wire.names.seed !== "") flags.push("--seed-per-request", "--seed", "40");
      await fetch(`${sim.url}/mib/record`, { method: "DELETE" });
      const run = await runCli([
        ...benchFlags(sim.url, 2, 8, 3),
        "--backend",
        c.backend,
        ...c.args,
        ...needs(c.backend),
        ...flags,
        "--extra-body",
        // DeepSpeed-MII and vLLM's legacy server refuse a keyword they do not take.
        STRICT_KEYS[c.name] ?? '{"mib_extra": {"a": 1}}',
        "--tokenizer",
        "cl100k_base",
      ]);
      assert.equal(run.code, 0, `${c.name}: ${run.stderr}`);
      const bodies = await recordedBodies(sim.url);
      assert.equal(bodies.length, 2, c.name);
      for (const [i, body] of bodies.entries()) {
        const fields = wire.at(body);
        for (const [key, [, value]] of Object.entries(VALUES)) {
          const field = wire.names[key];
          if (field !== "") assert.equal(fields[field], value, `${c.name}: ${field}`);
        }
        assert.deepEqual(fields[wire.names.stop], ["END", "STOP"], `${c.name}: stop`);
        if (wire.names.seed !== "") {
          assert.equal(fields[wire.names.seed], 40 + i, `${c.name}: seed of request ${i}`);
        }
        const extra = JSON.parse(STRICT_KEYS[c.name] ?? '{"mib_extra": {"a": 1}}');
        for (const [key, value] of Object.entries(extra)) {
          assert.deepEqual(body[key], value, `${c.name}: extra body merged`);
        }
      }
    }
  });
});

Deno.test("ignore_eos is sent where the protocol has it, and left out with --no-ignore-eos", async () => {
  await withSim({ recordBodies: true, naturalLen: 3 }, async (sim) => {
    for (const c of CASES) {
      const has = c.name === "vllm /generate" || BACKENDS[c.backend].features.ignoreEos === true;
      for (const off of [false, true]) {
        await fetch(`${sim.url}/mib/record`, { method: "DELETE" });
        const run = await runCli([
          ...benchFlags(sim.url, 1, 8, 6),
          "--backend",
          c.backend,
          ...c.args,
          ...needs(c.backend),
          ...(off ? ["--no-ignore-eos"] : []),
          "--tokenizer",
          "cl100k_base",
          "--strict",
        ]);
        const [body] = await recordedBodies(sim.url);
        const sent = body.ignore_eos ?? (body.sampling_params as Body | undefined)?.ignore_eos;
        assert.equal(sent, has && !off ? true : undefined, `${c.name} ${off}`);
        if (off) {
          // Stopped on its own before the cap: no mismatch, so --strict passes.
          assert.equal(run.code, 0, `${c.name}: ${run.stdout}${run.stderr}`);
        }
      }
    }
  });
});

Deno.test("an option the backend's protocol has no field for is a usage error naming the backend", async () => {
  const cases: [string, string[], RegExp][] = [
    ["tgi", ["--min-p", "0.1"], /--min-p: backend tgi's protocol has no such field/],
    [
      "deepspeed-mii",
      ["--model", "m", "--seed-per-request"],
      /--seed-per-request: backend deepspeed-mii/,
    ],
    ["tgi", ["--ignore-eos"], /--ignore-eos: backend tgi's protocol has no ignore_eos/],
    [
      "openai-chat",
      ["--regex", "a+"],
      /--regex: backend openai-chat's protocol takes only --json-schema/,
    ],
    [
      "openai",
      ["--choice", "a,b"],
      /--choice: backend openai's protocol takes no output constraint/,
    ],
  ];
  for (const [backend, flags, message] of cases) {
    const run = await runCli([
      "--base-url",
      "http://127.0.0.1:9",
      "--num-of-req",
      "1",
      "--backend",
      backend,
      ...flags,
    ]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
  }
  const both = await runCli(["--num-of-req", "1", "--ignore-eos", "--no-ignore-eos"]);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /give only one spelling/);
  const append = await runCli(["--num-of-req", "1", "--output-file", "x.json", "--append"]);
  assert.equal(append.code, 2);
  assert.match(append.stderr, /--append: only --output-format jsonl or vllm/);
});

/** A run of 3 requests against the simulator with `flags`; its seed records. */
async function structuredRun(
  url: string,
  backend: string,
  flags: string[],
): Promise<{ records: SeedRecord[]; stdout: string; code: number }> {
  await using dir = await tempDir();
  const out = `${dir.path}/out.json`;
  const run = await runCli([
    ...benchFlags(url, 3, 8, 64),
    "--backend",
    backend,
    ...flags,
    "--tokenizer",
    "cl100k_base",
    "--output-file",
    out,
  ]);
  return { records: JSON.parse(await Deno.readTextFile(out)), stdout: run.stdout, code: run.code };
}

Deno.test("structured outputs: the simulator conforms, every output is checked, invalid ones are counted", async () => {
  await using dir = await tempDir();
  const schema = `${dir.path}/person.json`;
  await Deno.writeTextFile(
    schema,
    JSON.stringify({
      type: "object",
      required: ["name", "age", "tags"],
      properties: {
        name: { type: "string", minLength: 2 },
        age: { type: "integer", minimum: 18 },
        tags: { type: "array", minItems: 1, items: { enum: ["a", "b"] } },
      },
    }),
  );
  await withSim({ recordBodies: true }, async (sim) => {
    const valid: [string, string[]][] = [
      ["vllm", ["--json-schema", schema]],
      ["vllm", ["--regex", "[a-z]{3}-[0-9]+"]],
      ["vllm", ["--choice", "yes,no"]],
      ["openai-chat", ["--json-schema", schema]],
    ];
    for (const [backend, flags] of valid) {
      const { records, stdout, code } = await structuredRun(sim.url, backend, flags);
      assert.equal(code, 0, stdout);
      assert.deepEqual(records.map((r) => r.structured_valid), [true, true, true], flags[0]);
      assert.match(stdout, /structured outputs: 3 valid, 0 invalid/);
      // A constrained output ends where its text does: not an output-length mismatch.
      assert.ok(
        records.every((r) => r.output_len < 64 && !r.notes.some((n) => /^asked for/.test(n))),
        flags[0],
      );
    }
    const record = await (await fetch(`${sim.url}/mib/record`)).json();
    const body = record.requests.at(-1).body as Body;
    const format = body.response_format as { type: string; json_schema: { name: string } };
    assert.equal(format.type, "json_schema");
    assert.equal(format.json_schema.name, "person");
    // The simulator's TGI route ignores the grammar: vocabulary words, not JSON.
    const { records, stdout } = await structuredRun(sim.url, "tgi", ["--json-schema", schema]);
    assert.deepEqual(records.map((r) => r.structured_valid), [false, false, false]);
    assert.match(records[0].structured_error ?? "", /^not JSON/);
    assert.match(stdout, /structured outputs: 0 valid, 3 invalid \(first: not JSON/);
  });
});

Deno.test("--result-dir names the file as vLLM does; --append adds one JSON object per line", async () => {
  await using dir = await tempDir();
  await withSim({}, async (sim) => {
    const common = [
      ...benchFlags(sim.url, 2, 8, 3),
      "--backend",
      "vllm",
      "--request-distribution",
      "poisson",
      "50",
      "--max-concurrency",
      "2",
      "--tokenizer",
      "cl100k_base",
      "--output-format",
      "vllm",
      "--result-dir",
      `${dir.path}/results`,
      "--label",
      "trial",
      "--metadata",
      "gpu=a100",
      "--metadata",
      "note = a=b",
    ];
    const named = await runCli(common);
    assert.equal(named.code, 0, named.stderr);
    const [file] = [...Deno.readDirSync(`${dir.path}/results`)].map((e) => e.name)
      .filter((n) => !n.endsWith(".summary.json"));
    assert.match(file, /^trial-50\.0qps-concurrency2-mib-sim-\d{8}-\d{6}\.json$/);
    const result = JSON.parse(await Deno.readTextFile(`${dir.path}/results/${file}`));
    assert.equal(result.label, "trial");
    assert.equal(result.gpu, "a100");
    assert.equal(result.note, "a=b");
    const record = JSON.parse(
      await Deno.readTextFile(`${dir.path}/results/${file.replace(/\.json$/, ".summary.json")}`),
    );
    assert.deepEqual(record.metadata, { gpu: "a100", note: "a=b" });
    assert.equal(record.label, "trial");
    for (let i = 0; i < 2; i++) {
      const run = await runCli([...common, "--output-file", "all.json", "--append"]);
      assert.equal(run.code, 0, run.stderr);
    }
    const lines = (await Deno.readTextFile(`${dir.path}/results/all.json`)).split("\n");
    assert.equal(lines.length, 2);
    assert.ok(lines.every((line) => JSON.parse(line).completed === 2));
  });
});

Deno.test("--extra-body overrides the fields mib sets, objects merged key by key", async () => {
  await withSim({ recordBodies: true }, async (sim) => {
    const run = await runCli([
      ...benchFlags(sim.url, 1, 8, 3),
      "--backend",
      "vllm",
      "--extra-body",
      '{"max_tokens": 2, "stream_options": {"continuous_usage_stats": false}, "stop": ["x"]}',
      "--stop",
      "y",
      "--tokenizer",
      "cl100k_base",
    ]);
    assert.equal(run.code, 0, run.stderr);
    const [body] = await recordedBodies(sim.url);
    assert.equal(body.max_tokens, 2);
    assert.deepEqual(body.stream_options, { include_usage: true, continuous_usage_stats: false });
    assert.deepEqual(body.stop, ["x"], "an array is replaced, not concatenated");
  });
});
