/**
 * The dataset registry: every `--dataset-name` mib knows, and their options.
 *
 * The CLI builds `--dataset-name`, its help, the config-file schema and the
 * dataset flags from this registry, and imports it at start-up: each
 * dataset module is light and imports its loader when a run uses it.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { other } from "./other.ts";
import { random } from "./random.ts";
import { sharegpt } from "./sharegpt.ts";
import type { Dataset, DatasetOption, DatasetOptionValue } from "./types.ts";
import { DATASET_PATH_FLAG, datasetPath } from "./_dataset_file.ts";

export type * from "./types.ts";
export { joinPrefix, prefixText } from "./prefix.ts";
export { statDatasetFile } from "./_dataset_file.ts";

/** Every dataset, by `--dataset-name`, in the order help lists them. */
export const DATASETS: Readonly<Record<string, Dataset>> = {
  "sharegpt": sharegpt,
  "other": other,
  "random": random,
};

/** Every `--dataset-name`, in registry order. */
export const DATASET_NAMES: readonly string[] = Object.keys(DATASETS);

/**
 * Every dataset's own options, with the dataset's name before their help
 * (`sharegpt: skip prompts …`): the CLI adds them to its flags as they are.
 */
export const DATASET_OPTIONS: readonly DatasetOption[] = Object.values(DATASETS).flatMap((d) =>
  d.options.map((option) => ({ ...option, help: `${d.name}: ${option.help}` }))
);

/**
 * The dataset called `name`, or a {@linkcode UsageError} on `--dataset-name`
 * that lists the accepted names.
 *
 * @example
 * ```ts
 * getDataset("sharegpt").needsPath; // true
 * ```
 */
export function getDataset(name: string): Dataset {
  if (Object.hasOwn(DATASETS, name)) return DATASETS[name];
  throw new UsageError(
    "--dataset-name",
    `unknown dataset "${name}"; expected one of ${DATASET_NAMES.join(", ")}`,
  );
}

/**
 * Checks that what was given fits `dataset`: a file for one that reads a
 * file, none for one that does not, and no option of another dataset. Each
 * would otherwise be ignored, and the run would measure something else than
 * asked for.
 *
 * @throws {UsageError} on `--dataset-path` or on the option's flag, saying
 *   what to give instead.
 *
 * @example
 * ```ts
 * checkDatasetInput(getDataset("random"), { path: "p.jsonl", options: {} });
 * // UsageError: --dataset-path: --dataset-name random reads no file; …
 * ```
 */
export function checkDatasetInput(
  dataset: Dataset,
  given: { path?: string; options?: Readonly<Record<string, DatasetOptionValue>> },
): void {
  if (dataset.needsPath) datasetPath(given, dataset.name);
  else if (given.path !== undefined) {
    const readers = DATASET_NAMES.filter((name) => DATASETS[name].needsPath);
    throw new UsageError(
      DATASET_PATH_FLAG,
      `--dataset-name ${dataset.name} reads no file; to send the prompts of "${given.path}", give --dataset-name ${
        readers.join(" or ")
      }`,
    );
  }
  for (const key of Object.keys(given.options ?? {})) {
    if (dataset.options.some((option) => option.key === key)) continue;
    const owner = Object.values(DATASETS).find((d) => d.options.some((o) => o.key === key));
    const flag = owner?.options.find((option) => option.key === key)?.flag ?? key;
    throw new UsageError(
      flag,
      owner === undefined
        ? `not an option of any dataset`
        : `applies to --dataset-name ${owner.name} only, not ${dataset.name}; drop it or give --dataset-name ${owner.name}`,
    );
  }
}
