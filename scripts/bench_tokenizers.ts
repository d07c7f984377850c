/**
 * Which library should count tiktoken tokens: `deno run -A scripts/bench_tokenizers.ts`
 * (or `deno task bench:tokenizers`).
 *
 * For each candidate (js-tiktoken, gpt-tokenizer, and the tiktoken WASM
 * bindings, both the build with every rank table inside and the lite build
 * given one table; and what mib ships, gpt-tokenizer behind
 * `tokenizers/_tiktoken.ts` with its own decode) and each encoding, in a
 * fresh process each time (see `_bench_tokenizers_child.ts`): the wall and CPU time of importing and
 * constructing the encoder, the RSS after it, the tokens per second of an
 * encode pass over 250 K characters of English prose, then of an encode
 * pass and a count pass over a ~1 MB mixed corpus, all cut into ~4 KB
 * pieces at line breaks, and the process's peak RSS. Medians of `--runs`
 * runs (default 3), after one unmeasured run of each candidate, so that
 * every measured run finds the npm cache and Deno's code cache warm.
 *
 * Then the identity check, for every encoding mib lists: every candidate's
 * ids, counts and decoded text must equal js-tiktoken's on every line of
 * the corpus (with and without its line break), 2,000 random slices (some
 * splitting a surrogate pair), the ~4 KB pieces and the whole corpus; and
 * each id decoded alone must give js-tiktoken's text. Mismatches are printed.
 *
 * The corpus is generated from a seed, so it is the same on every run:
 * English prose, source code, JSON, numbers, CJK, Cyrillic, Arabic,
 * Devanagari and emoji text, whitespace runs, and text holding special-token
 * strings (`<|endoftext|>` and the like), which must stay plain text.
 *
 * Options: `--runs N` (default 3), `--size-mb N` (default 1),
 * `--encodings a,b` (default cl100k_base,o200k_base for the timings; the
 * identity check takes every encoding unless `--encodings` is given),
 * `--no-identity`. About 11 minutes on the 2-core development machine, most
 * of it in js-tiktoken, whose encoding is slow on long runs of letters
 * without spaces (CJK, Thai).
 *
 * @module
 */
import Table from "../output/_cli_table.ts";
import { join } from "node:path";
import { seededSource } from "../distributions/mod.ts";
import {
  type BenchEncoding,
  CANDIDATES,
  type IdentityReport,
  type Measurement,
} from "./_bench_tokenizers_child.ts";

const CHILD = new URL("./_bench_tokenizers_child.ts", import.meta.url).pathname;

const ALL_ENCODINGS: readonly BenchEncoding[] = [
  "cl100k_base",
  "o200k_base",
  "p50k_base",
  "p50k_edit",
  "r50k_base",
  "gpt2",
];

/** Median of `values` (the mean of the middle two for an even count). */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// ---------------------------------------------------------------------------
// The corpus

type Next = () => number;

function pick<T>(next: Next, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)];
}

function int(next: Next, lo: number, hi: number): number {
  return lo + Math.floor(next() * (hi - lo + 1));
}

const COMMON = (
  "the of and to a in is it you that he was for on are with as I his they be at one have this " +
  "from or had by not but what some we can out other were all there when up use your how said an " +
  "each she which do their time if will way about many then them write would like so these her " +
  "long make thing see him two has look more day could go come did number sound no most people my"
).split(" ");

const RARE = (
  "benchmarking throughput latency quantization tokenizer serialization asynchronous " +
  "internationalization Kubernetes PostgreSQL photosynthesis counterintuitively " +
  "misunderstanding well-known state-of-the-art e-mail re-entrant Zürich naïve café résumé " +
  "don't it's we're they've I'm you'll she'd DON'T IT'S O'Brien McDonald's iPhone JavaScript " +
  "TypeScript WebAssembly llama.cpp vLLM GPT-4o Mixtral-8x7B antidisestablishmentarianism"
).split(" ");

/** English prose: Zipf-ish common words, some rare ones, contractions and punctuation. */
function prose(next: Next): string {
  const sentences: string[] = [];
  for (let s = int(next, 3, 9); s > 0; s--) {
    const words: string[] = [];
    for (let w = int(next, 5, 24); w > 0; w--) {
      const word = next() < 0.12
        ? pick(next, RARE)
        : COMMON[Math.floor(COMMON.length * next() ** 2)];
      words.push(
        next() < 0.06 ? `${word}${pick(next, [",", ";", " —", ":", " (see below)"])}` : word,
      );
    }
    const sentence = words.join(" ");
    sentences.push(
      sentence[0].toUpperCase() + sentence.slice(1) + pick(next, [".", ".", "?", "!", "..."]),
    );
  }
  return sentences.join(" ") + "\n\n";
}

const IDENTS = [
  "count",
  "tokenizer",
  "maxTokens",
  "request_id",
  "HTTPServer",
  "parseJSON",
  "i",
  "j",
  "__init__",
  "self",
  "buf",
  "ttft_ms",
  "itlP99",
  "x2",
  "BATCH_SIZE",
];

/** Source code: TypeScript, Python, Rust and C shapes, indented with spaces and tabs. */
function code(next: Next): string {
  const id = () => pick(next, IDENTS);
  const n = () => String(int(next, 0, 100000));
  const forms = [
    () =>
      `export function ${id()}(${id()}: number, ${id()}?: string): Promise<void> {\n` +
      `  const ${id()} = await fetch(\`http://127.0.0.1:\${port}/v1/completions\`, { method: "POST" });\n` +
      `  if (${id()} >= ${n()} && !${id()}) throw new Error("unexpected: " + ${id()});\n` +
      `  return ${id()}.map((x) => x * ${n()}).filter(Boolean);\n}\n\n`,
    () =>
      `def ${id()}(self, ${id()}=None, *args, **kwargs):\n    """Docstring: returns ${id()}."""\n` +
      `    for ${id()} in range(${n()}):\n        if ${id()} % 2 == 0:\n            yield ${id()} ** 2\n` +
      `    return {"${id()}": [${n()}, ${n()}], 'k': f"{${id()}!r}"}\n\n`,
    () =>
      `impl<'a, T: Clone + Send> ${id()}<'a, T> {\n    pub fn ${id()}(&mut self) -> Result<Vec<u8>, Box<dyn Error>> {\n` +
      `        let ${id()}: usize = self.${id()}.len() << ${
        int(next, 1, 16)
      };\n        Ok(vec![0u8; ${id()}])\n    }\n}\n\n`,
    () =>
      `#include <stdio.h>\nstatic int ${id()}(const char *${id()}, size_t ${id()}) {\n` +
      `\tfor (int i = 0; i < ${n()}; ++i) {\n\t\tif (${id()}[i] == '\\0') return -1;\n\t}\n` +
      `\treturn printf("%s: %d\\n", ${id()}, (int)${id()});\n}\n\n`,
    () =>
      `// TODO(${id()}): ${prose(next).trim().slice(0, 120)}\n/* ${
        "=".repeat(int(next, 4, 60))
      } */\n`,
  ];
  let out = "";
  for (let k = int(next, 2, 6); k > 0; k--) out += pick(next, forms)();
  return out;
}

/** JSON: nested records, pretty and minified, with escapes and every value type. */
function json(next: Next): string {
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 2 || r < 0.3) {
      return pick(next, [int(next, -1000, 1e9), next() * 1e4, true, false, null]);
    }
    if (r < 0.55) {
      return pick(next, [
        "plain text",
        'quote " backslash \\ tab \t',
        "line\nbreak",
        "é ü ß ñ 中文 😀",
        "\u0000\u001f control",
      ]);
    }
    if (r < 0.75) return Array.from({ length: int(next, 0, 5) }, () => value(depth + 1));
    return Object.fromEntries(
      Array.from({ length: int(next, 1, 5) }, () => [pick(next, IDENTS), value(depth + 1)]),
    );
  };
  const record = value(0);
  return (next() < 0.5
    ? JSON.stringify(record, null, pick(next, [2, 4, "\t"]))
    : JSON.stringify(record)) + "\n";
}

/** Numbers: integers of every length, decimals, dates, hex, a CSV table. */
function numbers(next: Next): string {
  const parts: string[] = [];
  for (let k = int(next, 20, 60); k > 0; k--) {
    parts.push(
      pick(next, [
        () => String(int(next, 0, 10 ** int(next, 1, 9))),
        () => (next() * 10 ** int(next, 0, 6)).toFixed(int(next, 0, 6)),
        () => (next() * 1e-5).toExponential(3),
        () =>
          `2024-${String(int(next, 1, 12)).padStart(2, "0")}-${
            String(int(next, 1, 28)).padStart(2, "0")
          }T12:34:56Z`,
        () => `0x${int(next, 0, 2 ** 31).toString(16)}`,
        () => `$${int(next, 1, 99999).toLocaleString("en-US")}.${int(next, 10, 99)}`,
        () => `${int(next, 1, 255)}.${int(next, 0, 255)}.${int(next, 0, 255)}.${int(next, 0, 255)}`,
        () => `+1 (${int(next, 200, 999)}) ${int(next, 100, 999)}-${int(next, 1000, 9999)}`,
        () => "3.14159265358979323846264338327950288419716939937510",
      ])(),
    );
  }
  let csv = "id,latency_ms,tokens,ratio\n";
  for (let r = int(next, 3, 12); r > 0; r--) {
    csv += `${int(next, 1, 99999)},${(next() * 1000).toFixed(3)},${int(next, 1, 4096)},${
      next().toFixed(4)
    }\n`;
  }
  return parts.join(pick(next, [" ", ", ", "\n", "\t"])) + "\n" + csv;
}

const HAN =
  "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区即求品士转量空甚众技轻程告江语英基派满式李息写呢识极令黄德收脸钱党倒未持取设始版双历越史商千片容研像找友孩站广改议形委早房音火际则首单据导影失拿网香似斯专石若兵弟谁校读志飞观争究包组造落视济喜离虽坏";
const HANGUL_START = 0xac00;

/** Non-Latin text: Chinese, Japanese, Korean, Cyrillic, Arabic, Devanagari, emoji, symbols. */
function unicode(next: Next): string {
  const han = (n: number) => Array.from({ length: n }, () => pick(next, [...HAN])).join("");
  const forms = [
    () => han(int(next, 10, 60)) + pick(next, ["。", "，", "！", "？"]),
    () => `日本語のテキスト、${han(4)}とひらがなカタカナ（全角）。`,
    () =>
      Array.from(
        { length: int(next, 3, 12) },
        () =>
          Array.from({ length: int(next, 1, 4) }, () =>
            String.fromCharCode(HANGUL_START + int(next, 0, 11171))).join(""),
      ).join(" "),
    () => "Съешь же ещё этих мягких французских булок, да выпей чаю. Привет, мир!",
    () => "مرحبا بالعالم، هذا نص عربي للاختبار.",
    () => "नमस्ते दुनिया, यह एक परीक्षण है। क्षत्रिय",
    () => "ภาษาไทยไม่มีช่องว่างระหว่างคำ",
    () =>
      Array.from(
        { length: int(next, 1, 8) },
        () => pick(next, ["😀", "👍🏽", "👨‍👩‍👧‍👦", "🇯🇵", "🇺🇸", "❤️", "1️⃣", "🧑🏿‍💻", "🫠", "✨", "🏳️‍🌈"]),
      ).join(""),
    () => "Ω≈ç√∫˜µ≤≥÷ ∀x∈ℝ: x²≥0 ⇒ ∑ᵢ aᵢ ≠ ∅ ┌─┬─┐ │ │ ░▒▓█ ©®™ € £ ¥ ₹",
    () => "e\u0301 a\u0308 n\u0303 — combining marks; ﬁ ligature; ＡＢＣ fullwidth; ǅ titlecase",
  ];
  let out = "";
  for (let k = int(next, 4, 12); k > 0; k--) {
    out += pick(next, forms)() + pick(next, [" ", "\n", ""]);
  }
  return out + "\n";
}

/** Whitespace runs: spaces, tabs, blank lines, CRLF, trailing spaces, NBSP and friends. */
function whitespace(next: Next): string {
  let out = "";
  for (let k = int(next, 10, 40); k > 0; k--) {
    out += pick(next, [
      () => " ".repeat(int(next, 1, 40)),
      () => "\t".repeat(int(next, 1, 6)),
      () => "\n".repeat(int(next, 1, 5)),
      () => "\r\n",
      () => " \t \t",
      () => "   \n",
      () => "\u00a0\u00a0",
      () => "\u3000",
      () => "\u200b",
      () => pick(next, COMMON),
    ])();
  }
  return out + "\n";
}

const SPECIALS = [
  "<|endoftext|>",
  "<|fim_prefix|>",
  "<|fim_middle|>",
  "<|fim_suffix|>",
  "<|endofprompt|>",
  "<|im_start|>",
  "<|im_end|>",
  "<|im_sep|>",
  "<|endoftext",
  "<|endoftext|>>",
  "<<|endoftext|>",
  "< |endoftext| >",
  "<||>",
  "<|start|>",
  "<|message|>",
];

/** Text holding special-token strings, which a client's counting must take as plain text. */
function special(next: Next): string {
  return `<|im_start|>user\n${prose(next).trim()}${pick(next, SPECIALS)}<|im_end|>\n` +
    `${pick(next, COMMON)}${pick(next, SPECIALS)}${pick(next, SPECIALS)} ${pick(next, COMMON)}\n`;
}

const KINDS: readonly [(next: Next) => string, number][] = [
  [prose, 0.3],
  [code, 0.2],
  [json, 0.15],
  [numbers, 0.1],
  [unicode, 0.12],
  [whitespace, 0.08],
  [special, 0.05],
];

/**
 * The mixed corpus: blocks of each kind, in a random order, until it holds
 * `bytes` of UTF-8. The same `seed` gives the same text.
 */
export function corpus(bytes: number, seed = 1): string {
  const next = seededSource(seed, "bench-tokenizers");
  const encoder = new TextEncoder();
  const blocks: string[] = [];
  let size = 0;
  while (size < bytes) {
    let r = next();
    let kind = KINDS[KINDS.length - 1][0];
    for (const [make, weight] of KINDS) {
      if (r < weight) {
        kind = make;
        break;
      }
      r -= weight;
    }
    const block = kind(next);
    blocks.push(block);
    size += encoder.encode(block).length;
  }
  return blocks.join("");
}

// ---------------------------------------------------------------------------

async function child<T>(args: string[]): Promise<T> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    const stderr = new TextDecoder().decode(output.stderr).trim().split("\n").slice(-6).join("\n");
    throw new Error(stderr);
  }
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function positive(args: string[], name: string, fallback: number): number {
  const text = option(args, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name}: expected a positive number`);
  return value;
}

function encodingsOf(text: string): BenchEncoding[] {
  const names = text.split(",").map((name) => name.trim());
  for (const name of names) {
    if (!(ALL_ENCODINGS as readonly string[]).includes(name)) {
      throw new Error(
        `--encodings: unknown encoding ${name}; expected ${ALL_ENCODINGS.join(", ")}`,
      );
    }
  }
  return names as BenchEncoding[];
}

async function main(args: string[]): Promise<void> {
  const runs = Math.round(positive(args, "--runs", 3));
  const sizeMb = positive(args, "--size-mb", 1);
  const given = option(args, "--encodings");
  const timed = given === undefined
    ? ["cl100k_base", "o200k_base"] as BenchEncoding[]
    : encodingsOf(given);
  const checked = given === undefined ? [...ALL_ENCODINGS] : timed;
  const candidates = Object.keys(CANDIDATES);

  const dir = await Deno.makeTempDir({ prefix: "mib-bench-tokenizers-" });
  try {
    const path = join(dir, "corpus.txt");
    const text = corpus(sizeMb * 1e6);
    await Deno.writeTextFile(path, text);
    const bytes = new TextEncoder().encode(text).length;
    // English prose alone, for the speed on the text most benchmarks send.
    const prosePath = join(dir, "prose.txt");
    const next = seededSource(2, "bench-tokenizers-prose");
    let english = "";
    while (english.length < 250_000) english += prose(next);
    await Deno.writeTextFile(prosePath, english);
    console.log(
      `Corpus: ${(bytes / 1e6).toFixed(2)} MB, ${
        text.length.toLocaleString("en-US")
      } UTF-16 units, ` +
        `${
          text.split("\n").length.toLocaleString("en-US")
        } lines; medians of ${runs} runs, one process each`,
    );

    // One unmeasured run of each, so the measured ones find the caches warm.
    const failed = new Map<string, string>();
    for (const candidate of candidates) {
      try {
        await child<Measurement>(["measure", candidate, timed[0], path, prosePath]);
      } catch (error) {
        failed.set(candidate, (error as Error).message);
      }
    }
    const results = new Map<string, Measurement[]>();
    // Interleaved, so a slow spell on the shared machine is spread over every candidate.
    for (let run = 0; run < runs; run++) {
      for (const encoding of timed) {
        for (const candidate of candidates) {
          if (failed.has(candidate)) continue;
          const key = `${candidate}\t${encoding}`;
          try {
            const m = await child<Measurement>(["measure", candidate, encoding, path, prosePath]);
            results.set(key, [...(results.get(key) ?? []), m]);
          } catch (error) {
            failed.set(candidate, (error as Error).message);
          }
        }
      }
    }

    const plain = !Deno.stdout.isTerminal();
    const table = new Table({
      style: plain ? { head: [], border: [] } : undefined,
      head: [
        "library",
        "encoding",
        "load ms (wall)",
        "load ms (CPU)",
        "RSS before → loaded MiB",
        "peak RSS MiB",
        "prose encode M tok/s",
        "mixed encode M tok/s",
        "mixed count M tok/s",
        "tokens",
      ],
    });
    for (const encoding of timed) {
      for (const candidate of candidates) {
        const ms = results.get(`${candidate}\t${encoding}`);
        if (ms === undefined || ms.length === 0) continue;
        const m = (f: (m: Measurement) => number) => median(ms.map(f));
        table.push([
          candidate,
          encoding,
          m((x) => x.loadMs).toFixed(0),
          m((x) => x.loadCpuMs).toFixed(0),
          `${m((x) => x.rssBeforeMb).toFixed(0)} → ${m((x) => x.rssLoadedMb).toFixed(0)}`,
          m((x) => x.rssPeakMb).toFixed(0),
          m((x) => x.proseMtps).toFixed(2),
          m((x) => x.encodeMtps).toFixed(2),
          m((x) => x.countMtps).toFixed(2),
          ms[0].tokens.toLocaleString("en-US"),
        ]);
      }
    }
    console.log(table.toString());
    console.log(
      "In order: prose encode, the first text each encoder sees (250 K characters of English prose); " +
        "mixed encode, the corpus; mixed count, the corpus again, by each library's count path " +
        "(gpt-tokenizer's countTokens; the others count encode's ids), so a library with a merge " +
        "cache (gpt-tokenizer) finds it warm. Pieces of ~4 KB, cut at line breaks.",
    );
    for (const [candidate, why] of failed) console.log(`${candidate}: could not run: ${why}`);

    if (args.includes("--no-identity")) return;
    console.log(
      "\nIdentity with js-tiktoken (ids, count, decoded text of each piece, each id decoded alone):",
    );
    for (const encoding of checked) {
      const report = await child<IdentityReport>(["identity", encoding, path, "7"]);
      const verdicts = Object.entries(report.counts).map(([name, c]) => {
        const bad = Object.entries(c).filter(([, n]) => n > 0);
        return `${name}: ${
          bad.length === 0
            ? "identical"
            : bad.map(([what, n]) => `${n} ${what} mismatches`).join(", ")
        }`;
      });
      for (const [name, why] of Object.entries(report.failed)) {
        verdicts.push(`${name}: could not load (${why})`);
      }
      console.log(
        `  ${encoding} (${report.pieces.toLocaleString("en-US")} pieces, ` +
          `${report.tokens.toLocaleString("en-US")} tokens): ${verdicts.join("; ")}`,
      );
      for (const m of report.mismatches) {
        const where = `${m.piece}${m.at >= 0 ? ` (from id ${m.at})` : ""}`;
        console.log(
          `    ${m.candidate} ${m.what} at ${where}: ` +
            (m.got === undefined ? m.text : `gave ${m.got}, js-tiktoken ${m.text}`),
        );
      }
      if (report.gpt2IsR50k !== undefined) {
        const same = report.gpt2IsR50k ? "identical" : "different";
        console.log(`  js-tiktoken's gpt2 and r50k_base rank tables: ${same}`);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main(Deno.args);
