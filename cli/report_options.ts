/**
 * The options of `mib report FILE...`.
 *
 * @module
 */
import type { OptionSpec } from "./options.ts";

/** Every option of `mib report`, in help order. */
export const REPORT_OPTIONS: readonly OptionSpec[] = [
  {
    key: "html",
    flag: "--html",
    arg: "<out.html>",
    kind: "string",
    help: "also write a self-contained HTML page of charts to this file (of sweep.json files: " +
      "their latency against throughput curves)",
  },
  {
    key: "merge",
    flag: "--merge",
    kind: "boolean",
    help: "the files are run records (X.summary.json) of one load, e.g. from several client " +
      "machines: add a column merging them through their histograms",
  },
  {
    key: "compare",
    flag: "--compare",
    kind: "boolean",
    help: "the two files are BASELINE CURRENT: each metric side by side with its change " +
      "relative to the baseline",
  },
  {
    key: "failIf",
    flag: "--fail-if",
    arg: "<conditions>",
    kind: "string",
    help: "with two files BASELINE CURRENT (implies --compare): exit 1 when any condition " +
      'holds, e.g. "p99_ttft>+10%,output_throughput<-5%,failed>0" (see "Regression gate")',
  },
];
