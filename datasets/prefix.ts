/**
 * The prefix put before every prompt: `--prefix-text T` as given, or
 * `--prefix-len N`, one shared text of N random pool words drawn from its own
 * seeded stream (so the prefix does not change with the prompts, nor they
 * with it).
 *
 * @module
 */
import { seededSource } from "../distributions/mod.ts";
import type { Tokenizer } from "../tokenizers/mod.ts";
import type { DatasetPrompt, PrefixOption } from "./types.ts";
import { drawWords, wordPoolOf } from "./word_pool.ts";

/**
 * The text of `prefix`: `""` for none, the text given, or `len` words of the
 * tokenizer's pool drawn with `seededSource(seed, "random-dataset-prefix")`.
 * Under a tiktoken encoding (a name is enough) those words are exactly `len`
 * tokens; under another tokenizer, measure the text.
 *
 * @throws {Error} for a `tokens` prefix when `tokenizer` is a name without a
 *   shipped word pool.
 *
 * @example
 * ```ts
 * prefixText({ kind: "tokens", len: 32 }, "cl100k_base", 0); // 32 tokens of words
 * prefixText({ kind: "text", text: "System: " }, "cl100k_base", 0); // "System: "
 * ```
 */
export function prefixText(
  prefix: PrefixOption,
  tokenizer: Tokenizer | string,
  seed: number,
): string {
  switch (prefix.kind) {
    case "none":
      return "";
    case "text":
      return prefix.text;
    case "tokens": {
      const next = seededSource(seed, "random-dataset-prefix");
      return drawWords(wordPoolOf(tokenizer).words, next, prefix.len).join("");
    }
  }
}

/**
 * `prompts` with `prefix` before each. `promptLen` is then `count` of the
 * joined text, so it is true even where the prefix merges with the prompt;
 * without a prefix the prompts are returned as they are.
 *
 * @throws {RangeError} when there is a prefix but no `count`.
 */
export function joinPrefix(
  prompts: readonly DatasetPrompt[],
  prefix: string,
  count?: (text: string) => number,
): DatasetPrompt[] {
  if (prefix === "") return prompts.slice();
  if (count === undefined) {
    throw new RangeError("a prefix needs `count` to measure the joined prompt");
  }
  return prompts.map((prompt) => {
    const text = prefix + prompt.text;
    return { text, promptLen: count(text), outputLen: prompt.outputLen };
  });
}
