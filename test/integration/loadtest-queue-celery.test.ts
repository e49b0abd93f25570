// `loadtest --queue` on a Celery queue (redis-list source) against the Redis at 127.0.0.1:6379
// (db 11, so kombu's broker-wide `unacked` hash is this test's own): three real Celery workers
// (Debian's python3-celery, test/fixtures/loadtest/celery_app.py, prefork pool of one, prefetch 1,
// 100 ms a task) run the task messages headroom pushes; the breakpoint's measured throughput is checked
// against N ÷ service time. The queue's lists and binding are deleted after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { parsePlan } from '../../src/plan/load.ts';
import { resolveQueueTarget } from '../../src/loadtest/queue/resolve.ts';
import { runQueueLoadTest } from '../../src/loadtest/queue/run.ts';
import {
  assertPoolThroughput,
  BREAKPOINT_EXECUTOR,
  SERVICE_MS,
  WORKERS,
} from '../fixtures/loadtest/queue-kit.ts';
import { SYSTEM_PYTHON, WorkerPool } from '../fixtures/loadtest/worker-pool.ts';

const RUN = randomBytes(4).toString('hex');
const QUEUE = `hr-it-ltq-${RUN}`;
const URL = 'redis://127.0.0.1:6379/11';
const SEP = '\x06\x16';

const plan = parsePlan(
  `
version: 1
name: loadtest-celery
sources:
  celery: { kind: redis-list, url: "${URL}" }
metrics:
  celery_waiting: { from: celery, key: ${QUEUE}, field: length }
  celery_unacked: { from: celery, field: unacked }
  celery_queue_depth: { expr: celery_waiting + celery_unacked }
components:
  workers: { kind: worker, queue: celery_queue_depth, replicas: { current: ${WORKERS} } }
`,
  'loadtest-celery.yaml',
  { env: {} },
);

const redis = new Redis(URL, { lazyConnect: true });
let pool: WorkerPool | undefined;

before(async () => {
  await redis.connect();
  pool = await WorkerPool.start(
    WORKERS,
    SYSTEM_PYTHON,
    [
      '-m',
      'celery',
      '--quiet',
      '-A',
      'celery_app',
      'worker',
      '-Q',
      QUEUE,
      '-P',
      'prefork',
      '-c',
      '1',
      '--without-gossip',
      '--without-mingle',
      '--without-heartbeat',
      '-l',
      'warning',
      '-n',
      `w{i}@${QUEUE}`,
    ],
    { BROKER: URL, QUEUE, SERVICE_MS: String(SERVICE_MS) },
  );
});

after(async () => {
  await pool?.stop();
  const lists = [QUEUE, ...[3, 6, 9].map((p) => `${QUEUE}${SEP}${p}`)];
  await redis.del(...lists, `_kombu.binding.${QUEUE}`);
  await redis.quit();
});

describe('loadtest --queue on Celery (redis-list)', () => {
  test('real Celery workers run the tasks, and the breakpoint measures N ÷ service time within 15 %', async () => {
    const spec = resolveQueueTarget(plan, 'workers', { name: 'loadtest.work', data: { n: 1 } });
    assert.equal(spec.kind, 'redis-list');
    const report = await runQueueLoadTest({ plan, spec, executor: BREAKPOINT_EXECUTOR });
    assertPoolThroughput(report);
    assert.equal(report.queue.workers_from, 'replicas.current');
    assert.ok(report.queue.jobs_left <= WORKERS, `left ${report.queue.jobs_left}`);
    assert.ok((await redis.llen(QUEUE)) <= WORKERS, 'the list is drained');
    assert.equal(report.failed_rate, 0);
  });
});
