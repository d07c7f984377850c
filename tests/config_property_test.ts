/**
 * Random configuration files (fast-check): every one is either accepted or
 * refused with one UsageError naming a key or flag, never anything else.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { BENCH_OPTIONS } from "../cli/bench_options.ts";
import { mergeOptions, readConfigFile } from "../cli/options.ts";
import { resolveBenchConfig } from "../cli/resolve.ts";
import { UsageError } from "../mod.ts";
import { tempDir } from "./_helpers.ts";

const keys = [...BENCH_OPTIONS.map((o) => o.key), "colour"];
const value = fc.oneof(
  fc.integer({ min: -5, max: 2_000_000_000 }),
  fc.double({ noNaN: false }),
  fc.string({ maxLength: 20 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.integer()), { maxLength: 4 }),
  fc.constantFrom("poisson 5", "uniform 1 10", "constant 64", "ttft:200", "50,99", "seed"),
);

Deno.test("a random config file is a configuration or one clear UsageError", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/config.json`;
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: 6 }),
      async (json) => {
        await Deno.writeTextFile(path, JSON.stringify(json));
        try {
          const file = await readConfigFile(path, BENCH_OPTIONS);
          const { values, sources } = mergeOptions({}, file);
          resolveBenchConfig(values, sources, path);
        } catch (error) {
          assert.ok(error instanceof UsageError, `not a UsageError: ${String(error)}`);
          assert.ok(!error.message.includes("\n"), `one line: ${error.message}`);
          assert.ok(error.flag.length > 0);
        }
      },
    ),
    { numRuns: 300 },
  );
});
