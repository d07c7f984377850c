import assert from "node:assert/strict";
import { BACKENDS } from "../backends/mod.ts";
import { FIELDS } from "../cli/fields.ts";
import { DATASETS } from "../datasets/mod.ts";
import { runCli } from "./_helpers.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

Deno.test("the README documents every benchmark flag", () => {
  for (const field of FIELDS) assert.ok(readme.includes(`\`${field.flag}\``), field.flag);
  assert.ok(readme.includes("`--config-file`"));
});

Deno.test("the README documents every flag of mib serve", async () => {
  const help = (await runCli(["serve", "--help"])).stdout;
  const flags = [...help.matchAll(/^\s+(--[a-z-]+)/gm)].map((m) => m[1]).filter((f) =>
    f !== "--help"
  );
  assert.ok(flags.length >= 10);
  for (const flag of flags) assert.ok(readme.includes(`\`${flag}\``), flag);
});

Deno.test("the README lists every backend with its default endpoint", () => {
  for (const [name, backend] of Object.entries(BACKENDS)) {
    assert.ok(readme.includes(`| \`${name}\``), name);
    assert.ok(readme.includes(`\`${backend.defaultEndpoint}\``), backend.defaultEndpoint);
  }
});

Deno.test("every registered dataset is in mib bench --help and in the README's flag table", async () => {
  // Help lines wrap at the terminal's width: compare with whitespace collapsed.
  const help = (await runCli(["bench", "--help"])).stdout.replace(/\s+/g, " ");
  const row = readme.split("\n").find((line) => line.startsWith("| `--dataset-name`"));
  assert.ok(row, "the flag table has a --dataset-name row");
  for (const dataset of Object.values(DATASETS)) {
    assert.ok(help.includes(`${dataset.name}: ${dataset.help}`), `help lists ${dataset.name}`);
    assert.ok(
      row.includes(`\`${dataset.name}\``),
      `the README's --dataset-name row lists ${dataset.name}`,
    );
    for (const option of dataset.options) {
      assert.ok(help.includes(option.flag), `help lists ${option.flag}`);
      assert.ok(readme.includes(`| \`${option.flag}\``), `the flag table has ${option.flag}`);
    }
  }
});
