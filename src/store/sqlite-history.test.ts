/**
 * The SQLite store over hours of history, where points move from the head into sealed chunks:
 * checked against a plain in-memory model through live scrapes, late and overwriting writes,
 * backfills, retention that cuts chunks, reopening, and times before 1970.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HeadroomError } from '../errors.ts';
import type { Labels, Point, Sample } from '../sources/source.ts';
import { openSqliteStore, type SqliteStore } from './sqlite.ts';
import { seededRandom } from '../forecast/synthetic.ts';

const STEP_MS = 15_000;
const HOUR_MS = 3_600_000;
const SERIES: { metric: string; labels: Labels }[] = [
  ...['a', 'b', 'c', 'd'].map((host) => ({ metric: 'cpu', labels: { host } })),
  ...['sms', 'email'].map((queue) => ({ metric: 'depth', labels: { queue } })),
];

/** What the store should hold: per series, value by time. */
class Model {
  private readonly points = SERIES.map(() => new Map<number, number>());

  /** Records a batch as the store does (whole ms, last write wins). */
  append(batch: Sample[]): void {
    for (const s of batch) this.of(s.metric, s.labels).set(Math.round(s.at), s.value);
  }

  /** Removes points before `before`; returns how many. */
  deleteBefore(before: number): number {
    let removed = 0;
    for (const series of this.points)
      for (const at of [...series.keys()])
        if (at < before) {
          series.delete(at);
          removed++;
        }
    return removed;
  }

  /** Points of a series in `[from, to]`, oldest first. */
  range(index: number, from: number, to: number): Point[] {
    return [...(this.points[index] as Map<number, number>)]
      .filter(([at]) => at >= from && at <= to)
      .sort(([a], [b]) => a - b)
      .map(([at, value]) => ({ at, value }));
  }

  /** The last point of each step, as `Store.downsample` defines it. */
  downsample(index: number, from: number, to: number, step: number): Point[] {
    const last = new Map<number, Point>();
    for (const p of this.range(index, from, to)) last.set(Math.trunc((p.at - from) / step), p);
    return [...last.values()];
  }

  private of(metric: string, labels: Labels): Map<number, number> {
    const i = SERIES.findIndex((s) => s.metric === metric && equal(s.labels, labels));
    return this.points[i] as Map<number, number>;
  }
}

/** Asserts that every read of the store agrees with the model over `[from, to]`. */
async function assertAgrees(
  store: SqliteStore,
  model: Model,
  from: number,
  to: number,
  step: number,
  context: string,
): Promise<void> {
  for (const [i, { metric, labels }] of SERIES.entries()) {
    const expected = model.range(i, from, to);
    assert.deepEqual(await store.range(metric, labels, from, to), expected, `range ${context}`);
    const latest = (await store.latest(metric, to)).find((s) => equal(s.labels, labels));
    const newest = model.range(i, -Infinity, to).at(-1);
    assert.deepEqual(
      latest?.points,
      newest === undefined ? undefined : [newest],
      `latest ${context}`,
    );
    const down = (await store.downsample(metric, from, to, step)).find((s) =>
      equal(s.labels, labels),
    );
    const want = model.downsample(i, from, to, step);
    assert.deepEqual(down?.points ?? [], want, `downsample ${context} step ${step}`);
  }
  for (const metric of ['cpu', 'depth']) {
    const selected = await store.select(metric, {}, from, to);
    const expected = SERIES.flatMap((s, i) => {
      const points = s.metric === metric ? model.range(i, from, to) : [];
      return points.length > 0 ? [points.length] : [];
    });
    assert.deepEqual(
      selected.map((s) => s.points.length).sort(),
      expected.sort(),
      `select ${metric} ${context}`,
    );
  }
}

/** True when two label sets are equal. */
function equal(a: Labels, b: Labels): boolean {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}

/** Runs `body` on a store in a fresh temp dir, removed afterwards. */
async function withStoreFile(body: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-history-'));
  try {
    await body(join(dir, 'history.db'), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('SqliteStore over long history', () => {
  it('agrees with a plain model through scrapes, late writes, backfills, retention and reopening', () =>
    withStoreFile(async (path) => {
      const next = seededRandom(14);
      const model = new Model();
      let store = await openSqliteStore({ path });
      const t0 = Date.UTC(2025, 0, 1) + 7_000;
      let now = t0;
      const write = async (batch: Sample[]) => {
        await store.append(batch);
        model.append(batch);
      };
      for (let op = 0; op < 1500; op++) {
        const roll = next();
        if (roll < 0.8) {
          // A live scrape; now and then a series misses one, or the collector stops a while.
          await write(
            SERIES.filter(() => next() > 0.05).map((s) => ({ ...s, value: next(), at: now })),
          );
          now += next() < 0.01 ? Math.floor(next() * 3 * HOUR_MS) : STEP_MS;
        } else if (roll < 0.9) {
          // Late or overwriting writes anywhere in the past, off the scrape grid too.
          const late = Array.from({ length: 1 + Math.floor(next() * 4) }, () => ({
            ...(SERIES[Math.floor(next() * SERIES.length)] as (typeof SERIES)[number]),
            value: next(),
            at:
              next() < 0.5
                ? t0 + Math.floor(next() * (now - t0))
                : now - STEP_MS * Math.floor(next() * 400),
          }));
          await write(late);
        } else if (roll < 0.93) {
          // A backfill of one series: two hours at 15 s in one batch, ending somewhere in the past.
          const series = SERIES[Math.floor(next() * SERIES.length)] as (typeof SERIES)[number];
          const end = t0 + Math.floor(next() * (now - t0));
          await write(
            Array.from({ length: 480 }, (_, k) => ({
              ...series,
              value: next(),
              at: end - k * STEP_MS,
            })),
          );
        } else if (roll < 0.945) {
          const before = t0 + Math.floor(next() * (now - t0) * 0.5);
          assert.equal(
            await store.deleteBefore(before),
            model.deleteBefore(before),
            `deleteBefore op ${op}`,
          );
        } else if (roll < 0.96) {
          await store.close();
          store = await openSqliteStore({ path });
        } else if (roll < 0.98) {
          const from = t0 + Math.floor(next() * (now - t0));
          const to = from + Math.floor(next() * 4 * HOUR_MS);
          await assertAgrees(
            store,
            model,
            from,
            to,
            1 + Math.floor(next() * 20 * 60_000),
            `op ${op}`,
          );
        }
      }
      await assertAgrees(store, model, t0 - HOUR_MS, now + HOUR_MS, 600_000, 'at the end');
      await assertAgrees(store, model, t0 - HOUR_MS, now + HOUR_MS, 1, 'at the end, step 1');
      await store.close();
      // The history did leave the head: most points are in chunks.
      const raw = new Database(path, { readonly: true });
      const head = raw.prepare('SELECT count(*) FROM samples').pluck().get() as number;
      const chunks = raw.prepare('SELECT count(*) FROM chunks').pluck().get() as number;
      raw.close();
      assert.ok(
        chunks > 0 && head < model.range(0, -Infinity, Infinity).length,
        `head ${head}, chunks ${chunks}`,
      );
    }));

  it('keeps the head to the newest minutes while scrapes arrive one by one', () =>
    withStoreFile(async (path) => {
      const store = await openSqliteStore({ path });
      const t0 = Date.UTC(2025, 0, 1);
      const scrapes = (3 * HOUR_MS) / STEP_MS;
      for (let k = 0; k < scrapes; k++)
        await store.append(SERIES.map((s, j) => ({ ...s, value: j + k, at: t0 + k * STEP_MS })));
      const end = t0 + (scrapes - 1) * STEP_MS;
      const all = await store.range('cpu', { host: 'a' }, t0, end);
      assert.equal(all.length, scrapes);
      assert.deepEqual(all.at(-1), { at: end, value: scrapes - 1 });
      await store.close();
      const raw = new Database(path, { readonly: true });
      const oldest = raw.prepare('SELECT min(at) FROM samples').pluck().get() as number;
      raw.close();
      // At most one 10-minute step plus the 5 minutes kept: never the history.
      assert.ok(
        end - oldest <= 15 * 60_000,
        `the head reaches back ${(end - oldest) / 60_000} minutes`,
      );
    }));

  it('seals and reads times before 1970 into the right hour', () =>
    withStoreFile(async (path) => {
      const store = await openSqliteStore({ path });
      const t0 = -2.5 * HOUR_MS - 1;
      const batch = Array.from({ length: 1000 }, (_, k) => ({
        metric: 'cpu',
        labels: { host: 'a' },
        value: k,
        at: t0 + k * STEP_MS,
      }));
      await store.append(batch);
      const all = await store.range('cpu', { host: 'a' }, t0, t0 + 999 * STEP_MS);
      assert.deepEqual(
        all.map((p) => p.value),
        batch.map((s) => s.value),
      );
      // k = 360 is 1 ms before the hour that starts at -1 h: it belongs to the hour before.
      assert.deepEqual(await store.range('cpu', { host: 'a' }, -HOUR_MS - 1, -HOUR_MS + 1), [
        { at: -HOUR_MS - 1, value: 360 },
      ]);
      assert.deepEqual((await store.latest('cpu', -1))[0]?.points, [{ at: -1, value: 600 }]);
      assert.equal(await store.deleteBefore(-HOUR_MS), 361);
      const left = await store.range('cpu', { host: 'a' }, t0, t0 + 999 * STEP_MS);
      assert.deepEqual(left[0], { at: t0 + 361 * STEP_MS, value: 361 });
      assert.equal(left.length, 1000 - 361);
      await store.close();
    }));

  it('refuses a time outside the range of dates, and writes none of the batch', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const batch = [
      { metric: 'cpu', labels: {}, value: 1, at: 1000 },
      { metric: 'cpu', labels: {}, value: 2, at: 1e300 },
    ];
    await assert.rejects(store.append(batch), (error: unknown) => {
      assert.ok(error instanceof HeadroomError);
      assert.equal(error.code, 'SOURCE_BAD_VALUE');
      assert.match(error.message, /outside the range of dates/);
      return true;
    });
    assert.deepEqual(await store.latest('cpu', 2000), []);
    await store.close();
  });
});
