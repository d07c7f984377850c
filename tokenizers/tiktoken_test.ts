import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  loadTokenizer,
  resolveEncodingName,
  resolveTokenizer,
  TIKTOKEN_ENCODINGS,
} from "./tokenizer.ts";

/** The texts of `tests/fixtures/tiktoken_ids.json`, in its order. */
const TEXTS = [
  "hello world",
  "Special text stays text: <|endoftext|><|im_start|>user<|im_end|> <|fim_prefix|><|endofprompt|>",
  "中文的文本，日本語のテキスト 한국어 😀👨‍👩‍👧 🇯🇵",
  "  indented\n\n\ttab  \r\n   trailing   ",
  "12345678 3.14159 0xdeadbeef don't IT'S we're",
  "lone \ud83d surrogate",
];

/** What js-tiktoken, mib's tokenizer before gpt-tokenizer, gave for each encoding. */
const GOLDEN: {
  encodings: Record<string, { vocabSize: number; ids: number[][]; emojiPieces: string[] }>;
} = JSON.parse(
  await Deno.readTextFile(new URL("../tests/fixtures/tiktoken_ids.json", import.meta.url)),
);

Deno.test("every tiktoken encoding mib lists has ids recorded from js-tiktoken", () => {
  assert.deepEqual(Object.keys(GOLDEN.encodings), [...TIKTOKEN_ENCODINGS]);
});

for (const name of TIKTOKEN_ENCODINGS) {
  Deno.test(`${name}: the ids, counts, vocabulary size and decoding js-tiktoken gave`, async () => {
    const golden = GOLDEN.encodings[name];
    const tokenizer = await loadTokenizer(name);
    assert.equal(tokenizer.name, name);
    assert.equal(tokenizer.vocabSize, golden.vocabSize);
    assert.equal(golden.ids.length, TEXTS.length);
    TEXTS.forEach((text, i) => {
      // Special-token strings included: plain text, no throw.
      assert.deepEqual(tokenizer.encode(text), golden.ids[i], JSON.stringify(text));
      assert.equal(tokenizer.count(text), golden.ids[i].length, JSON.stringify(text));
    });
    for (const text of TEXTS.slice(0, -1)) {
      assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
    }
    // A lone surrogate is encoded as U+FFFD's bytes, as TextEncoder writes it.
    assert.equal(tokenizer.decode(tokenizer.encode(TEXTS.at(-1)!)), "lone \ufffd surrogate");

    // Ids that end inside a character: U+FFFD, one call after another, with
    // nothing held back for the next call; then the same before plain text.
    const emoji = tokenizer.encode("😀");
    assert.deepEqual(emoji.map((id) => tokenizer.decode([id])), golden.emojiPieces);
    if (emoji.length > 1) {
      assert.equal(tokenizer.decode([emoji[0], ...tokenizer.encode(" world")]), "\ufffd world");
      assert.equal(tokenizer.decode([...emoji, ...tokenizer.encode("!")]), "😀!");
    }
    // The lowest special id is <|endoftext|>; ids no table holds decode to nothing.
    assert.equal(tokenizer.decode([tokenizer.vocabSize]), "<|endoftext|>");
    assert.equal(tokenizer.decode([10_000_000, ...tokenizer.encode("x")]), "x");
    assert.equal(tokenizer.count(""), 0);
  });
}

Deno.test("OpenAI model names resolve to their encodings, as js-tiktoken resolved them", async () => {
  const cases: [string, string][] = [
    ["gpt-4o", "o200k_base"],
    ["gpt-4o-mini", "o200k_base"],
    ["o1", "o200k_base"],
    ["gpt-5", "o200k_base"],
    ["gpt-4", "cl100k_base"],
    ["gpt-3.5-turbo", "cl100k_base"],
    ["text-embedding-3-small", "cl100k_base"],
    ["text-davinci-003", "p50k_base"],
    ["code-davinci-edit-001", "p50k_edit"],
    ["davinci", "r50k_base"],
    ["gpt2", "gpt2"],
  ];
  for (const [model, encoding] of cases) {
    assert.equal(resolveEncodingName(model), encoding, model);
    assert.deepEqual(await resolveTokenizer(model), { kind: "tiktoken", name: encoding });
  }
  assert.equal(resolveEncodingName("cl100k_base"), "cl100k_base");
  // Names js-tiktoken did not know stay unknown, not guessed.
  for (const name of ["gpt-9", "GPT-4O", "gpt-oss-20b", "toString", "__proto__"]) {
    assert.throws(() => resolveEncodingName(name), UsageError, name);
  }
  assert.throws(() => resolveEncodingName("org/model"), /looks like a Hugging Face tokenizer/);
});
