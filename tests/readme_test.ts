import assert from "node:assert/strict";
import { BACKENDS } from "../backends/mod.ts";
import { BENCH_OPTIONS, CALIBRATE_OPTION, CONFIG_FILE_OPTION } from "../cli/bench_options.ts";
import { CALIBRATE_OPTIONS } from "../cli/calibrate_options.ts";
import type { OptionSpec } from "../cli/options.ts";
import { MERGE_OPTIONS } from "../cli/merge_options.ts";
import { REPORT_OPTIONS } from "../cli/report_options.ts";
import { SERVE_OPTIONS } from "../cli/serve_options.ts";
import { SWEEP_OPTIONS } from "../cli/sweep_options.ts";
import { DATASETS } from "../datasets/mod.ts";
import { ARRIVAL_FORMS, LENGTH_FORMS } from "../distributions/mod.ts";
import { OUTPUT_FORMAT_NAMES } from "../output/mod.ts";
import { runCli } from "./_helpers.ts";

const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** The flags in the first column of the table under `heading`. */
function tableFlags(heading: string): Set<string> {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `README has "${heading}"`);
  const next = readme.indexOf("\n#", start + heading.length + 2);
  const section = readme.slice(start, next < 0 ? undefined : next);
  const flags = new Set<string>();
  for (const row of section.split("\n").filter((l) => l.startsWith("| `-"))) {
    const first = row.split("|")[1];
    for (const m of first.matchAll(/`(--?[A-Za-z0-9_-]+)`/g)) flags.add(m[1]);
  }
  return flags;
}

const spellings = (specs: readonly OptionSpec[]) =>
  new Set(specs.flatMap((s) => [s.flag, ...(s.aliases ?? [])]));

/** Each command, its README heading, and its options. */
const COMMANDS = [
  ["bench", "### Flags of the benchmark", [...BENCH_OPTIONS, CONFIG_FILE_OPTION, CALIBRATE_OPTION]],
  ["serve", "### Flags of `mib serve`", SERVE_OPTIONS],
  ["report", "### Flags of `mib report`", REPORT_OPTIONS],
  ["merge", "### Flags of `mib merge`", MERGE_OPTIONS],
  ["sweep", "### Flags of `mib sweep`", SWEEP_OPTIONS],
  ["calibrate", "### Flags of `mib calibrate`", CALIBRATE_OPTIONS],
] as const;

for (const [, heading, specs] of COMMANDS) {
  Deno.test(`README "${heading}" lists exactly the declared flags`, () => {
    const documented = tableFlags(heading);
    const declared = spellings(specs);
    assert.deepEqual(
      [...declared].filter((f) => !documented.has(f)),
      [],
      "declared but not in the README",
    );
    assert.deepEqual(
      [...documented].filter((f) => !declared.has(f)),
      [],
      "in the README but not declared",
    );
  });
}

Deno.test("every declared flag of every command is in its --help", async () => {
  for (const [command, , specs] of COMMANDS) {
    const help = (await runCli([command, "--help"])).stdout;
    for (const spec of specs) {
      assert.ok(help.includes(spec.flag), `${command} --help: ${spec.flag}`);
    }
  }
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

Deno.test("the README's distribution rows list every form of the tables", () => {
  const row = (flag: string) => readme.split("\n").find((l) => l.startsWith(`| \`${flag}\``))!;
  for (const kind of Object.keys(ARRIVAL_FORMS)) {
    assert.match(row("--request-distribution"), new RegExp(`\`${kind} `), kind);
  }
  for (const kind of Object.keys(LENGTH_FORMS)) {
    assert.match(row("--input-token-distribution"), new RegExp(`\`${kind}( |\`)`), kind);
  }
});

Deno.test("the README's --output-format row lists every registered format", () => {
  const row = readme.split("\n").find((l) => l.startsWith("| `--output-format`"))!;
  for (const name of OUTPUT_FORMAT_NAMES) assert.ok(row.includes(`\`${name}\``), name);
});
