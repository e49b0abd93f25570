/**
 * The embedded default `Store`: one SQLite file in WAL mode through better-sqlite3.
 *
 * Layout (`sqlite-schema.ts`, version 2): `series` maps (metric, canonical labels JSON) to an
 * integer id; `samples` is the head, one row per (series_id, at) in a WITHOUT ROWID table, holding
 * the newest 5 to 15 minutes of each series; `chunks` holds everything older, one blob row per
 * series per hour (`sqlite-chunks.ts`); `state` holds small JSON documents by key. An `append`
 * inserts head rows and, once its newest point is more than HEAD_KEEP_MS past a 10-minute
 * boundary the head is not yet sealed to, seals the head's rows before that boundary into chunks
 * in the same transaction. So a commit rewrites the pages of a head of the same size however long
 * the history is (bench/store-history). A read merges a series' chunks over its range (one index
 * seek) with its head rows, the head winning a time both hold.
 *
 * Durability: every `append` is one transaction that has committed when its promise resolves.
 * With `synchronous: 'normal'` (the default) the commit has been written to the WAL file, so it
 * survives a crash of this process; an OS crash or power cut may lose the last few commits but
 * never corrupts the file. `synchronous: 'full'` fsyncs the WAL at every commit and so also
 * survives power loss, at the cost of one fsync per `append`.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import { SeriesIdCache } from './series-id-cache.ts';
import type { Labels, Point, Sample } from '../sources/source.ts';
import {
  columnsOf,
  lastPerStep,
  mergeColumns,
  pointsOf,
  type PointColumns,
} from './point-columns.ts';
import { ChunkTable, sealBoundary } from './sqlite-chunks.ts';
import { migrateSqliteSchema } from './sqlite-schema.ts';
import type { Series, Store } from './store.ts';

export { SQLITE_SCHEMA_VERSION } from './sqlite-schema.ts';

/** How far a committed `append` survives: `normal` = process crash, `full` = also power loss. */
export type SqliteSynchronous = 'normal' | 'full';

/** Options for `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** Database file path (parent directories are created), or `:memory:` for a throwaway store. */
  path: string;
  /** Durability of each `append`; default `normal` (survives a process crash, no fsync per append). */
  synchronous?: SqliteSynchronous;
}

// 16 KiB pages: a scrape-shaped batch dirties every page of the head that holds the newest point
// of some series, and each dirty page is one WAL frame (two writes) at commit; larger pages mean
// fewer frames (measured ~1.5x raw ingest over 4 KiB on bench/store-ingest). Sealing keeps the
// head to a few minutes per series, so series share its pages at any length of history (without
// it, every series fills pages of its own and each commit rewrites one page per series:
// bench/store-history measured 13x the commit time at 10M samples).
const PAGE_SIZE_BYTES = 16_384;
// Checkpoint at ~64 MiB of WAL rather than SQLite's 4 MiB default: a page rewritten by several
// commits is then copied back once, not once per commit.
const WAL_AUTOCHECKPOINT_PAGES = 4_096;
// Negative cache_size is in KiB: 64 MiB keeps the head of ~10,000 series and the chunk index hot.
const CACHE_SIZE_KIB = 65_536;

/**
 * Applies the store's pragmas and creates its tables (migrating an older file, see
 * `sqlite-schema.ts`) on a raw better-sqlite3 connection. The store uses it, and so does the
 * ingest benchmark's baseline, so both run the same layout and settings.
 */
export function prepareSqliteDatabase(
  db: Database.Database,
  synchronous: SqliteSynchronous = 'normal',
): void {
  // page_size only takes effect before the first table exists (and before WAL is on).
  db.pragma(`page_size = ${PAGE_SIZE_BYTES}`);
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && !db.memory)
    throw new Error(`journal_mode is ${String(mode)}, WAL could not be enabled`);
  db.pragma(`synchronous = ${synchronous.toUpperCase()}`);
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  db.pragma(`cache_size = -${CACHE_SIZE_KIB}`);
  migrateSqliteSchema(db);
}

/** Canonical form of a label set: JSON with keys in sorted order, so equal sets give one string. */
export function canonicalLabels(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** Prometheus-style name of a series for messages, e.g. `cpu{host="a"}`. */
function describeSeries(metric: string, labels: Labels): string {
  const pairs = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${metric}{${pairs.join(',')}}`;
}

/** What to do about a failed SQLite or file-system call, by a pattern over its error code. */
const ADVICE: [RegExp, string][] = [
  [
    /NOTADB|CORRUPT/,
    'The file is not a headroom store or is damaged: move it aside (a fresh store is created) or restore it from a backup.',
  ],
  [/FULL|ENOSPC/, 'The disk is full: free space or shorten the retention.'],
  [
    /BUSY|LOCKED/,
    'Another process holds the store: stop it, or give this instance its own store path.',
  ],
  [
    /READONLY|CANTOPEN|PERM|EACCES|ENOTDIR|EROFS/,
    'Check that the path is a writable file location for this user, or choose another store path.',
  ],
  [/.*/, 'Check the path, free disk space and permissions, or choose another store path.'],
];

/** Wraps a failure of the database into a STORE_IO error naming the path and what to do. */
function storeIo(path: string, action: string, cause: unknown): HeadroomError {
  if (cause instanceof HeadroomError) return cause;
  const reason = cause instanceof Error ? cause.message : String(cause);
  const code = String((cause as { code?: unknown } | null)?.code ?? '');
  const advice = ADVICE.find(([pattern]) => pattern.test(code))?.[1];
  const message = `Could not ${action} the store at "${path}": ${reason}. ${advice}`;
  return new HeadroomError('STORE_IO', message, { file: path, cause });
}

/** Largest time a JavaScript Date can hold, in epoch ms (either side of 1970). */
const MAX_TIME_MS = 8.64e15;

/** What makes a sample unstorable, or undefined when it can be stored. */
function unstorable(s: Sample): string | undefined {
  // Number.isFinite is false for non-numbers too, so strings and undefined are refused here.
  if (!Number.isFinite(s.at)) return `a non-finite time ${String(s.at)}`;
  if (!Number.isFinite(s.value)) return `a non-finite value ${String(s.value)}`;
  // Beyond this a time is no date at all, and no longer a whole number of ms to bucket exactly.
  if (Math.abs(s.at) > MAX_TIME_MS) return `a time ${s.at} outside the range of dates`;
  return undefined;
}

/** Refuses a batch holding a value or time that the store cannot keep (NaN, ±Infinity, non-numbers). */
function assertStorable(samples: Sample[]): void {
  for (const s of samples) {
    const problem = unstorable(s);
    if (problem === undefined) continue;
    throw new HeadroomError(
      'SOURCE_BAD_VALUE',
      `Series ${describeSeries(s.metric, s.labels)} has ${problem}; nothing from this batch of ` +
        `${samples.length} samples was stored. Fix the source, or drop such samples before storing them.`,
    );
  }
}

/** Refuses a metric or label set that cannot name a series (empty metric, non-string label values). */
function assertSeriesName(metric: string, labels: Labels): void {
  const badLabel = Object.keys(labels).find((k) => typeof labels[k] !== 'string');
  if (typeof metric === 'string' && metric !== '' && badLabel === undefined) return;
  const problem =
    badLabel === undefined ? 'an empty metric name' : `a non-string value for label "${badLabel}"`;
  throw new HeadroomError(
    'SOURCE_BAD_VALUE',
    `Series ${String(metric)} ${JSON.stringify(labels)} has ${problem}; nothing from this batch was stored. ` +
      'Fix the source so every sample has a metric name and string label values.',
  );
}

/** True when `labels` holds every pair of `matchers`. */
function includesAll(labels: Labels, matchers: Labels): boolean {
  for (const key of Object.keys(matchers)) if (labels[key] !== matchers[key]) return false;
  return true;
}

/** The prepared statements the store runs, compiled once at open. */
function prepareStatements(db: Database.Database) {
  return {
    insertSample: db.prepare<[number, number, number]>(
      'INSERT INTO samples (series_id, at, value) VALUES (?, ?, ?) ' +
        'ON CONFLICT (series_id, at) DO UPDATE SET value = excluded.value',
    ),
    findSeries: db
      .prepare<[string, string], number>('SELECT id FROM series WHERE metric = ? AND labels = ?')
      .pluck(),
    insertSeries: db
      .prepare<[string, string], number>(
        'INSERT INTO series (metric, labels) VALUES (?, ?) RETURNING id',
      )
      .pluck(),
    seriesOf: db.prepare<[string], { id: number; labels: string }>(
      'SELECT id, labels FROM series WHERE metric = ? ORDER BY labels',
    ),
    range: db.prepare<[number, number, number], Point>(
      'SELECT at, value FROM samples WHERE series_id = ? AND at >= ? AND at <= ? ORDER BY at',
    ),
    latest: db.prepare<[number, number], Point>(
      'SELECT at, value FROM samples WHERE series_id = ? AND at <= ? ORDER BY at DESC LIMIT 1',
    ),
    deleteSamples: db.prepare<[number]>(
      'DELETE FROM samples WHERE series_id IN (SELECT id FROM series) AND at < ?',
    ),
    deleteEmptySeries: db.prepare(
      'DELETE FROM series WHERE NOT EXISTS (SELECT 1 FROM samples WHERE samples.series_id = series.id) ' +
        'AND NOT EXISTS (SELECT 1 FROM chunks WHERE chunks.series_id = series.id)',
    ),
    saveState: db.prepare<[string, string]>(
      'INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    deleteState: db.prepare<[string]>('DELETE FROM state WHERE key = ?'),
    loadState: db.prepare<[string], string>('SELECT value FROM state WHERE key = ?').pluck(),
  };
}

/** `Store` on one SQLite file; create it with `openSqliteStore`. */
export class SqliteStore implements Store {
  /** The database path as given (`:memory:` for a throwaway store). */
  readonly path: string;
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepareStatements>;
  private readonly chunks: ChunkTable;
  private readonly ids = new SeriesIdCache();
  private readonly appendBatch: Database.Transaction<(samples: Sample[]) => number>;
  // No head row is older than this (epoch ms); -Infinity until this connection has sealed once.
  private headFloor = -Infinity;
  private closed = false;

  /** Wraps an open connection on which `prepareSqliteDatabase` has run. */
  constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
    this.sql = prepareStatements(db);
    this.chunks = new ChunkTable(db);
    this.appendBatch = db.transaction((samples: Sample[]) => this.writeBatch(samples));
  }

  /** Appends samples in one transaction, committed (durable per `synchronous`) on resolve. */
  async append(samples: Sample[]): Promise<void> {
    this.assertOpen();
    if (samples.length === 0) return;
    assertStorable(samples);
    try {
      // IMMEDIATE takes the write lock up front, so a series looked up in this transaction
      // cannot be inserted by another connection before we insert it.
      this.headFloor = this.appendBatch.immediate(samples);
    } catch (error) {
      // Series ids created inside the rolled-back transaction no longer exist.
      this.ids.clear();
      throw storeIo(this.path, 'append to', error);
    }
  }

  /** Points of one series (exact label match) with `from <= at <= to` (epoch ms), oldest first. */
  async range(metric: string, labels: Labels, from: number, to: number): Promise<Point[]> {
    this.assertOpen();
    return this.read('read', () => {
      const id = this.findSeriesId(metric, labels);
      return id === undefined ? [] : this.points(id, from, to);
    });
  }

  /** Every series of a metric whose labels include `matchers` and that has points in `[from, to]`. */
  async select(metric: string, matchers: Labels, from: number, to: number): Promise<Series[]> {
    this.assertOpen();
    return this.read('read', () =>
      this.matchingSeries(metric, matchers).flatMap(({ id, labels }) => {
        const points = this.points(id, from, to);
        return points.length === 0 ? [] : [{ metric, labels, points }];
      }),
    );
  }

  /** Every series of a metric with at most one point per `stepMs` in `[from, to]`: each step's last. */
  async downsample(metric: string, from: number, to: number, stepMs: number): Promise<Series[]> {
    this.assertOpen();
    const step = Math.max(1, Math.floor(stepMs));
    return this.read('read', () =>
      this.matchingSeries(metric, {}).flatMap(({ id, labels }) => {
        const points = lastPerStep(this.columns(id, from, to), from, step);
        return points.length === 0 ? [] : [{ metric, labels, points }];
      }),
    );
  }

  /** The newest point at or before `at` (epoch ms) of every series of a metric that has one. */
  async latest(metric: string, at: number): Promise<Series[]> {
    this.assertOpen();
    return this.read('read', () =>
      this.matchingSeries(metric, {}).flatMap(({ id, labels }) => {
        const head = this.sql.latest.get(id, at);
        const sealed = this.chunks.latest(id, at);
        // The head wins a tie: it holds the later write of a time until it is sealed.
        const point =
          sealed !== undefined && (head === undefined || sealed.at > head.at) ? sealed : head;
        return point === undefined ? [] : [{ metric, labels, points: [point] }];
      }),
    );
  }

  /** Deletes points with `at < before` (epoch ms) and series left empty; returns points removed. */
  async deleteBefore(before: number): Promise<number> {
    this.assertOpen();
    try {
      return this.db.transaction(() => {
        const removed =
          this.sql.deleteSamples.run(before).changes + this.chunks.deleteBefore(before);
        // Series that churn away (old pods, renamed queues) would otherwise pile up forever.
        if (this.sql.deleteEmptySeries.run().changes > 0) this.ids.clear();
        return removed;
      })();
    } catch (error) {
      this.ids.clear();
      throw storeIo(this.path, 'delete old samples from', error);
    }
  }

  /** Saves a JSON-serialisable value under a key; saving `undefined` removes the key. */
  async saveState(key: string, value: unknown): Promise<void> {
    this.assertOpen();
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (error) {
      const message = `State "${key}" cannot be saved: it is not JSON-serialisable.`;
      throw new HeadroomError('INTERNAL', message, { cause: error });
    }
    try {
      if (json === undefined) this.sql.deleteState.run(key);
      else this.sql.saveState.run(key, json);
    } catch (error) {
      throw storeIo(this.path, `save state "${key}" to`, error);
    }
  }

  /** Loads the value saved under a key, or undefined when there is none. */
  async loadState<T>(key: string): Promise<T | undefined> {
    this.assertOpen();
    const json = this.read(`load state "${key}" from`, () => this.sql.loadState.get(key));
    if (json === undefined) return undefined;
    try {
      return JSON.parse(json) as T;
    } catch (error) {
      throw storeIo(this.path, `parse state "${key}" from`, error);
    }
  }

  /** Checkpoints the WAL and closes the file. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.close();
    } catch (error) {
      throw storeIo(this.path, 'close', error);
    }
  }

  /** Rejects calls on a closed store with an error that says so. */
  private assertOpen(): void {
    if (!this.closed) return;
    const message = `The store at "${this.path}" is closed. Open it again before using it.`;
    throw new HeadroomError('STORE_IO', message, { file: this.path });
  }

  /** Runs reads in one snapshot, turning database failures into STORE_IO errors. */
  private read<T>(action: string, body: () => T): T {
    try {
      return this.db.transaction(body).deferred();
    } catch (error) {
      throw storeIo(this.path, action, error);
    }
  }

  /**
   * Writes a batch into the head, then seals the head's rows older than the batch's boundary
   * (`sealBoundary`) when there can be any; returns the new head floor. Runs in a transaction.
   */
  private writeBatch(samples: Sample[]): number {
    const insert = this.sql.insertSample;
    let oldest = Infinity;
    let newest = -Infinity;
    for (const s of samples) {
      const at = Math.round(s.at);
      insert.run(this.seriesId(s.metric, s.labels), at, s.value);
      if (at < oldest) oldest = at;
      if (at > newest) newest = at;
    }
    const floor = Math.min(this.headFloor, oldest);
    const boundary = sealBoundary(newest);
    if (floor >= boundary) return floor;
    this.chunks.seal(boundary);
    return boundary;
  }

  /** Points of one series in `[from, to]`: its sealed chunks, then its head rows over them. */
  private points(id: number, from: number, to: number): Point[] {
    const head = this.sql.range.all(id, from, to);
    const sealed = this.chunks.columns(id, from, to);
    return sealed.at.length === 0 ? head : pointsOf(mergeColumns(sealed, columnsOf(head)));
  }

  /** `points` as columns, for reads that scan many points and return few. */
  private columns(id: number, from: number, to: number): PointColumns {
    return mergeColumns(
      this.chunks.columns(id, from, to),
      columnsOf(this.sql.range.all(id, from, to)),
    );
  }

  /** Series of a metric whose labels include `matchers`, ordered by canonical labels. */
  private matchingSeries(metric: string, matchers: Labels): { id: number; labels: Labels }[] {
    return this.sql.seriesOf
      .all(metric)
      .map((row) => ({ id: row.id, labels: JSON.parse(row.labels) as Labels }))
      .filter((row) => includesAll(row.labels, matchers));
  }

  /** Id of an existing series, from the cache or the table; undefined when it was never stored. */
  private findSeriesId(metric: string, labels: Labels): number | undefined {
    const cached = this.ids.get(metric, labels);
    if (cached !== undefined) return cached;
    return this.sql.findSeries.get(metric, canonicalLabels(labels));
  }

  /** Id of a series, creating it when new; the hot path of `append` is one cache walk. */
  private seriesId(metric: string, labels: Labels): number {
    const cached = this.ids.get(metric, labels);
    if (cached !== undefined) return cached;
    assertSeriesName(metric, labels);
    const canonical = canonicalLabels(labels);
    const id =
      this.sql.findSeries.get(metric, canonical) ??
      (this.sql.insertSeries.get(metric, canonical) as number);
    this.ids.set(metric, labels, id);
    return id;
  }
}

/** Opens (creating when missing) a SQLite store; throws STORE_IO naming the path when it cannot. */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  const { path, synchronous = 'normal' } = options;
  let db: Database.Database | undefined;
  try {
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    prepareSqliteDatabase(db, synchronous);
    return new SqliteStore(db, path);
  } catch (error) {
    db?.close();
    throw storeIo(path, 'open', error);
  }
}
