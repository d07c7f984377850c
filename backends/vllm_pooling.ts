/**
 * `vllm-pooling`: vLLM serving a pooling model (`vllm serve MODEL --runner
 * pooling`, or an embedding or cross-encoder model), on the endpoint given:
 *
 * - `/pooling` (the default) `{model, input: [texts]}` →
 *   `{data: [{index, object: "pooling", data: [floats]}], usage}`;
 * - `/v1/embeddings`: the OpenAI embeddings API (as `openai-embeddings`);
 * - `/rerank`, `/v1/rerank`, `/v2/rerank` (Jina/Cohere style)
 *   `{model, query, documents: [texts]}` →
 *   `{id, model, usage, results: [{index, document, relevance_score}]}`;
 * - `/score`, `/v1/score` `{model, text_1: query, text_2: [texts]}` →
 *   `{data: [{index, object: "score", score}], usage}`.
 *
 * Each answer is whole (never streamed) and its `usage.prompt_tokens` is the
 * server's count of every input (for rerank and score, every query–document
 * pair, special tokens included).
 *
 * Source: vLLM `vllm/entrypoints/pooling/pooling/protocol.py`,
 * `vllm/entrypoints/pooling/scoring/protocol.py` (`RerankRequest`,
 * `RerankResponse`, `ScoreResponse`).
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
  queryOf,
  usagePromptTokens,
} from "./_pooling.ts";
import { openaiEmbeddings } from "./openai_embeddings.ts";
import type { Backend, GenerationRequest, StreamParser } from "./types.ts";

/** A parser counting the entries of `key` in the answer, with `usage.prompt_tokens`. */
const listParser = (key: string) => (request: GenerationRequest): StreamParser =>
  poolingParser(inputsOf(request).length, (json) => ({
    count: listLength(json, key),
    promptTokens: usagePromptTokens(json),
  }));

/** A variant of `vllm-pooling` speaking another of vLLM's pooling protocols. */
function variant(fields: Omit<Backend, "name" | "modelList" | "forEndpoint">): Backend {
  return {
    name: "vllm-pooling",
    modelList: openAiModels,
    ...fields,
    forEndpoint: (endpoint) => vllmPooling.forEndpoint!(endpoint),
  };
}

const embeddings = variant({ ...openaiEmbeddings, defaultEndpoint: "/v1/embeddings" });

const rerank = variant({
  defaultEndpoint: "/rerank",
  features: poolingFeatures("rerank"),
  buildRequest: (request) =>
    poolingBody(request, { query: queryOf(request), documents: inputsOf(request) }),
  createParser: listParser("results"),
});

const score = variant({
  defaultEndpoint: "/score",
  features: poolingFeatures("rerank"),
  buildRequest: (request) =>
    poolingBody(request, { text_1: queryOf(request), text_2: inputsOf(request) }),
  createParser: listParser("data"),
});

/** The `vllm-pooling` backend: `/pooling`, or the protocol its endpoint names. */
export const vllmPooling: Backend = {
  name: "vllm-pooling",
  defaultEndpoint: "/pooling",
  features: poolingFeatures("embed"),
  modelList: openAiModels,
  buildRequest: (request) => poolingBody(request, { input: inputsOf(request) }),
  createParser: listParser("data"),
  forEndpoint(endpoint) {
    const path = endpoint.replace(/\/+$/, "");
    if (/\/embeddings$/.test(path)) return embeddings;
    if (/\/rerank$/.test(path)) return rerank;
    if (/\/score$/.test(path)) return score;
    return vllmPooling;
  },
};
