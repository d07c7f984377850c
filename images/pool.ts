/**
 * The images a run sends (`--image-count`, `--image-size`, `--image-format`,
 * `--image-dir`): a pool of distinct encoded images, made once before the
 * run, and which of them each request carries.
 *
 * @module
 */
import { join } from "node:path";
import type { EncodedImage } from "../backends/types.ts";
import { mapSequence, type Sequence } from "../distributions/mod.ts";
import { UsageError } from "../errors.ts";
import type { PlannedRequest } from "../runner/run.ts";
import { imageHeader } from "./header.ts";
import { type ImageFormat, syntheticImage } from "./synthetic.ts";

/** What images a run sends with each prompt. */
export type ImageSpec =
  | {
    /** Seeded random pixels (`--image-size`, `--image-format`). */
    kind: "synthetic";
    /** Images per request. */
    count: number;
    /** Width in pixels. */
    width: number;
    /** Height in pixels. */
    height: number;
    /** Encoding. */
    format: ImageFormat;
  }
  | {
    /** The PNG and JPEG files of a folder (`--image-dir`), cycled. */
    kind: "dir";
    /** Images per request. */
    count: number;
    /** The folder. */
    dir: string;
  };

/** Distinct synthetic images at most: each is encoded once and reused. */
export const SYNTHETIC_POOL = 64;

const MIME = { png: "image/png", jpeg: "image/jpeg" } as const;

/** An encoded file as a request carries it. */
function encoded(
  bytes: Uint8Array,
  header: { format: "png" | "jpeg"; width: number; height: number },
) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return {
    mime: MIME[header.format],
    base64: btoa(binary),
    width: header.width,
    height: header.height,
  };
}

/**
 * The pool of distinct images `spec` gives, encoded: synthetic images 0 …
 * P − 1 with P = min(64, `planned`), or every PNG and JPEG file of the
 * folder (by header, not name), in name order. `planned` is the images the
 * plan sends (Infinity when open-ended).
 *
 * @throws {UsageError} on `--image-dir` when the folder cannot be read or
 *   holds no PNG or JPEG file.
 */
export async function loadImagePool(
  spec: ImageSpec,
  options: { seed: number; planned: number },
): Promise<EncodedImage[]> {
  if (spec.kind === "synthetic") {
    const size = Math.max(1, Math.min(SYNTHETIC_POOL, options.planned));
    const pool: EncodedImage[] = [];
    for (let index = 0; index < size; index++) {
      const bytes = await syntheticImage({ ...spec, seed: options.seed, index });
      pool.push(encoded(bytes, spec));
    }
    return pool;
  }
  const names: string[] = [];
  try {
    for await (const entry of Deno.readDir(spec.dir)) if (entry.isFile) names.push(entry.name);
  } catch (error) {
    throw new UsageError(
      "--image-dir",
      `cannot read the folder "${spec.dir}": ${error instanceof Error ? error.message : error}`,
    );
  }
  const pool: EncodedImage[] = [];
  for (const name of names.sort()) {
    const bytes = await Deno.readFile(join(spec.dir, name));
    const header = imageHeader(bytes);
    if (header !== undefined) pool.push(encoded(bytes, header));
  }
  if (pool.length === 0) {
    throw new UsageError("--image-dir", `no PNG or JPEG file in "${spec.dir}"`);
  }
  return pool;
}

/**
 * `requests` with images: request i (its plan index) carries pool images
 * (i·N + j) mod P for j = 0 … N − 1, N = `perRequest`, P the pool's size.
 *
 * @example
 * ```ts
 * const image = { mime: "image/png", base64: "", width: 1, height: 1 };
 * const [r] = withImages([{ offset: 0, promptLen: 1, request: { prompt: "x", maxTokens: 1 } }], [image], 2);
 * r.request.images?.length; // 2
 * ```
 */
export function withImages(
  requests: Sequence<PlannedRequest>,
  pool: readonly EncodedImage[],
  perRequest: number,
): Sequence<PlannedRequest> {
  return mapSequence(requests, (planned, i) => {
    const images = Array.from(
      { length: perRequest },
      (_, j) => pool[(i * perRequest + j) % pool.length],
    );
    return { ...planned, request: { ...planned.request, images } };
  });
}
