import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import type { Labels } from '../sources/source.ts';
import { canonicalLabels, openSqliteStore, SQLITE_SCHEMA_VERSION } from './sqlite.ts';

/** The DDL and pragmas headroom used for schema version 1 (every point a row of `samples`). */
const VERSION_1_SQL = `
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
`;

/** The chunk table of schema version 2 (blobs of every time, then every value). */
const VERSION_2_CHUNKS_SQL = `
CREATE TABLE chunks (
  id INTEGER PRIMARY KEY,
  series_id INTEGER NOT NULL,
  start INTEGER NOT NULL,
  data BLOB NOT NULL
);
CREATE UNIQUE INDEX chunks_by_series ON chunks (series_id, start);
`;

/** A version-2 chunk blob: little-endian doubles, every time first, then every value. */
function version2Blob(at: number[], value: number[]): Buffer {
  const blob = Buffer.alloc(16 * at.length);
  [...at, ...value].forEach((x, i) => blob.writeDoubleLE(x, 8 * i));
  return blob;
}

const T0_MS = Date.UTC(2025, 2, 1);
const STEP_MS = 15_000;
const HOURS = 6;
const POINTS = (HOURS * 3_600_000) / STEP_MS;
const SERIES: Labels[] = [{ queue: 'sms' }, { queue: 'email' }, { queue: 'sms', region: 'eu' }];

/** The value an old file holds for series `s` at point `i`. */
function valueAt(s: number, i: number): number {
  return s * 1000 + i / 4;
}

/** Writes a version-1 store file: `SERIES` over `HOURS` hours at 15 s, and one state row. */
function writeVersion1File(path: string, extraSql = ''): void {
  const db = new Database(path);
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.exec(VERSION_1_SQL + extraSql);
  db.pragma('user_version = 1');
  const series = db.prepare('INSERT INTO series (id, metric, labels) VALUES (?, ?, ?)');
  const sample = db.prepare('INSERT INTO samples (series_id, at, value) VALUES (?, ?, ?)');
  db.transaction(() => {
    SERIES.forEach((labels, s) => {
      series.run(s + 1, 'queue_depth', canonicalLabels(labels));
      for (let i = 0; i < POINTS; i++) sample.run(s + 1, T0_MS + i * STEP_MS, valueAt(s, i));
    });
    db.prepare('INSERT INTO state (key, value) VALUES (?, ?)').run(
      'alerts/sms',
      JSON.stringify({ state: 'firing' }),
    );
  })();
  db.close();
}

/** Runs `body` with a fresh temp dir, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-schema-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row counts of the head and the chunks, and the schema version, read from the raw file. */
function layoutOf(path: string): { version: number; head: number; chunks: number } {
  const db = new Database(path, { readonly: true });
  try {
    const count = (table: string) =>
      db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    return { version, head: count('samples'), chunks: count('chunks') };
  } finally {
    db.close();
  }
}

describe('SQLite store schema', () => {
  it('opens a version-1 file and finds every sample and its state, now sealed into chunks', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'old.db');
      writeVersion1File(path);
      const store = await openSqliteStore({ path });
      const end = T0_MS + (POINTS - 1) * STEP_MS;
      for (const [s, labels] of SERIES.entries()) {
        const points = await store.range('queue_depth', labels, T0_MS, end);
        assert.equal(points.length, POINTS, `series ${JSON.stringify(labels)}`);
        points.forEach((p, i) =>
          assert.deepEqual(p, { at: T0_MS + i * STEP_MS, value: valueAt(s, i) }),
        );
      }
      const hourly = await store.downsample('queue_depth', T0_MS, end, 3_600_000);
      assert.deepEqual(
        hourly.find((x) => x.labels.queue === 'email' && x.labels.region === undefined)?.points,
        Array.from({ length: HOURS }, (_, h) => {
          const i = (h + 1) * 240 - 1;
          return { at: T0_MS + i * STEP_MS, value: valueAt(1, i) };
        }),
      );
      const latest = await store.latest('queue_depth', end);
      assert.equal(latest.length, SERIES.length);
      assert.ok(latest.every((x) => x.points[0]?.at === end));
      assert.deepEqual(await store.loadState('alerts/sms'), { state: 'firing' });
      await store.close();
      const layout = layoutOf(path);
      assert.equal(layout.version, SQLITE_SCHEMA_VERSION);
      // The last 5 to 15 minutes stay in the head; the rest is one chunk per series per hour.
      assert.ok(layout.head > 0 && layout.head <= SERIES.length * 60, `head of ${layout.head}`);
      assert.equal(layout.chunks, SERIES.length * HOURS);
    }));

  it('keeps working on a migrated file: appends, overwrites of sealed points, retention', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'old.db');
      writeVersion1File(path);
      await (await openSqliteStore({ path })).close();
      const store = await openSqliteStore({ path });
      const sms = SERIES[0] as Labels;
      const after = T0_MS + POINTS * STEP_MS;
      await store.append([
        { metric: 'queue_depth', labels: sms, value: -1, at: T0_MS + STEP_MS },
        { metric: 'queue_depth', labels: sms, value: -2, at: after },
      ]);
      assert.deepEqual(await store.range('queue_depth', sms, T0_MS, T0_MS + 2 * STEP_MS), [
        { at: T0_MS, value: valueAt(0, 0) },
        { at: T0_MS + STEP_MS, value: -1 },
        { at: T0_MS + 2 * STEP_MS, value: valueAt(0, 2) },
      ]);
      const cut = T0_MS + 90 * 60_000;
      const removed = await store.deleteBefore(cut);
      assert.equal(removed, SERIES.length * ((cut - T0_MS) / STEP_MS));
      const left = await store.range('queue_depth', sms, T0_MS, after);
      assert.equal(left[0]?.at, cut);
      assert.deepEqual(left[left.length - 1], { at: after, value: -2 });
      await store.close();
    }));

  it('migrates an empty version-1 file', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'empty.db');
      const db = new Database(path);
      db.exec(VERSION_1_SQL);
      db.pragma('user_version = 1');
      db.close();
      const store = await openSqliteStore({ path });
      await store.append([{ metric: 'cpu', labels: {}, value: 1, at: T0_MS }]);
      assert.deepEqual(await store.range('cpu', {}, T0_MS, T0_MS), [{ at: T0_MS, value: 1 }]);
      await store.close();
      assert.equal(layoutOf(path).version, SQLITE_SCHEMA_VERSION);
    }));

  it('opens a version-2 file and reads its chunks, rewritten point by point, and its head', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'v2.db');
      const db = new Database(path);
      db.exec(VERSION_1_SQL + VERSION_2_CHUNKS_SQL);
      db.pragma('user_version = 2');
      const chunk = db.prepare('INSERT INTO chunks (series_id, start, data) VALUES (?, ?, ?)');
      db.prepare('INSERT INTO series (id, metric, labels) VALUES (1, ?, ?)').run(
        'queue_depth',
        canonicalLabels({ queue: 'sms' }),
      );
      const hour = 3_600_000;
      // Two sealed hours of 3 and 1 points, then one point in the head.
      chunk.run(1, T0_MS, version2Blob([T0_MS, T0_MS + 15_000, T0_MS + 30_000], [1, 2, 3]));
      chunk.run(1, T0_MS + hour, version2Blob([T0_MS + hour + 1], [4]));
      db.prepare('INSERT INTO samples (series_id, at, value) VALUES (1, ?, 5)').run(
        T0_MS + 2 * hour,
      );
      db.close();
      const store = await openSqliteStore({ path });
      assert.deepEqual(
        await store.range('queue_depth', { queue: 'sms' }, T0_MS, T0_MS + 3 * hour),
        [
          { at: T0_MS, value: 1 },
          { at: T0_MS + 15_000, value: 2 },
          { at: T0_MS + 30_000, value: 3 },
          { at: T0_MS + hour + 1, value: 4 },
          { at: T0_MS + 2 * hour, value: 5 },
        ],
      );
      assert.deepEqual((await store.latest('queue_depth', T0_MS + hour + 2))[0]?.points, [
        { at: T0_MS + hour + 1, value: 4 },
      ]);
      await store.close();
      assert.deepEqual(layoutOf(path), { version: SQLITE_SCHEMA_VERSION, head: 1, chunks: 2 });
    }));

  it('refuses a file in a text encoding other than UTF-8, naming it', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'utf16.db');
      const db = new Database(path);
      db.pragma('encoding = "UTF-16le"');
      db.exec('CREATE TABLE other (x)');
      db.close();
      await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
        assert.ok(error instanceof HeadroomError);
        assert.equal(error.code, 'STORE_IO');
        assert.ok(
          error.message.includes(path) && error.message.includes('UTF-16le'),
          error.message,
        );
        return true;
      });
    }));

  it('leaves a version-1 file as it was when its migration fails', () =>
    inTempDir(async (dir) => {
      const path = join(dir, 'clash.db');
      // A table named like the new one but shaped otherwise makes the migration fail halfway.
      writeVersion1File(path, 'CREATE TABLE chunks (id INTEGER PRIMARY KEY, other TEXT);');
      await assert.rejects(openSqliteStore({ path }), (error: unknown) => {
        assert.ok(error instanceof HeadroomError);
        assert.equal(error.code, 'STORE_IO');
        assert.ok(error.message.includes(path), error.message);
        return true;
      });
      const layout = layoutOf(path);
      assert.equal(layout.version, 1);
      assert.equal(layout.head, SERIES.length * POINTS);
      assert.equal(layout.chunks, 0);
    }));
});
