import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BYTES_PER_POINT, decodeChunk, encodeChunk } from './chunk-codec.ts';

describe('chunk codec', () => {
  it('round-trips times and values exactly, in 16 bytes a point', () => {
    const at = [Date.UTC(2025, 0, 1), Date.UTC(2025, 0, 1) + 15_000, 8.64e15];
    const value = [0.1 + 0.2, -1e-300, Number.MAX_VALUE];
    const blob = encodeChunk({ at, value });
    assert.equal(blob.byteLength, at.length * BYTES_PER_POINT);
    const back = decodeChunk(blob);
    assert.deepEqual([...back.at], at);
    assert.deepEqual([...back.value], value);
  });

  it('writes little-endian doubles, times first', () => {
    const blob = encodeChunk({ at: [1, 2], value: [3, 4] });
    assert.deepEqual(
      [0, 8, 16, 24].map((offset) => blob.readDoubleLE(offset)),
      [1, 2, 3, 4],
    );
  });

  it('decodes a blob that does not start on an 8-byte boundary', () => {
    const blob = encodeChunk({ at: [5, 6], value: [7.5, 8.5] });
    const shifted = Buffer.alloc(blob.byteLength + 3);
    blob.copy(shifted, 3);
    const back = decodeChunk(shifted.subarray(3));
    assert.deepEqual([...back.at, ...back.value], [5, 6, 7.5, 8.5]);
  });

  it('decodes an empty blob as no points', () => {
    assert.equal(decodeChunk(Buffer.alloc(0)).at.length, 0);
  });

  it('refuses a blob that is not whole points, as a damaged file', () => {
    assert.throws(
      () => decodeChunk(Buffer.alloc(17)),
      (error: unknown) => {
        assert.ok(error instanceof Error);
        assert.equal((error as { code?: string }).code, 'SQLITE_CORRUPT');
        assert.match(error.message, /17 bytes/);
        return true;
      },
    );
  });
});
