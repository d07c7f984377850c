/**
 * `sglang`: SGLang's native generation API (`POST /generate`, default port
 * 30000).
 *
 * Body `{text, sampling_params: {max_new_tokens, ignore_eos}, stream}`;
 * streamed as SSE `data: {"text": <all text so far>, "meta_info": {...}}`
 * events ending with `data: [DONE]`. The text is cumulative (unless the
 * server runs with incremental streaming output, which this also handles), and
 * one event may carry several tokens: `meta_info.completion_tokens` is the
 * cumulative count, so each chunk's token count is the difference;
 * `meta_info.prompt_tokens` is the whole prompt and `cached_tokens` the part
 * taken from the radix cache.
 *
 * @module
 */
import { type ChunkBuilder, errorText } from "./_chunks.ts";
import { openAiModels } from "./_openai.ts";
import { sseJsonParser } from "./_sse.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import { choiceRegex, samplingBody, type SamplingFields } from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser, TokenizeEndpoint } from "./types.ts";

/** `sampling_params`' sampling fields. */
const SGLANG_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  minP: "min_p",
  repetitionPenalty: "repetition_penalty",
  stop: "stop",
  seed: "sampling_seed",
};

/** `sampling_params` of one request: `json_schema` is a string there; a choice a regex. */
function samplingParams(request: GenerationRequest): Record<string, unknown> {
  const params: Record<string, unknown> = {
    max_new_tokens: request.maxTokens,
    ...samplingBody(request.sampling, SGLANG_SAMPLING),
  };
  if (request.ignoreEos !== false) params.ignore_eos = true;
  const structured = request.structured;
  if (structured?.kind === "json") params.json_schema = JSON.stringify(structured.schema);
  if (structured?.kind === "regex") params.regex = structured.pattern;
  if (structured?.kind === "choice") params.regex = choiceRegex(structured.choices);
  return params;
}

interface Event {
  text?: string;
  meta_info?: { completion_tokens?: number; prompt_tokens?: number; cached_tokens?: number };
  error?: unknown;
}

function read(event: Event, time: number, builder: ChunkBuilder, state: { tokens: number }) {
  if (event.error !== undefined) {
    builder.error(errorText(event.error));
    return;
  }
  const total = event.meta_info?.completion_tokens;
  let tokens: number | undefined;
  if (typeof total === "number") {
    tokens = total - state.tokens;
    state.tokens = total;
    builder.outputTokens(total);
  }
  const prompt = event.meta_info?.prompt_tokens;
  if (typeof prompt === "number") builder.promptTokens(prompt);
  const cached = event.meta_info?.cached_tokens;
  if (typeof cached === "number") builder.promptCached(cached);
  builder.cumulative(time, String(event.text ?? ""), tokens || undefined);
}

function parser(request: GenerationRequest): StreamParser {
  const state = { tokens: 0 };
  if (request.stream === false) {
    return wholeBodyParser((json, time, builder) => {
      read(json as Event, time, builder, state);
      builder.complete();
    });
  }
  return sseJsonParser((event, time, builder) => read(event as Event, time, builder, state));
}

/**
 * SGLang's `POST /tokenize {"model", "prompt": [texts], "add_special_tokens":
 * false}` → `{"tokens": [[ids]…], "count": [n…], "max_model_len"}`: a list of
 * prompts in one call (the OpenAI-style route of recent versions, also at
 * `/v1/tokenize`).
 */
const tokenize: TokenizeEndpoint = {
  path: "/tokenize",
  maxTexts: 64,
  body: (texts, model) => ({ model, prompt: texts, add_special_tokens: false }),
  counts: (json, texts) => {
    const count = (json as { count?: unknown } | null)?.count;
    return Array.isArray(count) && count.length === texts && count.every(Number.isInteger)
      ? count
      : undefined;
  },
};

/** The `sglang` backend. */
export const sglang: Backend = {
  name: "sglang",
  defaultEndpoint: "/generate",
  features: {
    bestOf: false,
    beamSearch: false,
    stream: "optional",
    model: "optional",
    sampling: SGLANG_SAMPLING,
    ignoreEos: true,
    structured: ["json", "regex", "choice"],
  },
  modelList: openAiModels,
  tokenize,
  buildRequest: (request) =>
    jsonRequest(
      {
        text: request.prompt,
        sampling_params: samplingParams(request),
        stream: request.stream !== false,
      },
      request,
    ),
  createParser: parser,
};
