import assert from "node:assert/strict";
import { BENCH_OPTIONS } from "../cli/bench_options.ts";
import { mergeOptions, readConfigFile } from "../cli/options.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import { UsageError } from "../mod.ts";

const example = new URL("../args.json", import.meta.url).pathname;

Deno.test("the shipped args.json resolves to a full configuration", async () => {
  const file = await readConfigFile(example, BENCH_OPTIONS);
  const { values, sources } = mergeOptions({}, file);
  const config = resolveBenchConfig(values, sources, example);
  assert.equal(config.backend, "vllm");
  assert.equal(config.baseUrl, "http://localhost:8000");
  assert.equal(config.endpoint, "/v1/completions");
  assert.deepEqual(config.inputTokenDistribution, { kind: "normal", mean: 200, std: 10 });
  assert.deepEqual(config.outputTokenDistribution, { kind: "uniform", min: 200, max: 300 });
  assert.deepEqual(config.requestDistribution, { kind: "exponential", mean: 5 });
});

Deno.test("command-line values win over the file, and errors name where a value came from", () => {
  const { values, sources } = mergeOptions(
    { num_of_req: 2, request_distribution: ["poisson", "3"] },
    { num_of_req: 9, request_distribution: ["poisson"], backend: "openai-chat" },
  );
  const config = resolveBenchConfig(values, sources, "a.json");
  assert.equal(config.numOfReq, 2);
  assert.equal(config.backend, "openai-chat");
  assert.deepEqual(config.requestDistribution, { kind: "poisson", rate: 3 });

  const bad = mergeOptions({ num_of_req: 1 }, { request_distribution: ["poisson"] });
  assert.throws(
    () => resolveBenchConfig(bad.values, bad.sources, "a.json"),
    (e: unknown) =>
      e instanceof UsageError && e.flag === '--config-file a.json: key "request_distribution"',
  );
});

Deno.test("defaults: seed 0, openai backend, localhost:8000, random dataset, poisson inf", () => {
  const { values, sources } = mergeOptions({ num_of_req: 1 }, {});
  const config = resolveBenchConfig(values, sources);
  assert.equal(config.seed, 0);
  assert.equal(config.backend, "openai");
  assert.equal(config.baseUrl, "http://localhost:8000");
  assert.equal(config.datasetName, "random");
  assert.deepEqual(config.requestDistribution, { kind: "poisson", rate: Infinity });
  assert.deepEqual(config.prefix, { kind: "none" });
});
