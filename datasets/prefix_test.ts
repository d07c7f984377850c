import assert from "node:assert/strict";
import { loadTokenizer, type Tokenizer } from "../tokenizers/mod.ts";
import { joinPrefix, prefixText } from "./prefix.ts";
import { randomPrompts } from "./random.ts";
import type { PrefixOption } from "./types.ts";

const cl100k = await loadTokenizer("cl100k_base");
const gpt2 = await loadTokenizer("gpt2");
/** No shipped pool under this name: its pool is scanned from the vocabulary. */
const scanned: Tokenizer = { ...gpt2, name: "scanned" };

Deno.test("prefixText: the prefix randomPrompts puts before an empty prompt", () => {
  const prefixes: PrefixOption[] = [
    { kind: "none" },
    { kind: "text", text: "System: be brief.\n" },
    { kind: "tokens", len: 1 },
    { kind: "tokens", len: 300 },
  ];
  for (const tokenizer of [cl100k, scanned]) {
    for (const prefix of prefixes) {
      for (const seed of [0, 5]) {
        const [empty] = randomPrompts({ tokenizer, lengths: [0], seed, prefix });
        assert.equal(
          prefixText(prefix, tokenizer, seed),
          empty.text,
          `${tokenizer.name} ${prefix.kind}`,
        );
      }
    }
  }
  const tokens = { kind: "tokens", len: 64 } as const;
  assert.equal(
    prefixText(tokens, "cl100k_base", 0),
    prefixText(tokens, cl100k, 0),
    "a name is enough",
  );
  assert.equal(cl100k.count(prefixText(tokens, "cl100k_base", 0)), 64);
  assert.notEqual(prefixText(tokens, cl100k, 0), prefixText(tokens, cl100k, 1));
});

Deno.test("joinPrefix: the prefix before each prompt, measured together", () => {
  const prompts = [{ text: "hello", promptLen: 1, outputLen: 5 }, {
    text: "world",
    promptLen: 1,
    outputLen: 6,
  }];
  assert.deepEqual(joinPrefix(prompts, ""), prompts);
  const joined = joinPrefix(prompts, "Say:", cl100k.count);
  assert.deepEqual(joined.map((p) => p.text), ["Say:hello", "Say:world"]);
  assert.deepEqual(joined.map((p) => p.promptLen), joined.map((p) => cl100k.count(p.text)));
  assert.deepEqual(joined.map((p) => p.outputLen), [5, 6]);
  assert.throws(() => joinPrefix(prompts, "Say:"), RangeError);
});
