import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { lazyTokenizer } from "../tokenizers/choose.ts";
import { planDatasetRun, planRandomRun } from "./plan.ts";
import {
  parseShard,
  planIndex,
  shardRequests,
  shardValues,
  startAtProblem,
  subShard,
  WHOLE_PLAN,
} from "./shard.ts";

const OPTIONS = {
  seed: 3,
  count: 23,
  arrival: { kind: "poisson", rate: 10 },
  input: { kind: "uniform", min: 5, max: 40 },
  output: { kind: "uniform", min: 2, max: 9 },
} as const;

Deno.test("parseShard reads I/N with 0 ≤ I < N and refuses anything else, naming the flag", () => {
  assert.deepEqual(parseShard("0/1", "--shard"), WHOLE_PLAN);
  assert.deepEqual(parseShard(" 2 / 8 ", "--shard"), { index: 2, count: 8 });
  for (const bad of ["3/3", "1", "-1/2", "a/b", "0/0", "1.5/3", ""]) {
    assert.throws(() => parseShard(bad, "--shard"), (e) => {
      assert.ok(e instanceof UsageError && e.message.startsWith("--shard: expected I/N"), bad);
      return true;
    });
  }
});

Deno.test("the shards of a lazy plan are the whole plan's requests, each with its plan index", async () => {
  const whole = planRandomRun({ ...OPTIONS, tokenizer: "cl100k_base" });
  const { requests, maxTokens } = await planDatasetRun({
    ...OPTIONS,
    dataset: "random",
    tokenizer: lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" }),
  });
  const seen: number[] = [];
  for (let index = 0; index < 4; index++) {
    const shard = { index, count: 4 };
    const part = shardRequests(requests, shard);
    const values = [...part];
    assert.equal(part.length, values.length);
    assert.deepEqual(values, [...part], "every pass yields the same requests");
    assert.deepEqual([...shardValues(maxTokens, shard)], values.map((r) => r.request.maxTokens));
    values.forEach((r, k) => {
      assert.equal(r.index, planIndex(shard, k));
      assert.equal(r.index! % 4, index);
      const { index: _, ...planned } = r;
      assert.deepEqual(planned, whole[r.index!], `request ${r.index} as in the whole plan`);
      seen.push(r.index!);
    });
  }
  assert.deepEqual(seen.sort((a, b) => a - b), whole.map((_, i) => i));
  assert.equal(shardRequests(requests, WHOLE_PLAN), requests, "0/1 is the plan itself");
});

Deno.test("subShard: the workers of a process shard split exactly its requests", () => {
  const outer = { index: 1, count: 3 };
  const indices = (s: { index: number; count: number }) =>
    Array.from({ length: 40 }, (_, i) => i).filter((i) => i % s.count === s.index);
  const inner = [0, 1].flatMap((j) => indices(subShard(outer, { index: j, count: 2 })));
  assert.deepEqual(inner.sort((a, b) => a - b), indices(outer));
});

Deno.test("startAtProblem refuses a start more than a second past, and says how to give one", () => {
  const now = 1_800_000_000_000;
  assert.equal(startAtProblem(now / 1000 + 30, now), undefined);
  assert.equal(startAtProblem(now / 1000 - 0.5, now), undefined);
  const problem = startAtProblem(now / 1000 - 60, now);
  assert.match(problem ?? "", /60\.0 s in the past/);
  assert.match(problem ?? "", /date \+%s/);
});
