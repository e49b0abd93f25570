/**
 * Fault tests: a plan reads a private Redis (a Celery-style list), a private NATS (JetStream
 * monitor) and this host. Redis, then NATS, is killed mid-run and restarted on the same port.
 * The dead source goes to error, its triggers go unknown, `source-down` fires after its `for`,
 * the healthy sources keep collecting every interval with no sample lost, and everything
 * recovers within an interval or two of the server's return. No crash at any point.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { parsePlan } from '../../src/plan/load.ts';
import { Collector } from '../../src/runtime/collect.ts';
import { Cycle, type CycleResult } from '../../src/runtime/cycle.ts';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite.ts';
import { startNats, startRedis, type PrivateServer } from '../helpers/servers.ts';

const INTERVAL_MS = 300;
const DOWN_FOR_MS = 1000;

let redis: PrivateServer;
let nats: PrivateServer & { monitorPort: number };
let dir: string;
let store: SqliteStore;
let cycle: Cycle;
let collector: Collector;
const key = `jobs-${randomUUID().slice(0, 8)}`;
const results: CycleResult[] = [];

async function fillQueue(items: number): Promise<void> {
  const client = new Redis(redis.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  await client.del(key);
  await client.lpush(key, ...Array.from({ length: items }, (_, i) => `job-${i}`));
  client.disconnect();
}

async function step(): Promise<CycleResult> {
  const result = await cycle.run(INTERVAL_MS * 3);
  assert.equal(result.storeError, undefined);
  results.push(result);
  await new Promise((r) => setTimeout(r, INTERVAL_MS));
  return result;
}

const status = (r: CycleResult, trigger: string): string | undefined =>
  r.statuses.find((s) => s.trigger === trigger)?.status;
const downSources = (r: CycleResult, state: 'pending' | 'firing'): string[] =>
  (r.statuses.find((s) => s.trigger === 'source-down')?.instances ?? [])
    .filter((i) => i.state === state)
    .map((i) => i.labels.source!)
    .sort();
const sampleOf = (r: CycleResult, metric: string): number | undefined =>
  r.collected.samples.find((s) => s.metric === metric)?.value;

before(async () => {
  [redis, nats] = await Promise.all([startRedis(), startNats()]);
  await fillQueue(7);
  dir = mkdtempSync(join(tmpdir(), 'headroom-faults-'));
  const plan = parsePlan(
    `version: 1
name: faults
interval: ${INTERVAL_MS}ms
source_down: { for: ${DOWN_FOR_MS}ms }
sources:
  queue: { kind: redis-list, url: "redis://127.0.0.1:${redis.port}/0", timeout: 500ms }
  nats: { kind: nats-jetstream, monitor: "http://127.0.0.1:${nats.monitorPort}", timeout: 500ms }
  me: { kind: host }
metrics:
  depth: { from: queue, key: ${key}, field: length }
  streams: { from: nats, field: streams }
  cpus: { from: me, field: cpus }
triggers:
  - { name: backlog, expr: depth, warning: { when: "> 100" } }
  - { name: jetstream, expr: streams, warning: { when: "> 1000" } }
  - { name: host, expr: cpus, warning: { when: "< 1" } }
`,
    'faults.yaml',
  );
  store = await openSqliteStore({ path: join(dir, 'store.db') });
  collector = new Collector(plan, Date.now);
  cycle = new Cycle(plan, collector, store, Date.now);
});

after(async () => {
  await collector?.close();
  await store?.close();
  await Promise.all([redis?.stop(), nats?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a source dies mid-run and comes back', () => {
  it('reads every source while all are up', async () => {
    const r = await step();
    assert.equal(sampleOf(r, 'depth'), 7);
    assert.equal(sampleOf(r, 'streams'), 0);
    assert.ok(sampleOf(r, 'cpus')! >= 1);
    assert.equal(status(r, 'source-down'), 'ok');
  });

  it('Redis killed: its trigger goes unknown, source-down pends then fires; the others keep collecting', async () => {
    await redis.kill();
    const killedAt = Date.now();
    const during: CycleResult[] = [];
    while (Date.now() - killedAt < DOWN_FOR_MS + 4 * INTERVAL_MS) during.push(await step());
    for (const r of during) {
      assert.equal(r.collected.sources.queue!.health.state, 'error');
      assert.match(r.collected.failures.depth!.message, /127\.0\.0\.1:\d+/);
      assert.equal(status(r, 'backlog'), 'unknown');
      assert.equal(status(r, 'jetstream'), 'ok');
      assert.equal(status(r, 'host'), 'ok');
      assert.equal(sampleOf(r, 'streams'), 0);
      assert.ok(sampleOf(r, 'cpus')! >= 1);
    }
    assert.deepEqual(downSources(during[0]!, 'pending'), ['queue']);
    assert.deepEqual(downSources(during.at(-1)!, 'firing'), ['queue']);
    assert.equal(status(during.at(-1)!, 'source-down'), 'critical');
  });

  it('Redis restarted: the next interval or two read it again and source-down resolves', async () => {
    await redis.start();
    await fillQueue(9);
    const back: CycleResult[] = [];
    for (let i = 0; i < 4; i++) back.push(await step());
    const first = back.findIndex((r) => sampleOf(r, 'depth') === 9);
    assert.ok(first >= 0 && first <= 1, `recovered at cycle ${first} after the restart`);
    const last = back.at(-1)!;
    assert.equal(status(last, 'backlog'), 'ok');
    assert.equal(status(last, 'source-down'), 'ok');
    assert.equal(last.collected.sources.queue!.health.state, 'ok');
  });

  it('NATS killed and restarted the same way, while Redis and the host carry on', async () => {
    await nats.kill();
    const down = [await step(), await step()];
    for (const r of down) {
      assert.equal(status(r, 'jetstream'), 'unknown');
      assert.equal(sampleOf(r, 'depth'), 9);
    }
    assert.deepEqual(downSources(down[0]!, 'pending'), ['nats']);
    await nats.start();
    const back = [await step(), await step(), await step()];
    assert.ok(
      back.slice(0, 2).some((r) => sampleOf(r, 'streams') === 0),
      'NATS read again',
    );
    assert.equal(status(back.at(-1)!, 'source-down'), 'ok');
  });

  it('no sample of a healthy source was lost: one stored point per cycle', async () => {
    const points = await store.range('cpus', {}, 0, Date.now() + 1000);
    assert.equal(points.length, results.length);
    const depth = await store.range('depth', { queue: key }, 0, Date.now() + 1000);
    assert.equal(depth.length, results.filter((r) => sampleOf(r, 'depth') !== undefined).length);
  });
});
