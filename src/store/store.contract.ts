/**
 * The conformance suite every `Store` backend must pass. A backend's test file calls
 * `runStoreContract('name', open)` once; each case opens its own empty store through `open`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeadroomError } from '../errors.ts';
import type { Labels, Sample } from '../sources/source.ts';
import type { Store } from './store.ts';

/** One store under test, as a backend's `open` hands it to the suite. */
export interface StoreHarness {
  /** A freshly opened, empty store. */
  store: Store;
  /** Opens another store on the same underlying data (the suite closes the previous one first). */
  reopen(): Promise<Store>;
  /** Closes whatever is still open and removes the data. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Opens an empty store for one test case. */
export type OpenStore = () => Promise<StoreHarness>;

const T0_MS = Date.UTC(2025, 0, 1);
const STEP_MS = 15_000;

/** A sample of metric `m` at `T0_MS + i * STEP_MS`. */
function at(metric: string, labels: Record<string, string>, i: number, value: number): Sample {
  return { metric, labels, value, at: T0_MS + i * STEP_MS };
}

/** Runs one case against a fresh store and always cleans it up. */
async function withStore(open: OpenStore, body: (h: StoreHarness) => Promise<void>): Promise<void> {
  const harness = await open();
  try {
    await body(harness);
  } finally {
    await harness.cleanup();
  }
}

/** Registers the ingest and query cases. */
function queryCases(open: OpenStore): void {
  it('round-trips appended samples through range', () =>
    withStore(open, async ({ store }) => {
      await store.append([
        at('queue_depth', { queue: 'sms' }, 0, 5),
        at('queue_depth', { queue: 'sms' }, 1, 7.25),
      ]);
      const points = await store.range('queue_depth', { queue: 'sms' }, T0_MS, T0_MS + STEP_MS);
      assert.deepEqual(points, [
        { at: T0_MS, value: 5 },
        { at: T0_MS + STEP_MS, value: 7.25 },
      ]);
    }));

  it('range matches the exact label set, in any key order, and nothing else', () =>
    withStore(open, async ({ store }) => {
      await store.append([
        at('cpu', { host: 'a', region: 'eu' }, 0, 1),
        at('cpu', { host: 'a' }, 0, 2),
        at('cpu', { host: 'a', region: 'us' }, 0, 3),
        at('cpu', { host: 'a', region: 'eu', zone: 'z1' }, 0, 4),
        at('memory', { host: 'a', region: 'eu' }, 0, 5),
      ]);
      const end = T0_MS + STEP_MS;
      assert.deepEqual(await store.range('cpu', { region: 'eu', host: 'a' }, T0_MS, end), [
        { at: T0_MS, value: 1 },
      ]);
      assert.deepEqual(await store.range('cpu', { host: 'a' }, T0_MS, end), [
        { at: T0_MS, value: 2 },
      ]);
      assert.deepEqual(await store.range('cpu', { host: 'b' }, T0_MS, end), []);
      assert.deepEqual(await store.range('disk', {}, T0_MS, end), []);
    }));

  it('tells apart label sets with equal values under different names', () =>
    withStore(open, async ({ store }) => {
      await store.append([at('up', { host: 'a' }, 0, 1), at('up', { region: 'a' }, 0, 2)]);
      await store.append([at('up', { region: 'a' }, 1, 3), at('up', { host: 'a' }, 1, 4)]);
      const end = T0_MS + STEP_MS;
      assert.deepEqual(
        (await store.range('up', { host: 'a' }, T0_MS, end)).map((p) => p.value),
        [1, 4],
      );
      assert.deepEqual(
        (await store.range('up', { region: 'a' }, T0_MS, end)).map((p) => p.value),
        [2, 3],
      );
    }));

  it('treats a label set written in another key order as the same series', () =>
    withStore(open, async ({ store }) => {
      await store.append([at('cpu', { host: 'a', region: 'eu' }, 0, 1)]);
      await store.append([at('cpu', { region: 'eu', host: 'a' }, 1, 2)]);
      const found = await store.select('cpu', {}, T0_MS, T0_MS + STEP_MS);
      assert.equal(found.length, 1);
      assert.deepEqual(
        found[0]?.points.map((p) => p.value),
        [1, 2],
      );
    }));

  it('downsample keeps the last point of each step, per series', () =>
    withStore(open, async ({ store }) => {
      const samples = [];
      for (let i = 0; i < 10; i++) {
        samples.push(at('depth', { queue: 'a' }, i, i), at('depth', { queue: 'b' }, i, 100 + i));
      }
      await store.append(samples);
      const found = await store.downsample('depth', T0_MS, T0_MS + 9 * STEP_MS, 4 * STEP_MS);
      assert.deepEqual(
        found.map((s) => [s.labels.queue, s.points.map((p) => p.value)]),
        [
          ['a', [3, 7, 9]],
          ['b', [103, 107, 109]],
        ],
      );
      assert.deepEqual(
        found[0]?.points.map((p) => p.at),
        [3, 7, 9].map((i) => T0_MS + i * STEP_MS),
      );
    }));

  it('select returns every series whose labels include the matchers', () =>
    withStore(open, async ({ store }) => {
      await store.append([
        at('queue_depth', { queue: 'sms', env: 'prod' }, 0, 1),
        at('queue_depth', { queue: 'email', env: 'prod' }, 0, 2),
        at('queue_depth', { queue: 'sms', env: 'staging' }, 0, 3),
        at('queue_wait', { queue: 'sms', env: 'prod' }, 0, 4),
      ]);
      const end = T0_MS + STEP_MS;
      const prod = await store.select('queue_depth', { env: 'prod' }, T0_MS, end);
      const byQueue = prod.map((s) => [s.labels.queue, s.points[0]?.value]).sort();
      assert.deepEqual(byQueue, [
        ['email', 2],
        ['sms', 1],
      ]);
      assert.ok(prod.every((s) => s.metric === 'queue_depth'));
      assert.equal((await store.select('queue_depth', {}, T0_MS, end)).length, 3);
      assert.deepEqual(await store.select('queue_depth', { env: 'dev' }, T0_MS, end), []);
      const one = await store.select('queue_depth', { queue: 'sms', env: 'staging' }, T0_MS, end);
      assert.deepEqual(one, [
        {
          metric: 'queue_depth',
          labels: { env: 'staging', queue: 'sms' },
          points: [{ at: T0_MS, value: 3 }],
        },
      ]);
    }));

  it('select leaves out series with no points in the range', () =>
    withStore(open, async ({ store }) => {
      await store.append([at('cpu', { host: 'a' }, 0, 1), at('cpu', { host: 'b' }, 10, 2)]);
      const found = await store.select('cpu', {}, T0_MS + 5 * STEP_MS, T0_MS + 20 * STEP_MS);
      assert.deepEqual(
        found.map((s) => s.labels),
        [{ host: 'b' }],
      );
    }));

  it('latest gives the newest point at or before the time, per series', () =>
    withStore(open, async ({ store }) => {
      await store.append([
        at('cpu', { host: 'a' }, 0, 10),
        at('cpu', { host: 'a' }, 2, 12),
        at('cpu', { host: 'a' }, 4, 14),
        at('cpu', { host: 'b' }, 1, 21),
        at('cpu', { host: 'c' }, 9, 39),
        at('memory', { host: 'a' }, 3, 99),
      ]);
      const found = await store.latest('cpu', T0_MS + 3 * STEP_MS);
      const byHost = Object.fromEntries(found.map((s) => [s.labels.host, s.points]));
      assert.deepEqual(byHost, {
        a: [{ at: T0_MS + 2 * STEP_MS, value: 12 }],
        b: [{ at: T0_MS + STEP_MS, value: 21 }],
      });
      const exact = await store.latest('cpu', T0_MS + 4 * STEP_MS);
      assert.deepEqual(exact.find((s) => s.labels.host === 'a')?.points, [
        { at: T0_MS + 4 * STEP_MS, value: 14 },
      ]);
    }));

  it('returns points oldest first even when appended out of order', () =>
    withStore(open, async ({ store }) => {
      const labels = { queue: 'sms' };
      await store.append([at('depth', labels, 5, 5), at('depth', labels, 1, 1)]);
      await store.append([at('depth', labels, 3, 3), at('depth', labels, 0, 0)]);
      const points = await store.range('depth', labels, T0_MS, T0_MS + 10 * STEP_MS);
      assert.deepEqual(
        points.map((p) => p.value),
        [0, 1, 3, 5],
      );
      const selected = await store.select('depth', {}, T0_MS, T0_MS + 10 * STEP_MS);
      assert.deepEqual(
        selected[0]?.points.map((p) => p.value),
        [0, 1, 3, 5],
      );
    }));

  it('keeps the last write when a series gets the same timestamp twice', () =>
    withStore(open, async ({ store }) => {
      const labels = { queue: 'sms' };
      await store.append([at('depth', labels, 0, 1), at('depth', labels, 0, 2)]);
      await store.append([at('depth', labels, 1, 10)]);
      await store.append([at('depth', labels, 1, 11)]);
      assert.deepEqual(await store.range('depth', labels, T0_MS, T0_MS + STEP_MS), [
        { at: T0_MS, value: 2 },
        { at: T0_MS + STEP_MS, value: 11 },
      ]);
    }));

  it('includes both bounds of a range', () =>
    withStore(open, async ({ store }) => {
      const labels = { host: 'a' };
      await store.append([0, 1, 2, 3, 4].map((i) => at('cpu', labels, i, i)));
      const points = await store.range('cpu', labels, T0_MS + STEP_MS, T0_MS + 3 * STEP_MS);
      assert.deepEqual(
        points.map((p) => p.value),
        [1, 2, 3],
      );
      assert.deepEqual(await store.range('cpu', labels, T0_MS + 4 * STEP_MS, T0_MS + 4 * STEP_MS), [
        { at: T0_MS + 4 * STEP_MS, value: 4 },
      ]);
      assert.deepEqual(await store.range('cpu', labels, T0_MS + 1, T0_MS + STEP_MS - 1), []);
    }));

  it('keeps label values with quotes, unicode and empty strings apart', () =>
    withStore(open, async ({ store }) => {
      const odd: Labels[] = [
        { path: '/a"b' },
        { path: '/a\\"b' },
        { path: 'ünï ✓' },
        { path: '' },
        {},
      ];
      await store.append(odd.map((labels, i) => at('http_p95', labels, 0, i)));
      for (const [i, labels] of odd.entries()) {
        assert.deepEqual(await store.range('http_p95', labels, T0_MS, T0_MS), [
          { at: T0_MS, value: i },
        ]);
      }
      const all = await store.select('http_p95', {}, T0_MS, T0_MS);
      assert.deepEqual(
        all.map((s) => s.labels).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        [...odd].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
      );
    }));

  it('treats an empty append as a no-op', () =>
    withStore(open, async ({ store }) => {
      await store.append([at('cpu', { host: 'a' }, 0, 1)]);
      await store.append([]);
      assert.deepEqual(await store.select('cpu', {}, T0_MS - STEP_MS, T0_MS + STEP_MS), [
        { metric: 'cpu', labels: { host: 'a' }, points: [{ at: T0_MS, value: 1 }] },
      ]);
    }));
}

/** Registers the bad-input and retention cases. */
function writeCases(open: OpenStore): void {
  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`refuses a batch holding ${bad} and writes none of it`, () =>
      withStore(open, async ({ store }) => {
        const batch = [
          at('cpu', { host: 'a' }, 0, 1),
          at('nats_storage', { stream: 'SMS' }, 0, bad),
          at('cpu', { host: 'b' }, 0, 2),
        ];
        await assert.rejects(store.append(batch), (error: unknown) => {
          assert.ok(error instanceof HeadroomError);
          assert.equal(error.code, 'SOURCE_BAD_VALUE');
          assert.match(error.message, /nats_storage/);
          assert.match(error.message, /stream="SMS"/);
          return true;
        });
        assert.deepEqual(await store.latest('cpu', T0_MS + STEP_MS), []);
        assert.deepEqual(await store.latest('nats_storage', T0_MS + STEP_MS), []);
      }));
  }

  it('refuses a batch with a non-string label value and writes none of it', () =>
    withStore(open, async ({ store }) => {
      const bad = { worker: 3 } as unknown as Record<string, string>;
      const batch = [
        at('cpu', { host: 'a' }, 0, 1),
        at('cpu', { host: 'b' }, 0, 2),
        at('cpu', bad, 0, 3),
      ];
      await assert.rejects(store.append(batch), (error: unknown) => {
        assert.ok(error instanceof HeadroomError);
        assert.equal(error.code, 'SOURCE_BAD_VALUE');
        assert.match(error.message, /worker/);
        return true;
      });
      assert.deepEqual(await store.latest('cpu', T0_MS + STEP_MS), []);
      await store.append([at('cpu', { host: 'b' }, 1, 5)]);
      assert.deepEqual(await store.select('cpu', {}, T0_MS, T0_MS + STEP_MS), [
        { metric: 'cpu', labels: { host: 'b' }, points: [{ at: T0_MS + STEP_MS, value: 5 }] },
      ]);
    }));

  it('deleteBefore removes older points, keeps the boundary and counts what it removed', () =>
    withStore(open, async ({ store }) => {
      await store.append([
        ...[0, 1, 2, 3].map((i) => at('cpu', { host: 'a' }, i, i)),
        ...[0, 1].map((i) => at('memory', { host: 'a' }, i, i)),
      ]);
      const removed = await store.deleteBefore(T0_MS + 2 * STEP_MS);
      assert.equal(removed, 4);
      const end = T0_MS + 10 * STEP_MS;
      assert.deepEqual(
        (await store.range('cpu', { host: 'a' }, T0_MS, end)).map((p) => p.value),
        [2, 3],
      );
      assert.deepEqual(await store.select('memory', {}, T0_MS, end), []);
      assert.equal(await store.deleteBefore(T0_MS), 0);
      await store.append([at('memory', { host: 'a' }, 5, 55)]);
      assert.deepEqual(await store.select('memory', {}, T0_MS, end), [
        {
          metric: 'memory',
          labels: { host: 'a' },
          points: [{ at: T0_MS + 5 * STEP_MS, value: 55 }],
        },
      ]);
    }));

  it('round-trips a 50,000-sample batch', () =>
    withStore(open, async ({ store }) => {
      const batch: Sample[] = [];
      for (let s = 0; s < 50; s++) {
        for (let i = 0; i < 1000; i++)
          batch.push(at('load', { host: `h${s}`, dc: 'x' }, i, s * 1e6 + i / 8));
      }
      await store.append(batch);
      const all = await store.select('load', { dc: 'x' }, T0_MS, T0_MS + 1000 * STEP_MS);
      assert.equal(all.length, 50);
      assert.equal(
        all.reduce((n, s) => n + s.points.length, 0),
        50_000,
      );
      const h7 = await store.range('load', { dc: 'x', host: 'h7' }, T0_MS, T0_MS + 999 * STEP_MS);
      assert.equal(h7.length, 1000);
      assert.deepEqual(h7[999], { at: T0_MS + 999 * STEP_MS, value: 7e6 + 999 / 8 });
    }));
}

/** Registers the state, persistence and lifecycle cases. */
function stateCases(open: OpenStore): void {
  it('round-trips state, nested objects included, and overwrites by key', () =>
    withStore(open, async ({ store }) => {
      const alert = {
        state: 'firing',
        activeAt: T0_MS,
        labels: { queue: 'sms', 'odd "key"': 'välue ✓' },
        history: [{ at: T0_MS, value: 0.75 }, null, [1, [2, [3]]]],
        acknowledged: false,
      };
      await store.saveState('alerts/nats-storage', alert);
      await store.saveState('scaler/sms-worker', 3);
      assert.deepEqual(await store.loadState('alerts/nats-storage'), alert);
      assert.equal(await store.loadState('scaler/sms-worker'), 3);
      await store.saveState('scaler/sms-worker', { replicas: 4 });
      assert.deepEqual(await store.loadState('scaler/sms-worker'), { replicas: 4 });
      assert.equal(await store.loadState('never-saved'), undefined);
    }));

  it('keeps state and samples across close and reopen', async () => {
    const harness = await open();
    try {
      await harness.store.append([
        at('cpu', { host: 'a' }, 0, 0.5),
        at('cpu', { host: 'a' }, 1, 0.6),
      ]);
      await harness.store.saveState('alerts/cpu', { state: 'pending', since: T0_MS });
      await harness.store.close();
      const reopened = await harness.reopen();
      assert.deepEqual(await reopened.loadState('alerts/cpu'), { state: 'pending', since: T0_MS });
      assert.deepEqual(await reopened.range('cpu', { host: 'a' }, T0_MS, T0_MS + STEP_MS), [
        { at: T0_MS, value: 0.5 },
        { at: T0_MS + STEP_MS, value: 0.6 },
      ]);
      await reopened.append([at('cpu', { host: 'a' }, 2, 0.7)]);
      assert.equal(
        (await reopened.range('cpu', { host: 'a' }, T0_MS, T0_MS + 2 * STEP_MS)).length,
        3,
      );
    } finally {
      await harness.cleanup();
    }
  });

  it('can be closed twice, and refuses work once closed', () =>
    withStore(open, async ({ store }) => {
      await store.close();
      await store.close();
      await assert.rejects(store.append([at('cpu', { host: 'a' }, 0, 1)]), (error: unknown) => {
        assert.ok(error instanceof HeadroomError);
        assert.equal(error.code, 'STORE_IO');
        return true;
      });
    }));
}

/** Registers the whole Store contract under `describe(name)` for one backend. */
export function runStoreContract(name: string, open: OpenStore): void {
  describe(`Store contract: ${name}`, () => {
    queryCases(open);
    writeCases(open);
    stateCases(open);
  });
}
