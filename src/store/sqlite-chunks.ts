/**
 * Sealed history of the SQLite store: the `chunks` table, one row per series per hour holding
 * that hour's points as one blob (`chunk-codec.ts`), and `seal`, which moves the head's
 * (`samples`') older rows into it.
 *
 * Why: in `samples`, keyed (series_id, at), once every series fills pages of its own each
 * scrape-shaped commit rewrites one page per series, so commit time grows with history until it
 * is one page per series. Sealing every 10 minutes keeps `samples` a head of the newest 5 to 15
 * minutes, so a commit rewrites the same few pages at any length of history. A seal rewrites
 * each series' chunk of the current hour with the new points added; a new hour's chunk is a new
 * row at the end of the rowid table, so the chunks a seal writes sit together, and an older
 * chunk is written again only by a late write into its hour or by retention. A range read is one
 * index seek per series, then SQLite joins that series' chunks, oldest first, into one blob (the
 * chunk form joins point by point): one JavaScript value per series rather than one per hour
 * (a Buffer per row cost two thirds of a read of sparse, hourly series).
 */
import type Database from 'better-sqlite3';
import type { Point } from '../sources/source.ts';
import { BYTES_PER_POINT, decodeChunk, decodeChunksInRange, encodeChunk } from './chunk-codec.ts';
import { lastAtOrBefore, NO_POINTS, sliceColumns, type PointColumns } from './point-columns.ts';
import { registerChunkFunctions } from './sqlite-chunk-functions.ts';

/** Width of one chunk's time bucket: bucket `start` holds `start <= at < start + CHUNK_MS`. */
export const CHUNK_MS = 3_600_000;
/** The head is sealed up to a multiple of this: at most one seal per 10 minutes of scrapes. */
export const SEAL_STEP_MS = 600_000;
/** How far behind a batch's newest point the head keeps rows unsealed (late scrapes land there). */
export const HEAD_KEEP_MS = 300_000;

/** DDL of the chunk table; `start` is a multiple of CHUNK_MS, `data` a chunk blob. */
export const CHUNKS_SQL = `
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  start INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS chunks_by_series ON chunks (series_id, start);
`;

/** `t` rounded down to a multiple of `step`, exactly for whole numbers (`%` keeps the sign). */
function floorTo(t: number, step: number): number {
  return t - (((t % step) + step) % step);
}

/** The time before which the head's rows are sealed, for a batch whose newest point is `newest`. */
export function sealBoundary(newest: number): number {
  return floorTo(newest - HEAD_KEEP_MS, SEAL_STEP_MS);
}

// The start of a head row's bucket: `floorTo(at, CHUNK_MS)` in SQL, on whole-ms times.
const START_SQL = `at - ((at % ${CHUNK_MS}) + ${CHUNK_MS}) % ${CHUNK_MS}`;
const POINTS_SQL = `length(data) / ${BYTES_PER_POINT}`;

/** The statements on `chunks`, compiled once (the chunk functions must be registered). */
function prepareStatements(db: Database.Database) {
  return {
    seal: db.prepare<[number, number, number]>(
      `INSERT INTO chunks (series_id, start, data)
       SELECT series_id, ${START_SQL} AS bucket, headroom_chunk(at, value) FROM samples
       WHERE series_id BETWEEN ? AND ? AND at < ? GROUP BY series_id, bucket
       ON CONFLICT (series_id, start) DO UPDATE SET data = headroom_chunk_merge(data, excluded.data)`,
    ),
    deleteHead: db.prepare<[number, number, number]>(
      'DELETE FROM samples WHERE series_id BETWEEN ? AND ? AND at < ?',
    ),
    // group_concat joins the bytes of blobs; in a UTF-8 file (the store's, `sqlite-schema.ts`)
    // a blob read as text and cast back is the same bytes. NULL when no chunk matches. Without
    // ORDER BY, SQLite joins them in the order its index search meets them, which is by start;
    // it does not promise so, so the reader checks and then asks with ORDER BY (which sorts
    // what is already sorted: a third of a long read's time).
    rangeAsFound: db
      .prepare<[number, number, number], Buffer | null>(
        `SELECT CAST(group_concat(data, '') AS BLOB) FROM chunks
         WHERE series_id = ? AND start > ? AND start <= ?`,
      )
      .pluck(),
    range: db
      .prepare<[number, number, number], Buffer | null>(
        `SELECT CAST(group_concat(data, '' ORDER BY start) AS BLOB) FROM chunks
         WHERE series_id = ? AND start > ? AND start <= ?`,
      )
      .pluck(),
    newestFirst: db
      .prepare<[number, number], Buffer>(
        'SELECT data FROM chunks WHERE series_id = ? AND start <= ? ORDER BY start DESC',
      )
      .pluck(),
    countWhole: db
      .prepare<[number], number>(
        `SELECT coalesce(sum(${POINTS_SQL}), 0) FROM chunks WHERE series_id IN (SELECT id FROM series) AND start <= ?`,
      )
      .pluck(),
    deleteWhole: db.prepare<[number]>(
      'DELETE FROM chunks WHERE series_id IN (SELECT id FROM series) AND start <= ?',
    ),
    straddling: db.prepare<[number, number], { id: number; data: Buffer }>(
      'SELECT id, data FROM chunks WHERE series_id IN (SELECT id FROM series) AND start > ? AND start < ?',
    ),
    update: db.prepare<[Buffer, number]>('UPDATE chunks SET data = ? WHERE id = ?'),
    deleteOne: db.prepare<[number]>('DELETE FROM chunks WHERE id = ?'),
  };
}

/** The `chunks` table of one open database (its schema must exist). */
export class ChunkTable {
  private readonly sql: ReturnType<typeof prepareStatements>;

  /** Registers the chunk functions and compiles the statements on a current-schema connection. */
  constructor(db: Database.Database) {
    registerChunkFunctions(db);
    this.sql = prepareStatements(db);
  }

  /**
   * Moves every head row with `at < before` into chunks (merged into a chunk that exists, the
   * head's value winning on a shared time) and deletes it from the head; only the series with
   * ids in `[firstId, lastId]` when given. Call inside a transaction: the move is only
   * consistent as a whole.
   */
  seal(before: number, firstId = -Infinity, lastId = Infinity): void {
    this.sql.seal.run(firstId, lastId, before);
    this.sql.deleteHead.run(firstId, lastId, before);
  }

  /** Sealed points of one series with `from <= at <= to`, oldest first. */
  columns(seriesId: number, from: number, to: number): PointColumns {
    if (!(from <= to)) return NO_POINTS;
    const found = this.sql.rangeAsFound.get(seriesId, from - CHUNK_MS, to);
    if (!found) return NO_POINTS;
    const points = decodeChunksInRange([found], from, to);
    if (ascending(points.at)) return points;
    const joined = this.sql.range.get(seriesId, from - CHUNK_MS, to);
    return joined ? decodeChunksInRange([joined], from, to) : NO_POINTS;
  }

  /** The newest sealed point of one series at or before `at`. */
  latest(seriesId: number, at: number): Point | undefined {
    for (const blob of this.sql.newestFirst.iterate(seriesId, at)) {
      const point = lastAtOrBefore(decodeChunk(blob), at);
      if (point !== undefined) return point;
    }
    return undefined;
  }

  /** Deletes sealed points with `at < before`; returns how many. Call inside a transaction. */
  deleteBefore(before: number): number {
    // Buckets that end at or before `before` go whole; the one that straddles it is cut.
    const wholeUpTo = before - CHUNK_MS;
    let removed = this.sql.countWhole.get(wholeUpTo) ?? 0;
    this.sql.deleteWhole.run(wholeUpTo);
    for (const { id, data } of this.sql.straddling.all(wholeUpTo, before)) {
      const points = decodeChunk(data);
      const kept = sliceColumns(points, before, Infinity);
      removed += points.at.length - kept.at.length;
      if (kept.at.length === 0) this.sql.deleteOne.run(id);
      else if (kept.at.length < points.at.length) this.sql.update.run(encodeChunk(kept), id);
    }
    return removed;
  }
}

/** True when every time is later than the one before (a chunk's are; joined chunks may not be). */
function ascending(at: Float64Array): boolean {
  for (let i = 1; i < at.length; i++) if (!(at[i]! > at[i - 1]!)) return false;
  return true;
}
