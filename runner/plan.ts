/**
 * Planning a run: when each request goes out and what it asks for.
 *
 * @module
 */
import type { GenerationRequest } from "../backends/types.ts";
import {
  type RandomPromptOptions,
  randomPromptSequence,
  withOutputLens,
} from "../datasets/random.ts";
import {
  checkDatasetInput,
  type DatasetOptionValue,
  type DatasetPrompt,
  getDataset,
  joinPrefix,
  type PrefixOption,
} from "../datasets/mod.ts";
import {
  arrivalSequence,
  type ArrivalSpec,
  lazySequence,
  lengthSequence,
  type LengthSpec,
  mapSequence,
  type RampSpec,
  type Sequence,
} from "../distributions/mod.ts";
import type { LazyTokenizer } from "../tokenizers/mod.ts";
import { shippedWordPool, wordPoolOf } from "../datasets/word_pool.ts";
import { UsageError } from "../errors.ts";
import type { TraceSpec } from "../distributions/mod.ts";
import { readTrace } from "../traces/read.ts";
import { mooncakePrompts } from "../traces/prompts.ts";
import type { PlannedRequest } from "./run.ts";
import { batchedRequests, type PoolingShape, promptsPerRequest } from "./batches.ts";

/** Request fields shared by every request (model, best_of, …). */
export type SharedRequestFields = Omit<GenerationRequest, "prompt" | "maxTokens">;

/**
 * What every plan draws from: the schedule and the lengths. Shared by
 * {@linkcode PlanOptions} and {@linkcode DatasetPlanOptions}.
 */
export interface ScheduleOptions {
  /** Seed of every random choice. */
  seed: number;
  /** Gaps between requests. */
  arrival: ArrivalSpec;
  /** Prompt lengths after the prefix. */
  input: LengthSpec;
  /** Output lengths. */
  output: LengthSpec;
  /** Number of requests (exclusive with `maxTime`). */
  count?: number;
  /** Sending window, seconds (exclusive with `count`). */
  maxTime?: number;
  /** A ramp of the rate over the `count` requests; `arrival` then gives the shape. */
  ramp?: RampSpec;
}

/** Options of {@linkcode planRandomRun}. */
export interface PlanOptions extends ScheduleOptions {
  /**
   * Tokenizer that defines prompt lengths: a loaded one, or the name of a
   * tiktoken encoding, which is enough unless `prefix` is `text` (see
   * {@linkcode RandomPromptOptions.tokenizer}).
   */
  tokenizer: RandomPromptOptions["tokenizer"];
  /** Prefix before every prompt. */
  prefix?: PrefixOption;
  /** Request fields shared by every request (model, best_of, …). */
  shared?: SharedRequestFields;
}

/** Options of {@linkcode planDatasetRun}. */
export interface DatasetPlanOptions extends ScheduleOptions {
  /** `--dataset-name`: a name of the dataset registry. */
  dataset: string;
  /**
   * Whether `output` was given (`--output-token-distribution`): datasets
   * with output lengths of their own use those otherwise. Default false.
   */
  outputGiven?: boolean;
  /** The run's tokenizer, by name, loaded only if the dataset needs it. */
  tokenizer: LazyTokenizer;
  /** Prefix before every prompt; default none. */
  prefix?: PrefixOption;
  /** `--dataset-path`. */
  path?: string;
  /** The dataset's own option values, by key (`sharegpt_min_len`, …). */
  datasetOptions?: Readonly<Record<string, DatasetOptionValue>>;
  /** Request fields shared by every request (model, best_of, …). */
  shared?: SharedRequestFields;
  /**
   * A pooling run (embeddings, rerank): each request takes several prompts
   * (see `runner/batches.ts`) and asks for no tokens. Absent: one prompt, one
   * generation per request.
   */
  pooling?: PoolingShape;
}

/** A planned run and what its dataset wants the user to know. */
export interface DatasetPlan {
  /**
   * The requests, in sending order, made as they are read (an array when the
   * dataset made its prompts up front): every pass yields the same requests.
   */
  requests: Sequence<PlannedRequest>;
  /** Every offset is 0: the run never waits (no clock thread needed). */
  allAtOnce: boolean;
  /** Each request's `maxTokens`, in order, without making the prompts. */
  maxTokens: Sequence<number>;
  /** One line each, e.g. that prompts were sampled with replacement. */
  notes: string[];
}

/**
 * Offsets, then input and output lengths: each from its own seeded stream,
 * drawn as read; `perRequest` prompts (and lengths) for each request.
 */
function schedule(options: ScheduleOptions, perRequest = 1) {
  const { seed } = options;
  const offsets = arrivalSequence(options.arrival, {
    seed,
    count: options.count,
    maxTime: options.maxTime,
    ramp: options.ramp,
  });
  const prompts = offsets.length * perRequest;
  const inputLens = lengthSequence(options.input, prompts, seed, "input-lengths");
  const outputLens = lengthSequence(options.output, prompts, seed, "output-lengths");
  return { offsets, inputLens, outputLens };
}

/** Request i is `prompts[i]` sent at `offsets[i]`, made as read. */
function requestsOf(
  offsets: Sequence<number>,
  prompts: Sequence<{ text: string; promptLen: number; outputLen: number }>,
  shared: SharedRequestFields | undefined,
): Sequence<PlannedRequest> {
  return lazySequence(Math.min(offsets.length, prompts.length), function* () {
    const next = prompts[Symbol.iterator]();
    for (const offset of offsets) {
      const prompt = next.next();
      if (prompt.done) return;
      const { text, promptLen, outputLen } = prompt.value;
      yield { offset, promptLen, request: { ...shared, prompt: text, maxTokens: outputLen } };
    }
  });
}

/**
 * Plans a random-prompt run. The same options give the same plan, byte for
 * byte: offsets, lengths and prompts each draw from their own seeded stream.
 *
 * @example
 * ```ts
 * const plan = planRandomRun({
 *   seed: 0, tokenizer: "cl100k_base", count: 10,
 *   arrival: { kind: "poisson", rate: 5 },
 *   input: { kind: "constant", value: 128 },
 *   output: { kind: "constant", value: 64 },
 * });
 * ```
 */
export function planRandomRun(options: PlanOptions): PlannedRequest[] {
  const { offsets, inputLens, outputLens } = schedule(options);
  const prompts = randomPromptSequence({
    tokenizer: options.tokenizer,
    lengths: inputLens,
    seed: options.seed,
    prefix: options.prefix,
  });
  return Array.from(requestsOf(offsets, withOutputLens(prompts, outputLens), options.shared));
}

/**
 * Plans a run of any registered dataset: the offsets from `arrival`, the
 * lengths from `input` and `output`, the prompts from the dataset's `load`.
 * The same options (and file) give the same plan, byte for byte; for the
 * random dataset, the plan {@linkcode planRandomRun} makes.
 *
 * @throws {UsageError} for an unknown dataset, a missing or unwanted
 *   `--dataset-path`, another dataset's option, or whatever the dataset
 *   finds wrong with its file.
 *
 * @example
 * ```ts
 * import { lazyTokenizer } from "../tokenizers/choose.ts";
 *
 * const { requests, notes } = await planDatasetRun({
 *   dataset: "sharegpt", path: "ShareGPT_V3.json",
 *   tokenizer: lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" }),
 *   seed: 0, count: 100,
 *   arrival: { kind: "poisson", rate: 5 },
 *   input: { kind: "constant", value: 128 },
 *   output: { kind: "constant", value: 64 },
 * });
 * ```
 */
export async function planDatasetRun(options: DatasetPlanOptions): Promise<DatasetPlan> {
  const dataset = getDataset(options.dataset);
  const datasetOptions = options.datasetOptions ?? {};
  checkDatasetInput(dataset, { path: options.path, options: datasetOptions });
  const { pooling } = options;
  const perRequest = pooling === undefined ? 1 : promptsPerRequest(pooling);
  const { offsets, inputLens, outputLens } = schedule(options, perRequest);
  const { prompts, notes, outputLens: promptOutputLens } = await dataset.load({
    count: offsets.length * perRequest,
    seed: options.seed,
    inputLens,
    outputLens,
    outputLensGiven: options.outputGiven ?? false,
    tokenizer: options.tokenizer,
    prefix: options.prefix ?? { kind: "none" },
    path: options.path,
    options: datasetOptions,
  });
  if (pooling !== undefined) {
    const requests = batchedRequests(offsets, prompts, pooling, options.shared);
    return {
      requests: Array.isArray(prompts) ? Array.from(requests) : requests,
      allAtOnce: offsets.allAtOnce,
      // Zeros, without making the prompts.
      maxTokens: lazySequence(requests.length, function* () {
        for (let i = 0; i < requests.length; i++) yield 0;
      }),
      notes,
    };
  }
  return {
    requests: Array.isArray(prompts)
      ? Array.from(requestsOf(offsets, prompts, options.shared))
      : requestsOf(offsets, prompts, options.shared),
    allAtOnce: offsets.allAtOnce,
    maxTokens: promptOutputLens ?? mapSequence(prompts, (p) => p.outputLen),
    notes,
  };
}

/**
 * Plans requests from prompts a dataset file gave: request i is `prompts[i]`
 * (after `prefixText`) sent at `offsets[i]`. With a prefix, `promptLen` is
 * the measured count of the joined text, so it is true even where the prefix
 * merges with the prompt.
 */
export function planFromPrompts(
  offsets: readonly number[],
  prompts: readonly DatasetPrompt[],
  options: {
    prefixText?: string;
    count?: (text: string) => number;
    shared?: SharedRequestFields;
  } = {},
): PlannedRequest[] {
  const joined = joinPrefix(
    prompts.slice(0, offsets.length),
    options.prefixText ?? "",
    options.count,
  );
  return Array.from(requestsOf(offsets, joined, options.shared));
}

/** Options of {@linkcode planTraceRun}. */
export interface TracePlanOptions {
  /** The trace and how much of it to replay, how fast. */
  trace: TraceSpec;
  /** `--max-time-for-reqs`: only rows whose offset is below this many seconds. */
  maxTime?: number;
  /** Seed of the prompts' words. */
  seed: number;
  /** The run's tokenizer, by name, loaded only where the word pool needs it. */
  tokenizer: LazyTokenizer;
  /** Request fields shared by every request (model, best_of, …). */
  shared?: SharedRequestFields;
}

/**
 * Plans the replay of a trace (`--request-distribution trace FILE`): one
 * request per row, sent at the row's offset, with a prompt of exactly the
 * row's input tokens asking for exactly its output tokens. Prompts are the
 * random dataset's, made as read; a Mooncake trace's are built from its hash
 * blocks (`traces/prompts.ts`), so rows sharing hash ids share that text.
 * What the plan holds is the trace's typed arrays (16 bytes a row).
 *
 * @throws {UsageError} for a trace that cannot be read (see `readTrace`), or
 *   a Mooncake trace under `--tokenizer server`.
 *
 * @example
 * ```ts
 * import { lazyTokenizer } from "../tokenizers/choose.ts";
 *
 * const { requests } = await planTraceRun({
 *   trace: { kind: "trace", path: "tests/fixtures/trace_azure.csv", speedup: 1, start: 0 },
 *   seed: 0,
 *   tokenizer: lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" }),
 * });
 * ```
 */
export async function planTraceRun(options: TracePlanOptions): Promise<DatasetPlan> {
  const { trace: spec, seed, tokenizer } = options;
  const trace = await readTrace(spec.path, { ...spec, maxTime: options.maxTime });
  const { offsets, outputLens } = trace;
  const notes = [
    `replaying ${offsets.length} row(s) of the ${trace.format} trace ${
      JSON.stringify(spec.path)
    } over ${offsets[offsets.length - 1].toFixed(3)} s`,
  ];
  if (trace.skippedEmpty > 0) {
    notes.push(
      `left out ${trace.skippedEmpty} trace row(s) with 0 input or output tokens (failed requests in BurstGPT)`,
    );
  }
  let prompts: Sequence<DatasetPrompt>;
  if (trace.hashIds !== undefined) {
    if (tokenizer.server !== undefined) {
      throw new UsageError(
        "--tokenizer",
        "a Mooncake trace's shared prompt blocks are built from a local tokenizer's words; " +
          "give a tiktoken encoding or a tokenizer file instead of server",
      );
    }
    const shipped = shippedWordPool(tokenizer.name);
    const loaded = shipped === undefined ? await tokenizer.load() : undefined;
    prompts = mooncakePrompts(trace, {
      words: shipped ?? wordPoolOf(loaded!).words,
      seed,
      count: loaded?.count,
    });
  } else {
    ({ prompts } = await getDataset("random").load({
      count: offsets.length,
      seed,
      inputLens: trace.inputLens,
      outputLens,
      outputLensGiven: true,
      tokenizer,
      prefix: { kind: "none" },
      options: {},
    }));
  }
  const requests = requestsOf(offsets, prompts, options.shared);
  return {
    requests: Array.isArray(prompts) ? Array.from(requests) : requests,
    allAtOnce: offsets.every((offset) => offset === 0),
    maxTokens: outputLens,
    notes,
  };
}
