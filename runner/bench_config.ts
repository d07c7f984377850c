/**
 * The configuration of one benchmark: what `mib bench` resolves from its
 * flags and config file, and what every result file records beside its
 * results. A library type, so that output/ and runner/ need nothing of cli/.
 *
 * @module
 */
import type { LengthSpec, RampSpec, RequestDistribution } from "../distributions/mod.ts";
import type { DATASET_NAMES, DatasetOptionValue, PrefixOption } from "../datasets/mod.ts";
import type { FormatName } from "../output/mod.ts";
import type { Shard } from "./shard.ts";
import type { TransportName } from "./transport.ts";
import type { PhaseBound } from "./phases.ts";
import type { SessionShape } from "./session_plan.ts";
import type { ImageSpec } from "../images/pool.ts";
import type { SamplingOptions, StructuredOutput } from "../backends/sampling.ts";

/** A complete, checked benchmark configuration. */
export interface BenchConfig {
  /** Seed of every random choice. */
  seed: number;
  /** `--backend` name. */
  backend: string;
  /** Server base URL without a trailing slash. */
  baseUrl: string;
  /** Endpoint path, when overriding the backend's default. */
  endpoint?: string;
  /** Number of requests (exclusive with `maxTimeForReqs`). */
  numOfReq?: number;
  /** Sending window in seconds (exclusive with `numOfReq`). */
  maxTimeForReqs?: number;
  /**
   * Stop sending this many seconds after the run start (`--duration`); with
   * neither `numOfReq` nor `maxTimeForReqs`, the plan is open-ended (see
   * `runner/duration.ts`).
   */
  duration?: number;
  /** At most this many requests in flight (`--max-concurrency`); undefined: no cap. */
  maxConcurrency?: number;
  /** Warm-up requests (`--warmup`); undefined: none. */
  warmup?: PhaseBound;
  /** Cool-down requests (`--cooldown`); undefined: none. */
  cooldown?: PhaseBound;
  /** Multi-turn sessions (`--multi-turn`, `--turns`; `runner/sessions.ts`); undefined: lone requests. */
  sessions?: SessionShape;
  /** Gaps between requests, or a trace to replay (which gives the lengths too). */
  requestDistribution: RequestDistribution;
  /** A ramp of the request rate over the run (`--ramp-up`); the distribution gives the shape. */
  rampUp?: RampSpec;
  /** Prompt lengths (tokens after the prefix). */
  inputTokenDistribution: LengthSpec;
  /** Output lengths. */
  outputTokenDistribution: LengthSpec;
  /**
   * Whether the output distribution was given (command line or file): a
   * dataset's own output lengths are used otherwise.
   */
  outputTokenDistributionGiven: boolean;
  /** The dataset options given (`--sharegpt-min-len`, …), by config-file key. */
  datasetOptions: Record<string, DatasetOptionValue>;
  /** Prefix before every prompt. */
  prefix: PrefixOption;
  /** Dataset. */
  datasetName: typeof DATASET_NAMES[number];
  /** Dataset file. */
  datasetPath?: string;
  /** `--batch`: inputs per pooling request; undefined: 1. */
  batch?: number;
  /** Images sent with each prompt (`--image-*`); undefined: none. */
  images?: ImageSpec;
  /** Model id; resolved from the server when undefined. */
  model?: string;
  /** Tokenizer name. */
  tokenizer?: string;
  /** Accepted and ignored: no remote code is ever run. */
  trustRemoteCode: boolean;
  /** No progress bar. */
  disableTqdm: boolean;
  /** `best_of`. */
  bestOf?: number;
  /** `use_beam_search`. */
  useBeamSearch: boolean;
  /** Sampling options given (`--temperature`, …; see `cli/request_options.ts`). */
  sampling?: SamplingOptions;
  /** `--seed-per-request`: request i is sent seed (seed + i) mod 2^31. */
  seedPerRequest: boolean;
  /** `--ignore-eos` / `--no-ignore-eos`; undefined: on where the protocol can say so. */
  ignoreEos?: boolean;
  /** The output constraint (`--json-schema`, `--regex`, `--choice`). */
  structured?: StructuredOutput;
  /** `--extra-body-file` and `--extra-body`, merged: deep-merged into every body last. */
  extraBody?: Record<string, unknown>;
  /** `--label`. */
  label?: string;
  /** `--metadata` pairs. */
  metadata: Record<string, string>;
  /** `--result-dir`. */
  resultDir?: string;
  /** `--append`: append to the result file (jsonl, vllm). */
  append: boolean;
  /** Per-request results file. */
  outputFile?: string;
  /** Its format. */
  outputFormat: FormatName;
  /** Percentiles reported in result files. */
  percentiles: number[];
  /** Goodput SLOs in ms, when given. */
  goodput?: { ttft?: number; tpot?: number; e2el?: number };
  /** Values each timing sample keeps exactly. */
  exactLimit: number;
  /** Exit 1 when any request's server disagreed with the plan (`--strict`). */
  strict: boolean;
  /**
   * The Prometheus page scraped during the run (`--server-metrics`); `false`
   * with `--no-server-metrics`; undefined: the server's `/metrics` when it
   * answers with Prometheus text at the start.
   */
  serverMetrics?: string | false;
  /** Seconds between scrapes (`--scrape-interval`, default 1). */
  scrapeInterval: number;
  /** Call vLLM's `/start_profile` before the run and `/stop_profile` after (`--profile`). */
  profile: boolean;
  /** Debug output. */
  debug: boolean;
  /** How requests are sent. */
  transport: TransportName;
  /**
   * Headers for every request (lower-case names): `--header` values and, when
   * the `--api-key-env` variable is set, `authorization: Bearer …`. Secret:
   * never print or write it.
   */
  headers: Record<string, string>;
  /** Ask for unstreamed responses. */
  disableStream: boolean;
  /** Seconds to wait for the server to answer before the run; 0 skips the check. */
  readyCheckTimeout: number;
  /** Connect, request and stall timeouts, seconds (`Infinity`: none). */
  timeouts: { connect: number; request: number; stall: number };
  /** Seconds requests in flight get to finish after an interrupt. */
  grace: number;
  /** `--shard I/N`: the part of the plan this process sends (default 0/1, all of it). */
  shard: Shard;
  /** `--start-at`: t = 0 of the plan, epoch seconds (shared by every shard); default now. */
  startAt?: number;
  /** `--workers`: Deno workers this process sends on, each a shard of its part (default 1). */
  workers: number;
}
