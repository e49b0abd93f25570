/**
 * The SQLite store's tables, their version in `PRAGMA user_version`, and the migration of older
 * files to the current layout.
 *
 * - Version 1: `series`, `state`, and every point as one row of `samples` (series_id, at).
 * - Version 2 (current): the same tables, plus `chunks` (`sqlite-chunks.ts`). `samples` is now
 *   the head: the newest minutes of every series, a row per point; older points are sealed into
 *   one chunk row per series per hour. Opening a version-1 file seals its history into
 *   chunks in one transaction, so the file is either wholly version 1 or wholly version 2.
 */
import type Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import { ChunkTable, CHUNKS_SQL, sealBoundary } from './sqlite-chunks.ts';

/** Schema version written to `PRAGMA user_version`; a file with a higher one is refused. */
export const SQLITE_SCHEMA_VERSION = 2;
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
  if (readVersion(db) === SQLITE_SCHEMA_VERSION) return;
  db.transaction(() => {
    // Read again under the write lock: another process may have migrated the file meanwhile.
    if (readVersion(db) === SQLITE_SCHEMA_VERSION) return;
    db.exec(SCHEMA_SQL);
    const newest = db.prepare('SELECT max(at) FROM samples').pluck().get() as number | null;
    if (newest !== null) sealHistory(db, sealBoundary(newest));
    db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
  }).immediate();
}
