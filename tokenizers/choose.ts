/**
 * Which tokenizer a run uses, and loading it only when something counts.
 *
 * Light on purpose: the CLI imports this module at start-up, so it names
 * tiktoken encodings without js-tiktoken and imports `tokenizer.ts` (~25 ms
 * of module loading) only for a name that needs resolving.
 *
 * @module
 */
import { isTiktokenEncoding } from "./_encodings.ts";
import type { ResolvedTokenizer, Tokenizer } from "./tokenizer.ts";

/**
 * What `--tokenizer` names (`name`), or without it `model`'s own tokenizer
 * when it is in the local Hugging Face cache, else cl100k_base with a
 * warning passed to `log`. A tiktoken encoding name is taken as is, without
 * loading anything, so the common case costs nothing at start-up.
 *
 * @throws {UsageError} on `--tokenizer` when `name` does not resolve.
 *
 * @example
 * ```ts
 * await chooseTokenizer("cl100k_base", undefined, console.log); // { kind: "tiktoken", name: "cl100k_base" }
 * await chooseTokenizer(undefined, "gpt-4o", console.log); // { kind: "tiktoken", name: "o200k_base" }
 * ```
 */
export async function chooseTokenizer(
  name: string | undefined,
  model: string | undefined,
  log: (line: string) => void,
): Promise<ResolvedTokenizer> {
  if (name !== undefined && isTiktokenEncoding(name)) return { kind: "tiktoken", name };
  const { resolveTokenizer, defaultTokenizerFor } = await import("./tokenizer.ts");
  if (name !== undefined) return await resolveTokenizer(name);
  const chosen = await defaultTokenizerFor(model);
  if (chosen.warning) log(`warning: ${chosen.warning}`);
  return await resolveTokenizer(chosen.name, { download: false });
}

/** A tokenizer known by name now and loaded on first use. */
export interface LazyTokenizer {
  /**
   * The resolved name (see {@linkcode ResolvedTokenizer}): a tiktoken
   * encoding, a Hugging Face model id or a tokenizer.json path.
   */
  readonly name: string;
  /** The tokenizer, loaded by the first call; later calls share it. */
  load(): Promise<Tokenizer>;
}

/**
 * `resolved`, loaded on first use: building a tokenizer takes a few hundred
 * milliseconds, which a run that never counts a token should not pay.
 *
 * @example
 * ```ts
 * const tokenizer = lazyTokenizer({ kind: "tiktoken", name: "cl100k_base" });
 * tokenizer.name; // "cl100k_base", nothing loaded yet
 * (await tokenizer.load()).count("hello world"); // 2
 * ```
 */
export function lazyTokenizer(resolved: ResolvedTokenizer): LazyTokenizer {
  let loading: Promise<Tokenizer> | undefined;
  return {
    name: resolved.name,
    load: () =>
      loading ??= import("./tokenizer.ts").then(({ loadTokenizer }) => loadTokenizer(resolved)),
  };
}
