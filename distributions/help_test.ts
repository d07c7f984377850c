import assert from "node:assert/strict";
import { ARRIVAL_FORMS } from "./arrival_forms.ts";
import { describeArrivalForms, describeLengthForms } from "./help.ts";
import { LENGTH_FORMS } from "./length_forms.ts";

Deno.test("describe*Forms: every form, its arguments and its rule, in table order", () => {
  for (
    const [help, forms] of [
      [describeArrivalForms(), ARRIVAL_FORMS],
      [describeLengthForms(), LENGTH_FORMS],
    ] as const
  ) {
    const positions = Object.entries(forms).map(([kind, form]) => {
      const entry = `${[kind, ...Object.keys(form.args)].join(" ")} (${form.rule})`;
      assert.ok(help.includes(entry), `"${entry}" missing from: ${help}`);
      return help.indexOf(entry);
    });
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    assert.ok(!help.includes("\n"));
  }
});

Deno.test("describeArrivalForms: forms joined by commas, each as typed with its rule in brackets", () => {
  assert.ok(
    describeArrivalForms().startsWith(
      'poisson RATE (RATE > 0 requests/s or "inf"), exponential MEAN (MEAN > 0 seconds between requests), ',
    ),
    describeArrivalForms(),
  );
});
