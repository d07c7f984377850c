/**
 * `deepspeed-mii`: DeepSpeed-MII's RESTful API (`mii.serve(...,
 * enable_restful_api=True)`, `POST /mii/{deployment}`, default port 28080).
 * The model is the deployment name, which has no default and no listing
 * route, so `--model` is required.
 *
 * The gateway calls `client.generate(**body)`, so the body's keys are that
 * method's keyword arguments: `{prompts: [prompt], max_new_tokens,
 * ignore_eos: true}` (`do_sample` is left at MII's default, true). A key it
 * does not know is an error, so the model is not repeated in the body.
 *
 * No streaming over REST (the gateway calls `generate` without
 * `streaming_fn`): TTFT and inter-token latencies are unknown, never 0. The
 * response is a JSON array, one object per prompt,
 * `[{generated_text, prompt_length, generated_length, finish_reason}]`
 * (`Response.to_msg_dict`, i.e. `asdict`). Some gateway versions return
 * `json.dumps(...)` of that array from a flask-restful resource, which
 * encodes it again as a JSON string; that string is decoded once more. MII's
 * FastAPI `api_server` (`POST /generate`) answers `{"text": [generated]}`
 * instead, also accepted here (it has no token counts).
 *
 * Sources: `microsoft/DeepSpeed-MII` `README.md`, `docs/source/rest.rst`,
 * `mii/grpc_related/restful_gateway.py`, `mii/batching/data_classes.py`,
 * `mii/entrypoints/api_server.py`.
 *
 * @module
 */
import { type ChunkBuilder, errorText } from "./_chunks.ts";
import { wholeBodyParser } from "./_whole.ts";
import { jsonRequest } from "./_body.ts";
import { samplingBody, type SamplingFields } from "./sampling.ts";
import type { Backend, StreamParser } from "./types.ts";

/** `generate`'s sampling keywords (MII has no min_p, repetition penalty or seed). */
const MII_SAMPLING: SamplingFields = {
  temperature: "temperature",
  topP: "top_p",
  topK: "top_k",
  stop: "stop",
};

interface Item {
  generated_text?: unknown;
  prompt_length?: unknown;
  generated_length?: unknown;
  finish_reason?: unknown;
}

function read(json: unknown, time: number, builder: ChunkBuilder): void {
  if (typeof json === "string") {
    // A double-encoded body: the JSON text of the array, as a JSON string.
    const inner = json;
    try {
      json = JSON.parse(inner);
    } catch {
      builder.error(`unexpected response: ${inner.slice(0, 200)}`);
      return;
    }
  }
  const object = json as { error?: unknown; text?: unknown } | null;
  if (object && typeof object === "object" && !Array.isArray(object)) {
    if (object.error !== undefined && object.error !== null) {
      builder.error(errorText(object.error));
      return;
    }
    const text = Array.isArray(object.text) ? object.text[0] : object.text;
    if (typeof text === "string") {
      builder.text(time, text);
      builder.complete();
      return;
    }
  }
  const item = (Array.isArray(json) ? json[0] : undefined) as Item | undefined;
  if (!item || typeof item.generated_text !== "string") {
    builder.error(`unexpected response: ${JSON.stringify(json).slice(0, 200)}`);
    return;
  }
  const generated = typeof item.generated_length === "number" ? item.generated_length : undefined;
  builder.text(time, item.generated_text, generated);
  if (generated !== undefined) builder.outputTokens(generated);
  if (typeof item.prompt_length === "number") builder.promptTokens(item.prompt_length);
  if (item.finish_reason === "stop") {
    builder.note("the server stopped before max_new_tokens (finish_reason stop)");
  }
  builder.complete();
}

/** The `deepspeed-mii` backend. */
export const deepspeedMii: Backend = {
  name: "deepspeed-mii",
  defaultEndpoint: "/mii/{model}",
  features: {
    bestOf: false,
    beamSearch: false,
    stream: "never",
    model: "required",
    sampling: MII_SAMPLING,
    ignoreEos: true,
  },
  buildRequest: (request) =>
    jsonRequest({
      prompts: [request.prompt],
      max_new_tokens: request.maxTokens,
      ...(request.ignoreEos !== false ? { ignore_eos: true } : {}),
      ...samplingBody(request.sampling, MII_SAMPLING),
    }, request),
  createParser: (): StreamParser => wholeBodyParser(read),
};
