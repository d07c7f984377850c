/**
 * Mixing a user seed and a stream name into one 32-bit LCG state.
 *
 * @module
 */

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * Hashes `(seed, stream)` to an unsigned 32-bit integer.
 *
 * The raw seed cannot go straight to the LCG: seeds 42 and 43 would give first
 * draws only 0.0004 apart, and there would be no room for a stream name. FNV-1a
 * over the seed's float64 bytes and the stream's UTF-8 bytes, followed by
 * MurmurHash3's finaliser for avalanche, spreads neighbouring inputs across the
 * whole state space. The byte order is fixed so the result is the same on every
 * platform.
 */
export function hashSeed(seed: number, stream: string): number {
  const seedBytes = new Uint8Array(8);
  // -0 and 0 are the same seed to a person, but not to their float bits.
  new DataView(seedBytes.buffer).setFloat64(0, seed === 0 ? 0 : seed, true);
  let h = FNV_OFFSET;
  for (const byte of seedBytes) h = Math.imul(h ^ byte, FNV_PRIME);
  for (const byte of new TextEncoder().encode(stream)) h = Math.imul(h ^ byte, FNV_PRIME);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
