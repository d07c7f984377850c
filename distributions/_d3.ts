/**
 * Typed handles on the few d3-random generators this module uses.
 *
 * d3-random ships no type declarations, so its exports arrive as `any`; pinning
 * the signatures here keeps strict checking at every call site. Only the
 * `.source(...)` forms are exposed, because the plain forms read Math.random
 * and would break reproducibility.
 *
 * @module
 */

import * as d3 from "npm:d3-random@^3.0.2";

/** A stream of floats in [0, 1); also the shape of every sampler d3-random returns. */
export type RandomSource = () => number;

/** A d3-random generator factory bound to a caller-supplied source. */
interface Sourced<Make> {
  source(source: RandomSource): Make;
}

/** d3-random's 32-bit LCG; see `seededSource` for how seeds are mixed before reaching it. */
export const randomLcg: (seed: number) => RandomSource = d3.randomLcg;

/** Exponential with rate `lambda` (mean 1/lambda). */
export const randomExponential: Sourced<(lambda: number) => RandomSource> = d3.randomExponential;

/** Uniform floats in [min, max). */
export const randomUniform: Sourced<(min: number, max: number) => RandomSource> = d3.randomUniform;

/** Normal with mean `mu` and standard deviation `sigma`. */
export const randomNormal: Sourced<(mu: number, sigma: number) => RandomSource> = d3.randomNormal;

/** Gamma with shape `k` and scale `theta` (mean k·theta); k = 1 is exponential. */
export const randomGamma: Sourced<(k: number, theta?: number) => RandomSource> = d3.randomGamma;

/** Integers in [min, max): d3-random's max is exclusive. */
export const randomInt: Sourced<(min: number, max: number) => RandomSource> = d3.randomInt;
