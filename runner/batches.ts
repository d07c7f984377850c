/**
 * Pooling requests (embeddings, rerank) from dataset prompts: how many
 * prompts each request takes, and how they are grouped into one request.
 *
 * @module
 */
import type { PoolingTask } from "../backends/types.ts";
import { lazySequence, type Sequence } from "../distributions/mod.ts";
import type { SharedRequestFields } from "./plan.ts";
import type { PlannedRequest } from "./run.ts";

/** What each request of a pooling run carries. */
export interface PoolingShape {
  /** What the backend computes. */
  task: PoolingTask;
  /** `--batch`: texts per embeddings request, documents per rerank request (≥ 1). */
  batch: number;
}

/** A prompt of the dataset: its text and token count. */
export interface BatchPrompt {
  /** The text. */
  text: string;
  /** Its token count. */
  promptLen: number;
}

/**
 * Dataset prompts one request takes: `batch` for `embed`; for `rerank` one
 * more, the query (the first of them).
 *
 * @example
 * ```ts
 * promptsPerRequest({ task: "rerank", batch: 4 }); // 5
 * ```
 */
export function promptsPerRequest(shape: PoolingShape): number {
  return shape.task === "rerank" ? shape.batch + 1 : shape.batch;
}

/**
 * The token count of a request of `texts`: for `embed` Σ of the texts'; for
 * `rerank` the query's (`texts[0]`) once per document plus Σ of the
 * documents', since the server encodes each query–document pair.
 *
 * @example
 * ```ts
 * batchPromptLen("rerank", [3, 10, 20]); // 3·2 + 10 + 20 = 36
 * ```
 */
export function batchPromptLen(task: PoolingTask, lens: readonly number[]): number {
  const sum = lens.reduce((a, b) => a + b, 0);
  return task === "rerank" ? sum + lens[0] * (lens.length - 2) : sum;
}

/**
 * Request i is sent at `offsets[i]` and takes the `k` = `promptsPerRequest`
 * prompts i·k … i·k + k − 1, in order: its `inputs` for `embed`; for
 * `rerank` the first is its `query` and the rest its `inputs`. It asks for
 * no tokens (`maxTokens` 0). Made as read.
 */
export function batchedRequests(
  offsets: Sequence<number>,
  prompts: Sequence<BatchPrompt>,
  shape: PoolingShape,
  shared: SharedRequestFields | undefined,
): Sequence<PlannedRequest> {
  const k = promptsPerRequest(shape);
  return lazySequence(Math.min(offsets.length, Math.floor(prompts.length / k)), function* () {
    const next = prompts[Symbol.iterator]();
    for (const offset of offsets) {
      const group: BatchPrompt[] = [];
      for (let j = 0; j < k; j++) {
        const prompt = next.next();
        if (prompt.done) return;
        group.push(prompt.value);
      }
      const texts = group.map((p) => p.text);
      const promptLen = batchPromptLen(shape.task, group.map((p) => p.promptLen));
      const request = shape.task === "rerank"
        ? { ...shared, prompt: texts[0], query: texts[0], inputs: texts.slice(1), maxTokens: 0 }
        : { ...shared, prompt: texts[0], inputs: texts, maxTokens: 0 };
      yield { offset, promptLen, request };
    }
  });
}
