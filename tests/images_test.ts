/**
 * Images with the prompt: synthetic (`--image-count`, `--image-size`,
 * `--image-format`) and from a folder (`--image-dir`), sent as data URLs on
 * `openai-chat` and as base64 on `ollama`, checked from the bodies the
 * simulator received (count and size decoded from each image), the image
 * tokens in its usage, and the results' accounting of text and images.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { SeedRecord } from "../mod.ts";
import { syntheticImage } from "../images/synthetic.ts";
import { benchFlags, runCli, tempDir, withSim } from "./_helpers.ts";

/** The simulator's tokens of a W×H image: one per 28-pixel patch. */
const patches = (width: number, height: number) => Math.ceil(width / 28) * Math.ceil(height / 28);

for (const [backend, format] of [["openai-chat", "png"], ["ollama", "jpeg"]] as const) {
  Deno.test(`images: ${backend} sends --image-count ${format} images of --image-size; the server counts their tokens`, async () => {
    await using dir = await tempDir();
    await withSim({ record: true, ttftMs: 5, tpotMs: 1 }, async (sim) => {
      const out = join(dir.path, "img.json");
      const run = await runCli([
        "--backend",
        backend,
        ...benchFlags(sim.url, 3, 16, 4),
        "--model",
        "mib-sim",
        "--tokenizer",
        "cl100k_base",
        "--image-count",
        "2",
        "--image-size",
        "64x48",
        "--image-format",
        format,
        "--output-file",
        out,
      ]);
      assert.equal(run.code, 0, run.stderr + run.stdout);
      const imageTokens = 2 * patches(64, 48); // 2 · 3 · 2 = 12
      const { requests } = sim.record();
      assert.equal(requests.length, 3);
      for (const r of requests) {
        assert.deepEqual(r.images, [
          { format, width: 64, height: 48 },
          { format, width: 64, height: 48 },
        ]);
        assert.equal(r.promptTokens, 16 + imageTokens);
      }
      const records: SeedRecord[] = JSON.parse(await Deno.readTextFile(out));
      for (const r of records) {
        assert.equal(r.success, true, r.error);
        assert.equal(r.image_count, 2);
        assert.equal(r.prompt_len, 16, "prompt_len counts the text");
        assert.equal(r.prompt_len_server, 16 + imageTokens, "the server's count has the images");
        assert.ok(!r.notes.some((n) => /prompt tokens/.test(n)), r.notes.join("; "));
      }
      assert.doesNotMatch(run.stdout, /server prompt counts differ/);
    });
  });
}

Deno.test("images: --image-dir sends the folder's PNG and JPEG files in name order, cycled", async () => {
  await using dir = await tempDir();
  const images = join(dir.path, "images");
  await Deno.mkdir(images);
  const files = [["a.png", 30, 20, "png"], ["b.jpg", 60, 40, "jpeg"]] as const;
  for (const [name, width, height, format] of files) {
    await Deno.writeFile(
      join(images, name),
      await syntheticImage({ seed: 0, index: 0, width, height, format }),
    );
  }
  await Deno.writeTextFile(join(images, "notes.txt"), "not an image");
  await withSim({ record: true, ttftMs: 5, tpotMs: 1 }, async (sim) => {
    const run = await runCli([
      "--backend",
      "openai-chat",
      ...benchFlags(sim.url, 3, 8, 2),
      "--request-distribution",
      "constant",
      "0.05",
      "--tokenizer",
      "cl100k_base",
      "--image-dir",
      images,
    ]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    // One image a request (the default count): file (request index) mod 2.
    assert.deepEqual(sim.record().requests.map((r) => r.images), [
      [{ format: "png", width: 30, height: 20 }],
      [{ format: "jpeg", width: 60, height: 40 }],
      [{ format: "png", width: 30, height: 20 }],
    ]);
  });
});

Deno.test("images: flags that cannot apply are usage errors", async () => {
  const cases: [string[], RegExp][] = [
    [["--backend", "tgi", "--image-size", "8x8"], /--image-size: backend tgi cannot carry images/],
    [["--backend", "openai-chat", "--image-count", "2"], /--image-count: needs images/],
    [["--backend", "openai-chat", "--image-format", "jpeg"], /--image-format: encodes synthetic/],
    [["--backend", "openai-chat", "--image-size", "0x8"], /--image-size: expected WxH/],
    [
      ["--backend", "openai-chat", "--image-size", "8x8", "--image-dir", "."],
      /--image-size\/--image-dir: give only one/,
    ],
  ];
  for (const [args, message] of cases) {
    const run = await runCli([...args, "--num-of-req", "1", "--base-url", "http://127.0.0.1:9"]);
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, message);
  }
});
