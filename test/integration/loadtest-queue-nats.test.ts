// `loadtest --queue` on NATS JetStream against the server at 127.0.0.1:4222: a random work-queue
// stream with one durable pull consumer shared by three real worker processes
// (test/fixtures/loadtest/nats-worker.mjs, one message at a time, 100 ms each); headroom publishes
// to a subject it picks from the stream's config and waits for each PubAck. The breakpoint's
// measured throughput is checked against N ÷ service time. The stream is deleted after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  AckPolicy,
  jetstreamManager,
  RetentionPolicy,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
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
const STREAM = `HR_LTQ_${RUN.toUpperCase()}`;
const SUBJECTS = `hr.ltq.${RUN}.>`;
const CONSUMER = 'workers';
const SERVERS = 'nats://127.0.0.1:4222';

const plan = parsePlan(
  `
version: 1
name: loadtest-nats
sources:
  js: { kind: nats-jetstream, servers: "${SERVERS}" }
metrics:
  sms_backlog: { from: js, stream: ${STREAM}, consumer: ${CONSUMER}, field: pending }
components:
  sms-worker: { kind: worker, queue: sms_backlog, replicas: ${WORKERS} }
`,
  'loadtest-nats.yaml',
  { env: {} },
);

let nc: NatsConnection | undefined;
let jsm: JetStreamManager | undefined;
let pool: WorkerPool | undefined;

before(async () => {
  nc = await connect({ servers: SERVERS });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: STREAM,
    subjects: [SUBJECTS],
    retention: RetentionPolicy.Workqueue,
  });
  await jsm.consumers.add(STREAM, {
    durable_name: CONSUMER,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30_000_000_000,
  });
  pool = await WorkerPool.start(WORKERS, process.execPath, ['nats-worker.mjs'], {
    STREAM,
    CONSUMER,
    NATS_URL: SERVERS,
    SERVICE_MS: String(SERVICE_MS),
  });
});

after(async () => {
  await pool?.stop();
  await jsm?.streams.delete(STREAM).catch(() => undefined);
  await nc?.close();
});

describe('loadtest --queue on NATS JetStream', () => {
  test('the breakpoint measures the pull consumers at N ÷ service time, within 15 %', async () => {
    const spec = resolveQueueTarget(plan, 'sms-worker', { name: 'send', data: { to: '+1555' } });
    const report = await runQueueLoadTest({ plan, spec, executor: BREAKPOINT_EXECUTOR });
    assert.match(report.target, new RegExp(`subject hr\\.ltq\\.${RUN}\\.send `));
    assertPoolThroughput(report);
    assert.equal(report.queue.workers_from, 'replicas.current');
    assert.ok(report.queue.jobs_left <= WORKERS, `left ${report.queue.jobs_left}`);
    assert.equal(report.failed_rate, 0);
    const info = await jsm!.consumers.info(STREAM, CONSUMER);
    assert.ok(info.num_pending + info.num_ack_pending <= WORKERS, 'the consumer caught up');
  });
});
