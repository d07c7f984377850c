/**
 * Sharding one plan over several clients: shard I of N sends the requests
 * whose plan index is I mod N, at their planned offsets from a common start,
 * so N processes (or N workers of one) act as the one client of the plan.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { mapSequence, type Sequence, strideSequence } from "../distributions/mod.ts";
import type { BenchConfig } from "./bench_config.ts";
import type { PlannedRequest } from "./run.ts";

/** Shard `index` of `count`: the requests whose plan index is `index` mod `count`. */
export interface Shard {
  /** I, 0 ≤ I < N. */
  readonly index: number;
  /** N ≥ 1. */
  readonly count: number;
}

/** The whole plan: shard 0 of 1. */
export const WHOLE_PLAN: Shard = { index: 0, count: 1 };

/** A start this far in the past (ms) is taken as now; more is refused. */
export const START_AT_TOLERANCE_MS = 1000;

/**
 * Reads `--shard I/N` (0 ≤ I < N).
 *
 * @throws {UsageError} on `flag` for anything else.
 *
 * @example
 * ```ts
 * parseShard("2/8", "--shard"); // { index: 2, count: 8 }
 * ```
 */
export function parseShard(text: string, flag: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!(count >= 1 && index < count && Number.isSafeInteger(count))) {
    throw new UsageError(
      flag,
      `expected I/N with 0 ≤ I < N (shard I of N, e.g. 0/4 … 3/4), got "${text}"`,
    );
  }
  return { index, count };
}

/** `I/N`, as `--shard` takes it. */
export function formatShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/**
 * Shard `inner` of the requests that shard `outer` sends: worker j of W
 * within process shard I of N sends plan indices I + N·j (mod N·W).
 *
 * @example
 * ```ts
 * subShard({ index: 1, count: 3 }, { index: 1, count: 2 }); // { index: 4, count: 6 }
 * ```
 */
export function subShard(outer: Shard, inner: Shard): Shard {
  return { index: outer.index + outer.count * inner.index, count: outer.count * inner.count };
}

/** Plan index of the k-th request of `shard`. */
export function planIndex(shard: Shard, k: number): number {
  return shard.index + k * shard.count;
}

/**
 * The requests of `shard`, made as read: every request of the plan is still
 * drawn (each seeded stream advances as in the whole plan), and each kept
 * one carries its plan index, which stays its result's index and request id.
 * `requests` is the whole plan (its requests carry no index of their own).
 */
export function shardRequests(
  requests: Sequence<PlannedRequest>,
  shard: Shard,
): Sequence<PlannedRequest> {
  if (shard.count === 1) return requests;
  return mapSequence(
    strideSequence(requests, shard.index, shard.count),
    (request, k) => ({ ...request, index: planIndex(shard, k) }),
  );
}

/** The values of `shard`'s positions of `values` (its requests' max tokens, say). */
export function shardValues<T>(values: Sequence<T>, shard: Shard): Sequence<T> {
  return shard.count === 1 ? values : strideSequence(values, shard.index, shard.count);
}

/**
 * Why `--start-at` (epoch seconds) cannot be t = 0 at wall-clock `nowMs`:
 * it is more than {@linkcode START_AT_TOLERANCE_MS} past. Undefined when it
 * is ahead, or only a little past (the first requests then go out late, and
 * their schedule lag shows it).
 */
export function startAtProblem(startAt: number, nowMs: number): string | undefined {
  const late = nowMs - startAt * 1000;
  if (late <= START_AT_TOLERANCE_MS) return undefined;
  return `${startAt} is ${(late / 1000).toFixed(1)} s in the past (now ${
    (nowMs / 1000).toFixed(1)
  }); give a start a little ahead of every shard's launch, e.g. $(( $(date +%s) + 30 ))`;
}

/**
 * What makes a plan the same plan on every shard: the seed, the dataset and
 * every distribution, how many requests, the prefix. Written in run records
 * (`plan`), so `mib merge` refuses files of different plans.
 */
export interface PlanIdentity {
  /** `--seed`. */
  seed: number;
  /** `--dataset-name`. */
  dataset: string;
  /** `--dataset-path`, or null. */
  dataset_path: string | null;
  /** The dataset's own options given, by config key. */
  dataset_options: Record<string, unknown>;
  /** `--request-distribution`, as resolved. */
  request_distribution: unknown;
  /** `--input-token-distribution`, as resolved. */
  input_token_distribution: unknown;
  /** `--output-token-distribution`, as resolved; null when not given (a dataset's own lengths). */
  output_token_distribution: unknown;
  /** The prefix, as resolved. */
  prefix: unknown;
  /** `--num-of-req`, or null. */
  num_of_req: number | null;
  /** `--max-time-for-reqs`, or null. */
  max_time_for_reqs: number | null;
  /** Requests in the whole plan (every shard's). */
  requests: number;
}

/** The configuration's {@linkcode PlanIdentity}; `requests` counts the whole plan. */
export function planIdentity(
  config: Pick<
    BenchConfig,
    | "seed"
    | "datasetName"
    | "datasetPath"
    | "datasetOptions"
    | "requestDistribution"
    | "inputTokenDistribution"
    | "outputTokenDistribution"
    | "outputTokenDistributionGiven"
    | "prefix"
    | "numOfReq"
    | "maxTimeForReqs"
  >,
  requests: number,
): PlanIdentity {
  return {
    seed: config.seed,
    dataset: config.datasetName,
    dataset_path: config.datasetPath ?? null,
    dataset_options: config.datasetOptions,
    request_distribution: config.requestDistribution,
    input_token_distribution: config.inputTokenDistribution,
    output_token_distribution: config.outputTokenDistributionGiven
      ? config.outputTokenDistribution
      : null,
    prefix: config.prefix,
    num_of_req: config.numOfReq ?? null,
    max_time_for_reqs: config.maxTimeForReqs ?? null,
    requests,
  };
}
