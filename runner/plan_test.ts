import assert from "node:assert/strict";
import { join } from "node:path";
import { loadTextPrompts } from "../datasets/other.ts";
import { randomPrompts } from "../datasets/random.ts";
import { arrivalOffsets, sampleLengths, take } from "../distributions/mod.ts";
import { UsageError } from "../errors.ts";
import { type LazyTokenizer, loadTokenizer, type Tokenizer } from "../tokenizers/mod.ts";
import { type DatasetPlanOptions, planDatasetRun, planFromPrompts, planRandomRun } from "./plan.ts";

const cl100k = await loadTokenizer("cl100k_base");

/** A tokenizer handle that counts how often it was loaded. */
function counting(tokenizer: Tokenizer): LazyTokenizer & { loads: number } {
  const handle = {
    name: tokenizer.name,
    loads: 0,
    load: () => {
      handle.loads++;
      return Promise.resolve(tokenizer);
    },
  };
  return handle;
}

const SCHEDULE = {
  seed: 7,
  count: 20,
  arrival: { kind: "poisson", rate: 4 },
  input: { kind: "normal", mean: 100, std: 20 },
  output: { kind: "uniform", min: 10, max: 50 },
} as const;
const SHARED = { model: "m", stream: true };

Deno.test("planDatasetRun random: the plan planRandomRun makes, byte for byte", async () => {
  for (
    const prefix of [
      { kind: "none" },
      { kind: "tokens", len: 12 },
      { kind: "text", text: "System: be brief.\n" },
    ] as const
  ) {
    const tokenizer = counting(cl100k);
    const { requests, notes } = await planDatasetRun({
      ...SCHEDULE,
      dataset: "random",
      tokenizer,
      prefix,
      shared: SHARED,
    });
    const expected = planRandomRun({ ...SCHEDULE, tokenizer: cl100k, prefix, shared: SHARED });
    assert.equal(JSON.stringify([...requests]), JSON.stringify(expected), prefix.kind);
    assert.deepEqual(notes, []);
    // The shipped word pool needs only the name; a text prefix must be counted.
    assert.equal(tokenizer.loads, prefix.kind === "text" ? 1 : 0, prefix.kind);
  }
});

Deno.test("planDatasetRun other: the plan the file path made before the registry, byte for byte", async () => {
  const dir = await Deno.makeTempDir({ prefix: "mib-plan-test-" });
  try {
    const path = join(dir, "prompts.jsonl");
    await Deno.writeTextFile(
      path,
      ["Hello there", "What is a token?", "Say something long"].map((prompt, i) =>
        JSON.stringify(i === 1 ? { prompt, output_len: 9 } : { prompt })
      ).join("\n"),
    );
    for (const prefix of [{ kind: "none" }, { kind: "tokens", len: 5 }] as const) {
      for (const outputGiven of [false, true]) {
        const options: DatasetPlanOptions = {
          ...SCHEDULE,
          dataset: "other",
          path,
          outputGiven,
          tokenizer: counting(cl100k),
          prefix,
          shared: SHARED,
        };
        const { requests, notes } = await planDatasetRun(options);
        // What cli/bench_command.ts did: load, then a prefix made by randomPrompts.
        const offsets = arrivalOffsets(SCHEDULE.arrival, { seed: 7, count: 20 });
        const outputLens = sampleLengths(SCHEDULE.output, 20, 7, "output-lengths");
        const loaded = await loadTextPrompts({
          path,
          tokenizer: cl100k,
          count: 20,
          seed: 7,
          inputLens: sampleLengths(SCHEDULE.input, 20, 7, "input-lengths"),
          outputLens: outputGiven ? outputLens : undefined,
          defaultOutputLens: outputLens,
        });
        const prefixText = prefix.kind === "none"
          ? ""
          : randomPrompts({ tokenizer: cl100k, lengths: [0], seed: 7, prefix })[0].text;
        const expected = planFromPrompts(offsets, loaded.prompts, {
          prefixText,
          count: cl100k.count,
          shared: SHARED,
        });
        assert.equal(JSON.stringify(requests), JSON.stringify(expected));
        assert.deepEqual(notes, loaded.notes);
        assert.equal(notes.length, 1, "3 lines for 20 requests: drawn again, with a note");
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("planDatasetRun: the dataset's input is checked before anything is loaded", async () => {
  const tokenizer = counting(cl100k);
  const plan = (options: Partial<DatasetPlanOptions>) =>
    planDatasetRun({ ...SCHEDULE, dataset: "random", tokenizer, ...options });
  const rejects = (options: Partial<DatasetPlanOptions>, flag: string) =>
    assert.rejects(plan(options), (e: unknown) => e instanceof UsageError && e.flag === flag);
  await rejects({ dataset: "books" }, "--dataset-name");
  await rejects({ path: "p.jsonl" }, "--dataset-path");
  await rejects({ dataset: "sharegpt" }, "--dataset-path");
  await rejects({ datasetOptions: { sharegpt_min_len: 1 } }, "--sharegpt-min-len");
  assert.equal(tokenizer.loads, 0);
});

Deno.test("planDatasetRun random: ten million requests are planned without making one, and every pass is the same", async () => {
  const shape = {
    seed: 3,
    arrival: { kind: "poisson", rate: 50 },
    input: { kind: "uniform", min: 32, max: 64 },
    output: { kind: "constant", value: 4 },
  } as const;
  // Made eagerly, this plan would take minutes and gigabytes (deno task bench --only plan-scale).
  const plan = await planDatasetRun({
    ...shape,
    count: 10_000_000,
    dataset: "random",
    tokenizer: counting(cl100k),
  });
  assert.equal(plan.requests.length, 10_000_000);
  assert.equal(plan.allAtOnce, false);
  const firstPass = take(plan.requests, 5);
  const secondPass = take(plan.requests, 5);
  assert.equal(JSON.stringify(firstPass), JSON.stringify(secondPass));
  // The same requests a small eager plan of the same seed makes.
  const small = planRandomRun({ ...shape, count: 5, tokenizer: "cl100k_base" });
  assert.equal(JSON.stringify(firstPass), JSON.stringify(small));
  assert.deepEqual(take(plan.maxTokens, 3), [4, 4, 4]);
});

Deno.test("planDatasetRun: a time-bounded plan knows its length before it is read", async () => {
  const plan = await planDatasetRun({
    ...SCHEDULE,
    count: undefined,
    maxTime: 5,
    dataset: "random",
    tokenizer: counting(cl100k),
  });
  const offsets = [...plan.requests].map((r) => r.offset);
  assert.equal(plan.requests.length, offsets.length);
  assert.ok(offsets.every((t) => t < 5));
  assert.deepEqual(offsets, arrivalOffsets(SCHEDULE.arrival, { seed: 7, maxTime: 5 }));
});
