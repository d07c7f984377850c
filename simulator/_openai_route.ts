/**
 * The OpenAI routes `/v1/completions` and `/v1/chat/completions`, shaped like
 * vLLM's OpenAI server: request handling on top of the wire formats of
 * `_openai.ts`.
 *
 * @module
 */

import type { ServeContext, StreamEncoder } from "./_engine.ts";
import { failureMessage } from "./_engine.ts";
import {
  BadRequestError,
  ChunkEncoder,
  type ChunkUsage,
  contextExceeded,
  DONE_EVENT,
  errorResponse,
  type FinishReason,
  fullResponse,
  type GenerationRequest,
  jsonResponse,
  modelNotFound,
  responseId,
  type ResponseIdentity,
  usageOf,
} from "./_openai.ts";
import { contextLength, type HonouredField, servesModel } from "./_options.ts";
import { tokenText } from "./_vocab.ts";
import { imageTokens } from "./_images.ts";

const encoder = new TextEncoder();

/**
 * Serves one OpenAI generation request; `parse` validates the body of the
 * endpoint that received it (reading the chat limit from the honoured field).
 */
export async function openaiGenerate(
  ctx: ServeContext,
  request: Request,
  arrival: number,
  parse: (json: unknown, honour: HonouredField) => GenerationRequest,
): Promise<Response> {
  let parsed: GenerationRequest;
  let json: unknown;
  try {
    json = await readJson(request);
    parsed = parse(json, ctx.options.honour);
  } catch (error) {
    if (error instanceof BadRequestError) {
      return errorResponse(400, "BadRequestError", error.message, error.param);
    }
    throw error;
  }
  const { options } = ctx;
  // Like vLLM: body validation (400) before the model check (404).
  if (parsed.model !== undefined && !servesModel(options, parsed.model)) {
    return modelNotFound(parsed.model);
  }

  const images = parsed.images ?? [];
  const promptTokens =
    (typeof parsed.prompt === "string" ? ctx.countTokens(parsed.prompt) : parsed.prompt.length) +
    imageTokens(images);
  if (options.maxContext !== null) {
    const refused = contextExceeded(options.maxContext, promptTokens, parsed.maxTokens);
    if (refused) return refused;
  }
  const limit = parsed.maxTokens ?? Math.max(1, contextLength(options) - promptTokens);
  // A length field the server does not read: the model stops on its own.
  const pieces = parsed.constrained;
  // A constrained output ends where its text does (or at the limit, cut short).
  const tokens = pieces !== undefined
    ? Math.min(limit, pieces.length)
    : parsed.lengthIgnored
    ? Math.min(limit, options.naturalLen)
    : parsed.ignoreEos
    ? limit
    : Math.min(limit, options.naturalLen);
  const finish: FinishReason = pieces !== undefined
    ? (tokens === pieces.length ? "stop" : "length")
    : tokens === limit
    ? "length"
    : "stop";
  const identity: ResponseIdentity = {
    id: responseId(parsed.endpoint),
    created: Math.floor(Date.now() / 1000),
    model: options.model,
  };
  const { cachedTokens, cacheReply } = prefixHit(ctx, parsed.prompt, promptTokens, tokens);
  const base = {
    endpoint: parsed.endpoint,
    id: identity.id,
    tokens,
    promptTokens,
    cachedTokens,
    body: options.record ? json : undefined,
    recorded: images.length > 0 ? { images, promptTokens } : undefined,
  };

  if (parsed.stream) {
    const mode: ChunkUsage = parsed.continuousUsage
      ? "cumulative"
      : parsed.includeUsage
      ? "null"
      : "omit";
    const chunks = new ChunkEncoder(
      parsed.endpoint,
      identity,
      mode,
      promptTokens,
      cachedTokens,
      pieces,
      Math.min(options.reasoningTokens, tokens),
    );
    return ctx.stream(request, arrival, {
      ...base,
      encoder: new OpenAiStream(chunks, {
        initial: parsed.endpoint === "chat" && options.roleChunk ? chunks.roleChunk() : undefined,
        finish,
        usageTokens: parsed.includeUsage ? tokens : undefined,
        failure: failureMessage(options),
        onEnd: cacheReply,
      }),
      // What vLLM (Starlette) sends for a StreamingResponse of this media type.
      headers: { "content-type": "text/event-stream; charset=utf-8" },
    });
  }
  return ctx.whole(request, arrival, {
    ...base,
    answer: () => {
      cacheReply();
      return jsonResponse(
        fullResponse(
          parsed.endpoint,
          identity,
          tokens,
          finish,
          usageOf(promptTokens, tokens, cachedTokens),
          pieces,
        ),
      );
    },
    failure: () => errorResponse(500, "InternalServerError", failureMessage(options)),
  });
}

/** A streamed OpenAI response: the {@linkcode ChunkEncoder} of `_openai.ts` behind the shared interface. */
class OpenAiStream implements StreamEncoder {
  readonly initial: Uint8Array | undefined;
  readonly #chunks: ChunkEncoder;
  readonly #finish: FinishReason;
  readonly #usageTokens: number | undefined;
  readonly #failure: string;
  readonly #onEnd: () => void;

  constructor(chunks: ChunkEncoder, settings: {
    initial: Uint8Array | undefined;
    finish: FinishReason;
    /** `completion_tokens` of the final usage chunk; `undefined` for none. */
    usageTokens: number | undefined;
    failure: string;
    /** Called once the last token chunk is written. */
    onEnd: () => void;
  }) {
    this.#chunks = chunks;
    this.initial = settings.initial;
    this.#finish = settings.finish;
    this.#usageTokens = settings.usageTokens;
    this.#failure = settings.failure;
    this.#onEnd = settings.onEnd;
  }

  chunk(start: number, count: number, last: boolean): Uint8Array {
    return this.#chunks.tokenChunk(start, count, last ? this.#finish : null);
  }

  trailer(): Uint8Array {
    this.#onEnd();
    return this.#chunks.closing(this.#usageTokens);
  }

  failure(): Uint8Array {
    // vLLM's streaming error: the ErrorResponse object as an event, then [DONE].
    const error = { message: this.#failure, type: "InternalServerError", param: null, code: 500 };
    const event = encoder.encode(`data: ${JSON.stringify({ error })}\n\n`);
    const out = new Uint8Array(event.length + DONE_EVENT.length);
    out.set(event, 0);
    out.set(DONE_EVENT, event.length);
    return out;
  }
}

/**
 * The prefix cache's hit for `prompt` (`cachedTokens`, undefined without a
 * cache; at most all but the last prompt token, which is always computed, as
 * in vLLM), with the prompt cached from now on, and `cacheReply`, which
 * caches the prompt and its reply of `tokens` tokens once generated.
 */
function prefixHit(
  ctx: ServeContext,
  prompt: string | readonly number[],
  promptTokens: number,
  tokens: number,
): { cachedTokens: number | undefined; cacheReply: () => void } {
  const cache = ctx.prefixCache;
  if (cache === undefined) return { cachedTokens: undefined, cacheReply: () => {} };
  if (typeof prompt !== "string") return { cachedTokens: 0, cacheReply: () => {} };
  const chars = cache.cachedChars(prompt);
  const cachedTokens = chars === 0
    ? 0
    : Math.max(0, Math.min(promptTokens - 1, ctx.countTokens(prompt.slice(0, chars))));
  cache.insert(prompt);
  return { cachedTokens, cacheReply: () => cache.insert(prompt + tokenText(0, tokens)) };
}

/** Parses the body as JSON, insisting on the JSON media type as vLLM does. */
async function readJson(request: Request): Promise<unknown> {
  const mediaType = (request.headers.get("content-type") ?? "").split(";", 1)[0].trim()
    .toLowerCase();
  if (mediaType !== "application/json") {
    throw new BadRequestError("Unsupported Media Type: Only 'application/json' is allowed");
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`Invalid JSON body: ${(error as Error).message}`);
  }
}
