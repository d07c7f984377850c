/**
 * Seeded distributions for request arrivals and token lengths.
 *
 * Specs come from `--request-distribution`, `--input-token-distribution` and
 * `--output-token-distribution` (or their config-file arrays), and every draw
 * goes through d3-random seeded by `seededSource`, so one seed reproduces a run
 * exactly. Each accepted form is one entry of {@link ARRIVAL_FORMS} or
 * {@link LENGTH_FORMS}; parsing, printing, checking, sampling and help follow
 * the tables.
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

export { ARRIVAL_ARGS, ARRIVAL_FORMS, type ArrivalSpec } from "./arrival_forms.ts";
export { LENGTH_ARGS, LENGTH_FORMS, type LengthSpec } from "./length_forms.ts";
export type {
  ArrivalForm,
  ArrivalForms,
  DistributionForm,
  FormArgs,
  FormArgsTable,
  FormSpec,
  FormSpecs,
  FormTable,
  FormValues,
  LengthForm,
  LengthForms,
  VllmArrivalFields,
} from "./form.ts";
export type { RandomSource } from "./_d3.ts";
export { parseArrivalSpec, parseLengthSpec, parseRequestDistribution } from "./parse.ts";
export { type RequestDistribution, TRACE_ARGS, TRACE_FORM, type TraceSpec } from "./trace_form.ts";
export { formatSpec } from "./format.ts";
export { describeArrivalForms, describeLengthForms } from "./help.ts";
export { seededSource } from "./seeded_source.ts";
export {
  ARRIVAL_STREAM,
  arrivalOffsets,
  type ArrivalOptions,
  type ArrivalSequence,
  arrivalSequence,
  meanRequestRate,
  vllmArrivalFields,
} from "./arrival.ts";
export { lengthSequence, meanLength, sampleLengths } from "./length.ts";
export {
  checkRamp,
  RAMP_STRATEGIES,
  type RampChange,
  rampChanges,
  rampClock,
  rampRate,
  type RampSpec,
  type RampStrategy,
} from "./ramp.ts";
export { lazySequence, mapSequence, type Sequence, strideSequence, take } from "./sequence.ts";
export { MAX_PLANNED_REQUESTS } from "./_limits.ts";
