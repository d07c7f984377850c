/**
 * The tokenizer a GGUF file (llama.cpp's model format) carries in its
 * metadata, as a {@linkcode Tokenizer} that splits text the way llama.cpp
 * does (`src/llama-vocab.cpp`).
 *
 * The metadata (`tokenizer.ggml.model`, `.tokens`, `.scores`, `.token_type`,
 * `.merges`, `.pre`, `.add_space_prefix`, …) is read with the maintained
 * parser `@huggingface/gguf`, rebuilt as a `tokenizer.json` and run by
 * Tokenizers.js, like any Hugging Face tokenizer:
 *
 * - `"llama"` (SentencePiece BPE with scores): llama.cpp merges, over and over,
 *   the adjacent pair whose joined text is the highest-scoring vocabulary
 *   entry. As a BPE model that is one merge per way of cutting each entry in
 *   two known parts, ranked by the entry's score; text gets a leading space
 *   (`add_space_prefix`), spaces become `▁`, and characters outside the
 *   vocabulary fall back to their `<0xXX>` byte tokens.
 * - `"gpt2"` (byte-level BPE): the file's own merges, after the pre-split
 *   regexes llama.cpp uses for its `tokenizer.ggml.pre` (GPT-2, Llama 3, Qwen 2
 *   and the default families).
 *
 * Control, unknown and user-defined tokens are added tokens: their text in a
 * prompt is that token, as llama-server's `parse_special` (on by default)
 * makes it. Counts add no BOS, as llama-server's `/tokenize` without
 * `add_special`.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { hfTokenizerFromJson, type TokenizerJsonShape } from "./_hf_tokenizer.ts";
import { printable } from "./_printable.ts";
import type { Tokenizer } from "./tokenizer.ts";

/** The metadata values mib reads, by key, as `@huggingface/gguf` returns them. */
export type GgufMetadata = Readonly<Record<string, unknown>>;

/** llama.cpp's token types (`tokenizer.ggml.token_type`). */
const TYPE_UNKNOWN = 2;
const TYPE_CONTROL = 3;
const TYPE_USER_DEFINED = 4;

/** The SentencePiece word boundary mark. */
const SPM_SPACE = "\u2581";

const GPT2_SPLIT = [
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
];
const LLAMA3_SPLIT = [
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];
const QWEN2_SPLIT = [
  "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
];
const DEFAULT_SPLIT = [
  "[\\p{P}\\$\\+<=>\\^~\\|]+",
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)",
  "\\p{N}+",
  "[0-9][0-9][0-9]",
];

/** A byte-level pre-tokenizer: llama.cpp's regexes, applied one after the other. */
interface PreSplit {
  regexes: readonly string[];
  /** A whole pre-split piece that is a vocabulary entry is that token (no merging). */
  ignoreMerges: boolean;
}

/**
 * `tokenizer.ggml.pre` values and their splits, as `llama-vocab.cpp` maps
 * them (the families mib knows; others are refused by name).
 */
const PRE_SPLITS: Readonly<Record<string, PreSplit>> = {
  ...family(LLAMA3_SPLIT, true, [
    "llama3",
    "llama-v3",
    "llama-bpe",
    "falcon3",
    "falcon-h1",
    "pixtral",
    "midm-2.0",
    "lfm2",
    "jina-v5-nano",
  ]),
  ...family(LLAMA3_SPLIT, false, ["dbrx", "smaug-bpe"]),
  ...family(GPT2_SPLIT, false, [
    "gpt-2",
    "phi-2",
    "jina-es",
    "jina-de",
    "gigachat",
    "jina-v2-es",
    "jina-v2-de",
    "a.x-4.0",
    "mellum",
    "modern-bert",
    "jina-v1-en",
    "jina-v2-code",
    "roberta-bpe",
    "exaone4",
    "mpt",
    "olmo",
  ]),
  ...family(QWEN2_SPLIT, false, [
    "qwen2",
    "deepseek-r1-qwen",
    "kormo",
    "f2llmv2",
    "megrez",
    "stablelm2",
  ]),
  ...family(DEFAULT_SPLIT, false, ["default"]),
};

function family(
  regexes: readonly string[],
  ignoreMerges: boolean,
  names: readonly string[],
): Record<string, PreSplit> {
  return Object.fromEntries(names.map((name) => [name, { regexes, ignoreMerges }]));
}

function fail(where: string, detail: string): never {
  throw new UsageError("--tokenizer", `${where}: ${detail}`);
}

function stringList(metadata: GgufMetadata, key: string, where: string): string[] {
  const value = metadata[key];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    fail(where, `the GGUF metadata has no ${key} list, so no tokenizer to read`);
  }
  return value;
}

function numberList(
  metadata: GgufMetadata,
  key: string,
  length: number,
  where: string,
): number[] | undefined {
  const value = metadata[key];
  if (value === undefined) return undefined;
  if (
    !Array.isArray(value) || value.length !== length || !value.every((v) => typeof v === "number")
  ) {
    fail(where, `${key} is not a list of ${length} numbers, one per token`);
  }
  return value;
}

/** A metadata id (u32, or a bigint for 64-bit values) as a token id, if it is one. */
function tokenId(metadata: GgufMetadata, key: string, size: number): number | undefined {
  const value = metadata[key];
  const id = typeof value === "bigint" ? Number(value) : value;
  return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < size ? id : undefined;
}

/** Control, unknown and user-defined tokens, as `tokenizer.json` added tokens. */
function addedTokens(tokens: readonly string[], types: readonly number[] | undefined) {
  const added = [];
  for (let id = 0; id < tokens.length; id++) {
    const type = types?.[id];
    if (type !== TYPE_UNKNOWN && type !== TYPE_CONTROL && type !== TYPE_USER_DEFINED) continue;
    added.push({
      id,
      content: tokens[id],
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: type !== TYPE_USER_DEFINED,
    });
  }
  return added;
}

/** Text → id, the last id winning on a repeated text as in llama.cpp's `token_to_id`. */
function vocabulary(tokens: readonly string[]): Record<string, number> {
  return Object.fromEntries(tokens.map((text, id) => [text, id]));
}

/**
 * The merges that reproduce SentencePiece BPE: for every vocabulary entry,
 * each cut into a left and right part that can exist as symbols (an entry,
 * or a single character not yet merged), ranked by the entry's score, high
 * first (ties by id, as Hugging Face's converter orders them).
 */
function scoreMerges(
  tokens: readonly string[],
  scores: readonly number[],
  types: readonly number[] | undefined,
  vocab: Readonly<Record<string, number>>,
): [string, string][] {
  const special = (id: number) => {
    const type = types?.[id];
    return type === TYPE_UNKNOWN || type === TYPE_CONTROL || type === TYPE_USER_DEFINED;
  };
  const symbol = (text: string, chars: number) =>
    chars === 1 || (Object.hasOwn(vocab, text) && !special(vocab[text]));
  const found: { left: string; right: string; score: number; id: number }[] = [];
  for (let id = 0; id < tokens.length; id++) {
    if (special(id) || vocab[tokens[id]] !== id) continue;
    const chars = [...tokens[id]];
    for (let cut = 1; cut < chars.length; cut++) {
      const left = chars.slice(0, cut).join("");
      const right = chars.slice(cut).join("");
      if (symbol(left, cut) && symbol(right, chars.length - cut)) {
        found.push({ left, right, score: scores[id], id });
      }
    }
  }
  found.sort((a, b) => b.score - a.score || a.id - b.id);
  return found.map((m) => [m.left, m.right]);
}

/** The `tokenizer.json` of a `"llama"` (SentencePiece BPE) vocabulary. */
function sentencePieceJson(metadata: GgufMetadata, where: string): TokenizerJsonShape {
  const tokens = stringList(metadata, "tokenizer.ggml.tokens", where);
  const scores = numberList(metadata, "tokenizer.ggml.scores", tokens.length, where);
  if (scores === undefined) fail(where, "a SentencePiece vocabulary needs tokenizer.ggml.scores");
  const types = numberList(metadata, "tokenizer.ggml.token_type", tokens.length, where);
  const vocab = vocabulary(tokens);
  const unk = tokenId(metadata, "tokenizer.ggml.unknown_token_id", tokens.length);
  // llama.cpp prefixes SentencePiece text with a space unless the file says not to.
  const prefix = metadata["tokenizer.ggml.add_space_prefix"] !== false;
  const escape = { type: "Replace", pattern: { String: " " }, content: SPM_SPACE };
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: prefix
      ? { type: "Sequence", normalizers: [{ type: "Prepend", prepend: SPM_SPACE }, escape] }
      : escape,
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: "Sequence",
      decoders: [
        { type: "Replace", pattern: { String: SPM_SPACE }, content: " " },
        { type: "ByteFallback" },
        { type: "Fuse" },
        ...(prefix ? [{ type: "Strip", content: " ", start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: tokens[unk ?? -1] ?? null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab,
      merges: scoreMerges(tokens, scores, types, vocab),
    },
  } as TokenizerJsonShape;
}

/** The `tokenizer.json` of a `"gpt2"` (byte-level BPE) vocabulary. */
function byteLevelJson(metadata: GgufMetadata, where: string): TokenizerJsonShape {
  const tokens = stringList(metadata, "tokenizer.ggml.tokens", where);
  const merges = stringList(metadata, "tokenizer.ggml.merges", where);
  const types = numberList(metadata, "tokenizer.ggml.token_type", tokens.length, where);
  const pre = metadata["tokenizer.ggml.pre"] ?? "default";
  const split = typeof pre === "string" && Object.hasOwn(PRE_SPLITS, pre) ? PRE_SPLITS[pre] : fail(
    where,
    `its pre-tokenizer tokenizer.ggml.pre = ${
      JSON.stringify(pre)
    } is not one mib reproduces (it knows ${
      Object.keys(PRE_SPLITS).join(", ")
    }); pass the model's tokenizer.json, or --tokenizer server`,
  );
  const byteLevel = { type: "ByteLevel", add_prefix_space: false, trim_offsets: false };
  return {
    version: "1.0",
    added_tokens: addedTokens(tokens, types),
    normalizer: null,
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        ...split.regexes.map((regex) => ({
          type: "Split",
          pattern: { Regex: regex },
          behavior: "Isolated",
          invert: false,
        })),
        { ...byteLevel, use_regex: false },
      ],
    },
    post_processor: null,
    decoder: { ...byteLevel, use_regex: false },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: split.ignoreMerges,
      vocab: vocabulary(tokens),
      merges,
    },
  } as TokenizerJsonShape;
}

/**
 * The `tokenizer.json` equivalent of a GGUF file's tokenizer metadata.
 *
 * @param metadata the file's metadata, by key (`tokenizer.ggml.model`, …)
 * @param where how errors name the file
 * @throws {UsageError} on `--tokenizer` for a file without a tokenizer, a
 *   tokenizer model other than `llama` or `gpt2`, or a pre-tokenizer mib does
 *   not reproduce.
 */
export function ggufTokenizerJson(metadata: GgufMetadata, where: string): TokenizerJsonShape {
  const model = metadata["tokenizer.ggml.model"];
  if (model === "llama") return sentencePieceJson(metadata, where);
  if (model === "gpt2") return byteLevelJson(metadata, where);
  if (model === undefined) fail(where, "the GGUF file has no tokenizer (no tokenizer.ggml.model)");
  return fail(
    where,
    `its tokenizer model ${
      JSON.stringify(model)
    } is not one mib reproduces ("llama" SentencePiece and "gpt2" byte-level BPE are); pass the model's tokenizer.json, or --tokenizer server`,
  );
}

/**
 * A fetch that serves byte ranges of the local file at `path`, the way a
 * server answers `Range: bytes=a-b`.
 */
function localRanges(path: string): typeof fetch {
  return async (_input, init) => {
    const range = new Headers(init?.headers).get("range") ?? "";
    const [, from, to] = range.match(/^bytes=(\d+)-(\d*)$/) ?? [, "0", ""];
    using file = await Deno.open(path, { read: true });
    const size = (await file.stat()).size;
    const start = Math.min(Number(from), size);
    const end = Math.min(to === "" ? size - 1 : Number(to), size - 1);
    const bytes = new Uint8Array(Math.max(0, end - start + 1));
    await file.seek(start, Deno.SeekMode.Start);
    for (let read = 0; read < bytes.length;) {
      const n = await file.read(bytes.subarray(read));
      if (n === null) break;
      read += n;
    }
    return new Response(bytes, {
      status: 206,
      headers: { "content-range": `bytes ${start}-${end}/${size}` },
    });
  };
}

/** The metadata of the GGUF file at `path` (its header only: no tensor data is read). */
export async function readGgufMetadata(path: string): Promise<GgufMetadata> {
  const { gguf } = await import("./_gguf_library.ts");
  try {
    // The parser reads local files itself except on a worker thread, which it
    // takes for a browser; there it gets the same bytes through its fetch hook.
    const options = "WorkerGlobalScope" in globalThis
      ? { fetch: localRanges(path) }
      : { allowLocalFile: true };
    // Typed by the keys the library knows; mib checks each value it reads.
    const { metadata } = await gguf(path, options);
    return metadata as unknown as GgufMetadata;
  } catch (error) {
    throw new UsageError(
      "--tokenizer",
      `cannot read the GGUF file ${path}: ${printable((error as Error).message)}`,
    );
  }
}

/**
 * The tokenizer of the GGUF file at `path` (see the module doc).
 *
 * @param path the file
 * @param name the tokenizer's {@linkcode Tokenizer.name}
 * @throws {UsageError} on `--tokenizer` when the file cannot be read as GGUF
 *   or its tokenizer is not one mib reproduces.
 */
export async function ggufTokenizerFromFile(path: string, name: string): Promise<Tokenizer> {
  const metadata = await readGgufMetadata(path);
  return await hfTokenizerFromJson(ggufTokenizerJson(metadata, path), name, path);
}
