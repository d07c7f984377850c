/**
 * `openai`: the OpenAI completions API (`POST /v1/completions`), as served by
 * OpenAI-compatible servers.
 *
 * @module
 */
import {
  completionText,
  openAiBody,
  openAiFeatures,
  openAiModels,
  openAiParser,
} from "./_openai.ts";
import { jsonRequest } from "./_body.ts";
import type { Backend, GenerationRequest } from "./types.ts";

/** Body of a completions request asking for exactly `maxTokens`. */
export function completionsBody(
  request: GenerationRequest,
  streamOptions?: Record<string, unknown>,
): Record<string, unknown> {
  const body = openAiBody(
    request,
    { prompt: request.prompt, max_tokens: request.maxTokens },
    streamOptions,
  );
  if (request.bestOf !== undefined) body.best_of = request.bestOf;
  return body;
}

/** The `openai` backend. */
export const openai: Backend = {
  name: "openai",
  defaultEndpoint: "/v1/completions",
  features: openAiFeatures,
  modelList: openAiModels,
  buildRequest: (request) => jsonRequest(completionsBody(request), request),
  createParser: (request) => openAiParser(request, completionText),
};
