/**
 * What the pooling backends share (embeddings and rerank): a request is one
 * JSON body, answered whole with one vector or score per input, never
 * streamed, generating no tokens.
 *
 * @module
 */
import { errorText } from "./_chunks.ts";
import { wholeBodyParser } from "./_whole.ts";
import type { BackendFeatures, BuiltRequest, GenerationRequest, StreamParser } from "./types.ts";

/** The features of a pooling backend computing `task`. */
export function poolingFeatures(task: "embed" | "rerank"): BackendFeatures {
  return { bestOf: false, beamSearch: false, stream: "never", model: "optional", pooling: task };
}

/** The texts of a pooling request: its `inputs`, else its prompt alone. */
export function inputsOf(request: GenerationRequest): readonly string[] {
  return request.inputs ?? [request.prompt];
}

/** The query of a rerank request: its `query`, else its prompt. */
export function queryOf(request: GenerationRequest): string {
  return request.query ?? request.prompt;
}

/** A JSON body of `fields`, with `model` first when the request names one. */
export function poolingBody(
  request: GenerationRequest,
  fields: Record<string, unknown>,
): BuiltRequest {
  const body: Record<string, unknown> = {};
  if (request.model !== undefined) body.model = request.model;
  Object.assign(body, fields);
  return { body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

/** What a pooling response says, read by its protocol. */
export interface PooledAnswer {
  /** Vectors or scores in it; undefined when it is not of the protocol's shape. */
  count?: number;
  /** The server's count of the input tokens, when it gave one. */
  promptTokens?: number;
}

/**
 * A parser of a pooling response to `request`: the whole body is one JSON
 * document that `read` makes sense of. The request fails when the body is
 * not of the shape `read` expects, carries an error, or holds another number
 * of vectors or scores than `expected` inputs.
 */
export function poolingParser(
  expected: number,
  read: (json: unknown) => PooledAnswer,
  tokenHeader?: string,
): StreamParser {
  let headerTokens: number | undefined;
  const parser = wholeBodyParser((json, time, builder) => {
    builder.event(time);
    const error = (json as { error?: unknown } | null)?.error;
    if (error !== undefined && error !== null) {
      builder.error(errorText(error));
      return;
    }
    const { count, promptTokens = headerTokens } = read(json);
    if (count === undefined) {
      builder.error(`unexpected response: ${JSON.stringify(json).slice(0, 200)}`);
      return;
    }
    builder.pooled(count);
    if (promptTokens !== undefined) builder.promptTokens(promptTokens);
    if (count !== expected) {
      builder.error(`the server answered ${count} result(s) for ${expected} input(s)`);
      return;
    }
    builder.complete();
  });
  if (tokenHeader === undefined) return parser;
  return {
    ...parser,
    headers(header) {
      const value = Number(header(tokenHeader) ?? NaN);
      if (Number.isInteger(value) && value >= 0) headerTokens = value;
    },
  };
}

/** `usage.prompt_tokens` of an OpenAI-style answer, when it is a number. */
export function usagePromptTokens(json: unknown): number | undefined {
  const tokens = (json as { usage?: { prompt_tokens?: unknown } } | null)?.usage?.prompt_tokens;
  return typeof tokens === "number" ? tokens : undefined;
}

/** The length of `json[key]` when it is an array, else undefined. */
export function listLength(json: unknown, key?: string): number | undefined {
  const list = key === undefined ? json : (json as Record<string, unknown> | null)?.[key];
  return Array.isArray(list) ? list.length : undefined;
}
