/**
 * The backend registry: every `--backend` name mib knows.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { openai } from "./openai.ts";
import { openaiChat } from "./openai_chat.ts";
import type { Backend, ParsedStream, TimedReads } from "./types.ts";
import { vllm } from "./vllm.ts";

export type * from "./types.ts";

/** Backends that work today, by `--backend` name. */
export const BACKENDS: Readonly<Record<string, Backend>> = {
  openai,
  "openai-chat": openaiChat,
  vllm,
};

/** Every backend name the seed documents; the ones not in {@linkcode BACKENDS} are not supported yet. */
export const BACKEND_NAMES: readonly string[] = [
  "tgi",
  "vllm",
  "cserve",
  "lmdeploy",
  "deepspeed-mii",
  "openai",
  "openai-chat",
  "tensorrt-llm",
];

/**
 * The backend called `name`, or a {@linkcode UsageError} on `--backend` that
 * lists the accepted names (or says the backend is not supported yet).
 */
export function getBackend(name: string): Backend {
  const backend = BACKENDS[name];
  if (backend) return backend;
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
export function parseReads(backend: Backend, reads: TimedReads): ParsedStream {
  const parser = backend.createParser();
  for (let i = 0; i < reads.bytes.length; i++) parser.feed(reads.bytes[i], reads.times[i]);
  return parser.finish();
}
