import assert from "node:assert/strict";
import { timePerOutputToken } from "./request.ts";

Deno.test("TPOT excludes the first token", () => {
  assert.equal(timePerOutputToken(1.1, 0.1, 11), 0.1);
  assert.equal(timePerOutputToken(1, 0.1, 1), undefined);
  assert.equal(timePerOutputToken(1, null, 5), undefined);
});
