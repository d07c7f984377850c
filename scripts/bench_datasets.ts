/**
 * How fast mib prepares prompts: `deno run -A scripts/bench_datasets.ts`.
 *
 * 1. Random prompts: 10,000 prompts of 1,000 tokens from `randomPrompts`
 *    with the cl100k_base encoding by name (the word-pool path the CLI takes),
 *    median of several runs, as prompts/s.
 * 2. ShareGPT: a ShareGPT-shaped file of ~670 MB (the size of
 *    ShareGPT_V3_unfiltered_cleaned_split.json; turn lengths drawn to look
 *    like it, see {@linkcode writeShareGptFile}) is generated in a temporary
 *    folder and deleted afterwards. Then, each in a process of its own so
 *    that peak RSS is the run's own, 1,000 prompts are loaded
 *    - cold without a cache (`cacheDir: null`: no hashing, no cache write),
 *    - cold with an empty cache folder (hash, streaming pass, tokenizing and
 *      the cache write: a user's first run),
 *    - cached (the second run),
 *    and the streaming pass and the SHA-256 alone are timed in this process.
 *
 * Options: `--size-mb N` (default 670), `--runs N` (default 3), `--requests N`
 * (default 1000). Takes about 40 s on the 2-core development machine.
 *
 * @module
 */
import Table from "../output/_cli_table.ts";
import { join } from "node:path";
import { seededSource } from "../distributions/mod.ts";
import { randomPrompts } from "../datasets/random.ts";
import { loadTokenizer } from "../tokenizers/mod.ts";
import { loadShareGpt, type ShareGptStats } from "../datasets/sharegpt_sampling.ts";
import { indexShareGpt } from "../datasets/_sharegpt_index.ts";
import { sha256File } from "../datasets/_sharegpt_cache.ts";
import { shippedWordPool } from "../datasets/word_pool.ts";

const SELF = new URL(import.meta.url).pathname;

/** Median of `values` (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

const MiB = 1024 * 1024;

// ---------------------------------------------------------------------------
// A ShareGPT-shaped file

/** Short English words, so text averages ~4–5 characters per token as real chat does. */
const COMMON = (
  "the of and to a in is it you that he was for on are with as I his they be at one have " +
  "this from or had by not but what some we can out other were all there when up use your " +
  "how said an each she which do their time if will way about many then them write would " +
  "like so these her long make thing see him two has look more day could go come did number"
).split(" ").map((w) => ` ${w}`);

/**
 * Writes a ShareGPT-shaped JSON array of about `targetBytes` to `path` and
 * returns its size and conversation count.
 *
 * Shape, after ShareGPT_V3_unfiltered_cleaned_split.json (~94k conversations
 * in 670 MB, ~7 KB each): 1 + ⌊Exp(mean 1.9)⌋ human/gpt pairs; human turns
 * log-normal with median 45 tokens and σ 1.5 (mostly short questions, a long
 * tail of pasted text), gpt turns median 300 tokens and σ 0.9; about 1% of
 * conversations have a single turn and 1% open with a gpt turn. Text mixes
 * common and rarer words, punctuation, markdown lists, indented code,
 * escapes and some non-ASCII, so both JSON escaping and tokenizing see what
 * real chats give them.
 */
export async function writeShareGptFile(
  path: string,
  targetBytes: number,
  seed = 1,
): Promise<{ bytes: number; conversations: number }> {
  const next = seededSource(seed, "bench-sharegpt");
  const rare = shippedWordPool("cl100k_base")!;
  const extras = [
    ",",
    ".",
    "?",
    ":",
    "\n\n",
    "\n- ",
    "\n1. ",
    ' "quoted"',
    " (aside)",
    " café",
    " naïve",
    " 你好",
    " 12,345",
    "\n```python\ndef f(x):\n    return x * 2\n```\n",
    "\t",
    " \\",
  ];
  // A pool of JSON-escaped sentences with their approximate token counts:
  // concatenating escaped pieces is escaping the concatenation.
  const sentences: string[] = [];
  const sentenceTokens: number[] = [];
  for (let i = 0; i < 16_384; i++) {
    const n = 4 + Math.floor(next() * 22);
    let text = "";
    let tokens = 1;
    for (let j = 0; j < n; j++) {
      text += next() < 0.75
        ? COMMON[Math.floor(next() * COMMON.length)]
        : rare[Math.floor(next() * rare.length)];
      tokens++;
      if (next() < 0.1) {
        text += extras[Math.floor(next() * extras.length)];
        tokens += 2;
      }
    }
    text += next() < 0.15 ? ".\n" : ".";
    sentences.push(JSON.stringify(text).slice(1, -1));
    sentenceTokens.push(tokens);
  }
  const logNormal = (medianTokens: number, sigma: number) => {
    const u = 1 - next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    return medianTokens * Math.exp(sigma * z);
  };
  const turn = (from: string, tokens: number) => {
    let value = "";
    for (let t = 0; t < tokens;) {
      const k = Math.floor(next() * sentences.length);
      value += sentences[k];
      t += sentenceTokens[k];
    }
    return `{"from": "${from}", "value": "${value}"}`;
  };

  const encoder = new TextEncoder();
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  let bytes = 0;
  let conversations = 0;
  let pending = "[";
  const flush = async () => {
    const chunk = encoder.encode(pending);
    for (let at = 0; at < chunk.length;) at += await file.write(chunk.subarray(at));
    bytes += chunk.length;
    pending = "";
  };
  while (bytes + pending.length < targetBytes) {
    const turns: string[] = [];
    const shape = next();
    if (shape < 0.01) {
      turns.push(turn("human", logNormal(45, 1.5)));
    } else {
      if (shape < 0.02) turns.push(turn("gpt", logNormal(45, 1)));
      const pairs = 1 + Math.floor(-Math.log(1 - next()) * 1.9);
      for (let p = 0; p < pairs; p++) {
        turns.push(turn("human", logNormal(45, 1.5)));
        turns.push(turn("gpt", logNormal(300, 0.9)));
      }
    }
    pending += `${conversations === 0 ? "" : ", "}{"id": "bench_${conversations}", ` +
      `"conversations": [${turns.join(", ")}]}`;
    conversations++;
    if (pending.length >= 1 << 22) await flush();
  }
  pending += "]";
  await flush();
  return { bytes, conversations };
}

// ---------------------------------------------------------------------------
// One load in a child process

interface ChildSpec {
  path: string;
  cacheDir: string | null;
  count: number;
}

interface ChildReport {
  loadMs: number;
  stats: ShareGptStats;
  notes: string[];
  tokenizerMs: number;
  /** RSS once the tokenizer is loaded, before the dataset load. */
  rssBaseline: number;
  /** Peak RSS of the whole process (VmHWM). */
  rssPeak: number;
}

function peakRss(): number {
  const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))?.[1];
  return kb === undefined ? Deno.memoryUsage().rss : Number(kb) * 1024;
}

async function child(spec: ChildSpec): Promise<ChildReport> {
  const t0 = performance.now();
  const tokenizer = await loadTokenizer("cl100k_base");
  const tokenizerMs = performance.now() - t0;
  const rssBaseline = Deno.memoryUsage().rss;
  const { stats, notes } = await loadShareGpt({
    path: spec.path,
    tokenizer,
    count: spec.count,
    seed: 0,
    cacheDir: spec.cacheDir,
  });
  return { loadMs: stats.loadMs, stats, notes, tokenizerMs, rssBaseline, rssPeak: peakRss() };
}

async function runChild(spec: ChildSpec): Promise<ChildReport> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", SELF, "--child", JSON.stringify(spec)],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`child failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(text);
}

// ---------------------------------------------------------------------------

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i === -1) return fallback;
  const value = Number(args[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

async function main(args: string[]): Promise<void> {
  const runs = Math.round(flag(args, "--runs", 3));
  const sizeMb = flag(args, "--size-mb", 670);
  const requests = Math.round(flag(args, "--requests", 1000));

  // (a) Random prompts.
  const lengths = new Array<number>(10_000).fill(1000);
  randomPrompts({ tokenizer: "cl100k_base", lengths: lengths.slice(0, 100), seed: 99 }); // warm-up
  const randomMs: number[] = [];
  for (let run = 0; run < Math.max(5, runs); run++) {
    const t = performance.now();
    const prompts = randomPrompts({ tokenizer: "cl100k_base", lengths, seed: run });
    randomMs.push(performance.now() - t);
    if (prompts.length !== lengths.length) throw new Error("randomPrompts lost prompts");
  }
  const randomMedian = median(randomMs);
  const perSecond = 10_000 / (randomMedian / 1000);
  console.log(
    `Random prompts: 10,000 × 1,000 tokens in ${
      randomMedian.toFixed(0)
    } ms (median of ${randomMs.length}): ` +
      `${Math.round(perSecond).toLocaleString("en-US")} prompts/s, ` +
      `${(perSecond * 1000 / 1e6).toFixed(1)} M tokens/s`,
  );

  // (b) ShareGPT.
  const dir = await Deno.makeTempDir({ prefix: "mib-bench-datasets-" });
  try {
    const path = join(dir, "sharegpt.json");
    let t = performance.now();
    const file = await writeShareGptFile(path, sizeMb * 1e6);
    const mb = file.bytes / 1e6;
    console.log(
      `ShareGPT-shaped file: ${mb.toFixed(0)} MB, ${
        file.conversations.toLocaleString("en-US")
      } conversations (generated in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
    );

    const passMs: number[] = [];
    const hashMs: number[] = [];
    for (let run = 0; run < runs; run++) {
      t = performance.now();
      await indexShareGpt(path);
      passMs.push(performance.now() - t);
      t = performance.now();
      await sha256File(path);
      hashMs.push(performance.now() - t);
    }

    const scenarios: { name: string; reports: ChildReport[] }[] = [
      { name: "cold, no cache (cacheDir: null)", reports: [] },
      { name: "cold, empty cache (first run)", reports: [] },
      { name: "cached (second run)", reports: [] },
    ];
    const cacheDir = join(dir, "cache");
    for (let run = 0; run < runs; run++) {
      scenarios[0].reports.push(await runChild({ path, cacheDir: null, count: requests }));
      await Deno.remove(cacheDir, { recursive: true }).catch(() => {});
      scenarios[1].reports.push(await runChild({ path, cacheDir, count: requests }));
      scenarios[2].reports.push(await runChild({ path, cacheDir, count: requests }));
    }

    const plain = !Deno.stdout.isTerminal();
    const table = new Table({
      style: plain ? { head: [], border: [] } : undefined,
      head: [
        `${requests.toLocaleString("en-US")} requests`,
        "load (median)",
        "runs",
        "peak RSS",
        "peak − tokenizer baseline",
        "tokenized",
      ],
    });
    for (const { name, reports } of scenarios) {
      const loads = reports.map((r) => r.loadMs);
      table.push([
        name,
        `${(median(loads) / 1000).toFixed(2)} s`,
        loads.map((ms) => (ms / 1000).toFixed(2)).join(", "),
        `${(median(reports.map((r) => r.rssPeak)) / MiB).toFixed(0)} MiB`,
        `${(median(reports.map((r) => r.rssPeak - r.rssBaseline)) / MiB).toFixed(0)} MiB`,
        reports[0].stats.tokenized.toLocaleString("en-US"),
      ]);
    }
    table.push(
      [
        "streaming pass alone (in-process)",
        `${(median(passMs) / 1000).toFixed(2)} s`,
        passMs.map((ms) => (ms / 1000).toFixed(2)).join(", "),
        `${(mb / (median(passMs) / 1000)).toFixed(0)} MB/s`,
        "",
        "",
      ],
      [
        "SHA-256 of the file (in-process)",
        `${(median(hashMs) / 1000).toFixed(2)} s`,
        hashMs.map((ms) => (ms / 1000).toFixed(2)).join(", "),
        `${(mb / (median(hashMs) / 1000)).toFixed(0)} MB/s`,
        "",
        "",
      ],
    );
    console.log(table.toString());
    const first = scenarios[0].reports[0];
    console.log(
      `Tokenizer load (not in the load times): ${
        median(scenarios.flatMap((s) => s.reports.map((r) => r.tokenizerMs))).toFixed(0)
      } ms; RSS with the tokenizer loaded: ${
        (median(scenarios.flatMap((s) => s.reports.map((r) => r.rssBaseline))) / MiB).toFixed(0)
      } MiB. Examined ${first.stats.examined.toLocaleString("en-US")} of ${
        first.stats.conversations.toLocaleString("en-US")
      } conversations for ${requests.toLocaleString("en-US")} usable (skipped: ${
        JSON.stringify(first.stats.skipped)
      }).`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--child") {
    console.log(JSON.stringify(await child(JSON.parse(Deno.args[1]))));
  } else {
    await main(Deno.args);
  }
}
