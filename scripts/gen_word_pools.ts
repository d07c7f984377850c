#!/usr/bin/env -S deno run -A
/**
 * Regenerates `datasets/_word_pools.json`: for every tiktoken encoding, the
 * pool of single-token, space-led words random prompts are built from (see
 * `datasets/word_pool.ts`, `datasets/_word_scan.ts`). Deterministic: the same tiktoken ranks give
 * the same file, byte for byte.
 *
 * ```sh
 * deno run -A scripts/gen_word_pools.ts          # write the file
 * deno run -A scripts/gen_word_pools.ts --check  # exit 1 if the file is stale
 * ```
 *
 * @module
 */
import { scanWordPool, WORD_POOL_SIZE } from "../datasets/_word_scan.ts";
import { loadTokenizer, TIKTOKEN_ENCODINGS } from "../tokenizers/mod.ts";

/** Where the pools are written. */
export const WORD_POOLS_PATH = new URL("../datasets/_word_pools.json", import.meta.url);

/** The text of `_word_pools.json` as the current tokenizers produce it. */
export async function generateWordPools(): Promise<string> {
  const pools: Record<string, string[]> = {};
  for (const name of TIKTOKEN_ENCODINGS) {
    pools[name] = scanWordPool(await loadTokenizer(name), WORD_POOL_SIZE);
  }
  // Each pool is stored as its words joined (each starts with a space): the
  // file stays small, parses fast, and `deno fmt` leaves it as written.
  const file = {
    generator: "scripts/gen_word_pools.ts (do not edit by hand)",
    size: WORD_POOL_SIZE,
    pools: Object.fromEntries(Object.entries(pools).map(([name, words]) => [name, words.join("")])),
  };
  return JSON.stringify(file, null, 2) + "\n";
}

if (import.meta.main) {
  const text = await generateWordPools();
  if (Deno.args.includes("--check")) {
    const current = await Deno.readTextFile(WORD_POOLS_PATH).catch(() => "");
    if (current !== text) {
      console.error(
        `${WORD_POOLS_PATH.pathname} is stale: run deno run -A scripts/gen_word_pools.ts`,
      );
      Deno.exit(1);
    }
    console.log(`${WORD_POOLS_PATH.pathname} is up to date`);
  } else {
    await Deno.writeTextFile(WORD_POOLS_PATH, text);
    console.log(`wrote ${WORD_POOLS_PATH.pathname}`);
  }
}
