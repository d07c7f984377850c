/**
 * `openai-chat`: the OpenAI chat completions API (`POST /v1/chat/completions`).
 * The prompt is sent as one user message.
 *
 * @module
 */
import { openAiBody, openAiFeatures, openAiModels, openAiParser } from "./_openai.ts";
import type { Backend } from "./types.ts";

/**
 * The reasoning text of a message: reasoning models send their thinking
 * first, in a field of its own. DeepSeek, SGLang, llama.cpp and vLLM's
 * reasoning parsers call it `reasoning_content`, newer vLLM and Ollama
 * `reasoning`.
 */
function messageReasoning(message: Record<string, unknown> | undefined): string {
  if (!message) return "";
  return String(message.reasoning_content ?? message.reasoning ?? "");
}

/** Reasoning text first, then content: both are generated text. */
function messageText(message: Record<string, unknown> | undefined): string {
  if (!message) return "";
  return messageReasoning(message) + String(message.content ?? "");
}

/** The `openai-chat` backend. */
export const openaiChat: Backend = {
  name: "openai-chat",
  defaultEndpoint: "/v1/chat/completions",
  features: { ...openAiFeatures, bestOf: false },
  modelList: openAiModels,
  buildRequest: (request) => {
    const body = openAiBody(request, {
      messages: [{ role: "user", content: request.prompt }],
      // Both, equal: vLLM, SGLang and current llama.cpp read max_completion_tokens
      // (max_tokens is its deprecated alias); llama.cpp builds of early 2025, TGI
      // and lmdeploy read only max_tokens and ignore the other.
      max_tokens: request.maxTokens,
      max_completion_tokens: request.maxTokens,
    });
    return { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  },
  createParser: (request) =>
    openAiParser(
      request,
      (choice) => messageText(choice.delta as Record<string, unknown> | undefined),
      (choice) => messageText(choice.message as Record<string, unknown> | undefined),
      {
        streamed: (choice) => messageReasoning(choice.delta as Record<string, unknown> | undefined),
        whole: (choice) => messageReasoning(choice.message as Record<string, unknown> | undefined),
      },
    ),
};
