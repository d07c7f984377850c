/**
 * Seeded distributions for request arrivals and token lengths.
 *
 * Specs come from `--request-distribution`, `--input-token-distribution` and
 * `--output-token-distribution` (or their config-file arrays), and every draw
 * goes through d3-random seeded by `seededSource`, so one seed reproduces a run
 * exactly.
 *
 * @example
 * ```ts
 * import { arrivalOffsets, parseArrivalSpec, parseLengthSpec, sampleLengths } from "./mod.ts";
 *
 * const arrivals = parseArrivalSpec(["poisson", "5"], "--request-distribution");
 * const offsets = arrivalOffsets(arrivals, { seed: 42, count: 100 });
 * const prompts = parseLengthSpec(["uniform", "200", "300"], "--input-token-distribution");
 * const promptLengths = sampleLengths(prompts, offsets.length, 42, "input-tokens");
 * ```
 *
 * @module
 */

export type { ArrivalSpec, LengthSpec } from "./types.ts";
export { parseArrivalSpec, parseLengthSpec } from "./parse.ts";
export { formatSpec } from "./format.ts";
export { seededSource } from "./seeded_source.ts";
export { ARRIVAL_STREAM, arrivalOffsets } from "./arrival.ts";
export { sampleLengths } from "./length.ts";
export { MAX_PLANNED_REQUESTS } from "./_limits.ts";
