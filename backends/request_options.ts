/**
 * What a run asks of a backend beyond one generation: the endpoint path, and
 * whether the backend's protocol can carry the request options given.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import {
  SAMPLING_FLAGS,
  SAMPLING_NAMES,
  type SamplingOptions,
  STRUCTURED_FLAGS,
  type StructuredOutput,
} from "./sampling.ts";
import type { Backend } from "./types.ts";

/** The request options a run may ask a backend for. */
export interface RequestOptions {
  /** `--disable-stream`: ask for unstreamed responses. */
  disableStream: boolean;
  /** `--best-of`. */
  bestOf?: number;
  /** `--use-beam-search`. */
  useBeamSearch: boolean;
  /** `--multi-turn` (or `--turns`): requests carry a conversation's history. */
  multiTurn?: boolean;
  /** Sampling options given (`--temperature`, …). */
  sampling?: SamplingOptions;
  /** `--seed-per-request`. */
  seedPerRequest?: boolean;
  /** `--ignore-eos` (true) or `--no-ignore-eos` (false); undefined: the default. */
  ignoreEos?: boolean;
  /** `--json-schema`, `--regex` or `--choice`. */
  structured?: StructuredOutput;
}

/**
 * Checks that `backend` can carry `options`.
 *
 * @throws {UsageError} naming the flag and the backend that cannot carry it.
 *
 * @example
 * ```ts
 * import { getBackend } from "./mod.ts";
 * import { checkRequestOptions } from "./request_options.ts";
 *
 * // TGI takes best_of only unstreamed: this passes, and throws without disableStream.
 * checkRequestOptions(getBackend("tgi"), { disableStream: true, bestOf: 2, useBeamSearch: false });
 * ```
 */
export function checkRequestOptions(backend: Backend, options: RequestOptions): void {
  const { bestOf, beamSearch, stream } = backend.features;
  const name = backend.name;
  if (options.disableStream && stream === "always") {
    throw new UsageError("--disable-stream", `backend ${name} always streams`);
  }
  const streamed = !options.disableStream && stream !== "never";
  if (options.bestOf !== undefined && (!bestOf || (bestOf === "unstreamed" && streamed))) {
    throw new UsageError(
      "--best-of",
      bestOf === "unstreamed"
        ? `backend ${name} accepts best_of only with --disable-stream`
        : `backend ${name} does not accept best_of`,
    );
  }
  if (options.useBeamSearch && !beamSearch) {
    throw new UsageError(
      "--use-beam-search",
      `backend ${name} does not support beam search; use --backend vllm`,
    );
  }
  if (options.multiTurn && !backend.features.chat) {
    throw new UsageError(
      "--multi-turn",
      `backend ${name} cannot carry a conversation's history; use --backend openai-chat`,
    );
  }
  checkSampling(backend, options);
}

/** Refuses the sampling, end-of-sequence and structured options `backend` has no field for. */
function checkSampling(backend: Backend, options: RequestOptions): void {
  const { sampling = {}, ignoreEos = false, structured = [] } = backend.features;
  const name = backend.name;
  const given = SAMPLING_NAMES.filter((option) =>
    option === "seed" ? options.seedPerRequest === true : options.sampling?.[option] !== undefined
  );
  for (const option of given) {
    if (sampling[option] === undefined) {
      throw new UsageError(
        SAMPLING_FLAGS[option],
        `backend ${name}'s protocol has no such field; give it with --extra-body JSON if your server takes one`,
      );
    }
  }
  if (options.ignoreEos === true && !ignoreEos) {
    throw new UsageError(
      "--ignore-eos",
      `backend ${name}'s protocol has no ignore_eos (its server may stop early at end-of-sequence; that is noted per request)`,
    );
  }
  const kind = options.structured?.kind;
  if (kind !== undefined && !structured.includes(kind)) {
    const takes = structured.length === 0
      ? "no output constraint"
      : `only ${structured.map((k) => STRUCTURED_FLAGS[k]).join(", ")}`;
    throw new UsageError(
      STRUCTURED_FLAGS[kind],
      `backend ${name}'s protocol takes ${takes}; give the server's own field with --extra-body JSON`,
    );
  }
}

/** Whether requests to `backend` stream under `options`. */
export function streams(backend: Backend, options: Pick<RequestOptions, "disableStream">): boolean {
  return !options.disableStream && backend.features.stream !== "never";
}

/**
 * The endpoint path for `backend`: `endpoint` when given, else its unstreamed
 * or default one, with `{model}` filled in.
 *
 * @example
 * ```ts
 * import { getBackend } from "./mod.ts";
 * import { endpointPath } from "./request_options.ts";
 *
 * endpointPath(getBackend("tensorrt-llm"), { model: "ensemble" }); // "/v2/models/ensemble/generate_stream"
 * ```
 */
export function endpointPath(
  backend: Backend,
  options: { endpoint?: string; disableStream?: boolean; model?: string },
): string {
  const path = options.endpoint ??
    (options.disableStream ? backend.unstreamedEndpoint : undefined) ??
    backend.defaultEndpoint;
  return path.replaceAll("{model}", encodeURIComponent(options.model ?? ""));
}

/** What a run sends beyond one prompt per request, checked by {@linkcode checkWorkload}. */
export interface WorkloadOptions {
  /** `--batch`. */
  batch?: number;
  /** Images are sent (`--image-count`, `--image-size`, `--image-dir`), and by which flag. */
  imagesFlag?: string;
  /** `--output-token-distribution` was given. */
  outputGiven: boolean;
  /** The arrivals are a trace replay (whose rows are generations). */
  trace: boolean;
  /** SLOs of `--goodput`, by metric. */
  goodput?: { ttft?: number; tpot?: number; e2el?: number };
}

/** The pooling backends, for the errors that send the user to them. */
const POOLING_HINT = "openai-embeddings, tei, vllm-pooling";

/**
 * Checks that `backend` can carry the workload: `--batch` only for a
 * pooling backend (which generates nothing, so takes no output length, no
 * trace of generations and no TTFT or TPOT goodput); images only for a
 * backend that carries them.
 *
 * @throws {UsageError} naming the flag and the backend.
 *
 * @example
 * ```ts
 * import { getBackend } from "./mod.ts";
 * import { checkWorkload } from "./request_options.ts";
 *
 * checkWorkload(getBackend("tei"), { batch: 8, outputGiven: false, trace: false }); // passes
 * ```
 */
export function checkWorkload(backend: Backend, options: WorkloadOptions): void {
  const { name } = backend;
  const task = backend.features.pooling;
  if (task === undefined) {
    if (options.batch !== undefined) {
      throw new UsageError(
        "--batch",
        `backend ${name} generates from one prompt per request; --batch is for the pooling backends (${POOLING_HINT})`,
      );
    }
  } else {
    const why = `backend ${name} generates no tokens (${task})`;
    if (options.outputGiven) throw new UsageError("--output-token-distribution", why);
    if (options.trace) {
      throw new UsageError("--request-distribution", `a trace replays generations; ${why}`);
    }
    const slo = (["ttft", "tpot"] as const).find((k) => options.goodput?.[k] !== undefined);
    if (slo !== undefined) throw new UsageError("--goodput", `${slo}: ${why}; give e2el:MS`);
  }
  if (options.imagesFlag !== undefined && !backend.features.images) {
    throw new UsageError(
      options.imagesFlag,
      `backend ${name} cannot carry images; use openai-chat (vLLM, llama.cpp, SGLang, OpenAI) or ollama`,
    );
  }
}
