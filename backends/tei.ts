/**
 * `tei`: Hugging Face text-embeddings-inference's native API (default port
 * 8080 in its container, 80 inside Inference Endpoints).
 *
 * - `POST /embed` (the default) `{inputs: [texts]}` → `[[floats], ...]`, one
 *   vector per input;
 * - `POST /rerank` (`--endpoint /rerank`, a reranker model)
 *   `{query, texts: [texts]}` → `[{index, score}, ...]`, one score per text.
 *
 * TEI names no model in the body (it serves one) and puts its counts in
 * response headers, not the body: `x-compute-tokens` is the tokens it
 * computed (every input; for rerank every query–text pair), which mib keeps
 * as the server's prompt count; `x-compute-time`, `x-queue-time`,
 * `x-inference-time` are its own milliseconds. `GET /info` gives `model_id`.
 * Errors are `{error, error_type}` with status 4xx/5xx (413 for a batch over
 * `--max-client-batch-size`).
 *
 * Source: `huggingface/text-embeddings-inference` `router/src/http/server.rs`,
 * `router/src/lib.rs` (`ResponseMetadata` headers).
 *
 * @module
 */
import { inputsOf, listLength, poolingFeatures, poolingParser, queryOf } from "./_pooling.ts";
import type { Backend, BuiltRequest, ModelList } from "./types.ts";

/** TEI's header counting the tokens it computed. */
const TOKENS_HEADER = "x-compute-tokens";

/** `GET /info`: the one model TEI serves. */
const teiInfo: ModelList = {
  path: "/info",
  ids: (json) => {
    const id = (json as { model_id?: unknown } | null)?.model_id;
    return typeof id === "string" ? [id] : [];
  },
};

const jsonBody = (fields: Record<string, unknown>): BuiltRequest => ({
  body: JSON.stringify(fields),
  headers: { "content-type": "application/json" },
});

/** TEI's `/rerank`: one score per text against the query. */
const teiRerank: Backend = {
  name: "tei",
  defaultEndpoint: "/rerank",
  features: poolingFeatures("rerank"),
  modelList: teiInfo,
  buildRequest: (request) => jsonBody({ query: queryOf(request), texts: inputsOf(request) }),
  createParser: (request) =>
    poolingParser(inputsOf(request).length, (json) => ({ count: listLength(json) }), TOKENS_HEADER),
  forEndpoint: (endpoint) => tei.forEndpoint!(endpoint),
};

/** The `tei` backend: `/embed`, or `/rerank` when the endpoint names it. */
export const tei: Backend = {
  name: "tei",
  defaultEndpoint: "/embed",
  features: poolingFeatures("embed"),
  modelList: teiInfo,
  buildRequest: (request) => jsonBody({ inputs: inputsOf(request) }),
  createParser: (request) =>
    poolingParser(inputsOf(request).length, (json) => ({ count: listLength(json) }), TOKENS_HEADER),
  forEndpoint: (endpoint) => (/\/rerank\/?$/.test(endpoint) ? teiRerank : tei),
};
