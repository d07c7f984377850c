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
import { jsonRequest } from "./_body.ts";
import type { StructuredOutput } from "./sampling.ts";
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

/**
 * A constraint in both of vLLM's forms: `structured_outputs` (v0.10.2 on) and
 * the `guided_json` / `guided_regex` / `guided_choice` fields before it. A
 * version that knows both reads `structured_outputs` (the deprecated fields
 * only when it is absent); one that knows only one ignores the other, with a
 * warning in its log.
 */
function vllmStructured(structured: StructuredOutput | undefined): Record<string, unknown> {
  switch (structured?.kind) {
    case undefined:
      return {};
    case "json":
      return { structured_outputs: { json: structured.schema }, guided_json: structured.schema };
    case "regex":
      return {
        structured_outputs: { regex: structured.pattern },
        guided_regex: structured.pattern,
      };
    case "choice":
      return {
        structured_outputs: { choice: structured.choices },
        guided_choice: structured.choices,
      };
  }
}

/** The `vllm` backend. */
export const vllm: Backend = {
  name: "vllm",
  defaultEndpoint: "/v1/completions",
  features: { ...openAiFeatures, beamSearch: true, structured: ["json", "regex", "choice"] },
  modelList: openAiModels,
  tokenize,
  buildRequest: (request) => {
    const body = completionsBody(request, { include_usage: true, continuous_usage_stats: true });
    if (request.useBeamSearch) body.use_beam_search = true;
    Object.assign(body, vllmStructured(request.structured));
    return jsonRequest(body, request);
  },
  createParser: (request) => openAiParser(request, completionText),
  forEndpoint: (endpoint) => (/\/generate\/?$/.test(endpoint) ? vllmLegacy : vllm),
};
