/**
 * The backend registry: every `--backend` name mib knows.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { cserve } from "./cserve.ts";
import { llamaCpp } from "./llama_cpp.ts";
import { lmdeploy } from "./lmdeploy.ts";
import { openai } from "./openai.ts";
import { openaiChat } from "./openai_chat.ts";
import { sglang } from "./sglang.ts";
import type { Backend, GenerationRequest, ParsedStream, TimedReads } from "./types.ts";
import { vllm } from "./vllm.ts";

export type * from "./types.ts";

/** Backends that work today, by `--backend` name. */
export const BACKENDS: Readonly<Record<string, Backend>> = {
  "vllm": vllm,
  "lmdeploy": lmdeploy,
  "cserve": cserve,
  "openai": openai,
  "openai-chat": openaiChat,
  "llama.cpp": llamaCpp,
  "sglang": sglang,
};

/** Every backend name mib accepts; the ones not in {@linkcode BACKENDS} are not supported yet. */
export const BACKEND_NAMES: readonly string[] = [
  "tgi",
  "vllm",
  "cserve",
  "lmdeploy",
  "deepspeed-mii",
  "openai",
  "openai-chat",
  "tensorrt-llm",
  "llama.cpp",
  "sglang",
  "ollama",
];

/**
 * The backend called `name` — the protocol variant for `endpoint` when one is
 * given — or a {@linkcode UsageError} on `--backend` that lists the accepted
 * names (or says the backend is not supported yet).
 *
 * @example
 * ```ts
 * getBackend("vllm").defaultEndpoint; // "/v1/completions"
 * getBackend("vllm", "/generate").defaultEndpoint; // "/generate" (the legacy server)
 * ```
 */
export function getBackend(name: string, endpoint?: string): Backend {
  const backend = BACKENDS[name];
  if (backend) {
    return endpoint !== undefined && backend.forEndpoint ? backend.forEndpoint(endpoint) : backend;
  }
  if (BACKEND_NAMES.includes(name)) {
    throw new UsageError(
      "--backend",
      `"${name}" is not supported yet; supported now: ${Object.keys(BACKENDS).join(", ")}`,
    );
  }
  throw new UsageError(
    "--backend",
    `unknown backend "${name}"; expected one of ${BACKEND_NAMES.join(", ")}`,
  );
}

/**
 * Replays recorded reads through `backend`'s parser, as the transport would
 * have fed them.
 *
 * @example
 * ```ts
 * const parsed = parseReads(getBackend("openai"), { times: [1], bytes: [bytes] });
 * ```
 */
export function parseReads(
  backend: Backend,
  reads: TimedReads,
  request: GenerationRequest = { prompt: "", maxTokens: 0 },
): ParsedStream {
  const parser = backend.createParser(request);
  for (let i = 0; i < reads.bytes.length; i++) parser.feed(reads.bytes[i], reads.times[i]);
  return parser.finish();
}
