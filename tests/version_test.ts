import assert from "node:assert/strict";
import denoJson from "../deno.json" with { type: "json" };
import { runCli } from "./_helpers.ts";

Deno.test("mib --version (and -V): deno.json's version, then Deno's, V8's and TypeScript's; exit 0", async () => {
  for (const flag of ["--version", "-V"]) {
    const run = await runCli([flag]);
    assert.equal(run.code, 0, run.stderr);
    const { deno, v8, typescript } = Deno.version;
    assert.equal(
      run.stdout,
      `mib ${denoJson.version}\ndeno ${deno} (v8 ${v8}, typescript ${typescript})\n`,
    );
  }
});

Deno.test("deno.json is the package: name, version, license, exports . and ./cli, publish lists", () => {
  assert.equal(denoJson.name, "@mib/cli");
  assert.match(denoJson.version, /^\d+\.\d+\.\d+/);
  assert.equal(denoJson.license, "MIT");
  assert.deepEqual(denoJson.exports, { ".": "./mod.ts", "./cli": "./main.ts" });
  assert.ok(denoJson.publish.include.includes("mod.ts"));
  assert.ok(denoJson.publish.exclude.includes("tests/"));
});
