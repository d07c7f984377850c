/**
 * vLLM's legacy demo server (`vllm/entrypoints/api_server.py`, `POST /generate`),
 * reached as `--backend vllm --endpoint /generate`.
 *
 * The request carries the sampling parameters at the top level. The streamed
 * response is JSON records `{"text": [prompt + generated text so far]}`, each
 * ended by "\n" (current vLLM) or "\0" (before vLLM PR #2756); the text is
 * cumulative and starts with the prompt. No token counts are sent.
 *
 * @module
 */
import { ChunkBuilder, parseJson } from "./_chunks.ts";
import { recordReader } from "./_records.ts";
import { jsonRequest } from "./_body.ts";
import { OPENAI_SAMPLING, samplingBody } from "./sampling.ts";
import type { Backend, GenerationRequest, StreamParser } from "./types.ts";

/** The generated text of one record: its first text, without the echoed prompt. */
function generated(json: unknown, prompt: string): string | undefined {
  const text = (json as { text?: unknown })?.text;
  const first = Array.isArray(text) ? text[0] : text;
  if (typeof first !== "string") return undefined;
  return first.startsWith(prompt) ? first.slice(prompt.length) : first;
}

function parser(request: GenerationRequest): StreamParser {
  const streamed = request.stream !== false;
  const builder = new ChunkBuilder(streamed);
  const records = recordReader((record, time) => {
    const json = parseJson(record, builder);
    if (json === undefined) return;
    if ((json as { error?: unknown }).error !== undefined) {
      builder.error(String((json as { error: unknown }).error));
      return;
    }
    const text = generated(json, request.prompt);
    if (text === undefined) builder.error(`unexpected record: ${record.slice(0, 200)}`);
    else builder.cumulative(time, text);
  });
  return {
    feed: records.feed,
    finish() {
      records.end();
      // The protocol has no end marker: a response that ended cleanly is complete.
      if (builder.parsed.error === undefined) builder.complete();
      return builder.finish();
    },
  };
}

/** vLLM's legacy `/generate` protocol. */
export const vllmLegacy: Backend = {
  name: "vllm",
  defaultEndpoint: "/generate",
  features: {
    bestOf: true,
    beamSearch: true,
    stream: "optional",
    model: "optional",
    // The body's other keys become SamplingParams' keyword arguments.
    sampling: OPENAI_SAMPLING,
    ignoreEos: true,
  },
  buildRequest: (request) => {
    const body: Record<string, unknown> = {
      prompt: request.prompt,
      stream: request.stream !== false,
      max_tokens: request.maxTokens,
      ...samplingBody(request.sampling, OPENAI_SAMPLING),
    };
    if (request.ignoreEos !== false) body.ignore_eos = true;
    if (request.bestOf !== undefined) body.best_of = request.bestOf;
    if (request.useBeamSearch) body.use_beam_search = true;
    return jsonRequest(body, request);
  },
  createParser: parser,
};
