/**
 * Reasoning models: telling their thinking from their answer in a response.
 *
 * Three forms exist: a separate field per chunk (OpenAI-compatible chat
 * `delta.reasoning_content` of vLLM's reasoning parsers, SGLang, DeepSeek and
 * llama.cpp; `delta.reasoning` of newer vLLM; Ollama's `thinking`), which the
 * parsers hand to `ChunkBuilder.text` as the leading part of a chunk's text;
 * and `<think>…</think>` tags inside the generated text (a server without a
 * reasoning parser, or a completions endpoint), which
 * {@linkcode splitThinkTags} finds after the response ended. A stream may
 * start inside the thinking (the chat template put `<think>` in the prompt):
 * a `</think>` with no `<think>` before it closes thinking that began with
 * the first chunk.
 *
 * Generated text of either part is output text: `output_len` and the
 * chunks' gaps (ITL) count both.
 *
 * @module
 */
import type { ReasoningSplit, TextChunk } from "./types.ts";

const OPEN = "<think>";
const CLOSE = "</think>";

/** Whether `text` has an answer token: anything but whitespace. */
export function hasAnswerText(text: string): boolean {
  return /\S/.test(text);
}

/**
 * The reasoning in `chunks` marked by `<think>` tags, or undefined when no
 * chunk holds a tag. The tags are not reasoning text (a reasoning model's
 * tokenizer has each as one special token); the first reasoning token is the
 * chunk with the opening tag, the first answer chunk the first with
 * non-whitespace text outside the tags.
 *
 * @example
 * ```ts
 * import { splitThinkTags } from "./_reasoning.ts";
 *
 * const split = splitThinkTags([
 *   { time: 1, text: "<think>hm" },
 *   { time: 2, text: "m</think>\n\n" },
 *   { time: 3, text: "Yes." },
 * ]);
 * // { text: "hmm", firstTime: 1, answerTime: 3 }
 * ```
 */
export function splitThinkTags(chunks: readonly TextChunk[]): ReasoningSplit | undefined {
  const first = chunks.findIndex((c) => c.text.includes(OPEN) || c.text.includes(CLOSE));
  if (first < 0) return undefined;
  const text = chunks[first].text;
  const open = text.indexOf(OPEN);
  const close = text.indexOf(CLOSE);
  // Thinking from the first chunk on when the first tag closes it.
  let inside = !(open >= 0 && (close < 0 || open < close));
  let reasoning = "";
  let firstTime = inside ? chunks[0]?.time : undefined;
  let answerTime: number | undefined;
  for (const chunk of chunks) {
    let rest = chunk.text;
    while (rest.length > 0) {
      const tag = inside ? CLOSE : OPEN;
      const at = rest.indexOf(tag);
      const part = at < 0 ? rest : rest.slice(0, at);
      if (inside) reasoning += part;
      else if (answerTime === undefined && hasAnswerText(part)) answerTime = chunk.time;
      if (at < 0) break;
      rest = rest.slice(at + tag.length);
      inside = !inside;
      if (inside) firstTime ??= chunk.time;
    }
  }
  return { text: reasoning, firstTime, answerTime };
}
