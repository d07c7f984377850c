/**
 * Images the simulator accepts with a prompt, and the prompt tokens it counts
 * for them: ⌈W/28⌉ · ⌈H/28⌉ per image of W × H pixels (one token per 28 × 28
 * patch, as Qwen2-VL's merged 14-pixel patches), read from the PNG or JPEG
 * header.
 *
 * @module
 */
import { dataUrlBytes, type ImageHeader, imageHeader } from "../images/header.ts";

/** Side of the square of pixels that one image token covers. */
export const IMAGE_PATCH = 28;

/**
 * The prompt tokens of `images`: Σ ⌈W/28⌉ · ⌈H/28⌉.
 *
 * @example
 * ```ts
 * imageTokens([{ format: "png", width: 64, height: 28 }]); // 3 · 1 = 3
 * ```
 */
export function imageTokens(images: readonly ImageHeader[]): number {
  let tokens = 0;
  for (const { width, height } of images) {
    tokens += Math.ceil(width / IMAGE_PATCH) * Math.ceil(height / IMAGE_PATCH);
  }
  return tokens;
}

/** The header of a base64 image (a data URL when `dataUrl`), or why it is not one. */
export function readImage(value: unknown, dataUrl: boolean): ImageHeader | string {
  if (typeof value !== "string") return "an image must be a string";
  let bytes: Uint8Array | undefined;
  if (dataUrl) {
    bytes = dataUrlBytes(value);
    if (bytes === undefined) return "only base64 data: URLs are read (no fetching)";
  } else {
    try {
      bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
    } catch {
      return "an image must be base64";
    }
  }
  return imageHeader(bytes) ?? "an image must be a PNG or JPEG file";
}
