// `loadtest --queue` on RabbitMQ against the broker at 127.0.0.1:5672 (guest/guest): three real
// amqplib consumers (test/fixtures/loadtest/rabbitmq-worker.mjs, prefetch 1, 100 ms a message) on
// a random queue; the breakpoint's measured throughput against N ÷ service time, with the pool's
// size taken from the broker's consumer count (the plan names no component). A queue nobody
// consumes is refused before anything is sent. Both queues are deleted after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { connect, type ChannelModel } from 'amqplib';
import { HeadroomError } from '../../src/errors.ts';
import { parsePlan } from '../../src/plan/load.ts';
import { resolveQueueTarget } from '../../src/loadtest/queue/resolve.ts';
import { runQueueLoadTest } from '../../src/loadtest/queue/run.ts';
import {
  assertPoolThroughput,
  BREAKPOINT_EXECUTOR,
  SERVICE_MS,
  WORKERS,
} from '../fixtures/loadtest/queue-kit.ts';
import { WorkerPool } from '../fixtures/loadtest/worker-pool.ts';

const RUN = randomBytes(4).toString('hex');
const SERVED = `hr-it-ltq-${RUN}`;
const UNSERVED = `hr-it-ltq-${RUN}-idle`;
const URL = 'amqp://guest:guest@127.0.0.1:5672/';

const plan = parsePlan(
  `
version: 1
name: loadtest-rabbitmq
sources:
  mq: { kind: rabbitmq, url: "${URL}" }
metrics:
  orders_ready: { from: mq, queue: ${SERVED}, field: ready }
  idle_ready: { from: mq, queue: ${UNSERVED}, field: ready }
`,
  'loadtest-rabbitmq.yaml',
  { env: {} },
);

let broker: ChannelModel | undefined;
let pool: WorkerPool | undefined;

before(async () => {
  broker = await connect(URL);
  const channel = await broker.createChannel();
  await channel.assertQueue(SERVED, { durable: false });
  await channel.assertQueue(UNSERVED, { durable: false });
  await channel.close();
  pool = await WorkerPool.start(WORKERS, process.execPath, ['rabbitmq-worker.mjs'], {
    QUEUE: SERVED,
    AMQP_URL: URL,
    SERVICE_MS: String(SERVICE_MS),
  });
});

after(async () => {
  await pool?.stop();
  if (broker) {
    const channel = await broker.createChannel();
    await channel.deleteQueue(SERVED);
    await channel.deleteQueue(UNSERVED);
    await broker.close();
  }
});

describe('loadtest --queue on RabbitMQ', () => {
  test('the breakpoint measures the consumers at N ÷ service time, within 15 %', async () => {
    const spec = resolveQueueTarget(plan, SERVED, { name: 'order.created', data: { id: 1 } });
    const report = await runQueueLoadTest({ plan, spec, executor: BREAKPOINT_EXECUTOR });
    assertPoolThroughput(report);
    assert.equal(report.queue.workers_from, 'consumers');
    assert.ok(report.queue.jobs_left <= WORKERS, `left ${report.queue.jobs_left}`);
    assert.equal(report.failed_rate, 0);
    const channel = await broker!.createChannel();
    const { messageCount } = await channel.checkQueue(SERVED);
    await channel.close();
    assert.ok(messageCount <= WORKERS, `${messageCount} messages still ready`);
  });

  test('a queue no consumer reads is refused, and nothing is sent to it', async () => {
    const spec = resolveQueueTarget(plan, 'idle_ready');
    await assert.rejects(
      runQueueLoadTest({ plan, spec, executor: BREAKPOINT_EXECUTOR }),
      (error: unknown) =>
        error instanceof HeadroomError &&
        error.code === 'LOADTEST_CONFIG' &&
        /no consumer reads queue/.test(error.message),
    );
    const channel = await broker!.createChannel();
    const { messageCount } = await channel.checkQueue(UNSERVED);
    await channel.close();
    assert.equal(messageCount, 0);
  });

  test('Ctrl-C stops the run at once with a partial, interrupted report', async () => {
    const spec = resolveQueueTarget(plan, SERVED);
    const stop = new AbortController();
    setTimeout(() => stop.abort(), 2000);
    const executor = {
      executor: 'constant-arrival-rate' as const,
      rate: 10,
      timeUnitMs: 1000,
      durationMs: 60_000,
      maxVUs: 10,
    };
    const report = await runQueueLoadTest({ plan, spec, executor, signal: stop.signal });
    assert.equal(report.interrupted, true);
    assert.equal(report.ok, false);
    assert.ok(report.duration_s < 6, `took ${report.duration_s} s`);
    assert.ok(report.requests >= 10 && report.requests <= 30, `${report.requests} jobs`);
  });
});
