/**
 * `openai-chat`: the OpenAI chat completions API (`POST /v1/chat/completions`).
 * The prompt is sent as one user message, or a multi-turn session's history
 * as its messages (`GenerationRequest.messages`).
 *
 * @module
 */
import { openAiBody, openAiFeatures, openAiModels, openAiParser } from "./_openai.ts";
import { jsonRequest } from "./_body.ts";
import type { Backend, GenerationRequest } from "./types.ts";

/**
 * The user message's content: the prompt alone, or with images the OpenAI
 * content parts, the text first, then each image as a base64 data URL.
 */
function userContent(request: GenerationRequest): unknown {
  if (!request.images?.length) return request.prompt;
  return [
    { type: "text", text: request.prompt },
    ...request.images.map((image) => ({
      type: "image_url",
      image_url: { url: `data:${image.mime};base64,${image.base64}` },
    })),
  ];
}

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
  features: { ...openAiFeatures, bestOf: false, chat: true, images: true, structured: ["json"] },
  modelList: openAiModels,
  buildRequest: (request) => {
    const body = openAiBody(request, {
      messages: request.messages ?? [{ role: "user", content: userContent(request) }],
      // Both, equal: vLLM, SGLang and current llama.cpp read max_completion_tokens
      // (max_tokens is its deprecated alias); llama.cpp builds of early 2025, TGI
      // and lmdeploy read only max_tokens and ignore the other.
      max_tokens: request.maxTokens,
      max_completion_tokens: request.maxTokens,
    });
    const structured = request.structured;
    if (structured?.kind === "json") {
      // OpenAI's structured outputs, which vLLM, SGLang and llama.cpp also read.
      body.response_format = {
        type: "json_schema",
        json_schema: { name: structured.name, schema: structured.schema },
      };
    }
    return jsonRequest(body, request);
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
