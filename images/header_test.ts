import assert from "node:assert/strict";
import { dataUrlBytes, imageHeader } from "./header.ts";
import { syntheticImage } from "./synthetic.ts";

Deno.test("imageHeader reads the size of PNG and JPEG files the encoders made", async () => {
  for (const format of ["png", "jpeg"] as const) {
    const bytes = await syntheticImage({ seed: 1, index: 0, width: 57, height: 30, format });
    assert.deepEqual(imageHeader(bytes), { format, width: 57, height: 30 });
  }
  assert.equal(imageHeader(new TextEncoder().encode("GIF89a......")), undefined);
});

Deno.test("syntheticImage: the same seed and index give the same bytes, another index others", async () => {
  const options = { seed: 3, index: 0, width: 16, height: 16, format: "png" as const };
  const a = await syntheticImage(options);
  assert.deepEqual(await syntheticImage(options), a);
  assert.notDeepEqual(await syntheticImage({ ...options, index: 1 }), a);
});

Deno.test("dataUrlBytes decodes base64 data URLs only", () => {
  assert.deepEqual(dataUrlBytes("data:image/png;base64,AQID"), new Uint8Array([1, 2, 3]));
  assert.equal(dataUrlBytes("https://example.com/a.png"), undefined);
});
