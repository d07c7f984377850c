/**
 * Property tests (fast-check) of every registered backend's parser on bytes
 * its protocol really sends (captured from the simulator): split at any
 * bytes, a valid stream parses to the same text and counts as whole; random
 * bytes, whole or split, never throw and always give a result.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { BACKENDS, endpointPath, parseReads, startSimulator } from "../mod.ts";

/** One real response per backend, as the simulator sends it. */
async function capture(): Promise<Map<string, Uint8Array>> {
  const sim = await startSimulator({ ttftMs: 0, tpotMs: 0, tokensPerChunk: 1 });
  const captured = new Map<string, Uint8Array>();
  try {
    for (const [name, backend] of Object.entries(BACKENDS)) {
      const built = backend.buildRequest(requestFor(name));
      const url = sim.url + endpointPath(backend, { model: "mib-sim" });
      const response = await fetch(url, {
        method: "POST",
        headers: built.headers,
        body: built.body,
      });
      captured.set(name, new Uint8Array(await response.arrayBuffer()));
    }
  } finally {
    await sim.close();
  }
  return captured;
}

/** The request captured for backend `name`: a pooling one embeds or scores two inputs. */
function requestFor(name: string) {
  const request = { prompt: " apple banana", maxTokens: 6, model: "mib-sim", stream: true };
  if (BACKENDS[name].features.pooling === undefined) return request;
  return { ...request, inputs: [" apple banana", " cherry pie"], query: " fruit", stream: false };
}

const streams = await capture();

/** The parse of `bytes` cut at `cuts` (sorted, deduplicated offsets). */
function parseSplit(name: string, bytes: Uint8Array, cuts: number[]) {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Uint8Array[] = [];
  let from = 0;
  for (const at of [...points, bytes.length]) {
    pieces.push(bytes.slice(from, at));
    from = at;
  }
  return parseReads(
    BACKENDS[name],
    { times: pieces.map((_, i) => i), bytes: pieces },
    requestFor(name),
  );
}

for (const name of Object.keys(BACKENDS)) {
  Deno.test(`${name}: a valid stream split at any bytes parses as it does whole`, () => {
    const bytes = streams.get(name)!;
    const whole = parseSplit(name, bytes, []);
    // A pooling answer carries vectors or scores, not text chunks.
    const answered = whole.chunks.length > 0 || (whole.pooled ?? 0) > 0;
    assert.ok(answered && whole.error === undefined, `${name}: a valid capture`);
    const text = (p: typeof whole) => p.chunks.map((c) => c.text).join("");
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 40 }), (cuts) => {
        const split = parseSplit(name, bytes, cuts);
        assert.equal(text(split), text(whole));
        assert.equal(split.outputTokens, whole.outputTokens);
        assert.equal(split.promptTokens, whole.promptTokens);
        assert.equal(split.complete, whole.complete);
        assert.equal(split.error, whole.error);
        assert.equal(split.pooled, whole.pooled);
      }),
      { numRuns: 200 },
    );
  });

  Deno.test(`${name}: random bytes, whole or split, never throw`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 512 }),
          // Valid events with junk spliced in.
          fc.tuple(fc.nat(), fc.uint8Array({ maxLength: 64 })).map(([at, junk]) => {
            const bytes = streams.get(name)!;
            const cut = at % (bytes.length + 1);
            return new Uint8Array([...bytes.subarray(0, cut), ...junk, ...bytes.subarray(cut)]);
          }),
        ),
        fc.array(fc.nat(), { maxLength: 20 }),
        (bytes, cuts) => {
          const parsed = parseSplit(name, bytes, cuts);
          assert.ok(Array.isArray(parsed.chunks));
          assert.equal(typeof parsed.complete, "boolean");
        },
      ),
      { numRuns: 300 },
    );
  });
}
