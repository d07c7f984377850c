import assert from "node:assert/strict";
import { pythonFloat, vllmResultName } from "./result_name.ts";

const date = new Date(2025, 0, 2, 3, 4, 5);

Deno.test("vLLM's result file name: label or backend, rate as a Python float, concurrency, model basename", () => {
  const base = { backend: "vllm", model: "org/m-8B", date, extension: ".json" };
  assert.equal(
    vllmResultName({ ...base, arrival: { kind: "poisson", rate: Infinity } }),
    "vllm-infqps-m-8B-20250102-030405.json",
  );
  assert.equal(
    vllmResultName({
      ...base,
      label: "x",
      arrival: { kind: "gamma", rate: 0.5, burstiness: 2 },
      maxConcurrency: 4,
    }),
    "x-0.5qps-concurrency4-m-8B-20250102-030405.json",
  );
  assert.equal(
    vllmResultName({
      ...base,
      arrival: { kind: "poisson", rate: Infinity },
      ramp: { strategy: "linear", startRps: 1, endRps: 10 },
    }),
    "vllm-ramp-up-linear-1.0qps-10.0qps-m-8B-20250102-030405.json",
  );
  assert.equal(
    vllmResultName({ ...base, model: undefined, arrival: { kind: "constant", gap: 0.5 } }),
    "vllm-constant_0.5qps-none-20250102-030405.json",
  );
});

Deno.test("pythonFloat writes numbers as Python's str(float)", () => {
  assert.deepEqual([4, 0.25, Infinity].map(pythonFloat), ["4.0", "0.25", "inf"]);
});
