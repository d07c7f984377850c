/**
 * The options of `mib sweep` (besides every flag of `mib bench`), and the
 * sweep they describe: its mode and its points.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { SweepPoint } from "../output/sweep_file.ts";
import type { RawOptions } from "./options.ts";
import type { OptionSpec } from "./options.ts";

/** Rate points `--auto` puts between the synchronous and throughput rates unless told otherwise. */
export const DEFAULT_AUTO_POINTS = 5;

/** Every option of `mib sweep` of its own, in help order. */
export const SWEEP_OPTIONS: readonly OptionSpec[] = [
  {
    key: "rates",
    flag: "--rates",
    arg: "<r1,r2,...>",
    kind: "string",
    help: "one point per request rate (Poisson arrivals, requests/s), e.g. 1,2,4,8",
  },
  {
    key: "concurrency",
    flag: "--concurrency",
    arg: "<c1,c2,...>",
    kind: "string",
    help: "one point per cap of requests in flight (--max-concurrency C, all sent at once: a " +
      "closed loop of C users), e.g. 1,8,32,128",
  },
  {
    key: "auto",
    flag: "--auto",
    kind: "boolean",
    help: "a synchronous point (one request at a time), a throughput point (all at once), then " +
      "--auto-points rates spread evenly between their request rates, stopping at the first " +
      "saturated one",
  },
  {
    key: "auto_points",
    flag: "--auto-points",
    arg: "<k>",
    kind: "positive-int",
    help:
      `rate points of --auto between the synchronous and throughput rates (default ${DEFAULT_AUTO_POINTS})`,
  },
  {
    key: "output_dir",
    flag: "--output-dir",
    arg: "<dir>",
    kind: "string",
    help: "folder (made if missing) of each point's result file and run record (rate-4.json, " +
      "concurrency-8.json, sync.json, throughput.json in --output-format) and of sweep.json, " +
      "sweep.csv",
  },
  {
    key: "html",
    flag: "--html",
    arg: "<out.html>",
    kind: "string",
    help: "also write a self-contained page of latency against throughput curves (TTFT, TPOT, " +
      "E2E p50 and p99), the saturation point marked",
  },
];

/** What the sweep's own flags ask for. */
export interface SweepPlan {
  /** Which flag chose the points. */
  mode: "rates" | "concurrency" | "auto";
  /** The points given (`--rates`, `--concurrency`); for `--auto`, the first two. */
  points: SweepPoint[];
  /** `--auto`: rate points between the synchronous and throughput rates. */
  autoPoints: number;
  /** The folder of every file. */
  outputDir: string;
  /** The page, when asked. */
  html?: string;
}

/** A number as a point's label and file stem write it: `4`, `2.5`, `0.33`. */
export function pointNumber(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** A rate point. */
export function ratePoint(rate: number): SweepPoint {
  const r = pointNumber(rate);
  return { kind: "rate", label: `rate ${r}/s`, name: `rate-${r}`, rate };
}

/** The synchronous and throughput points of `--auto`. */
export const AUTO_START: readonly SweepPoint[] = [
  { kind: "sync", label: "synchronous", name: "sync", concurrency: 1 },
  { kind: "throughput", label: "throughput", name: "throughput" },
];

/**
 * `k` rates spread evenly strictly between `low` and `high` (GuideLLM's
 * sweep): `low + i·(high − low)/(k + 1)` for i = 1..k, to 3 significant
 * digits; none when `high ≤ low` (the server gains nothing from concurrency).
 *
 * @example
 * ```ts
 * autoRates(1, 5, 3); // [2, 3, 4]
 * ```
 */
export function autoRates(low: number, high: number, k: number): number[] {
  if (!(high > low) || !Number.isFinite(high)) return [];
  const rates = Array.from({ length: k }, (_, i) => low + (i + 1) * (high - low) / (k + 1));
  return [...new Set(rates.map((r) => Number(r.toPrecision(3))))];
}

/**
 * A list flag read (`--rates`, `--concurrency`, and `mib calibrate`'s
 * `--streams` and `--rates`): positive numbers (`integer`: whole ones),
 * distinct, returned ascending.
 *
 * @throws {UsageError} naming `flag` and the accepted form.
 *
 * @example
 * ```ts
 * parseList("--rates", "4,1,2", false); // [1, 2, 4]
 * ```
 */
export function parseList(flag: string, value: string, integer: boolean): number[] {
  const form = integer ? "positive integers" : "positive numbers";
  const items = value.split(",").map((s) => s.trim());
  const numbers = items.map((item) => {
    const n = Number(item);
    const ok = item !== "" && Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n));
    if (!ok) {
      throw new UsageError(
        flag,
        `expected ${form} separated by commas like "1,2,4,8", got "${item}"`,
      );
    }
    return n;
  });
  if (new Set(numbers).size !== numbers.length) {
    throw new UsageError(flag, `expected ${form} separated by commas, each once, got "${value}"`);
  }
  return numbers.sort((a, b) => a - b);
}

/**
 * The sweep the flags `sweep` (the sweep's own) and `bench` (the bench flags
 * given, merged with the config file) describe.
 *
 * @throws {UsageError} for a mistake: not exactly one of `--rates`,
 *   `--concurrency`, `--auto`; a bad list; `--auto-points` without `--auto`;
 *   no `--output-dir`; a bench flag the sweep sets per point.
 */
export function resolveSweep(sweep: RawOptions, bench: RawOptions): SweepPlan {
  const given = (["rates", "concurrency", "auto"] as const).filter((k) => sweep[k] !== undefined);
  if (given.length !== 1) {
    throw new UsageError(
      given.length === 0 ? "--rates" : given.map((k) => `--${k}`).join("/"),
      "give exactly one: --rates 1,2,4,8, --concurrency 1,8,32,128 or --auto",
    );
  }
  const mode = given[0];
  if (sweep.auto_points !== undefined && mode !== "auto") {
    throw new UsageError("--auto-points", "counts the rate points of --auto; give --auto too");
  }
  if (typeof sweep.output_dir !== "string" || sweep.output_dir === "") {
    throw new UsageError(
      "--output-dir",
      "expected the folder of the points' files and sweep.json, e.g. --output-dir sweep-1",
    );
  }
  if (bench.request_distribution !== undefined) {
    throw new UsageError(
      "--request-distribution",
      "a sweep sets the arrivals of each point (--rates: poisson RATE; --concurrency and the " +
        "throughput point: all at once); leave it out",
    );
  }
  if (bench.output_file !== undefined) {
    throw new UsageError(
      "--output-file",
      "a sweep writes each point's file in --output-dir (rate-4.json, …); leave it out",
    );
  }
  if (bench.max_concurrency !== undefined && mode !== "rates") {
    throw new UsageError(
      "--max-concurrency",
      `${mode === "auto" ? "--auto" : "--concurrency"} sets the cap of each point; leave it out`,
    );
  }
  const points = mode === "rates"
    ? parseList("--rates", String(sweep.rates), false).map(ratePoint)
    : mode === "concurrency"
    ? parseList("--concurrency", String(sweep.concurrency), true).map((c): SweepPoint => ({
      kind: "concurrency",
      label: `concurrency ${c}`,
      name: `concurrency-${c}`,
      concurrency: c,
    }))
    : [...AUTO_START];
  return {
    mode,
    points,
    autoPoints: (sweep.auto_points as number | undefined) ?? DEFAULT_AUTO_POINTS,
    outputDir: sweep.output_dir,
    html: sweep.html as string | undefined,
  };
}
