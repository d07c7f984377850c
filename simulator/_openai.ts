/**
 * OpenAI/vLLM wire formats: request validation, error bodies, response
 * objects and server-sent-event chunks for `/v1/completions` and
 * `/v1/chat/completions`.
 *
 * Shapes follow vLLM's OpenAI server (`completion/protocol.py`,
 * `completion/serving.py`, `chat_completion/serving.py`,
 * `serve/utils/api_utils.py`) and OpenAI's chat streaming reference for
 * `stream_options.include_usage`.
 *
 * @module
 */

import type { HonouredField } from "./_options.ts";
import { tokenBytes, tokenText } from "./_vocab.ts";
import type { ImageHeader } from "../images/header.ts";
import { readImage } from "./_images.ts";
import { constrainedText, textPieces } from "./_structured.ts";

/** Why generation ended: `max_tokens` reached, or the model's natural end (EOS). */
export type FinishReason = "length" | "stop";

/** OpenAI `usage` object. */
export interface Usage {
  /** Tokens in the prompt (cl100k_base). */
  prompt_tokens: number;
  /** Tokens generated so far. */
  completion_tokens: number;
  /** Sum of the two. */
  total_tokens: number;
  /** With a prefix cache: the prompt tokens it served (vLLM's `--enable-prompt-tokens-details`). */
  prompt_tokens_details?: { cached_tokens: number };
}

/** Builds a usage object; `cachedTokens` (a prefix cache's hit) adds `prompt_tokens_details`. */
export function usageOf(
  promptTokens: number,
  completionTokens: number,
  cachedTokens?: number,
): Usage {
  const usage: Usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  if (cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: cachedTokens };
  return usage;
}

/** The two generation endpoints. */
export type Endpoint = "completions" | "chat";

/** A validated generation request, reduced to what the simulator acts on. */
export interface GenerationRequest {
  /** Which endpoint received it. */
  readonly endpoint: Endpoint;
  /** The `model` field when it names a model (absent or empty means the served one). */
  readonly model: string | undefined;
  /** Prompt text to count, or pre-tokenized prompt ids (completions only). */
  readonly prompt: string | readonly number[];
  /** Token limit; `undefined` when a chat request sets none. */
  readonly maxTokens: number | undefined;
  /** Whether to answer with server-sent events. */
  readonly stream: boolean;
  /** Send a final usage chunk (and `"usage": null` on the others). */
  readonly includeUsage: boolean;
  /** Carry cumulative usage on every chunk (vLLM extension). */
  readonly continuousUsage: boolean;
  /** Keep generating past the natural end, up to the token limit (vLLM extension). */
  readonly ignoreEos: boolean;
  /**
   * The request set a length field the server does not honour (chat, see
   * `SimulatorOptions.honour`) and no other: it runs to the natural length.
   */
  readonly lengthIgnored: boolean;
  /** Images of the chat messages' `image_url` parts, as their headers say (chat only). */
  readonly images?: readonly ImageHeader[];
  /**
   * The output's pieces (one per token) when the request constrains it
   * (`structured_outputs`, `guided_*`, `response_format`; see `_structured.ts`).
   */
  readonly constrained?: readonly string[];
}

/** The pieces of a constrained output `body` asks for, as a spreadable field. */
function constrainedField(body: Body): { constrained?: readonly string[] } {
  const text = constrainedText(body);
  return text === undefined ? {} : { constrained: textPieces(text) };
}

/** A request body that fails validation: answered with 400. */
export class BadRequestError extends Error {
  /** Also the `error.type` of the 400 answer. */
  override name = "BadRequestError";
  /** The offending field, reported as `error.param`. */
  readonly param: string | null;

  /** Creates the error; `param` names the field at fault, if one is. */
  constructor(message: string, param: string | null = null) {
    super(message);
    this.param = param;
  }
}

type Body = Record<string, unknown>;

function asObject(value: unknown): Body {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new BadRequestError("The request body must be a JSON object.");
  }
  return value as Body;
}

function optionalBoolean(body: Body, key: string): boolean | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") {
    throw new BadRequestError(`\`${key}\` must be a boolean, got ${JSON.stringify(value)}.`, key);
  }
  return value;
}

function optionalPositiveInt(body: Body, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
    throw new BadRequestError(
      `\`${key}\` must be a positive integer, got ${JSON.stringify(value)}.`,
      key,
    );
  }
  return value;
}

function optionalModel(body: Body): string | undefined {
  const value = body.model;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new BadRequestError(`\`model\` must be a string, got ${JSON.stringify(value)}.`, "model");
  }
  // vLLM treats an empty model name like an absent one: the served model.
  return value === "" ? undefined : value;
}

/** Reads `stream` and `stream_options` the way vLLM's `should_include_usage` does. */
function streamFields(body: Body): Pick<
  GenerationRequest,
  "stream" | "includeUsage" | "continuousUsage"
> {
  const stream = optionalBoolean(body, "stream") ?? false;
  const raw = body.stream_options;
  if (raw === undefined || raw === null) {
    return { stream, includeUsage: false, continuousUsage: false };
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new BadRequestError("`stream_options` must be an object.", "stream_options");
  }
  const options = raw as Body;
  if (!stream && Object.keys(options).length > 0) {
    throw new BadRequestError(
      "Stream options can only be defined when `stream=True`.",
      "stream_options",
    );
  }
  // vLLM's StreamOptions defaults include_usage to true once stream_options is
  // present, and honours continuous_usage_stats only together with it.
  const includeUsage = optionalBoolean(options, "include_usage") ?? true;
  const continuous = optionalBoolean(options, "continuous_usage_stats") ?? false;
  return { stream, includeUsage, continuousUsage: includeUsage && continuous };
}

/** Validates a `/v1/completions` body. Throws {@linkcode BadRequestError}. */
export function parseCompletionRequest(json: unknown): GenerationRequest {
  const body = asObject(json);
  const prompt = body.prompt;
  let promptValue: string | readonly number[];
  if (typeof prompt === "string" && prompt !== "") {
    promptValue = prompt;
  } else if (
    Array.isArray(prompt) && prompt.length > 0 &&
    prompt.every((id) => Number.isSafeInteger(id) && (id as number) >= 0)
  ) {
    // A list of token ids is one pre-tokenized prompt in the OpenAI API.
    promptValue = prompt as number[];
  } else if (prompt === undefined || prompt === null || prompt === "") {
    throw new BadRequestError("`prompt` must be provided and non-empty.", "prompt");
  } else {
    throw new BadRequestError(
      "`prompt` must be a non-empty string or a list of token ids; batched prompts are not simulated.",
      "prompt",
    );
  }
  return {
    endpoint: "completions",
    model: optionalModel(body),
    prompt: promptValue,
    // OpenAI and vLLM both default completions to 16 tokens.
    maxTokens: optionalPositiveInt(body, "max_tokens") ?? 16,
    ignoreEos: optionalBoolean(body, "ignore_eos") ?? false,
    lengthIgnored: false,
    ...constrainedField(body),
    ...streamFields(body),
  };
}

/**
 * Validates a `/v1/chat/completions` body, its token limit read from the
 * `honour`ed length field(s). Throws {@linkcode BadRequestError}.
 */
export function parseChatRequest(json: unknown, honour: HonouredField = "both"): GenerationRequest {
  const body = asObject(json);
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BadRequestError("`messages` must be a non-empty list of messages.", "messages");
  }
  let text = "";
  const images: ImageHeader[] = [];
  for (const [i, raw] of messages.entries()) {
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new BadRequestError(`\`messages[${i}]\` must be an object.`, "messages");
    }
    const message = raw as Body;
    if (typeof message.role !== "string") {
      throw new BadRequestError(`\`messages[${i}].role\` must be a string.`, "messages");
    }
    text += messageText(message.content, i);
    images.push(...messageImages(message.content, i));
  }
  // vLLM gives max_completion_tokens precedence over the deprecated max_tokens;
  // a llama.cpp build of early 2025 read max_tokens only.
  const maxCompletion = optionalPositiveInt(body, "max_completion_tokens");
  const maxTokens = optionalPositiveInt(body, "max_tokens");
  const limit = honour === "max_tokens"
    ? maxTokens
    : honour === "max_completion_tokens"
    ? maxCompletion
    : maxCompletion ?? maxTokens;
  return {
    endpoint: "chat",
    model: optionalModel(body),
    prompt: text,
    maxTokens: limit,
    ignoreEos: optionalBoolean(body, "ignore_eos") ?? false,
    lengthIgnored: limit === undefined && (maxCompletion ?? maxTokens) !== undefined,
    ...constrainedField(body),
    ...streamFields(body),
    ...(images.length > 0 ? { images } : {}),
  };
}

/** The images of a message's `image_url` parts (base64 data URLs only). */
function messageImages(content: unknown, index: number): ImageHeader[] {
  if (!Array.isArray(content)) return [];
  const images: ImageHeader[] = [];
  for (const part of content) {
    if (typeof part !== "object" || part === null || (part as Body).type !== "image_url") continue;
    const url = ((part as Body).image_url as Body | undefined)?.url;
    const image = readImage(url, true);
    if (typeof image === "string") {
      throw new BadRequestError(`\`messages[${index}]\`: image_url: ${image}.`, "messages");
    }
    images.push(image);
  }
  return images;
}

/** The countable text of a message's `content`: a string, null, or a list of parts. */
function messageText(content: unknown, index: number): string {
  if (content === undefined || content === null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    let text = "";
    for (const part of content) {
      // Non-text parts (images, audio) carry no text tokens to count here.
      if (
        typeof part === "object" && part !== null && (part as Body).type === "text" &&
        typeof (part as Body).text === "string"
      ) {
        text += (part as Body).text as string;
      }
    }
    return text;
  }
  throw new BadRequestError(
    `\`messages[${index}].content\` must be a string or a list of content parts.`,
    "messages",
  );
}

const JSON_HEADERS = { "content-type": "application/json" };

/** A JSON response. */
export function jsonResponse(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS });
}

/**
 * vLLM's error body: `{"error":{"message","type","param","code"}}`, where
 * `code` repeats the HTTP status.
 */
export function errorResponse(
  status: number,
  type: string,
  message: string,
  param: string | null = null,
): Response {
  return jsonResponse({ error: { message, type, param, code: status } }, status);
}

/** vLLM's answer for a model it does not serve. */
export function modelNotFound(model: string): Response {
  return errorResponse(404, "NotFoundError", `The model \`${model}\` does not exist.`, "model");
}

/**
 * vLLM's answer to a request that does not fit the context of `context`
 * tokens: `promptTokens` with `maxTokens` more (or, without a limit, the
 * prompt alone reaching the context), in `serving_engine._validate_input`'s
 * words.
 */
export function contextExceeded(
  context: number,
  promptTokens: number,
  maxTokens: number | undefined,
): Response | undefined {
  const start = `This model's maximum context length is ${context} tokens. However, you requested `;
  if (maxTokens === undefined) {
    if (promptTokens < context) return undefined;
    return errorResponse(
      400,
      "BadRequestError",
      `${start}${promptTokens} tokens in the messages, Please reduce the length of the messages.`,
    );
  }
  if (promptTokens + maxTokens <= context) return undefined;
  return errorResponse(
    400,
    "BadRequestError",
    `${start}${promptTokens + maxTokens} tokens (${promptTokens} in the messages, ${maxTokens} ` +
      "in the completion). Please reduce the length of the messages or completion.",
  );
}

/** `/v1/models` body listing the one served model. */
export function modelList(model: string, created: number): unknown {
  return {
    object: "list",
    data: [{ id: model, object: "model", created, owned_by: "mib" }],
  };
}

/** Identity shared by every object of one response. */
export interface ResponseIdentity {
  /** `cmpl-…` or `chatcmpl-…`. */
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  /** Served model id. */
  readonly model: string;
}

/** A fresh id in vLLM's style (`cmpl-` / `chatcmpl-` and 32 hex digits). */
export function responseId(endpoint: Endpoint): string {
  const hex = crypto.randomUUID().replaceAll("-", "");
  return endpoint === "chat" ? `chatcmpl-${hex}` : `cmpl-${hex}`;
}

/** Non-streaming response body (`text_completion` / `chat.completion`). */
export function fullResponse(
  endpoint: Endpoint,
  identity: ResponseIdentity,
  tokens: number,
  finish: FinishReason,
  usage: Usage,
  pieces?: readonly string[],
): unknown {
  const text = pieces === undefined ? tokenText(0, tokens) : pieces.slice(0, tokens).join("");
  const choice = endpoint === "chat"
    ? {
      index: 0,
      message: { role: "assistant", content: text },
      logprobs: null,
      finish_reason: finish,
      stop_reason: null,
    }
    : { index: 0, text, logprobs: null, finish_reason: finish, stop_reason: null };
  return {
    id: identity.id,
    object: endpoint === "chat" ? "chat.completion" : "text_completion",
    created: identity.created,
    model: identity.model,
    choices: [choice],
    usage,
  };
}

const encoder = new TextEncoder();

/** The stream terminator. */
export const DONE_EVENT: Uint8Array = encoder.encode("data: [DONE]\n\n");

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * How a stream reports usage on its ordinary chunks: `"omit"` (no key),
 * `"null"` (`"usage":null`, OpenAI's include_usage style) or `"cumulative"`
 * (vLLM's continuous_usage_stats).
 */
export type ChunkUsage = "omit" | "null" | "cumulative";

/**
 * Encodes the SSE events of one streamed response.
 *
 * The parts that do not change between chunks (the envelope up to the text,
 * and the usual tail) are encoded once per response; a token chunk then costs
 * one allocation and a few byte copies.
 */
export class ChunkEncoder {
  readonly #endpoint: Endpoint;
  readonly #mode: ChunkUsage;
  readonly #promptTokens: number;
  readonly #cachedTokens: number | undefined;
  /** `data: {"id":…,"object":…,"created":…,"model":…,"choices":[` */
  readonly #envelope: Uint8Array;
  /** Envelope plus the choice up to the opening quote of the token text. */
  readonly #open: Uint8Array;
  /** Tail of a non-final chunk whose usage is omitted or null. */
  readonly #plainTail: Uint8Array;
  /** A constrained output's pieces, JSON-escaped, in place of the vocabulary's tokens. */
  readonly #pieces: readonly Uint8Array[] | undefined;
  /** Leading tokens that are reasoning (see `SimulatorOptions.reasoningTokens`). */
  readonly #reasoning: number;
  /** `data: {"id":…,"choices":[` as text, for reasoning chunks. */
  readonly #envelopeText: string;

  /**
   * Prepares the constant parts of one response to a prompt of
   * `promptTokens`, `cachedTokens` of them from a prefix cache (reported in
   * the final usage when given), whose first `reasoningTokens` tokens are
   * reasoning; token i is `pieces[i]` when given, else the vocabulary's.
   */
  constructor(
    endpoint: Endpoint,
    identity: ResponseIdentity,
    mode: ChunkUsage,
    promptTokens: number,
    cachedTokens?: number,
    pieces?: readonly string[],
    reasoningTokens = 0,
  ) {
    this.#pieces = pieces?.map((piece) => encoder.encode(JSON.stringify(piece).slice(1, -1)));
    this.#reasoning = reasoningTokens;
    this.#endpoint = endpoint;
    this.#mode = mode;
    this.#promptTokens = promptTokens;
    this.#cachedTokens = cachedTokens;
    const object = endpoint === "chat" ? "chat.completion.chunk" : "text_completion";
    const envelope = `data: {"id":${JSON.stringify(identity.id)},"object":"${object}",` +
      `"created":${identity.created},"model":${JSON.stringify(identity.model)},"choices":[`;
    this.#envelope = encoder.encode(envelope);
    this.#envelopeText = envelope;
    this.#open = encoder.encode(
      envelope + (endpoint === "chat" ? `{"index":0,"delta":{"content":"` : `{"index":0,"text":"`),
    );
    this.#plainTail = encoder.encode(this.#tail(null, 0));
  }

  /** Chat's first chunk: the assistant role with empty content. */
  roleChunk(): Uint8Array {
    const choice =
      `{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]`;
    return concat([this.#envelope, encoder.encode(choice + this.#usageField(0) + "}\n\n")]);
  }

  /** A chunk carrying tokens `start .. start+count-1`; `finish` is set on the last one. */
  tokenChunk(start: number, count: number, finish: FinishReason | null): Uint8Array {
    if (start < this.#reasoning) return this.#reasoningChunk(start, count, finish);
    if (count === 1 && finish === null && this.#mode !== "cumulative") {
      // The common case, once per token of every stream: three copies into
      // one allocation, with no intermediate list.
      const open = this.#open;
      const token = this.#token(start);
      const tail = this.#plainTail;
      const out = new Uint8Array(open.length + token.length + tail.length);
      out.set(open, 0);
      out.set(token, open.length);
      out.set(tail, open.length + token.length);
      return out;
    }
    const parts: Uint8Array[] = [this.#open];
    for (let i = start; i < start + count; i++) parts.push(this.#token(i));
    parts.push(
      finish === null && this.#mode !== "cumulative"
        ? this.#plainTail
        : encoder.encode(this.#tail(finish, start + count)),
    );
    return concat(parts);
  }

  /**
   * The end of the stream: when `completionTokens` is given, the usage-only
   * chunk (`"choices":[]`) reporting them; then `data: [DONE]`.
   */
  closing(completionTokens: number | undefined): Uint8Array {
    if (completionTokens === undefined) return DONE_EVENT;
    const usage = JSON.stringify(
      usageOf(this.#promptTokens, completionTokens, this.#cachedTokens),
    );
    return concat([this.#envelope, encoder.encode(`],"usage":${usage}}\n\n`), DONE_EVENT]);
  }

  /** The bytes of token `index`, inside a JSON string. */
  #token(index: number): Uint8Array {
    return this.#pieces === undefined ? tokenBytes(index) : this.#pieces[index];
  }

  /** The `usage` member of an ordinary chunk sent after `completed` tokens. */
  #usageField(completed: number): string {
    switch (this.#mode) {
      case "omit":
        return "";
      case "null":
        return `,"usage":null`;
      case "cumulative":
        return `,"usage":${JSON.stringify(usageOf(this.#promptTokens, completed))}`;
    }
  }

  /**
   * A chunk with reasoning tokens among `start .. start+count-1`: chat puts
   * them in `reasoning_content` (and the rest, if any, in `content`);
   * completions wrap them in `<think>` tags in the text.
   */
  #reasoningChunk(start: number, count: number, finish: FinishReason | null): Uint8Array {
    const split = Math.min(start + count, this.#reasoning);
    const thinking = tokenText(start, split - start);
    const answer = tokenText(split, start + count - split);
    const json = (text: string) => JSON.stringify(text).slice(1, -1);
    let open: string;
    if (this.#endpoint === "chat") {
      open = `{"index":0,"delta":{"reasoning_content":"${json(thinking)}","content":"${
        json(answer)
      }`;
    } else {
      const text = (start === 0 ? "<think>" : "") + thinking +
        (split === this.#reasoning ? "</think>" : "") + answer;
      open = `{"index":0,"text":"${json(text)}`;
    }
    return encoder.encode(this.#envelopeText + open + this.#tail(finish, start + count));
  }

  #tail(finish: FinishReason | null, completed: number): string {
    const reason = finish === null ? "null" : `"${finish}"`;
    // vLLM sets stop_reason on every completions choice, but on a chat choice
    // only when it finishes.
    const choice = this.#endpoint === "chat"
      ? `"},"logprobs":null,"finish_reason":${reason}${
        finish === null ? "" : `,"stop_reason":null`
      }}]`
      : `","logprobs":null,"finish_reason":${reason},"stop_reason":null}]`;
    return choice + this.#usageField(completed) + "}\n\n";
  }
}
