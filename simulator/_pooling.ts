/**
 * The pooling routes: embeddings, rerank and score, as OpenAI, vLLM and TEI
 * serve them. Each request is answered whole, never streamed, at arrival +
 * `ttftMs` + its input tokens × `poolingTokenMs`, with one vector
 * (`embeddingDim` floats, unit length, a pure function of the text) or one
 * score (in (0, 1), a pure function of the query and the text) per input.
 *
 * Token counts are the server's cl100k_base counts (times `promptScale`)
 * without special tokens: Σ over inputs for embeddings, Σ over query–document
 * pairs (the query once per document) for rerank and score.
 *
 * Shapes: OpenAI `POST /v1/embeddings` `{model, input}` →
 * `{object: "list", data: [{object: "embedding", index, embedding}], model,
 * usage}`; vLLM `POST /pooling` `{model, input}` → `{id, object, created,
 * model, data: [{index, object: "pooling", data}], usage}`, `POST /rerank`
 * (and `/v1/rerank`, `/v2/rerank`) `{model, query, documents}` → `{id, model,
 * usage, results: [{index, document: {text}, relevance_score}]}` by score,
 * `POST /score` (and `/v1/score`) `{model, text_1, text_2}` → `{id, object,
 * created, model, data: [{index, object: "score", score}], usage}`; TEI
 * `POST /embed` `{inputs}` → `[[floats]]` and `POST /rerank` `{query, texts}`
 * → `[{index, score}]` by score, its token count in `x-compute-tokens`.
 *
 * @module
 */
import { asRecord, readJsonBody, type ServeContext } from "./_engine.ts";
import { errorResponse, jsonResponse, modelNotFound } from "./_openai.ts";
import { servesModel } from "./_options.ts";
import type { RecordedEndpoint } from "./_record.ts";

/** The pooling protocols, by the name their record entries carry. */
type PoolingEndpoint = Extract<
  RecordedEndpoint,
  "embeddings" | "pooling" | "rerank" | "score" | "tei-embed" | "tei-rerank"
>;

/** A pooling request reduced to what the simulator acts on. */
interface PoolingRequest {
  model?: string;
  /** The query of a rerank or score request. */
  query?: string;
  /** The texts embedded, or the documents scored. */
  inputs: string[];
}

/** 32-bit FNV-1a of `text`, then `salt` mixed in. */
function hash(text: string, salt: number): number {
  let h = 0x811c9dc5 ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  return Math.imul(h, 0x7feb352d) >>> 0;
}

/** A unit vector of `dim` floats, a pure function of `text`. */
function embedding(text: string, dim: number): number[] {
  const raw = Array.from({ length: dim }, (_, i) => hash(text, i + 1) / 2 ** 32 - 0.5);
  const norm = Math.hypot(...raw) || 1;
  return raw.map((x) => Number((x / norm).toFixed(6)));
}

/** A score in (0, 1), a pure function of the pair. */
function score(query: string, text: string): number {
  return Number(((hash(`${query}\u0000${text}`, 0) + 1) / (2 ** 32 + 2)).toFixed(6));
}

/** A string, or a non-empty list of strings, as a list; undefined otherwise. */
function texts(value: unknown): string[] | undefined {
  if (typeof value === "string") return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((t) => typeof t === "string")) {
    return value as string[];
  }
  return undefined;
}

/** The request of `endpoint`'s shape in `body`, or what is wrong with it. */
function parse(endpoint: PoolingEndpoint, body: Record<string, unknown>): PoolingRequest | string {
  const model = typeof body.model === "string" && body.model !== "" ? body.model : undefined;
  switch (endpoint) {
    case "embeddings":
    case "pooling": {
      const inputs = texts(body.input);
      return inputs ? { model, inputs } : "`input` must be a string or a list of strings";
    }
    case "tei-embed": {
      const inputs = texts(body.inputs);
      return inputs ? { inputs } : "`inputs` must be a string or a list of strings";
    }
    case "rerank":
    case "score":
    case "tei-rerank": {
      const [queryKey, listKey] = endpoint === "rerank"
        ? ["query", "documents"]
        : endpoint === "score"
        ? ["text_1", "text_2"]
        : ["query", "texts"];
      const query = body[queryKey];
      const inputs = texts(body[listKey]);
      if (typeof query !== "string") return `\`${queryKey}\` must be a string`;
      if (!inputs) return `\`${listKey}\` must be a string or a list of strings`;
      return { model, query, inputs };
    }
  }
}

/** The answer body of `endpoint` to `request`, whose inputs came to `tokens` tokens. */
function answer(
  ctx: ServeContext,
  endpoint: PoolingEndpoint,
  request: PoolingRequest,
  tokens: number,
): unknown {
  const { model, embeddingDim } = ctx.options;
  const usage = { prompt_tokens: tokens, total_tokens: tokens, completion_tokens: 0 };
  const created = Math.floor(Date.now() / 1000);
  const id = crypto.randomUUID().replaceAll("-", "");
  const { inputs, query = "" } = request;
  const ranked = () =>
    inputs.map((text, index) => ({ index, text, score: score(query, text) }))
      .sort((a, b) => b.score - a.score);
  switch (endpoint) {
    case "embeddings":
      return {
        object: "list",
        data: inputs.map((text, index) => ({
          object: "embedding",
          index,
          embedding: embedding(text, embeddingDim),
        })),
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    case "pooling":
      return {
        id: `pool-${id}`,
        object: "list",
        created,
        model,
        data: inputs.map((text, index) => ({
          index,
          object: "pooling",
          data: embedding(text, embeddingDim),
        })),
        usage,
      };
    case "rerank":
      return {
        id: `rerank-${id}`,
        model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
        results: ranked().map(({ index, text, score }) => ({
          index,
          document: { text },
          relevance_score: score,
        })),
      };
    case "score":
      return {
        id: `score-${id}`,
        object: "list",
        created,
        model,
        data: inputs.map((text, index) => ({ index, object: "score", score: score(query, text) })),
        usage,
      };
    case "tei-embed":
      return inputs.map((text) => embedding(text, embeddingDim));
    case "tei-rerank":
      return ranked().map(({ index, score }) => ({ index, score }));
  }
}

/** An error in `endpoint`'s shape: TEI's `{error, error_type}`, else vLLM's. */
function poolingError(endpoint: PoolingEndpoint, status: number, message: string): Response {
  if (endpoint === "tei-embed" || endpoint === "tei-rerank") {
    return jsonResponse({ error: message, error_type: "Validation" }, status);
  }
  return errorResponse(status, status === 400 ? "BadRequestError" : "InternalServerError", message);
}

/**
 * Serves one pooling request of `endpoint`'s protocol; `/rerank` is vLLM's
 * or TEI's by the body (`texts` is TEI's).
 */
export async function poolingServe(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  route: PoolingEndpoint,
): Promise<Response> {
  const json = await readJsonBody(request);
  const body = json.ok ? asRecord(json.value) : undefined;
  const endpoint: PoolingEndpoint = route === "rerank" && body !== undefined && "texts" in body
    ? "tei-rerank"
    : route;
  if (body === undefined) {
    return poolingError(endpoint, 400, json.ok ? "the body must be a JSON object" : json.error);
  }
  const parsed = parse(endpoint, body);
  if (typeof parsed === "string") {
    return poolingError(endpoint, endpoint.startsWith("tei") ? 422 : 400, parsed);
  }
  if (parsed.model !== undefined && !servesModel(ctx.options, parsed.model)) {
    return modelNotFound(parsed.model);
  }
  const query = parsed.query === undefined ? 0 : ctx.countTokens(parsed.query);
  let tokens = 0;
  for (const text of parsed.inputs) tokens += query + ctx.countTokens(text);
  const headers = endpoint.startsWith("tei")
    ? { "x-compute-tokens": String(tokens), "x-compute-characters": String(characters(parsed)) }
    : undefined;
  return ctx.whole(request, arrival, {
    endpoint,
    id: crypto.randomUUID(),
    tokens: 1,
    recordedTokens: 0,
    dueMs: ctx.options.ttftMs + tokens * ctx.options.poolingTokenMs,
    recorded: { inputs: parsed.inputs.length, promptTokens: tokens },
    answer: () => {
      const response = jsonResponse(answer(ctx, endpoint, parsed, tokens));
      for (const [name, value] of Object.entries(headers ?? {})) response.headers.set(name, value);
      return response;
    },
    failure: () => poolingError(endpoint, 500, "the simulator failed the request (failAfter)"),
  });
}

/** Characters of every input (and the query once per input), as TEI's `x-compute-characters`. */
function characters(request: PoolingRequest): number {
  const query = request.query?.length ?? 0;
  return request.inputs.reduce((n, text) => n + query + text.length, 0);
}
