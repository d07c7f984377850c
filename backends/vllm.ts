/**
 * `vllm`: vLLM's OpenAI-compatible server (`vllm serve`), completions API, with
 * vLLM's extra sampling parameters `ignore_eos`, `best_of` and
 * `use_beam_search`, and `continuous_usage_stats` so every chunk says how many
 * tokens it carried.
 *
 * @module
 */
import { completionText, openAiParser } from "./_openai.ts";
import { completionsBody } from "./openai.ts";
import type { Backend } from "./types.ts";

/** The `vllm` backend. */
export const vllm: Backend = {
  name: "vllm",
  defaultEndpoint: "/v1/completions",
  features: { bestOf: true, beamSearch: true },
  buildRequest: (request) => {
    const body = completionsBody(request);
    body.stream_options = { include_usage: true, continuous_usage_stats: true };
    if (request.useBeamSearch) body.use_beam_search = true;
    return { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  },
  createParser: () => openAiParser(completionText),
};
