/**
 * `openai`: the OpenAI completions API (`POST /v1/completions`), as served by
 * OpenAI-compatible servers.
 *
 * @module
 */
import { completionText, openAiParser } from "./_openai.ts";
import type { Backend, GenerationRequest } from "./types.ts";

/** Body of a streamed completions request asking for exactly `maxTokens`. */
export function completionsBody(request: GenerationRequest): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (request.model !== undefined) body.model = request.model;
  body.prompt = request.prompt;
  body.max_tokens = request.maxTokens;
  // Servers stop at end-of-sequence otherwise, and output lengths drift from the plan.
  body.ignore_eos = true;
  body.stream = true;
  body.stream_options = { include_usage: true };
  if (request.bestOf !== undefined) body.best_of = request.bestOf;
  return body;
}

/** The `openai` backend. */
export const openai: Backend = {
  name: "openai",
  defaultEndpoint: "/v1/completions",
  features: { bestOf: true, beamSearch: false },
  buildRequest: (request) => ({
    body: JSON.stringify(completionsBody(request)),
    headers: { "content-type": "application/json" },
  }),
  createParser: () => openAiParser(completionText),
};
