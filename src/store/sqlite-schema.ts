/**
 * The SQLite store's tables, their version in `PRAGMA user_version`, and the migration of older
 * files to the current layout.
 *
 * - Version 1: `series`, `state`, and every point as one row of `samples` (series_id, at).
 * - Version 2: the same tables, plus `chunks` (`sqlite-chunks.ts`). `samples` is now the head:
 *   the newest minutes of every series, a row per point; older points are sealed into one chunk
 *   row per series per hour, each chunk every time first, then every value.
 * - Version 3 (current): the same tables; a chunk holds each point's time then its value
 *   (`chunk-codec.ts`), so the chunks of a series join into one blob for a range read.
 *
 * Opening an older file migrates it in one transaction, so a file is wholly one version: a
 * version-1 file has its history sealed into chunks, a version-2 file its chunks rewritten.
 * The store's files are UTF-8 (SQLite's default), which range reads rely on; a file in
 * another text encoding is refused.
 */
import type Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import { fromTimesThenValues } from './chunk-codec.ts';
import { ChunkTable, CHUNKS_SQL, sealBoundary } from './sqlite-chunks.ts';

/** Schema version written to `PRAGMA user_version`; a file with a higher one is refused. */
export const SQLITE_SCHEMA_VERSION = 3;
// Series sealed per step of a migration: the head pages each step frees hold the next step's
// chunks, so the file grows by about one step's worth rather than by its whole history.
const MIGRATE_SERIES_PER_STEP = 64;

const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS series (
  id INTEGER PRIMARY KEY,
  metric TEXT NOT NULL,
  labels TEXT NOT NULL,
  UNIQUE (metric, labels)
);
CREATE TABLE IF NOT EXISTS samples (
  series_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  value REAL NOT NULL,
  PRIMARY KEY (series_id, at)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS state (
  key TEXT NOT NULL PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
${CHUNKS_SQL}`;

/** The file's schema version; throws STORE_IO when a newer headroom wrote it. */
function readVersion(db: Database.Database): number {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version <= SQLITE_SCHEMA_VERSION) return version;
  throw new HeadroomError(
    'STORE_IO',
    `The store at "${db.name}" was written by a newer headroom (schema ${version}, this one ` +
      `reads up to ${SQLITE_SCHEMA_VERSION}). Upgrade headroom, or choose another store path.`,
    { file: db.name },
  );
}

/** Throws STORE_IO unless the file's text encoding is UTF-8 (what headroom creates). */
function assertUtf8(db: Database.Database): void {
  const encoding = db.pragma('encoding', { simple: true }) as string;
  if (encoding === 'UTF-8') return;
  throw new HeadroomError(
    'STORE_IO',
    `The store at "${db.name}" uses the text encoding ${encoding}; headroom's stores are ` +
      `UTF-8. Choose another store path, and headroom creates a new store there.`,
    { file: db.name },
  );
}

/** Rewrites every version-2 chunk (times, then values) in the current form. */
function rewriteChunks(db: Database.Database): void {
  db.function('headroom_chunk_from_v2', { deterministic: true, directOnly: true }, (blob: Buffer) =>
    fromTimesThenValues(blob),
  );
  db.exec('UPDATE chunks SET data = headroom_chunk_from_v2(data)');
}

/** Seals every head row older than `before` into chunks, a few series at a time. */
function sealHistory(db: Database.Database, before: number): void {
  const chunks = new ChunkTable(db);
  const ids = db.prepare('SELECT id FROM series ORDER BY id').pluck().all() as number[];
  for (let i = 0; i < ids.length; i += MIGRATE_SERIES_PER_STEP) {
    const last = ids[Math.min(ids.length, i + MIGRATE_SERIES_PER_STEP) - 1] as number;
    chunks.seal(before, ids[i], last);
  }
}

/**
 * Brings a file to the current schema: creates the tables of a new file, and moves a version-1
 * file's history from `samples` into chunks (all in one transaction); a current file is left
 * as it is. Refuses a file written by a newer headroom.
 */
export function migrateSqliteSchema(db: Database.Database): void {
  assertUtf8(db);
  if (readVersion(db) === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated the file meanwhile.
    const version = readVersion(db);
    if (version === SQLITE_SCHEMA_VERSION) return;
    db.exec(SCHEMA_SQL);
    // Version 2's chunks first: what a version-1 file seals is already in the current form.
    if (version === 2) rewriteChunks(db);
    const newest = db.prepare('SELECT max(at) FROM samples').pluck().get() as number | null;
    if (newest !== null && version <= 1) sealHistory(db, sealBoundary(newest));
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}
