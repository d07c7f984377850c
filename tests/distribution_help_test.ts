import assert from "node:assert/strict";
import { BENCH_OPTIONS } from "../cli/bench_options.ts";
import { ARRIVAL_FORMS, LENGTH_FORMS } from "../distributions/mod.ts";

Deno.test("the help of every distribution flag lists each form of its table with its rule", () => {
  const help = (flag: string) => BENCH_OPTIONS.find((field) => field.flag === flag)!.help;
  for (
    const [flag, forms] of [
      ["--request-distribution", ARRIVAL_FORMS],
      ["--input-token-distribution", LENGTH_FORMS],
      ["--output-token-distribution", LENGTH_FORMS],
    ] as const
  ) {
    for (const [kind, form] of Object.entries(forms)) {
      const usage = [kind, ...Object.keys(form.args)].join(" ");
      assert.ok(help(flag).includes(`${usage} (${form.rule})`), `${flag}: ${usage}`);
    }
    assert.match(help(flag), /\(default [a-z]+ [0-9a-z]+\)$/, flag);
  }
});
