import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../../errors.ts';
import { loadExample } from '../../plan/examples/load-example.ts';
import { parsePlan } from '../../plan/load.ts';
import { queueCandidates, resolveQueueTarget } from './resolve.ts';

const PLAN = `
version: 1
name: queues
sources:
  jobs: { kind: bullmq, url: "redis://127.0.0.1:6379/0", prefix: app }
  celery: { kind: redis-list, url: "redis://127.0.0.1:6379/1" }
  js: { kind: nats-jetstream, servers: "nats://127.0.0.1:4222" }
  mq: { kind: rabbitmq, url: "amqp://guest:guest@127.0.0.1:5672/" }
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }
metrics:
  emails_waiting: { from: jobs, queue: emails, field: waiting }
  emails_active: { from: jobs, queue: emails, field: active }
  emails_depth: { expr: emails_waiting + emails_active }
  every_queue: { from: jobs, field: waiting }
  celery_waiting: { from: celery, key: default, field: length }
  celery_unacked: { from: celery, field: unacked }
  celery_depth: { expr: celery_waiting + celery_unacked }
  sms_pending: { from: js, stream: SMS, consumer: sender, field: pending }
  all_streams: { from: js, stream: "*", field: messages }
  orders_ready: { from: mq, queue: orders, field: ready }
  two_queues: { expr: emails_waiting + orders_ready }
  requests: { from: prom, query: up }
components:
  mailer: { kind: worker, queue: emails_depth, replicas: 3 }
  celery-workers: { kind: worker, queue: celery_depth, replicas: { current: 4 } }
  api: { kind: service, replicas: 2 }
`;

const plan = parsePlan(PLAN, 'queues.yaml', { env: {} });

function configError(run: () => unknown, pattern: RegExp): HeadroomError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof HeadroomError, `expected a HeadroomError, got ${String(caught)}`);
  assert.equal(caught.code, 'LOADTEST_CONFIG');
  assert.match(`${caught.message}\n${caught.hint}`, pattern);
  return caught;
}

describe('resolveQueueTarget', () => {
  const cases = [
    {
      name: 'a worker component follows its queue formula to the BullMQ queue',
      ref: 'mailer',
      want: { source: 'jobs', kind: 'bullmq', name: 'emails', component: 'mailer' },
    },
    {
      name: 'a derived metric skips the broker-wide unacked and finds the Celery list',
      ref: 'celery_depth',
      job: { name: 'tasks.send' },
      want: { source: 'celery', kind: 'redis-list', name: 'default', component: 'celery-workers' },
    },
    {
      name: 'a JetStream consumer metric names its stream',
      ref: 'sms_pending',
      want: { source: 'js', kind: 'nats-jetstream', name: 'SMS', component: undefined },
    },
    {
      name: 'a RabbitMQ metric names its queue',
      ref: 'orders_ready',
      want: { source: 'mq', kind: 'rabbitmq', name: 'orders', component: undefined },
    },
    {
      name: "the queue's own name works when one metric reads it",
      ref: 'orders',
      want: { source: 'mq', kind: 'rabbitmq', name: 'orders', component: undefined },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const spec = resolveQueueTarget(plan, c.ref, c.job);
      assert.deepEqual(
        { source: spec.source, kind: spec.kind, name: spec.name, component: spec.component },
        c.want,
      );
      assert.equal(spec.ref, c.ref);
    });
  }

  test('the job defaults to `loadtest` with an empty payload, and keeps what it is given', () => {
    assert.deepEqual(resolveQueueTarget(plan, 'mailer').job, { name: 'loadtest', data: {} });
    const given = resolveQueueTarget(plan, 'mailer', { name: 'welcome', data: { to: 'a@b' } });
    assert.deepEqual(given.job, { name: 'welcome', data: { to: 'a@b' } });
  });

  const bad = [
    {
      name: 'an unknown name lists the names that work',
      ref: 'mailr',
      want: /mailer.*celery_depth/s,
    },
    { name: 'a component without a queue', ref: 'api', want: /component "api" has no queue/ },
    { name: 'a metric that is no queue', ref: 'requests', want: /reads no single queue/ },
    { name: 'a BullMQ metric over every queue', ref: 'every_queue', want: /no single queue/ },
    { name: 'a JetStream metric over every stream', ref: 'all_streams', want: /no single queue/ },
    {
      name: 'a formula over two queues is ambiguous and names both metrics',
      ref: 'two_queues',
      want: /ambiguous.*emails_waiting, orders_ready/s,
    },
    {
      name: 'a Celery queue without a task name',
      ref: 'celery-workers',
      want: /Celery worker runs only the tasks it knows/,
    },
  ];
  for (const c of bad) {
    test(`refuses ${c.name}`, () => {
      configError(() => resolveQueueTarget(plan, c.ref), c.want);
    });
  }

  test('the error names the plan file', () => {
    const error = configError(() => resolveQueueTarget(plan, 'nope'), /nope/);
    assert.equal(error.location.file, 'queues.yaml');
  });

  test('candidates are the worker components, then the metrics reading one queue', () => {
    assert.deepEqual(queueCandidates(plan), [
      'mailer',
      'celery-workers',
      'emails_waiting',
      'emails_active',
      'emails_depth',
      'celery_waiting',
      'celery_depth',
      'sms_pending',
      'orders_ready',
    ]);
  });

  test("roleferry's workers resolve to the Celery queue behind celery_queue_depth", () => {
    const roleferry = loadExample('roleferry');
    const spec = resolveQueueTarget(roleferry, 'workers', { name: 'tasks.apply' });
    assert.deepEqual(
      { source: spec.source, kind: spec.kind, name: spec.name, component: spec.component },
      { source: 'celery', kind: 'redis-list', name: 'celery', component: 'workers' },
    );
  });
});
