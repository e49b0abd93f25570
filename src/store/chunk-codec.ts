/**
 * The blob of one sealed chunk of the SQLite store: `n` times then `n` values, each an IEEE 754
 * double in little-endian byte order (16 bytes per point, the same on every machine). Times are
 * whole epoch milliseconds, which a double holds exactly.
 */
import { endianness } from 'node:os';
import type { PointColumns } from './point-columns.ts';

/** Bytes one point takes in a chunk blob. */
export const BYTES_PER_POINT = 16;
const BIG_ENDIAN = endianness() === 'BE';

/** Encodes points (times strictly ascending, one value each) as a chunk blob. */
export function encodeChunk(columns: { at: ArrayLike<number>; value: ArrayLike<number> }): Buffer {
  const n = columns.at.length;
  const doubles = new Float64Array(2 * n);
  doubles.set(columns.at, 0);
  doubles.set(columns.value, n);
  const blob = Buffer.from(doubles.buffer);
  return BIG_ENDIAN ? blob.swap64() : blob;
}

/** Throws `SQLITE_CORRUPT` unless `blob` is a whole number of points; returns how many. */
function pointCount(blob: Uint8Array): number {
  if (blob.byteLength % BYTES_PER_POINT !== 0) {
    const message = `a chunk of ${blob.byteLength} bytes is not a whole number of ${BYTES_PER_POINT}-byte points`;
    throw Object.assign(new Error(message), { code: 'SQLITE_CORRUPT' });
  }
  return blob.byteLength / BYTES_PER_POINT;
}

/**
 * The points with `from <= at <= to` of chunk blobs that follow each other in time (each older
 * than the next), decoded straight into one set of columns: what slicing each decoded chunk and
 * joining them gives, without a set of arrays per chunk (an hourly recording has one point per
 * chunk). Throws `SQLITE_CORRUPT` as `decodeChunk` does.
 */
export function decodeChunksInRange(
  blobs: readonly Uint8Array[],
  from: number,
  to: number,
): PointColumns {
  let total = 0;
  for (const blob of blobs) total += pointCount(blob);
  const at = new Float64Array(total);
  const value = new Float64Array(total);
  let count = 0;
  for (const blob of blobs) {
    const n = blob.byteLength / BYTES_PER_POINT;
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let i = 0; i < n; i++) {
      const t = view.getFloat64(8 * i, true);
      if (t < from || t > to) continue;
      at[count] = t;
      value[count] = view.getFloat64(8 * (n + i), true);
      count++;
    }
  }
  return { at: at.subarray(0, count), value: value.subarray(0, count) };
}

/**
 * Decodes a chunk blob. A blob that is not a whole number of points throws an error with code
 * `SQLITE_CORRUPT`, so the store reports the file as damaged.
 */
export function decodeChunk(blob: Uint8Array): PointColumns {
  const n = pointCount(blob);
  // Copied into fresh memory: a blob's bytes need not sit on an 8-byte boundary.
  const doubles = new Float64Array(2 * n);
  const bytes = Buffer.from(doubles.buffer);
  bytes.set(blob);
  if (BIG_ENDIAN) bytes.swap64();
  return { at: doubles.subarray(0, n), value: doubles.subarray(n) };
}
