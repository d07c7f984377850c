/**
 * The shapes of the distributions a run can ask for.
 *
 * @module
 */

/**
 * How the gaps between consecutive request sends are drawn, in seconds.
 *
 * @example
 * ```ts
 * const tenPerSecond: ArrivalSpec = { kind: "poisson", rate: 10 };
 * const burst: ArrivalSpec = { kind: "poisson", rate: Infinity }; // every request at 0 s
 * const steady: ArrivalSpec = { kind: "constant", gap: 0.5 };
 * ```
 */
export type ArrivalSpec =
  /** Poisson process of `rate` requests/s: exponential gaps of mean 1/rate; `Infinity` sends all at once. */
  | { kind: "poisson"; rate: number }
  /** Exponential gaps of mean `mean` seconds (the same process as poisson 1/mean). */
  | { kind: "exponential"; mean: number }
  /** Gaps uniform in [min, max) seconds. */
  | { kind: "uniform"; min: number; max: number }
  /** Gaps normal with `mean` and `std` seconds, negative draws clamped to 0. */
  | { kind: "normal"; mean: number; std: number }
  /** Every gap is `gap` seconds. */
  | { kind: "constant"; gap: number };

/**
 * How token counts (prompt or completion lengths) are drawn; every draw is an integer ≥ 1.
 *
 * @example
 * ```ts
 * const prompts: LengthSpec = { kind: "uniform", min: 200, max: 300 }; // 200..300 inclusive
 * const outputs: LengthSpec = { kind: "normal", mean: 128, std: 16 };
 * ```
 */
export type LengthSpec =
  /** Integers uniform in [min, max], both ends included. */
  | { kind: "uniform"; min: number; max: number }
  /** Normal draws rounded to the nearest integer, then raised to at least 1. */
  | { kind: "normal"; mean: number; std: number }
  /** Always `value`. */
  | { kind: "constant"; value: number };
