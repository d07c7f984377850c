import assert from "node:assert/strict";
import { describeSample, percentile } from "./stats.ts";

Deno.test("percentile interpolates linearly between nearest ranks", () => {
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([10], 99), 10);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) - 9.1) < 1e-12);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("describeSample: mean, population std, order statistics", () => {
  const s = describeSample([4, 2, 8, 6])!;
  assert.equal(s.mean, 5);
  assert.equal(s.std, Math.sqrt(5));
  assert.equal(s.min, 2);
  assert.equal(s.max, 8);
  assert.equal(s.median, 5);
  assert.equal(describeSample([]), undefined);
});
