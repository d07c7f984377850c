import assert from "node:assert/strict";
import { structuredCheck } from "../metrics/structured.ts";
import { constrainedText, minimalInstance, textPieces } from "./_structured.ts";

Deno.test("a minimal instance validates against the schema it is made from", () => {
  const schema = {
    type: "object",
    required: ["id", "name", "kind", "tags", "score", "ok", "extra"],
    properties: {
      id: { type: "integer", exclusiveMinimum: 3 },
      name: { type: "string", minLength: 3 },
      kind: { enum: ["a", "b"] },
      tags: { type: "array", minItems: 2, items: { type: "string" } },
      score: { type: ["number", "null"], minimum: 1.5 },
      ok: { type: "boolean" },
      extra: { anyOf: [{ const: 7 }, { type: "string" }] },
    },
  };
  const text = JSON.stringify(minimalInstance(schema));
  assert.deepEqual(structuredCheck({ kind: "json", name: "s", schema })(text), { valid: true });
});

Deno.test("the constrained text of each form a request can ask for", () => {
  assert.equal(constrainedText({ guided_choice: ["x", "y"] }), "x");
  assert.equal(constrainedText({ structured_outputs: { regex: "ab[0-9]{2}" } }), "ab00");
  assert.equal(
    constrainedText({
      response_format: {
        type: "json_schema",
        json_schema: { schema: { type: "integer", minimum: 5 } },
      },
    }),
    "5",
  );
  assert.equal(constrainedText({ prompt: "p" }), undefined);
  assert.deepEqual(textPieces('{"a":1}'), ['{"a"', ":1}"]);
});
