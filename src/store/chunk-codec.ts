/**
 * The blob of one sealed chunk of the SQLite store (schema 3): each point as its time then its
 * value, each an IEEE 754 double in little-endian byte order (16 bytes per point, the same on
 * every machine). Times are whole epoch milliseconds, which a double holds exactly. Point by
 * point, the blobs of chunks that follow each other in time join into one blob of the same form,
 * so a range read has SQLite concatenate a series' chunks and hands over one blob, not a row
 * per hour. Schema 2 wrote every time first, then every value (`fromTimesThenValues`).
 */
import type { PointColumns } from './point-columns.ts';

/** Bytes one point takes in a chunk blob. */
export const BYTES_PER_POINT = 16;

/** Encodes points (times strictly ascending, one value each) as a chunk blob. */
export function encodeChunk(columns: { at: ArrayLike<number>; value: ArrayLike<number> }): Buffer {
  const n = columns.at.length;
  const blob = Buffer.allocUnsafe(n * BYTES_PER_POINT);
  for (let i = 0; i < n; i++) {
    blob.writeDoubleLE(columns.at[i]!, i * BYTES_PER_POINT);
    blob.writeDoubleLE(columns.value[i]!, i * BYTES_PER_POINT + 8);
  }
  return blob;
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
 * than the next; one blob of several chunks joined counts as those chunks), decoded straight
 * into one set of columns. Throws `SQLITE_CORRUPT` as `decodeChunk` does.
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
    // A DataView reads a blob wherever its bytes sit (SQLite's need not be 8-byte aligned).
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    for (let offset = 0; offset < blob.byteLength; offset += BYTES_PER_POINT) {
      const t = view.getFloat64(offset, true);
      if (t < from || t > to) continue;
      at[count] = t;
      value[count] = view.getFloat64(offset + 8, true);
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
  return decodeChunksInRange([blob], -Infinity, Infinity);
}

/**
 * A schema-2 chunk blob (every time, then every value) in the current form, for the migration;
 * throws `SQLITE_CORRUPT` as `decodeChunk` does.
 */
export function fromTimesThenValues(blob: Uint8Array): Buffer {
  const n = pointCount(blob);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const out = Buffer.allocUnsafe(blob.byteLength);
  for (let i = 0; i < n; i++) {
    out.writeDoubleLE(view.getFloat64(8 * i, true), i * BYTES_PER_POINT);
    out.writeDoubleLE(view.getFloat64(8 * (n + i), true), i * BYTES_PER_POINT + 8);
  }
  return out;
}
