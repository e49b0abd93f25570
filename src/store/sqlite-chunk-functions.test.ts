import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { decodeChunk, encodeChunk } from './chunk-codec.ts';
import { registerChunkFunctions } from './sqlite-chunk-functions.ts';

/** The chunk blob as `[at, value]` pairs. */
function pairsOf(blob: Buffer): [number, number][] {
  const { at, value } = decodeChunk(blob);
  return [...at].map((t, i) => [t, value[i] as number]);
}

describe('SQLite chunk functions', () => {
  it('headroom_chunk gathers a group into one blob sorted by time, whatever order it is fed', () => {
    const db = new Database(':memory:');
    registerChunkFunctions(db);
    const rows = db
      .prepare(
        `WITH t(g, at, v) AS (VALUES (1, 30, 3.5), (2, 5, 0.5), (1, 10, 1.5), (1, 20, 2.5))
         SELECT g, headroom_chunk(at, v) FROM t GROUP BY g ORDER BY g`,
      )
      .raw()
      .all() as [number, Buffer][];
    assert.deepEqual(
      rows.map(([g, blob]) => [g, pairsOf(blob)]),
      [
        [
          1,
          [
            [10, 1.5],
            [20, 2.5],
            [30, 3.5],
          ],
        ],
        [2, [[5, 0.5]]],
      ],
    );
    db.close();
  });

  it('headroom_chunk_merge merges two blobs, the second winning a shared time', () => {
    const db = new Database(':memory:');
    registerChunkFunctions(db);
    registerChunkFunctions(db);
    const older = encodeChunk({ at: [1, 2, 3], value: [10, 20, 30] });
    const newer = encodeChunk({ at: [2, 4], value: [200, 400] });
    const merged = db.prepare('SELECT headroom_chunk_merge(?, ?)').pluck().get(older, newer);
    assert.deepEqual(pairsOf(merged as Buffer), [
      [1, 10],
      [2, 200],
      [3, 30],
      [4, 400],
    ]);
    db.close();
  });
});
