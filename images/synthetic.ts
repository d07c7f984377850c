/**
 * Synthetic images: seeded random pixels of a given size, encoded as PNG
 * (`fast-png`) or JPEG (`jpeg-js`, quality 90).
 *
 * @module
 */
import { seededSource } from "../distributions/seeded_source.ts";

/** Encodings of `--image-format`. */
export const IMAGE_FORMATS = ["png", "jpeg"] as const;

/** An encoding of `--image-format`. */
export type ImageFormat = typeof IMAGE_FORMATS[number];

/** JPEG quality of synthetic images. */
const JPEG_QUALITY = 90;

/**
 * Image number `index` of the run seeded `seed`: `width` × `height` pixels
 * whose RGB bytes are uniform draws of the stream `image-<index>`, encoded
 * in `format`. The same arguments give the same bytes.
 *
 * @example
 * ```ts
 * const png = await syntheticImage({ seed: 0, index: 0, width: 32, height: 16, format: "png" });
 * png[1]; // 0x50 ("P")
 * ```
 */
export async function syntheticImage(
  options: { seed: number; index: number; width: number; height: number; format: ImageFormat },
): Promise<Uint8Array> {
  const { width, height, format } = options;
  const random = seededSource(options.seed, `image-${options.index}`);
  const channels = format === "png" ? 3 : 4; // jpeg-js takes RGBA
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) {
    data[i] = channels === 4 && i % 4 === 3 ? 255 : Math.floor(random() * 256);
  }
  if (format === "png") {
    const { encode } = await import("npm:fast-png@^8.0.0");
    return encode({ width, height, data, channels, depth: 8 });
  }
  const { default: jpeg } = await import("npm:jpeg-js@^0.4.4");
  return new Uint8Array(jpeg.encode({ width, height, data }, JPEG_QUALITY).data);
}
