import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  checkDatasetInput,
  DATASET_NAMES,
  DATASET_OPTIONS,
  type DatasetOptionValue,
  DATASETS,
  getDataset,
} from "./mod.ts";

Deno.test("the registry: every dataset under its own name, its options' keys and flags agree", () => {
  assert.deepEqual(DATASET_NAMES, ["sharegpt", "other", "random"]);
  for (const [name, dataset] of Object.entries(DATASETS)) {
    assert.equal(dataset.name, name);
    assert.equal(getDataset(name), dataset);
    assert.ok(dataset.help.length > 0 && !dataset.help.includes("\n"), `${name}: one help line`);
  }
  assert.deepEqual(DATASET_OPTIONS.map((o) => o.flag), [
    "--sharegpt-min-len",
    "--sharegpt-max-prompt-len",
    "--sharegpt-max-total-len",
  ]);
  for (const option of DATASET_OPTIONS) {
    assert.equal(option.key, option.flag.slice(2).replaceAll("-", "_"));
    assert.match(option.help, /^sharegpt: /, "the help names its dataset");
  }
  assert.throws(
    () => getDataset("books"),
    (e: unknown) =>
      e instanceof UsageError && e.flag === "--dataset-name" &&
      /expected one of sharegpt, other, random/.test(e.message),
  );
});

Deno.test("checkDatasetInput: a file where one is read, none elsewhere, no other dataset's option", () => {
  const check = (
    name: string,
    path?: string,
    options: Record<string, DatasetOptionValue> = {},
  ) => checkDatasetInput(getDataset(name), { path, options });
  const fails = (fn: () => void, flag: string, detail: RegExp) =>
    assert.throws(
      fn,
      (e: unknown) => e instanceof UsageError && e.flag === flag && detail.test(e.detail),
    );
  check("random");
  check("other", "book.txt");
  check("sharegpt", "sharegpt.json", { sharegpt_min_len: 0, sharegpt_max_total_len: 4096 });
  fails(() => check("sharegpt"), "--dataset-path", /^required with --dataset-name sharegpt$/);
  fails(() => check("other"), "--dataset-path", /^required with --dataset-name other$/);
  fails(
    () => check("random", "p.jsonl"),
    "--dataset-path",
    /^--dataset-name random reads no file; to send the prompts of "p.jsonl", give --dataset-name sharegpt or other$/,
  );
  fails(
    () => check("other", "p.jsonl", { sharegpt_max_prompt_len: 10 }),
    "--sharegpt-max-prompt-len",
    /^applies to --dataset-name sharegpt only, not other/,
  );
  fails(
    () => check("random", undefined, { colour: "red" }),
    "colour",
    /not an option of any dataset/,
  );
});
