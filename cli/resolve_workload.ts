/**
 * The workload options of `mib bench` that do not depend on the backend:
 * `--batch` and the images (`--image-count`, `--image-size`,
 * `--image-format`, `--image-dir`). What the backend can carry is checked
 * later (`backends/request_options.ts` `checkWorkload`).
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import type { ImageSpec } from "../images/pool.ts";

/** Largest `--image-size` side, pixels. */
const MAX_SIDE = 8192;

/**
 * `W×H` (or `WxH`) as pixels, each side 1 … 8192.
 *
 * @throws {UsageError} on `flag` otherwise.
 *
 * @example
 * ```ts
 * parseImageSize("512x384", "--image-size"); // { width: 512, height: 384 }
 * ```
 */
export function parseImageSize(value: string, flag: string): { width: number; height: number } {
  const match = /^(\d+)[x×](\d+)$/.exec(value.trim());
  const [width, height] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
  if (!match || width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
    throw new UsageError(
      flag,
      `expected WxH in pixels (each 1 to ${MAX_SIDE}), like 512x512, got "${value}"`,
    );
  }
  return { width, height };
}

/**
 * The images the `image_*` values ask for, or undefined for none.
 *
 * @throws {UsageError} for both `--image-size` and `--image-dir`, or
 *   `--image-count` or `--image-format` without what they shape.
 */
export function resolveImages(
  v: Record<string, never>,
  label: (key: string) => string,
): ImageSpec | undefined {
  const size = v.image_size as string | undefined;
  const dir = v.image_dir as string | undefined;
  if (size !== undefined && dir !== undefined) {
    throw new UsageError(
      `${label("image_size")}/${label("image_dir")}`,
      "give only one: synthetic images of a size, or the files of a folder",
    );
  }
  if (v.image_format !== undefined && size === undefined) {
    throw new UsageError(
      label("image_format"),
      "encodes synthetic images, and there are none: give --image-size WxH as well",
    );
  }
  const count: number | undefined = v.image_count;
  if (size === undefined && dir === undefined) {
    if (count !== undefined) {
      throw new UsageError(
        label("image_count"),
        "needs images: give --image-size WxH (synthetic) or --image-dir DIR as well",
      );
    }
    return undefined;
  }
  if (dir !== undefined) return { kind: "dir", count: count ?? 1, dir };
  return {
    kind: "synthetic",
    count: count ?? 1,
    ...parseImageSize(size!, label("image_size")),
    format: v.image_format ?? "png",
  };
}
