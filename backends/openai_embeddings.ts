/**
 * `openai-embeddings`: the OpenAI embeddings API (`POST /v1/embeddings`), as
 * OpenAI, vLLM, SGLang, llama.cpp (`--embeddings`) and TEI's OpenAI route
 * serve it.
 *
 * Body `{model, input: [texts]}` (the `--batch` inputs of the request); the
 * answer is `{object: "list", data: [{object: "embedding", index, embedding:
 * [floats]}], model, usage: {prompt_tokens, total_tokens}}`, one entry per
 * input, whole (never streamed). `usage.prompt_tokens` is the server's count
 * of every input's tokens.
 *
 * Source: OpenAI's API reference (Embeddings); vLLM
 * `vllm/entrypoints/pooling/embed/protocol.py`.
 *
 * @module
 */
import { openAiModels } from "./_openai.ts";
import {
  inputsOf,
  listLength,
  poolingBody,
  poolingFeatures,
  poolingParser,
  usagePromptTokens,
} from "./_pooling.ts";
import type { Backend } from "./types.ts";

/** The `openai-embeddings` backend. */
export const openaiEmbeddings: Backend = {
  name: "openai-embeddings",
  defaultEndpoint: "/v1/embeddings",
  features: poolingFeatures("embed"),
  modelList: openAiModels,
  buildRequest: (request) => poolingBody(request, { input: inputsOf(request) }),
  createParser: (request) =>
    poolingParser(inputsOf(request).length, (json) => ({
      count: listLength(json, "data"),
      promptTokens: usagePromptTokens(json),
    })),
};
