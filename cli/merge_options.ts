/**
 * The options of `mib merge FILE...`.
 *
 * @module
 */
import type { OptionSpec } from "./options.ts";

/** Every option of `mib merge`, in help order. */
export const MERGE_OPTIONS: readonly OptionSpec[] = [
  {
    key: "output",
    flag: "--output",
    aliases: ["-o"],
    arg: "<merged.json>",
    kind: "string",
    help: "write the merged run record here (required); also spelled -o",
  },
];
