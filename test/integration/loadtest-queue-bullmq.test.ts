// `loadtest --queue` on BullMQ against the Redis at 127.0.0.1:6379: three real BullMQ worker
// processes (test/fixtures/loadtest/bullmq-worker.mjs, concurrency 1, 100 ms a job) under a random
// prefix, a breakpoint search, and the pool's measured throughput against N ÷ service time. A
// second queue with no worker shows the backlog bound; a third that does not exist is refused. Every key under the prefix is deleted.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { HeadroomError } from '../../src/errors.ts';
import { parsePlan } from '../../src/plan/load.ts';
import { resolveQueueTarget } from '../../src/loadtest/queue/resolve.ts';
import { runQueueLoadTest } from '../../src/loadtest/queue/run.ts';
import type { LiveProgress } from '../../src/loadtest/types.ts';
import {
  assertPoolThroughput,
  BREAKPOINT_EXECUTOR,
  SERVICE_MS,
  WORKERS,
} from '../fixtures/loadtest/queue-kit.ts';
import { WorkerPool } from '../fixtures/loadtest/worker-pool.ts';

const RUN = randomBytes(4).toString('hex');
const PREFIX = `hr-it-ltq-${RUN}`;
const URL = 'redis://127.0.0.1:6379/0';
const SERVED = `served-${RUN}`;
const UNSERVED = `unserved-${RUN}`;
const GHOST = `ghost-${RUN}`;

const plan = parsePlan(
  `
version: 1
name: loadtest-bullmq
sources:
  jobs: { kind: bullmq, url: "${URL}", prefix: ${PREFIX} }
metrics:
  mail_waiting: { from: jobs, queue: ${SERVED}, field: waiting }
  mail_active: { from: jobs, queue: ${SERVED}, field: active }
  mail_depth: { expr: mail_waiting + mail_active }
  idle_waiting: { from: jobs, queue: ${UNSERVED}, field: waiting }
  ghost_waiting: { from: jobs, queue: ${GHOST}, field: waiting }
components:
  mailer: { kind: worker, queue: mail_depth, replicas: { current: ${WORKERS} } }
`,
  'loadtest-bullmq.yaml',
  { env: {} },
);

const redis = new Redis(URL, { lazyConnect: true });
let pool: WorkerPool | undefined;

async function deleteKeys(pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** Writes the queue's meta hash, as any BullMQ Queue does, so the source finds the queue. */
async function declare(name: string): Promise<void> {
  const queue = new Queue(name, { connection: { url: URL }, prefix: PREFIX });
  await queue.getVersion();
  await queue.close();
}

before(async () => {
  await redis.connect();
  await declare(SERVED);
  await declare(UNSERVED);
  pool = await WorkerPool.start(WORKERS, process.execPath, ['bullmq-worker.mjs'], {
    QUEUE: SERVED,
    PREFIX,
    REDIS_URL: URL,
    SERVICE_MS: String(SERVICE_MS),
  });
});

after(async () => {
  await pool?.stop();
  await deleteKeys(`${PREFIX}:*`);
  await redis.quit();
});

describe('loadtest --queue on BullMQ', () => {
  test('the breakpoint measures the pool at N ÷ service time, within 15 %', async () => {
    const spec = resolveQueueTarget(plan, 'mailer', { name: 'send', data: { to: 'a@b' } });
    const progress: LiveProgress[] = [];
    const report = await runQueueLoadTest({
      plan,
      spec,
      executor: BREAKPOINT_EXECUTOR,
      onProgress: (p) => progress.push(p),
    });
    assertPoolThroughput(report);
    assert.equal(report.queue.workers_from, 'replicas.current');
    // The live line: about four a second, with the workers' completion rate and the offered rate.
    assert.ok(progress.length >= report.duration_s * 3, `${progress.length} progress lines`);
    assert.ok(progress.some((p) => p.rate > 10 && p.target > 10 && p.requests > 0));
    assert.ok(report.queue.steps.some((s) => s.completions_from === 'counted'));
    const waiting = await redis.llen(`${PREFIX}:${SERVED}:wait`);
    const active = await redis.llen(`${PREFIX}:${SERVED}:active`);
    assert.ok(report.queue.jobs_left <= WORKERS, `left ${report.queue.jobs_left}`);
    assert.ok(
      waiting + active <= WORKERS,
      `the queue holds ${waiting + active} jobs after the drain`,
    );
    assert.equal(report.failed_rate, 0);
  });

  test('with no worker, the backlog bound stops the test and the jobs left are reported', async () => {
    const spec = resolveQueueTarget(plan, 'idle_waiting');
    const report = await runQueueLoadTest({
      plan,
      spec,
      executor: {
        executor: 'constant-arrival-rate',
        rate: 200,
        timeUnitMs: 1000,
        durationMs: 10_000,
        maxVUs: 50,
      },
    });
    assert.match(report.queue.stopped_by ?? '', /past the bound of 100/);
    assert.equal(report.ok, false);
    const waiting = await redis.llen(`${PREFIX}:${UNSERVED}:wait`);
    assert.equal(report.queue.jobs_left, waiting);
    assert.ok(waiting > 100 && waiting < 200, `${waiting} jobs added`);
    assert.ok(report.duration_s < 5, `stopped after ${report.duration_s} s`);
    assert.equal(report.queue.sustained_throughput, 0);
  });

  test('a queue that does not exist is refused before a job is written (no typo becomes a queue)', async () => {
    const spec = resolveQueueTarget(plan, 'ghost_waiting');
    await assert.rejects(
      runQueueLoadTest({ plan, spec, executor: BREAKPOINT_EXECUTOR }),
      (error: unknown) => error instanceof HeadroomError && error.code === 'SOURCE_NOT_FOUND',
    );
    assert.equal(await redis.exists(`${PREFIX}:${GHOST}:meta`, `${PREFIX}:${GHOST}:id`), 0);
  });
});
