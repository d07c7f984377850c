/**
 * The request options beyond one generation's prompt and length: sampling
 * (`--temperature`, `--top-p`, `--top-k`, `--min-p`, `--repetition-penalty`,
 * `--stop`, `--seed-per-request`), end-of-sequence (`--ignore-eos`),
 * structured outputs (`--json-schema`, `--regex`, `--choice`) and the extra
 * body (`--extra-body`), independent of any server's field names. Each
 * backend maps them to its own fields (its {@linkcode SamplingFields}), and
 * `backends/request_options.ts` refuses those its protocol has no field for.
 *
 * @module
 */
import type { GenerationRequest } from "./types.ts";

/** The sampling options, by their names here. */
export const SAMPLING_NAMES = [
  "temperature",
  "topP",
  "topK",
  "minP",
  "repetitionPenalty",
  "stop",
  "seed",
] as const;

/** One sampling option's name. */
export type SamplingName = typeof SAMPLING_NAMES[number];

/** The flag of each sampling option, for errors. */
export const SAMPLING_FLAGS: Readonly<Record<SamplingName, string>> = {
  temperature: "--temperature",
  topP: "--top-p",
  topK: "--top-k",
  minP: "--min-p",
  repetitionPenalty: "--repetition-penalty",
  stop: "--stop",
  seed: "--seed-per-request",
};

/** Sampling options given for every request; each absent unless given. */
export interface SamplingOptions {
  /** `--temperature`. */
  temperature?: number;
  /** `--top-p`. */
  topP?: number;
  /** `--top-k`. */
  topK?: number;
  /** `--min-p`. */
  minP?: number;
  /** `--repetition-penalty` (Ollama and llama.cpp call it `repeat_penalty`). */
  repetitionPenalty?: number;
  /** `--stop`: stop sequences. */
  stop?: string[];
  /** This request's seed (`--seed-per-request`; see {@linkcode requestSeed}). */
  seed?: number;
}

/**
 * Where a protocol puts each sampling option: the field name, by option
 * (absent: the protocol has no such field, and the option is refused).
 */
export type SamplingFields = Readonly<Partial<Record<SamplingName, string>>>;

/**
 * The sampling field names of llama.cpp's `/completion` and of Ollama's
 * `options` (both llama.cpp's sampler underneath: `repeat_penalty`).
 */
export const GGML_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  minP: "min_p",
  repetitionPenalty: "repeat_penalty",
  stop: "stop",
  seed: "seed",
};

/** The kinds of output constraint. */
export const STRUCTURED_KINDS = ["json", "regex", "choice"] as const;

/** One kind of output constraint. */
export type StructuredKind = typeof STRUCTURED_KINDS[number];

/** The flag of each kind of constraint, for errors. */
export const STRUCTURED_FLAGS: Readonly<Record<StructuredKind, string>> = {
  json: "--json-schema",
  regex: "--regex",
  choice: "--choice",
};

/** A constraint on the form of the output. */
export type StructuredOutput =
  | {
    /** The output is JSON valid against `schema` (`--json-schema FILE`). */
    readonly kind: "json";
    /** The JSON schema. */
    readonly schema: Record<string, unknown>;
    /** A name for it (OpenAI's `json_schema.name`): the file's base name. */
    readonly name: string;
  }
  | {
    /** The whole output matches `pattern` (`--regex`). */
    readonly kind: "regex";
    /** The regular expression, as given. */
    readonly pattern: string;
  }
  | {
    /** The output is exactly one of `choices` (`--choice a,b,c`). */
    readonly kind: "choice";
    /** The choices. */
    readonly choices: readonly string[];
  };

/** Seeds of `--seed-per-request` wrap here: every server's seed field takes them (int32). */
export const REQUEST_SEED_MODULUS = 2 ** 31;

/**
 * The seed request `index` of the plan is sent with under
 * `--seed-per-request`: (run seed + plan index) mod 2^31, never negative. A
 * shard's request keeps its plan index, so every shard sends the seeds one
 * client would.
 *
 * @example
 * ```ts
 * requestSeed(0, 5); // 5
 * requestSeed(-1, 0); // 2147483647
 * ```
 */
export function requestSeed(runSeed: number, index: number): number {
  const m = REQUEST_SEED_MODULUS;
  return (((runSeed + index) % m) + m) % m;
}

/**
 * The options set in `sampling`, under the names of `fields` (options the
 * protocol has no field for are left out: `checkRequestOptions` refused them).
 *
 * @example
 * ```ts
 * samplingBody({ temperature: 0, topK: 5 }, { temperature: "temperature", topK: "top_k" });
 * // { temperature: 0, top_k: 5 }
 * ```
 */
export function samplingBody(
  sampling: SamplingOptions | undefined,
  fields: SamplingFields,
): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (sampling === undefined) return body;
  for (const name of SAMPLING_NAMES) {
    const value = sampling[name];
    const field = fields[name];
    if (value !== undefined && field !== undefined) body[field] = value;
  }
  return body;
}

/** `text` with the characters regular expressions treat specially escaped. */
function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A regular expression matching exactly one of `choices`, for servers that
 * take a regex but no list of choices (TGI, SGLang).
 *
 * @example
 * ```ts
 * choiceRegex(["yes", "no", "a.b"]); // "(yes|no|a\\.b)"
 * ```
 */
export function choiceRegex(choices: readonly string[]): string {
  return `(${choices.map(escapeRegex).join("|")})`;
}

/**
 * A GBNF grammar (llama.cpp's) whose only sentences are `choices`.
 *
 * @example
 * ```ts
 * choiceGrammar(["yes", "no"]); // 'root ::= "yes" | "no"'
 * ```
 */
export function choiceGrammar(choices: readonly string[]): string {
  const literal = (c: string) =>
    `"${c.replace(/[\\"]/g, "\\$&").replace(/\n/g, "\\n").replace(/\r/g, "\\r")}"`;
  return `root ::= ${choices.map(literal).join(" | ")}`;
}

/**
 * `request` as request `index` of the plan sends it: with its
 * `--seed-per-request` seed (see {@linkcode requestSeed}) when it has a seed
 * base, else as it is.
 */
export function seededRequest(request: GenerationRequest, index: number): GenerationRequest {
  if (request.seedBase === undefined) return request;
  return {
    ...request,
    sampling: { ...request.sampling, seed: requestSeed(request.seedBase, index) },
  };
}

/** The sampling fields of the OpenAI-style servers (vLLM, SGLang, llama.cpp, lmdeploy read them all). */
export const OPENAI_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  minP: "min_p",
  repetitionPenalty: "repetition_penalty",
  stop: "stop",
  seed: "seed",
};
