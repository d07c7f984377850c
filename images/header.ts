/**
 * The format and size of a PNG or JPEG file, read from its header alone.
 *
 * @module
 */

/** What an image file's header says. */
export interface ImageHeader {
  /** `png` or `jpeg`. */
  format: "png" | "jpeg";
  /** Width in pixels. */
  width: number;
  /** Height in pixels. */
  height: number;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * The header of a PNG (its `IHDR` chunk) or JPEG (its first start-of-frame
 * marker, `SOF0`–`SOF15` but `DHT`, `JPG` and `DAC`); undefined for anything else.
 *
 * @example
 * ```ts
 * imageHeader(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13,
 *   0x49, 0x48, 0x44, 0x52, 0, 0, 0, 64, 0, 0, 0, 48])); // { format: "png", width: 64, height: 48 }
 * ```
 */
export function imageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && PNG_MAGIC.every((b, i) => bytes[i] === b)) {
    return { format: "png", width: view.getUint32(16), height: view.getUint32(20) };
  }
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2; // markers without a length
      continue;
    }
    const length = view.getUint16(i + 2);
    const frame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 &&
      marker !== 0xcc;
    if (frame) {
      if (i + 9 > bytes.length) return undefined;
      return { format: "jpeg", height: view.getUint16(i + 5), width: view.getUint16(i + 7) };
    }
    i += 2 + length;
  }
  return undefined;
}

/**
 * The bytes of a base64 data URL (`data:image/png;base64,...`); undefined
 * when `url` is not one.
 */
export function dataUrlBytes(url: string): Uint8Array | undefined {
  const match = /^data:[^;,]*;base64,(.*)$/s.exec(url);
  if (!match) return undefined;
  try {
    return Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}
