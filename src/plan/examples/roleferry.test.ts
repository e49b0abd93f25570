import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeAll, level, loadExample, MINUTE, ms, QUARTER, tier } from './load-example.ts';

describe('roleferry carries its roadmap', () => {
  const plan = loadExample('roleferry');

  it('Celery step scaling: +5 above depth 500, -2 below 50, min 5, max 50, every 5 min', () => {
    const workers = plan.raw.autoscale!.workers!;
    assert.equal(workers.policy, 'step');
    assert.deepEqual(workers.steps, [
      { when: '> 500', change: 5 },
      { when: '< 50', change: -2 },
    ]);
    assert.deepEqual([workers.min, workers.max], [5, 50]);
    assert.equal(ms(workers.interval), 5 * MINUTE);
    assert.equal(plan.raw.components!.workers!.queue, 'celery_queue_depth');
  });

  it('reads the Celery queue from its Redis broker and the users from PostgreSQL', () => {
    assert.deepEqual(plan.raw.sources!.celery, {
      kind: 'redis-list',
      url: 'redis://127.0.0.1:6379/0',
      timeout: '5s',
    });
    const read = (name: string) => [plan.metrics[name]!.source, plan.metrics[name]!.select];
    assert.deepEqual(read('celery_waiting'), ['celery', { key: 'celery', field: 'length' }]);
    assert.deepEqual(read('celery_unacked'), ['celery', { field: 'unacked' }]);
    assert.equal(plan.metrics.celery_queue_depth!.expr!.text, 'celery_waiting + celery_unacked');
    assert.deepEqual(read('users'), ['db', { query: 'select count(*) from users' }]);
    assert.deepEqual(read('rds_connections'), ['db', { field: 'connections' }]);
    assert.equal(plan.raw.components!.rds!.usage!.connections, 'rds_connections');
  });

  it('ECS API target tracking: CPU 70%, 3 to 20 tasks, cooldowns 60 s out / 300 s in', () => {
    const api = plan.raw.autoscale!.api!;
    assert.equal(api.target, 0.7);
    assert.deepEqual([api.min, api.max], [3, 20]);
    assert.equal(ms(api.cooldown), 60_000);
    assert.equal(ms(api.scale_down_cooldown), 300_000);
  });

  it('milestones by users with API and worker counts', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.name),
      ['MVP', 'Traction', 'Growth', 'Scale', 'Massive'],
    );
    assert.deepEqual(
      plan.tiers.map((t) => t.until.users),
      [100, 1000, 10_000, 100_000, undefined],
    );
    assert.deepEqual(
      plan.tiers.slice(0, 4).map((t) => t.set['api.replicas.current']),
      [1, 2, 5, 20],
    );
    assert.deepEqual(
      plan.tiers.slice(0, 4).map((t) => t.set['workers.replicas.current']),
      [1, 3, 10, 50],
    );
  });

  it('RDS size progression with cost: $60 → $150 → $400 → $1,600', () => {
    const rds = plan.tiers.map(
      (t) => Object.entries(t.costBreakdown).find(([k]) => k.startsWith('RDS'))?.[1],
    );
    closeAll(rds, [60, 150, 400, 1600, 1600]);
    const scale = tier(plan, 'Scale').set;
    assert.equal(scale['rds.capacity.storage'], 5e12);
    assert.equal(scale['rds.capacity.memory'], 64e9);
    assert.equal(scale['rds.capacity.iops'], 48_000);
    assert.equal(level(plan, 'replication-lag', 'warning').condition.threshold, 15);
  });

  it('"Load test: 10K concurrent users": constant-vus 10,000, ticked by its checklist item', () => {
    const users = plan.loadtests.find((l) => l.name === 'users-10k')!;
    assert.equal(users.executor, 'constant-vus');
    assert.deepEqual(users.settings, { vus: 10_000, durationMs: 10 * MINUTE });
    assert.equal(users.maxLoad, 10_000);
    assert.deepEqual(
      users.requests.map((r) => r.url),
      ['http://127.0.0.1:8000/api/jobs'],
    );
    const list = plan.raw.checklist!.find((c) => c.tier === 'Scale')!;
    assert.deepEqual(list.items.at(-1), {
      item: 'Load test: 10K concurrent users (verify capacity)',
      loadtest: 'users-10k',
    });
  });

  it('a breakpoint on the Celery pool: jobs on the redis-list queue the workers drain', () => {
    const celery = plan.loadtests.find((l) => l.name === 'celery-breakpoint')!;
    assert.equal(celery.executor, 'breakpoint');
    assert.deepEqual(celery.queue, {
      ref: 'workers',
      source: 'celery',
      kind: 'redis-list',
      name: 'celery',
      job: { name: 'roleferry.tasks.loadtest', data: [] },
      component: 'workers',
    });
    assert.deepEqual(celery.requests, []);
    assert.deepEqual([celery.maxLoad, celery.maxDurationMs], [500, 10 * MINUTE]);
    assert.equal(
      celery.measures,
      undefined,
      'the guide gives the workers no throughput to measure',
    );
  });

  it('reviewed quarterly by the CTO and the DevOps lead', () => {
    assert.deepEqual(
      plan.raw.reviews!.map((r) => [ms(r.every), r.owner]),
      [[QUARTER, 'CTO, DevOps Lead']],
    );
  });
});
