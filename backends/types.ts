/**
 * The one interface every backend implements.
 *
 * A backend knows two things about its server: how to ask for a generation
 * (`buildRequest`) and how to turn the bytes of the response into timed text
 * chunks (`createParser`). Timing is not its business: the transport stamps
 * each network read with `performance.now()` the moment it resolves and feeds
 * the bytes, with their stamp, to the parser.
 *
 * @module
 */
import type {
  SamplingFields,
  SamplingOptions,
  StructuredKind,
  StructuredOutput,
} from "./sampling.ts";

/** One message of a chat conversation (`--multi-turn`). */
export interface ChatMessage {
  /** Who said it: the user, or the server's own reply. */
  readonly role: "user" | "assistant";
  /** Its text. */
  readonly content: string;
}

/** What to generate, independent of any server's wire format. */
export interface GenerationRequest {
  /** Prompt text (prefix included); in a multi-turn session, the newest user message. */
  prompt: string;
  /**
   * A multi-turn session's whole conversation so far, ending with `prompt` as
   * its last user message (see `runner/sessions.ts`); only backends with
   * `features.chat` carry it. Absent: the prompt is one user message.
   */
  messages?: readonly ChatMessage[];
  /** Exact number of tokens to generate (with `ignore_eos` where the server has it). */
  maxTokens: number;
  /** Model id to name in the request; omitted from the body when undefined. */
  model?: string;
  /** `--best-of`, when given. */
  bestOf?: number;
  /** `--use-beam-search`. */
  useBeamSearch?: boolean;
  /** Ask for a streamed response (default true; `--disable-stream` sets false). */
  stream?: boolean;
  /** Sampling options (`--temperature`, `--stop`, …); absent ones are not sent. */
  sampling?: SamplingOptions;
  /**
   * `--seed-per-request`: the run seed. The request of plan index i is sent
   * with `sampling.seed` = `requestSeed(seedBase, i)` (see `backends/sampling.ts`).
   */
  seedBase?: number;
  /**
   * Ask the server to generate past end-of-sequence, to exactly `maxTokens`
   * (default true, where the protocol can say so); false (`--no-ignore-eos`)
   * lets it stop on its own, `maxTokens` then a cap.
   */
  ignoreEos?: boolean;
  /** A constraint on the output's form (`--json-schema`, `--regex`, `--choice`). */
  structured?: StructuredOutput;
  /** `--extra-body`: deep-merged into the body last, so it can override any field. */
  extraBody?: Record<string, unknown>;
  /**
   * The texts of an embeddings request (`--batch` of them), or the documents
   * of a rerank request scored against `query`; only pooling backends read it.
   */
  inputs?: readonly string[];
  /** The query of a rerank request, scored against each of `inputs`. */
  query?: string;
  /** Images sent with the prompt (`--image-count`, `--image-dir`), in order. */
  images?: readonly EncodedImage[];
}

/** One image as a request carries it: its encoded bytes in base64. */
export interface EncodedImage {
  /** `image/png` or `image/jpeg`. */
  mime: string;
  /** The encoded file, base64 (no data-URL prefix). */
  base64: string;
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

/** The body and headers of one HTTP request. */
export interface BuiltRequest {
  /** Serialised request body. */
  body: string;
  /** Extra headers (content type included). */
  headers: Record<string, string>;
}

/**
 * A response body as it arrived: `bytes[i]` was read at `times[i]`
 * (`performance.now()` milliseconds). Used to replay recorded streams.
 */
export interface TimedReads {
  /** Arrival time of each read, in `performance.now()` milliseconds. */
  times: number[];
  /** The bytes of each read. */
  bytes: Uint8Array[];
}

/** A piece of generated text and when it arrived. */
export interface TextChunk {
  /** Arrival (`performance.now()` ms) of the read that completed this chunk. */
  time: number;
  /** Generated text carried by the chunk (never empty). */
  text: string;
  /** Tokens in this chunk when the server says so, else undefined. */
  tokens?: number;
}

/**
 * A server's own timings of one request, as llama.cpp reports them in
 * `timings`; each field is absent when the server did not give it.
 */
export interface ServerTimings {
  /** Prompt tokens evaluated, i.e. after the prefix-cache hit (`prompt_n`). */
  promptN?: number;
  /** Milliseconds of prompt processing (`prompt_ms`). */
  promptMs?: number;
  /** Tokens generated (`predicted_n`). */
  predictedN?: number;
  /** Milliseconds of generation (`predicted_ms`). */
  predictedMs?: number;
  /** Milliseconds per generated token (`predicted_per_token_ms`). */
  predictedPerTokenMs?: number;
  /** Prompt tokens taken from the prefix cache (`cache_n`). */
  cacheN?: number;
}

/**
 * The reasoning of a reasoning model's response (see `backends/_reasoning.ts`):
 * its text, and when its first reasoning and first answer text arrived.
 */
export interface ReasoningSplit {
  /** The reasoning text (without the think tags that marked it). */
  text: string;
  /** Arrival (`performance.now()` ms) of the first chunk with reasoning text. */
  firstTime?: number;
  /** Arrival of the first chunk with answer text (not only whitespace); undefined when none came. */
  answerTime?: number;
  /** The server's count of reasoning tokens (`completion_tokens_details.reasoning_tokens`). */
  serverTokens?: number;
}

/** What a backend's parser makes of a whole response. */
export interface ParsedStream {
  /** The response was streamed; when false, TTFT and ITL are unknown (not 0). */
  streamed: boolean;
  /** Chunks that carried generated text, in arrival order. */
  chunks: TextChunk[];
  /** Arrival of the first event of any kind (a role-only chat chunk counts here). */
  firstEventTime?: number;
  /** Output token count reported by the server, when it reported one. */
  outputTokens?: number;
  /**
   * The server's count of the whole prompt (prefix-cache hits included), when
   * it reported one.
   */
  promptTokens?: number;
  /** Prompt tokens the server took from its prefix cache, when it said. */
  promptCached?: number;
  /** Whether the server cut the prompt to its context, when it said (llama.cpp). */
  truncated?: boolean;
  /** The server's own timings of the request, when it reported them (llama.cpp). */
  serverTimings?: ServerTimings;
  /** An error the server reported in the response. */
  error?: string;
  /** Whether the response ended the way the protocol ends a complete one. */
  complete: boolean;
  /** Observations that affect how the numbers read (e.g. a role-only first chunk). */
  notes: string[];
  /** Vectors or scores a pooling response carried, when it is one. */
  pooled?: number;
  /** Reasoning text and its timing, when the response had any. */
  reasoning?: ReasoningSplit;
}

/**
 * What a pooling backend computes: `embed` (one vector per input) or `rerank`
 * (one score per document against a query).
 */
export type PoolingTask = "embed" | "rerank";

/** Which optional request features a backend can send. */
export interface BackendFeatures {
  /** Accepts `--best-of`: always, never, or only without streaming (TGI). */
  bestOf: boolean | "unstreamed";
  /** Accepts `--use-beam-search`. */
  beamSearch: boolean;
  /** Streaming: always, never (TTFT unknown), or optional (`--disable-stream`). */
  stream: "always" | "never" | "optional";
  /**
   * Whether the request needs a model id: `optional` (sent when known),
   * `required` (no default exists), or a default used when none is given.
   */
  model: "optional" | "required" | { default: string };
  /**
   * Carries a conversation's history (`GenerationRequest.messages`), so
   * `--multi-turn` sessions can run on it. Default false.
   */
  chat?: boolean;
  /**
   * A pooling backend: generates no tokens, answers each request whole with
   * one vector (`embed`) or score (`rerank`) per input. Absent: it generates.
   */
  pooling?: PoolingTask;
  /** Carries `--image-count`/`--image-dir` images with the prompt. Absent: it cannot. */
  images?: boolean;
  /** Where the protocol takes each sampling option; absent ones are refused. Default: none. */
  sampling?: SamplingFields;
  /** The protocol can ask the server to ignore end-of-sequence (`ignore_eos`). Default false. */
  ignoreEos?: boolean;
  /** The output constraints the protocol can carry. Default: none. */
  structured?: readonly StructuredKind[];
}

/** Where a server lists its models, to name one when `--model` is not given. */
export interface ModelList {
  /** GET path, e.g. `/v1/models`. */
  path: string;
  /** The served model ids in the response, in order (the first is the default); empty if none. */
  ids(json: unknown): string[];
}

/**
 * A server's own tokenize endpoint, which `--tokenizer server` counts with:
 * how to ask for the token counts of some texts, without special tokens (no
 * BOS) wherever the server lets the client say so.
 *
 * @example
 * ```ts
 * const tokenize: TokenizeEndpoint = {
 *   path: "/tokenize",
 *   maxTexts: 1,
 *   body: ([content]) => ({ content }),
 *   counts: (json) => [(json as { tokens: number[] }).tokens.length],
 * };
 * ```
 */
export interface TokenizeEndpoint {
  /** POST path, e.g. `/tokenize`. */
  readonly path: string;
  /** Most texts one request carries: 1 where the server takes one text per call. */
  readonly maxTexts: number;
  /** The JSON body asking for the counts of `texts` (1 to `maxTexts` of them). */
  body(texts: readonly string[], model: string | undefined): unknown;
  /**
   * The token counts of the `texts` texts asked for, in order, from the
   * response's JSON; undefined when it is not of the expected shape.
   */
  counts(json: unknown, texts: number): number[] | undefined;
}

/**
 * A server protocol. Adding a backend is adding one module that exports one of
 * these and one line in the registry (`backends/mod.ts`).
 */
export interface Backend {
  /** The `--backend` name. */
  readonly name: string;
  /** Path used when `--endpoint` is not given; `{model}` stands for the model id. */
  readonly defaultEndpoint: string;
  /** Path used with `--disable-stream`, where it differs. */
  readonly unstreamedEndpoint?: string;
  /** Optional request features it supports. */
  readonly features: BackendFeatures;
  /** Where to find a model id when `--model` is not given. */
  readonly modelList?: ModelList;
  /** The server's tokenize endpoint, where it has one (`--tokenizer server`). */
  readonly tokenize?: TokenizeEndpoint;
  /** Builds the HTTP request for one generation. */
  buildRequest(request: GenerationRequest): BuiltRequest;
  /** A fresh parser for the response to `request`. */
  createParser(request: GenerationRequest): StreamParser;
  /**
   * The protocol to speak on `endpoint`, when one server family has several
   * (vLLM's OpenAI server and its legacy `/generate` server). Default: this one.
   */
  forEndpoint?(endpoint: string): Backend;
}

/**
 * Incremental parser of one response body. The transport feeds it each read
 * as it arrives, right after stamping it.
 */
export interface StreamParser {
  /**
   * Consumes body bytes that arrived at `time` (`performance.now()` ms).
   * `bytes` may be a view of a buffer the transport reuses: read it now, do
   * not keep it.
   */
  feed(bytes: Uint8Array, time: number): void;
  /**
   * The response head of a 2xx response arrived, with `header` reading its
   * headers by lower-case name (TEI puts its token count there). Optional:
   * only parsers that read headers have it.
   */
  headers?(header: (name: string) => string | undefined): void;
  /** The body has ended: flushes what is pending and returns the result. */
  finish(): ParsedStream;
}
