import assert from "node:assert/strict";
import { arrivalOffsets, arrivalSequence } from "./arrival.ts";
import { lengthSequence, sampleLengths } from "./length.ts";
import { lazySequence, mapSequence, strideSequence, take } from "./sequence.ts";
import { UsageError } from "../errors.ts";

Deno.test("arrivalSequence: every pass yields the offsets arrivalOffsets gives", () => {
  for (const opts of [{ seed: 5, count: 200 }, { seed: 5, maxTime: 30 }]) {
    const spec = { kind: "poisson", rate: 7 } as const;
    const offsets = arrivalSequence(spec, opts);
    const expected = arrivalOffsets(spec, opts);
    assert.equal(offsets.length, expected.length);
    assert.deepEqual([...offsets], expected);
    assert.deepEqual([...offsets], expected, "a second pass starts over from the seed");
    assert.equal(offsets.allAtOnce, false);
  }
  assert.equal(
    arrivalSequence({ kind: "poisson", rate: Infinity }, { seed: 0, count: 3 }).allAtOnce,
    true,
  );
});

Deno.test("arrivalSequence: bad input throws at once, before anything is read", () => {
  assert.throws(
    () => arrivalSequence({ kind: "poisson", rate: 5 }, { seed: 0, count: 10_000_001 }),
    (e) => e instanceof UsageError && e.flag === "--num-of-req",
  );
  assert.throws(
    () => arrivalSequence({ kind: "poisson", rate: Infinity }, { seed: 0, maxTime: 10 }),
    (e) => e instanceof UsageError && e.flag === "--max-time-for-reqs",
  );
});

Deno.test("lengthSequence: every pass yields sampleLengths' list; 10M cost nothing until read", () => {
  const spec = { kind: "normal", mean: 50, std: 10 } as const;
  const lengths = lengthSequence(spec, 300, 9, "input-lengths");
  assert.deepEqual([...lengths], sampleLengths(spec, 300, 9, "input-lengths"));
  assert.deepEqual([...lengths], [...lengths]);
  const huge = lengthSequence(spec, 10_000_000, 9, "input-lengths");
  assert.equal(huge.length, 10_000_000);
  assert.deepEqual(take(huge, 3), sampleLengths(spec, 3, 9, "input-lengths"));
});

Deno.test("mapSequence and take read only as far as asked", () => {
  let made = 0;
  const counting = lazySequence(1_000, function* () {
    for (let i = 0; i < 1_000; i++) {
      made++;
      yield i;
    }
  });
  assert.deepEqual(take(mapSequence(counting, (x, i) => x * 10 + i), 3), [0, 11, 22]);
  assert.equal(made, 3);
  assert.deepEqual(take(counting, 0), []);
  assert.deepEqual(take([1, 2], 5), [1, 2]);
});

Deno.test("strideSequence: positions start, start + step, …, each pass from the first", () => {
  const source = lazySequence(10, function* () {
    for (let i = 0; i < 10; i++) yield i * 10;
  });
  const every3 = strideSequence(source, 1, 3);
  assert.equal(every3.length, 3);
  assert.deepEqual([...every3], [10, 40, 70]);
  assert.deepEqual([...every3], [10, 40, 70]);
  assert.equal(strideSequence(source, 0, 1).length, 10);
  assert.equal(strideSequence([1, 2], 5, 3).length, 0);
  assert.deepEqual([...strideSequence([1, 2], 5, 3)], []);
  assert.throws(() => strideSequence(source, 0, 0), RangeError);
});
