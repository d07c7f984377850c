/**
 * Which tokenizer a run uses, and loading it only when something counts.
 *
 * Light on purpose: the CLI imports this module at start-up, so it names
 * tiktoken encodings without the tokenizer library and imports
 * `tokenizer.ts` (~20 ms of module loading) only for a name that needs
 * resolving.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { isTiktokenEncoding } from "./_encodings.ts";
import { SERVER_TOKENIZER, type ServerCounter, TokenizeError } from "./server.ts";
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
   * encoding, a Hugging Face model id, a tokenizer.json or GGUF path, or
   * `server:<url>` for the server's own tokenizer.
   */
  readonly name: string;
  /**
   * The tokenizer, loaded by the first call; later calls share it. Rejects
   * with a {@linkcode UsageError} on `--tokenizer` when `server` is set.
   */
  load(): Promise<Tokenizer>;
  /**
   * Set when the server counts (`--tokenizer server`): there is no local
   * tokenizer, and texts are counted in batches by the server's endpoint.
   */
  readonly server?: ServerCounter;
}

/**
 * The server's tokenizer as a {@linkcode LazyTokenizer}: `server` counts, and
 * `load()` says that only counting is possible.
 */
export function serverTokenizer(counter: ServerCounter): LazyTokenizer {
  return {
    name: counter.name,
    server: counter,
    load: () =>
      Promise.reject(
        new UsageError(
          "--tokenizer",
          `${SERVER_TOKENIZER} counts tokens through the server (${counter.name}), which builds random prompts and counts outputs but cannot cut dataset texts to length; pass a local tokenizer (a tokenizer.json, a GGUF file or a model id) for this dataset`,
        ),
      ),
  };
}

/** What a run counts tokens with. */
export interface RunTokenizer {
  /** What the datasets get: `server` is set when the server counts. */
  tokenizer: LazyTokenizer;
  /** The local tokenizer (for the counting thread); absent when the server counts. */
  resolved?: ResolvedTokenizer;
}

/** What {@linkcode chooseRunTokenizer} decides from. */
export interface RunTokenizerChoice {
  /** `--tokenizer`, when given. */
  name?: string;
  /** The model the run names (given or the server's). */
  model?: string;
  /**
   * The server's tokenize endpoint, when the backend has one; undefined
   * otherwise (then `--tokenizer server` is refused).
   */
  server?: ServerCounter;
  /** The `--backend` name, for error messages. */
  backend: string;
  /** Receives the announcement of a default choice, or the fallback warning. */
  log: (line: string) => void;
}

/** Whether the server counts: asks it to count one word; why not, when it does not. */
async function serverAnswers(counter: ServerCounter): Promise<string | undefined> {
  try {
    await counter.countAll(["hello"]);
    return undefined;
  } catch (error) {
    if (error instanceof TokenizeError) return error.message;
    throw error;
  }
}

/**
 * The run's tokenizer. `--tokenizer server` is the server's endpoint (checked
 * to answer); another name is resolved as {@linkcode chooseTokenizer} does.
 * Without `--tokenizer`, in this order: the model's own tokenizer when it is
 * known locally (a tiktoken or OpenAI model name, a tokenizer.json or GGUF
 * path — llama.cpp names its model by its `-m` path — or a model id in the
 * Hugging Face cache); else the server's tokenize endpoint when it answers;
 * else `cl100k_base` with a warning. A default is announced through `log`.
 *
 * @throws {UsageError} on `--tokenizer` when the name does not resolve, or
 *   is `server` for a backend without a tokenize endpoint or a server whose
 *   endpoint does not answer.
 *
 * @example
 * ```ts
 * const { tokenizer } = await chooseRunTokenizer({
 *   model: "gpt-4o", backend: "openai", log: console.log,
 * }); // logs "tokenizer: o200k_base (the model's own)"
 * ```
 */
export async function chooseRunTokenizer(choice: RunTokenizerChoice): Promise<RunTokenizer> {
  const { name, model, server, log } = choice;
  if (name === SERVER_TOKENIZER) {
    if (server === undefined) {
      throw new UsageError(
        "--tokenizer",
        `${SERVER_TOKENIZER}: the ${choice.backend} backend has no tokenize endpoint mib knows (llama.cpp, vllm, sglang and tgi have one); pass a local tokenizer`,
      );
    }
    const failure = await serverAnswers(server);
    if (failure !== undefined) {
      throw new UsageError("--tokenizer", `${SERVER_TOKENIZER}: ${failure}`);
    }
    return { tokenizer: serverTokenizer(server) };
  }
  if (name !== undefined) {
    const resolved = await chooseTokenizer(name, model, log);
    return { tokenizer: lazyTokenizer(resolved), resolved };
  }
  const { resolveTokenizer, defaultTokenizerFor } = await import("./tokenizer.ts");
  const own = await defaultTokenizerFor(model);
  if (own.warning === undefined) {
    const resolved = await resolveTokenizer(own.name, { download: false });
    log(`tokenizer: ${resolved.name} (the model's own)`);
    return { tokenizer: lazyTokenizer(resolved), resolved };
  }
  const failure = server && await serverAnswers(server);
  if (server !== undefined && failure === undefined) {
    log(
      `tokenizer: the server's own, ${server.name.slice(SERVER_TOKENIZER.length + 1)} (${
        model === undefined ? "no model name known" : `model "${model}" has no tokenizer known here`
      })`,
    );
    return { tokenizer: serverTokenizer(server) };
  }
  log(`warning: ${own.warning}${failure === undefined ? "" : `; the server's ${failure}`}`);
  const resolved = await resolveTokenizer(own.name, { download: false });
  return { tokenizer: lazyTokenizer(resolved), resolved };
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
