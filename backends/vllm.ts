/**
 * `vllm`: vLLM's OpenAI-compatible server (`vllm serve`), completions API, with
 * vLLM's extra parameters `ignore_eos`, `best_of` and `use_beam_search`, and
 * `continuous_usage_stats` so every chunk says how many tokens it carried.
 * With `--endpoint /generate` it speaks vLLM's legacy demo server instead
 * (`backends/vllm_legacy.ts`).
 *
 * @module
 */
import { completionText, openAiFeatures, openAiModels, openAiParser } from "./_openai.ts";
import { completionsBody } from "./openai.ts";
import type { Backend, TokenizeEndpoint } from "./types.ts";
import { vllmLegacy } from "./vllm_legacy.ts";

/**
 * vLLM's `POST /tokenize {"model", "prompt", "add_special_tokens": false}` →
 * `{"count", "tokens", "max_model_len"}`, one text per call.
 */
const tokenize: TokenizeEndpoint = {
  path: "/tokenize",
  maxTexts: 1,
  body: ([prompt], model) => ({ model, prompt, add_special_tokens: false }),
  counts: (json) => {
    const count = (json as { count?: unknown } | null)?.count;
    return Number.isInteger(count) ? [count as number] : undefined;
  },
};

/** The `vllm` backend. */
export const vllm: Backend = {
  name: "vllm",
  defaultEndpoint: "/v1/completions",
  features: { ...openAiFeatures, beamSearch: true },
  modelList: openAiModels,
  tokenize,
  buildRequest: (request) => {
    const body = completionsBody(request, { include_usage: true, continuous_usage_stats: true });
    if (request.useBeamSearch) body.use_beam_search = true;
    return { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  },
  createParser: (request) => openAiParser(request, completionText),
  forEndpoint: (endpoint) => (/\/generate\/?$/.test(endpoint) ? vllmLegacy : vllm),
};
