/**
 * `lmdeploy`: LMDeploy's `api_server`, OpenAI-compatible completions
 * (`POST /v1/completions`, default port 23333). It takes `ignore_eos` and
 * reports usage in a last chunk when `stream_options.include_usage` is set.
 * Its sampling defaults differ from OpenAI's (top_k 40, temperature 0.7).
 *
 * @module
 */
import { openai } from "./openai.ts";
import type { Backend } from "./types.ts";

/** The `lmdeploy` backend. */
export const lmdeploy: Backend = {
  ...openai,
  name: "lmdeploy",
  // Its CompletionRequest has no best_of.
  features: { ...openai.features, bestOf: false },
};
