import assert from "node:assert/strict";
import { BLOCK_CHARS, PrefixCache } from "./_prefix_cache.ts";

Deno.test("PrefixCache: a hit is the leading whole blocks an earlier sequence had", () => {
  const cache = new PrefixCache();
  const a = "a".repeat(BLOCK_CHARS * 3 + 10);
  assert.equal(cache.cachedChars(a), 0);
  cache.insert(a);
  assert.equal(cache.cachedChars(a + " more"), BLOCK_CHARS * 3);
  // A block matches only when everything before it did.
  assert.equal(cache.cachedChars("b" + a.slice(1)), 0);
  assert.equal(
    cache.cachedChars(a.slice(0, BLOCK_CHARS * 2) + "c".repeat(BLOCK_CHARS)),
    BLOCK_CHARS * 2,
  );
});
