import assert from "node:assert/strict";
import { fakeResult } from "../tests/_helpers.ts";
import { judgeStructured, structuredCheck } from "./structured.ts";

Deno.test("a JSON schema check: parse errors and the first schema error", () => {
  const check = structuredCheck({
    kind: "json",
    name: "s",
    schema: { type: "object", required: ["n"], properties: { n: { type: "integer" } } },
  });
  assert.deepEqual(check(' {"n": 1}\n'), { valid: true });
  assert.deepEqual(check('{"n": "x"}'), { valid: false, error: "schema: /n must be integer" });
  assert.match((check('{"n": 1') as { error: string }).error, /^not JSON: /);
});

Deno.test("a draft 2020-12 schema is read as such", () => {
  const check = structuredCheck({
    kind: "json",
    name: "s",
    schema: {
      $schema: "https://json-schema.org/draft/2020-12/schema",
      type: "array",
      prefixItems: [{ type: "string" }],
    },
  });
  assert.deepEqual(check('["a", 1]'), { valid: true });
  assert.equal(check("[1]").valid, false);
});

Deno.test("regex and choice checks match the whole output", () => {
  const regex = structuredCheck({ kind: "regex", pattern: "[a-z]+|[0-9]+" });
  assert.equal(regex("abc").valid, true);
  assert.equal(regex("abc1").valid, false);
  const choice = structuredCheck({ kind: "choice", choices: ["yes", "no"] });
  assert.equal(choice("no").valid, true);
  assert.equal(choice(" no").valid, false);
});

Deno.test("judgeStructured: null for a failed request, the reason for an invalid one", () => {
  const check = structuredCheck({ kind: "choice", choices: ["yes"] });
  const failed = fakeResult({ success: false, text: "yes" });
  judgeStructured(failed, check);
  assert.equal(failed.structuredValid, null);
  const invalid = fakeResult({ success: true, text: "no" });
  judgeStructured(invalid, check);
  assert.equal(invalid.structuredValid, false);
  assert.match(invalid.structuredError!, /not one of the 1 choices/);
});
