/**
 * Tokenizers that measure prompt and output lengths.
 *
 * A name given to `--tokenizer` (or to {@linkcode loadTokenizer} and
 * {@linkcode resolveTokenizer}) is, in this order:
 *
 * 1. a tiktoken encoding (`cl100k_base`) or OpenAI model name (`gpt-4o`),
 *    loaded through gpt-tokenizer (see `_tiktoken.ts` for why that library);
 * 2. a path to a Hugging Face `tokenizer.json`, or to a folder holding one;
 *    or to a GGUF model file (a name ending `.gguf`, or a file starting with
 *    the `GGUF` magic), whose tokenizer is read from its metadata the way
 *    llama.cpp reads it;
 * 3. a Hugging Face model id (`org/name`) whose `tokenizer.json` is in the
 *    local Hugging Face cache (`$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
 *    `~/.cache/huggingface/hub`; the snapshot `refs/main` points to, else the
 *    newest);
 * 4. a model id downloaded from the Hub (`$HF_ENDPOINT`, default
 *    `https://huggingface.co`, with `$HF_TOKEN` if set) into that cache.
 *
 * Hugging Face tokenizers run in JavaScript (Tokenizers.js); no Python and no
 * remote code, so `--trust-remote-code` changes nothing. Their counts never
 * include special tokens: a server that puts a BOS token before the prompt
 * reports one token more in its own `prompt_tokens`.
 *
 * @module
 */
import { loadTiktoken } from "./_tiktoken.ts";
import { encodingForModel } from "./_openai_models.ts";
import { UsageError } from "../errors.ts";
import {
  DEFAULT_TOKENIZER,
  isTiktokenEncoding,
  TIKTOKEN_ENCODING_NAMES,
  type TiktokenEncodingName,
} from "./_encodings.ts";
import {
  DownloadError,
  downloadTokenizer,
  expandHome,
  findCachedTokenizer,
  type HubOptions,
  isModelId,
} from "./_hf_hub.ts";
import { join as joinPath, resolve as resolvePath } from "node:path";

export { DEFAULT_TOKENIZER };
export type { HubOptions, TiktokenEncodingName };

/** A tokenizer as the benchmark needs it: ids in, text out, and counts. */
export interface Tokenizer {
  /**
   * What the user asked for, resolved: a tiktoken encoding (`cl100k_base`), a
   * Hugging Face model id, or the absolute path of a tokenizer.json or GGUF file.
   */
  readonly name: string;
  /** Regular (non-special) token ids are `0 .. vocabSize - 1`. */
  readonly vocabSize: number;
  /**
   * Token ids of `text`, with no special token added (no BOS). Special-token
   * strings in `text` are plain text under tiktoken; a Hugging Face tokenizer
   * matches them as special tokens, as servers using the same file do.
   */
  encode(text: string): number[];
  /** Text of `ids`. */
  decode(ids: number[]): string;
  /** Number of tokens in `text`. */
  count(text: string): number;
}

/** Names of the tiktoken encodings accepted by {@linkcode loadTokenizer}. */
export const TIKTOKEN_ENCODINGS: readonly string[] = TIKTOKEN_ENCODING_NAMES;

/**
 * Resolves `name` (a tiktoken encoding or an OpenAI model name) to an encoding
 * name, or throws a {@linkcode UsageError} on `--tokenizer`. The tiktoken
 * names only, synchronously; {@linkcode resolveTokenizer} takes every form.
 */
export function resolveEncodingName(name: string): string {
  if (isTiktokenEncoding(name)) return name;
  const encoding = encodingForModel(name);
  if (encoding !== undefined) return encoding;
  if (name.includes("/") || name.endsWith(".json")) {
    throw new UsageError(
      "--tokenizer",
      `"${name}" looks like a Hugging Face tokenizer, which resolveTokenizer or loadTokenizer take; this function takes a tiktoken encoding (${
        TIKTOKEN_ENCODINGS.join(", ")
      }) or an OpenAI model name`,
    );
  }
  throw new UsageError(
    "--tokenizer",
    `unknown tokenizer "${name}"; expected a tiktoken encoding (${
      TIKTOKEN_ENCODINGS.join(", ")
    }) or an OpenAI model name such as gpt-4o`,
  );
}

/** A `--tokenizer` name, resolved to what will be loaded. */
export type ResolvedTokenizer =
  | {
    kind: "tiktoken";
    /** The tiktoken encoding (`cl100k_base`), also for an OpenAI model name. */
    name: string;
  }
  | {
    kind: "huggingface";
    /** The model id (`meta-llama/Llama-3.1-8B`), or the file's absolute path. */
    name: string;
    /** Absolute path of the `tokenizer.json`. */
    path: string;
    /** How it was found: a path given, the local Hub cache, or a download just made. */
    source: "path" | "cache" | "download";
  }
  | {
    kind: "gguf";
    /** The file's absolute path. */
    name: string;
    /** The same path: the GGUF file whose metadata holds the tokenizer. */
    path: string;
  };

/** Options of {@linkcode resolveTokenizer} and {@linkcode loadTokenizer}. */
export interface ResolveTokenizerOptions extends HubOptions {
  /** Whether a model id missing from the cache may be downloaded (default true). */
  download?: boolean;
}

/** The forms `--tokenizer` accepts, for error messages. */
function acceptedForms(): string {
  return `a tiktoken encoding (${
    TIKTOKEN_ENCODINGS.join(", ")
  }), an OpenAI model name such as gpt-4o, a path to a Hugging Face tokenizer.json (or its folder) or to a GGUF model file, a Hugging Face model id such as meta-llama/Llama-3.1-8B, or server (the server's own tokenize endpoint)`;
}

/** GGUF files start with these four bytes. */
const GGUF_MAGIC = "GGUF";

/** Whether the file at `path` is a GGUF model: named `*.gguf`, or starting with the magic. */
async function isGgufFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith(".gguf")) return true;
  try {
    using file = await Deno.open(path, { read: true });
    const head = new Uint8Array(GGUF_MAGIC.length);
    const n = await file.read(head);
    return n === head.length && new TextDecoder().decode(head) === GGUF_MAGIC;
  } catch {
    return false; // unreadable here: reading it as a tokenizer.json says why
  }
}

/** Whether `name` is written as a file path rather than a model id. */
function looksLikePath(name: string): boolean {
  return /^(\.{1,2}|~)?[\\/]/.test(name) || /^[A-Za-z]:[\\/]/.test(name) ||
    name.includes("\\") || name.endsWith(".json") || name.toLowerCase().endsWith(".gguf") ||
    name.split("/").length > 2;
}

async function statOf(path: string): Promise<Deno.FileInfo | undefined> {
  try {
    return await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw new UsageError("--tokenizer", `cannot read "${path}": ${(error as Error).message}`);
  }
}

/** The `tokenizer.json` at `name` (a file, or a folder holding one), if `name` exists. */
async function tokenizerFileAt(
  name: string,
  options: HubOptions,
): Promise<string | undefined> {
  const path = resolvePath(expandHome(name, options));
  const info = await statOf(path);
  if (info === undefined) return undefined;
  if (info.isFile) return path;
  const file = joinPath(path, "tokenizer.json");
  if ((await statOf(file))?.isFile) return file;
  throw new UsageError(
    "--tokenizer",
    `the folder ${path} has no tokenizer.json (a SentencePiece tokenizer.model alone is not supported); pass the path of a tokenizer.json`,
  );
}

/**
 * Resolves a `--tokenizer` name (see the module doc for the order), without
 * loading it. A model id missing from the local cache is downloaded into it,
 * unless `options.download` is false.
 *
 * @throws {UsageError} on `--tokenizer` for an unknown name, a missing path,
 *   or a model id neither cached nor downloadable (naming where it looked).
 *
 * @example
 * ```ts
 * await resolveTokenizer("gpt-4o"); // { kind: "tiktoken", name: "o200k_base" }
 * await resolveTokenizer("./llama3/tokenizer.json");
 * // { kind: "huggingface", name: "/abs/llama3/tokenizer.json", path: …, source: "path" }
 * ```
 */
export async function resolveTokenizer(
  name: string = DEFAULT_TOKENIZER,
  options: ResolveTokenizerOptions = {},
): Promise<ResolvedTokenizer> {
  if (isTiktokenEncoding(name)) return { kind: "tiktoken", name };
  const encoding = encodingForModel(name);
  if (encoding !== undefined) return { kind: "tiktoken", name: encoding };
  if (name.trim() === "") {
    throw new UsageError("--tokenizer", `empty name; expected ${acceptedForms()}`);
  }
  const file = await tokenizerFileAt(name, options);
  if (file !== undefined && await isGgufFile(file)) return { kind: "gguf", name: file, path: file };
  if (file !== undefined) return { kind: "huggingface", name: file, path: file, source: "path" };
  if (looksLikePath(name) || !isModelId(name)) {
    throw new UsageError(
      "--tokenizer",
      looksLikePath(name)
        ? `no such file or folder "${name}"`
        : `unknown tokenizer "${name}"; expected ${acceptedForms()}`,
    );
  }
  const cached = await findCachedTokenizer(name, options);
  if (cached.path !== undefined) {
    return { kind: "huggingface", name, path: cached.path, source: "cache" };
  }
  const fix =
    `pass the path of a tokenizer.json (or of its folder), or fetch it first: hf download ${name} tokenizer.json`;
  if (options.download === false) {
    throw new UsageError(
      "--tokenizer",
      `"${name}" is not in the local Hugging Face cache (looked at ${cached.looked}); ${fix}`,
    );
  }
  try {
    const path = await downloadTokenizer(name, options);
    return { kind: "huggingface", name, path, source: "download" };
  } catch (error) {
    if (!(error instanceof DownloadError)) throw error;
    throw new UsageError(
      "--tokenizer",
      `"${name}" is not in the local Hugging Face cache (looked at ${cached.looked}) and could not be downloaded: ${error.message}; ${fix}`,
    );
  }
}

/**
 * Loads the tokenizer named by `name` (default `cl100k_base`; see
 * {@linkcode resolveTokenizer} for the names accepted), or the one an earlier
 * {@linkcode resolveTokenizer} found.
 *
 * @throws {UsageError} on `--tokenizer` when the name does not resolve or the
 *   tokenizer.json is unreadable, corrupt or unsupported.
 *
 * @example
 * ```ts
 * const tok = await loadTokenizer("cl100k_base");
 * tok.count("hello world"); // 2
 * const llama = await loadTokenizer("meta-llama/Llama-3.1-8B"); // cache, else download
 * ```
 */
export async function loadTokenizer(
  name: string | ResolvedTokenizer = DEFAULT_TOKENIZER,
  options: ResolveTokenizerOptions = {},
): Promise<Tokenizer> {
  const resolved = typeof name === "string" ? await resolveTokenizer(name, options) : name;
  if (resolved.kind === "huggingface") {
    const { hfTokenizerFromFile } = await import("./_hf_tokenizer.ts");
    return await hfTokenizerFromFile(resolved.path, resolved.name);
  }
  if (resolved.kind === "gguf") {
    const { ggufTokenizerFromFile } = await import("./_gguf.ts");
    return await ggufTokenizerFromFile(resolved.path, resolved.name);
  }
  const encoding = resolveEncodingName(resolved.name) as TiktokenEncodingName;
  const tiktoken = await loadTiktoken(encoding);
  return {
    name: encoding,
    vocabSize: tiktoken.vocabSize,
    encode: tiktoken.encode,
    decode: tiktoken.decode,
    count: tiktoken.count,
  };
}

/** The tokenizer to use when `--tokenizer` is not given, and what to tell the user. */
export interface DefaultTokenizer {
  /** A name for {@linkcode loadTokenizer}: the model's own tokenizer, or `cl100k_base`. */
  name: string;
  /** Set when falling back to `cl100k_base`: one line to print. */
  warning?: string;
}

/**
 * The default tokenizer for `model` (the `--model` given, or the server's):
 * its own tokenizer when it resolves without a download (a tiktoken or
 * OpenAI model name, a path, a model id in the local Hugging Face cache),
 * else `cl100k_base` with a warning that lengths are approximate.
 *
 * @example
 * ```ts
 * await defaultTokenizerFor("gpt-4o"); // { name: "o200k_base" }
 * await defaultTokenizerFor("meta-llama/Llama-3.1-8B"); // cached: { name: "meta-llama/Llama-3.1-8B" }
 * await defaultTokenizerFor("my-model"); // { name: "cl100k_base", warning: "…" }
 * ```
 */
export async function defaultTokenizerFor(
  model?: string,
  options: HubOptions = {},
): Promise<DefaultTokenizer> {
  const fallback =
    `counting tokens with ${DEFAULT_TOKENIZER}, so prompt and output lengths are approximate for this model`;
  if (model === undefined || model.trim() === "") {
    return {
      name: DEFAULT_TOKENIZER,
      warning:
        `no model name known; ${fallback}; pass --tokenizer with the model's tokenizer.json or Hugging Face id`,
    };
  }
  try {
    const resolved = await resolveTokenizer(model, { ...options, download: false });
    return { name: resolved.name };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const hubId = isModelId(model) && !looksLikePath(model);
    const where = hubId && /local Hugging Face cache/.test(error.detail)
      ? `model "${model}" is not in the local Hugging Face cache (looked at ${
        (await findCachedTokenizer(model, options)).looked
      })`
      : hubId
      ? `the tokenizer of model "${model}" cannot be used (${error.detail})`
      : `model "${model}" names no tokenizer mib knows (a tiktoken or OpenAI model name, a tokenizer.json path, or a Hugging Face model id in the local cache)`;
    return {
      name: DEFAULT_TOKENIZER,
      warning: `${where}; ${fallback}; pass --tokenizer ${
        hubId ? model : "<Hugging Face model id>"
      } to download its tokenizer, or --tokenizer <path to tokenizer.json>`,
    };
  }
}
