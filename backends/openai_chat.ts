/**
 * `openai-chat`: the OpenAI chat completions API (`POST /v1/chat/completions`).
 * The prompt is sent as one user message.
 *
 * @module
 */
import { openAiParser } from "./_openai.ts";
import type { Backend } from "./types.ts";

/** The `openai-chat` backend. */
export const openaiChat: Backend = {
  name: "openai-chat",
  defaultEndpoint: "/v1/chat/completions",
  features: { bestOf: false, beamSearch: false },
  buildRequest: (request) => {
    const body: Record<string, unknown> = {};
    if (request.model !== undefined) body.model = request.model;
    body.messages = [{ role: "user", content: request.prompt }];
    body.max_completion_tokens = request.maxTokens;
    body.ignore_eos = true;
    body.stream = true;
    body.stream_options = { include_usage: true };
    return { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  },
  createParser: () =>
    openAiParser((choice) => {
      const delta = choice.delta as Record<string, unknown> | undefined;
      if (!delta) return "";
      // Reasoning models stream their thinking first; it is generated text all
      // the same. DeepSeek, SGLang and llama.cpp call it `reasoning_content`,
      // newer vLLM and Ollama `reasoning`.
      return String(delta.reasoning_content ?? delta.reasoning ?? "") + String(delta.content ?? "");
    }),
};
