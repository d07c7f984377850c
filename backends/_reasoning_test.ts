import assert from "node:assert/strict";
import { splitThinkTags } from "./_reasoning.ts";
import { ChunkBuilder } from "./_chunks.ts";

Deno.test("splitThinkTags: tags in the text, split across chunks, opened in the prompt, or none", () => {
  assert.deepEqual(
    splitThinkTags([
      { time: 1, text: "<think>hm" },
      { time: 2, text: "m</think>\n\n" },
      { time: 3, text: "Yes." },
    ]),
    { text: "hmm", firstTime: 1, answerTime: 3 },
  );
  // The template opened the thinking: only the closing tag comes.
  assert.deepEqual(
    splitThinkTags([
      { time: 5, text: "Let me" },
      { time: 6, text: " see</think>No" },
    ]),
    { text: "Let me see", firstTime: 5, answerTime: 6 },
  );
  // No answer after the thinking.
  assert.deepEqual(splitThinkTags([{ time: 1, text: "<think>a</think>" }]), {
    text: "a",
    firstTime: 1,
    answerTime: undefined,
  });
  assert.equal(splitThinkTags([{ time: 1, text: "plain" }]), undefined);
});

Deno.test("ChunkBuilder: a reasoning field's text leads the chunk; the answer time is the first non-blank answer", () => {
  const builder = new ChunkBuilder();
  builder.text(1, "think", undefined, 5);
  builder.text(2, "ing\n", undefined, 3);
  builder.text(3, "\n", undefined, 0);
  builder.text(4, "Answer", undefined, 0);
  builder.reasoningTokens(2);
  const parsed = builder.finish();
  assert.deepEqual(parsed.chunks.map((c) => c.text), ["think", "ing\n", "\n", "Answer"]);
  assert.deepEqual(parsed.reasoning, {
    text: "thinking",
    firstTime: 1,
    answerTime: 4,
    serverTokens: 2,
  });
  // No reasoning: nothing; a server count of 0 reasoning tokens alone is none.
  const plain = new ChunkBuilder();
  plain.text(1, "a");
  plain.reasoningTokens(0);
  assert.equal(plain.finish().reasoning, undefined);
});
