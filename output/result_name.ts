/**
 * `--result-dir`'s file name when `--output-file` gives none: the name
 * `vllm bench serve --save-result` gives its result file.
 *
 * @module
 */
import { formatSpec, type RampSpec, type RequestDistribution } from "../distributions/mod.ts";
import { vllmArrivalFields } from "../distributions/mod.ts";
import { vllmDate } from "./vllm.ts";

/** What the name is made of. */
export interface ResultNameParts {
  /** `--label`; vLLM's default is the backend (its `endpoint_type`). */
  label?: string;
  /** `--backend`. */
  backend: string;
  /** The arrivals (vLLM's `--request-rate`). */
  arrival: RequestDistribution;
  /** The ramp, if any. */
  ramp?: RampSpec;
  /** `--max-concurrency`. */
  maxConcurrency?: number;
  /** The model id (its last `/`-part is used). */
  model?: string;
  /** When the file is named (vLLM's `current_dt`, local time). */
  date: Date;
  /** The file's extension: vLLM's `.json`, or the format's. */
  extension: string;
}

/** A number as Python's `str(float)` writes it: `4.0`, `0.5`, `inf`. */
export function pythonFloat(x: number): string {
  if (x === Infinity) return "inf";
  return Number.isInteger(x) ? `${x}.0` : String(x);
}

/**
 * vLLM's result file name:
 * `{label}-{request_rate}qps{-concurrency{N}}-{model basename}-{YYYYMMDD-HHMMSS}.json`,
 * or with a ramp
 * `{label}-ramp-up-{strategy}-{start}qps-{end}qps{-concurrency{N}}-{model basename}-{date}.json`
 * (rates as Python floats: `4.0qps`, `infqps`). A mib arrival vLLM has no
 * rate for (constant, uniform, normal, a trace) is named by its spec
 * (`constant_0.5qps`). Without a model the basename is `none`.
 *
 * @example
 * ```ts
 * import { vllmResultName } from "./result_name.ts";
 *
 * vllmResultName({
 *   backend: "vllm",
 *   arrival: { kind: "poisson", rate: 4 },
 *   maxConcurrency: 8,
 *   model: "meta-llama/Llama-3.1-8B",
 *   date: new Date(2025, 0, 2, 3, 4, 5),
 *   extension: ".json",
 * }); // "vllm-4.0qps-concurrency8-Llama-3.1-8B-20250102-030405.json"
 * ```
 */
export function vllmResultName(parts: ResultNameParts): string {
  const label = parts.label ?? parts.backend;
  const concurrency = parts.maxConcurrency === undefined
    ? ""
    : `-concurrency${parts.maxConcurrency}`;
  const model = (parts.model ?? "none").split("/").at(-1) || "none";
  const tail = `${concurrency}-${model}-${vllmDate(parts.date)}${parts.extension}`;
  const { ramp, arrival } = parts;
  if (ramp !== undefined) {
    return `${label}-ramp-up-${ramp.strategy}-${pythonFloat(ramp.startRps)}qps-${
      pythonFloat(ramp.endRps)
    }qps${tail}`;
  }
  const rate = arrival.kind === "trace" ? null : vllmArrivalFields(arrival).request_rate;
  const rateText = rate === null
    ? (arrival.kind === "trace" ? "trace" : formatSpec(arrival)).replaceAll(" ", "_")
    : pythonFloat(rate === "inf" ? Infinity : rate);
  return `${label}-${rateText}qps${tail}`;
}
