/**
 * `tensorrt-llm`: NVIDIA Triton Inference Server's generate extension in
 * front of the TensorRT-LLM backend
 * (`POST /v2/models/{model}/generate_stream`, or `/generate` unstreamed;
 * HTTP port 8000). The model is the Triton model to call: `ensemble` in the
 * TensorRT-LLM backend's example repository (`tensorrt_llm_bls` is the other
 * common one); there is no GET route listing models.
 *
 * Body: the model's input tensors as top-level keys,
 * `{text_input, max_tokens, bad_words: "", stop_words: "", stream}` (the
 * README's example; `bad_words` and `stop_words` are required by the example
 * ensemble and BLS configs). Streaming also needs the `tensorrt_llm` model
 * built with `decoupled_mode: true`. There is **no `ignore_eos`** input and
 * no documented equivalent, so the server may stop before `max_tokens` at
 * end-of-sequence. No token counts are sent: the client tokenizer counts.
 *
 * Streamed as SSE `data: {json}` (with a space), one event per Triton
 * response, `{"model_name", "model_version", "text_output", ...}`, and no
 * `[DONE]`: the body just ends after the final response (whose last callback
 * may carry no data), so a response is complete when its body ended on an
 * event boundary with no error. `text_output` is the **delta** with the
 * ensemble (each response's tokens are detokenized on their own) but the
 * **whole text so far** with `tensorrt_llm_bls` and `accumulate_tokens: true`.
 * Which one is decided at the end, from every event: cumulative iff there are
 * at least two text events and each one's text extends the previous one's
 * (starts with it and is strictly longer); a delta stream in which one token
 * happens to start with the previous token (" the", " there") fails the test
 * at the first event that does not extend its predecessor. Errors:
 * `{"error": "..."}` (in-stream after HTTP 200, or as the JSON body).
 * Unstreamed `/generate` answers one object with the whole `text_output`,
 * prefixed by the prompt unless `exclude_input_in_output` is set in the
 * model's config; a prompt prefix is removed.
 *
 * Sources: `triton-inference-server/server` `docs/protocol/extension_generate.md`,
 * `src/http_server.cc` (GenerateRequestClass); `triton-inference-server/tensorrtllm_backend`
 * `README.md`, `docs/model_config.md`, `tensorrt_llm_bls/1/lib/decode.py`;
 * `NVIDIA/TensorRT-LLM` `docs/source/executor.md`.
 *
 * @module
 */
import { ChunkBuilder, errorText, parseJson } from "./_chunks.ts";
import { sseReader } from "./_sse.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import { samplingBody, type SamplingFields } from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser } from "./types.ts";

/**
 * The input tensors of the sampling options in the TensorRT-LLM backend's
 * ensemble and BLS models (no min_p there); `stop_words` is a list of strings.
 */
const TRITON_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  repetitionPenalty: "repetition_penalty",
  stop: "stop_words",
  seed: "random_seed",
};

interface Response {
  text_output?: unknown;
  error?: unknown;
}

/** A `text_output` as a string: one-element tensors are scalars, larger ones arrays. */
function textOf(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === "string" ? first : undefined;
}

/** Whether `texts` is a cumulative stream: each text strictly extends the one before. */
export function isCumulative(texts: readonly string[]): boolean {
  if (texts.length < 2) return false;
  for (let i = 1; i < texts.length; i++) {
    if (texts[i].length <= texts[i - 1].length || !texts[i].startsWith(texts[i - 1])) return false;
  }
  return true;
}

function streamParser(): StreamParser {
  const builder = new ChunkBuilder();
  const times: number[] = [];
  const texts: string[] = [];
  let ending = false;
  let cut = false;
  const sse = sseReader((data, time) => {
    if (ending) cut = true;
    const response = parseJson(data, builder) as Response | undefined;
    if (!response || typeof response !== "object") return;
    if (response.error !== undefined && response.error !== null) {
      builder.error(errorText(response.error));
      return;
    }
    builder.event(time);
    const text = textOf(response.text_output);
    if (text !== undefined) {
      times.push(time);
      texts.push(text);
    }
  });
  return {
    feed: sse.feed,
    finish() {
      ending = true;
      sse.end();
      if (isCumulative(texts)) {
        builder.text(times[0], texts[0]);
        for (let i = 1; i < texts.length; i++) {
          builder.text(times[i], texts[i].slice(texts[i - 1].length));
        }
        builder.note("text_output was cumulative (whole text so far); deltas were taken");
      } else {
        for (let i = 0; i < texts.length; i++) builder.text(times[i], texts[i]);
      }
      // No end marker: a body that ended after a whole event, without error, is complete.
      if (
        !cut && builder.parsed.firstEventTime !== undefined && builder.parsed.error === undefined
      ) {
        builder.complete();
      }
      return builder.finish();
    },
  };
}

function parser(request: GenerationRequest): StreamParser {
  if (request.stream !== false) return streamParser();
  return wholeBodyParser((json, time, builder) => {
    const response = json as Response | null;
    if (response && typeof response === "object" && response.error !== undefined) {
      builder.error(errorText(response.error));
      return;
    }
    const text = textOf(response?.text_output);
    if (text === undefined) {
      builder.error(`response without text_output: ${JSON.stringify(json).slice(0, 200)}`);
      return;
    }
    const prompt = request.prompt;
    builder.text(time, prompt !== "" && text.startsWith(prompt) ? text.slice(prompt.length) : text);
    builder.complete();
  });
}

/** The `tensorrt-llm` backend. */
export const tensorrtLlm: Backend = {
  name: "tensorrt-llm",
  defaultEndpoint: "/v2/models/{model}/generate_stream",
  unstreamedEndpoint: "/v2/models/{model}/generate",
  features: {
    bestOf: false,
    beamSearch: false,
    stream: "optional",
    model: { default: "ensemble" },
    sampling: TRITON_SAMPLING,
  },
  buildRequest: (request) =>
    jsonRequest({
      text_input: request.prompt,
      max_tokens: request.maxTokens,
      bad_words: "",
      stop_words: "",
      stream: request.stream !== false,
      ...samplingBody(request.sampling, TRITON_SAMPLING),
    }, request),
  createParser: parser,
};
