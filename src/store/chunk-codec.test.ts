import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../forecast/synthetic.ts';
import {
  BYTES_PER_POINT,
  decodeChunk,
  decodeChunksInRange,
  encodeChunk,
  fromTimesThenValues,
} from './chunk-codec.ts';
import { concatColumns, sliceColumns } from './point-columns.ts';

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

  it('writes little-endian doubles, each time followed by its value', () => {
    const blob = encodeChunk({ at: [1, 2], value: [3, 4] });
    assert.deepEqual(
      [0, 8, 16, 24].map((offset) => blob.readDoubleLE(offset)),
      [1, 3, 2, 4],
    );
  });

  it('joins: the blobs of chunks one after another decode as one blob of all their points', () => {
    const first = encodeChunk({ at: [1, 2, 3], value: [10, 20, 30] });
    const second = encodeChunk({ at: [7], value: [70] });
    const joined = decodeChunk(Buffer.concat([first, second]));
    assert.deepEqual([...joined.at], [1, 2, 3, 7]);
    assert.deepEqual([...joined.value], [10, 20, 30, 70]);
  });

  it('rewrites a schema-2 blob (every time, then every value) in the current form', () => {
    const old = Buffer.alloc(48);
    [1, 2, 3, 10, 20, 30].forEach((x, i) => old.writeDoubleLE(x, 8 * i));
    const back = decodeChunk(fromTimesThenValues(old.subarray(0)));
    assert.deepEqual([...back.at], [1, 2, 3]);
    assert.deepEqual([...back.value], [10, 20, 30]);
    assert.throws(() => fromTimesThenValues(Buffer.alloc(20)), { code: 'SQLITE_CORRUPT' });
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

  it('decodes a run of chunks in a range as slicing and joining each decoded chunk does', () => {
    const random = seededRandom(3);
    for (let trial = 0; trial < 300; trial++) {
      let t = 1_700_000_000_000;
      const blobs = Array.from({ length: Math.floor(random() * 6) }, () => {
        const n = Math.floor(random() * 5);
        const at = Array.from({ length: n }, () => (t += 1 + Math.floor(random() * 1000)));
        const blob = encodeChunk({ at, value: at.map(() => random() * 100 - 50) });
        // Some blobs sit off an 8-byte boundary, as SQLite may hand them over.
        if (random() < 0.5) return blob;
        const shifted = Buffer.alloc(blob.length + 3);
        blob.copy(shifted, 3);
        return shifted.subarray(3);
      });
      const ends = [1_700_000_000_000, t, t + 5];
      const pick = () => ends[0]! + Math.floor(random() * (ends[2]! - ends[0]!));
      const [from, to] = random() < 0.2 ? [ends[0]!, ends[1]!] : [pick(), pick()];
      const want = concatColumns(blobs.map((b) => sliceColumns(decodeChunk(b), from, to)));
      const got = decodeChunksInRange(blobs, from, to);
      assert.deepEqual([...got.at], [...want.at], `times in [${from}, ${to}]`);
      assert.deepEqual([...got.value], [...want.value], `values in [${from}, ${to}]`);
    }
    assert.throws(() => decodeChunksInRange([Buffer.alloc(17)], 0, 1), { code: 'SQLITE_CORRUPT' });
  });
});
