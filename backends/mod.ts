/**
 * The backend registry: every `--backend` name mib knows.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { cserve } from "./cserve.ts";
import { deepspeedMii } from "./deepspeed_mii.ts";
import { llamaCpp } from "./llama_cpp.ts";
import { lmdeploy } from "./lmdeploy.ts";
import { ollama } from "./ollama.ts";
import { openai } from "./openai.ts";
import { openaiChat } from "./openai_chat.ts";
import { openaiEmbeddings } from "./openai_embeddings.ts";
import { sglang } from "./sglang.ts";
import { tensorrtLlm } from "./tensorrt_llm.ts";
import { tei } from "./tei.ts";
import { tgi } from "./tgi.ts";
import type { Backend, GenerationRequest, ParsedStream, TimedReads } from "./types.ts";
import { vllm } from "./vllm.ts";
import { vllmPooling } from "./vllm_pooling.ts";

export type * from "./types.ts";

/** Every backend, by `--backend` name. */
export const BACKENDS: Readonly<Record<string, Backend>> = {
  "tgi": tgi,
  "vllm": vllm,
  "cserve": cserve,
  "lmdeploy": lmdeploy,
  "deepspeed-mii": deepspeedMii,
  "openai": openai,
  "openai-chat": openaiChat,
  "tensorrt-llm": tensorrtLlm,
  "llama.cpp": llamaCpp,
  "sglang": sglang,
  "ollama": ollama,
  "openai-embeddings": openaiEmbeddings,
  "tei": tei,
  "vllm-pooling": vllmPooling,
};

/** Every `--backend` name, in registry order. */
export const BACKEND_NAMES: readonly string[] = Object.keys(BACKENDS);

/**
 * The backend called `name` in `registry` (every built-in backend unless
 * given) — the protocol variant for `endpoint` when one is given — or a
 * {@linkcode UsageError} on `--backend` that lists the accepted names.
 *
 * @example
 * ```ts
 * getBackend("vllm").defaultEndpoint; // "/v1/completions"
 * getBackend("vllm", "/generate").defaultEndpoint; // "/generate" (the legacy server)
 * ```
 */
export function getBackend(
  name: string,
  endpoint?: string,
  registry: Readonly<Record<string, Backend>> = BACKENDS,
): Backend {
  const backend = Object.hasOwn(registry, name) ? registry[name] : undefined;
  if (backend) {
    return endpoint !== undefined && backend.forEndpoint ? backend.forEndpoint(endpoint) : backend;
  }
  throw new UsageError(
    "--backend",
    `unknown backend "${name}"; expected one of ${Object.keys(registry).join(", ")}`,
  );
}

/**
 * Replays recorded reads through `backend`'s parser, as the transport would
 * have fed them.
 *
 * @example
 * ```ts
 * import { getBackend, parseReads } from "./mod.ts";
 *
 * const bytes = new TextEncoder().encode('data: {"choices":[{"text":" hi"}]}\n\ndata: [DONE]\n\n');
 * const parsed = parseReads(getBackend("openai"), { times: [1], bytes: [bytes] });
 * parsed.chunks[0].text; // " hi"
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
