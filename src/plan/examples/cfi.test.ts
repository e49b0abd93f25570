import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  close,
  closeAll,
  DAY,
  evaluate,
  HOUR,
  level,
  loadExample,
  MINUTE,
  ms,
  scenario,
  tier,
  WEEK,
} from './load-example.ts';

describe('cfi carries its roadmap', () => {
  const plan = loadExample('cfi');
  const raw = plan.raw.components!;

  it('req/s = vCPU × 0.7 / 200 ms = 3.5 per 1-vCPU container', () => {
    const q = evaluate(plan, raw.api!.per_replica!.requests!);
    assert.equal(q.unit, '1/s');
    close(q.value, 3.5);
  });

  it('reads connections and database size from PostgreSQL and the Celery queue from Redis', () => {
    const read = (name: string) => [plan.metrics[name]!.source, plan.metrics[name]!.select];
    assert.deepEqual(read('db_connections'), ['db', { field: 'connections' }]);
    assert.deepEqual(read('database_size'), ['db', { field: 'database_size_bytes' }]);
    assert.deepEqual(read('celery_queue'), ['celery', { key: 'celery', field: 'length' }]);
    assert.equal(plan.raw.sources!.db!.url, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(plan.raw.sources!.celery!.kind, 'redis-list');
    assert.equal(raw['celery-worker']!.queue, 'celery_queue');
  });

  it('connections = containers × 10 + 5 workers × 5: 45 in Tier 1, 75 in Tier 2', () => {
    const connections = (containers: number): number =>
      evaluate(plan, raw.db!.model!.connections!, { api: { replicas: containers } }).value;
    assert.equal(connections(1), 35);
    assert.equal(connections(tier(plan, 'Tier 1').set['api.replicas.current']!), 45);
    assert.equal(connections(tier(plan, 'Tier 2').set['api.replicas.current']!), 75);
  });

  it('storage = users × 10 files × 2 MB + DB: 3 GB, 25 GB, 230 GB', () => {
    const storage = (users: number, dbBytes: number): number =>
      evaluate(plan, raw.storage!.model!.storage!, {
        users,
        database_size: plan.units.math.unit(dbBytes, 'B'),
      }).value;
    assert.equal(storage(100, 1e9), 3e9);
    assert.equal(storage(1000, 5e9), 25e9);
    assert.equal(storage(10_000, 30e9), 230e9);
  });

  it('tiers cost $40 → $95 → $415 → $2,315 and their items add up', () => {
    closeAll(
      plan.tiers.map((t) => t.monthlyCostUsd),
      [40, 95, 415, 2315],
    );
    for (const name of ['Tier 1', 'Tier 2', 'Tier 3']) {
      const t = tier(plan, name);
      close(
        Object.values(t.costBreakdown).reduce((a, b) => a + b, 0),
        t.monthlyCostUsd!,
        name,
      );
    }
    assert.deepEqual(
      plan.tiers.map((t) => t.until.users),
      [1000, 10_000, 100_000, undefined],
    );
  });

  it('break-even at $25 per instructor: 4, 17 and 93 instructors', () => {
    const price = plan.costs.revenue!.priceUsdPerMonth;
    assert.equal(plan.costs.revenue!.healthyCoverage, 5);
    for (const name of ['Tier 1', 'Tier 2', 'Tier 3']) {
      const t = tier(plan, name);
      assert.equal(
        Math.ceil(t.monthlyCostUsd! / price),
        t.targets['break-even-instructors']!.threshold,
        name,
      );
    }
  });

  it('performance targets tighten per tier and the triggers keep their durations', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.targets['api-p95']!.threshold),
      [0.5, 0.4, 0.3, 0.2],
    );
    closeAll(
      plan.tiers.map((t) => t.targets.uptime!.threshold),
      [0.99, 0.995, 0.999, 0.9999],
    );
    assert.equal(level(plan, 'api-cpu', 'warning').forMs, HOUR);
    assert.equal(level(plan, 'api-cpu', 'critical').forMs, 30 * MINUTE);
    assert.equal(level(plan, 'api-ram', 'warning').forMs, 30 * MINUTE);
    assert.equal(level(plan, 'api-p95-target', 'warning').forMs, 24 * HOUR);
    assert.equal(level(plan, 'cost', 'warning').condition.threshold, 60);
    assert.equal(level(plan, 'cost', 'warning').condition.unit, 'USD/month');
  });

  it('scaling triggers carry their lead times: immediate, 1 hour, 1 week, 3 days, 1 week', () => {
    const lead = (name: string): number | undefined => level(plan, name, 'warning').leadTimeMs;
    assert.deepEqual(
      ['api-cpu', 'api-ram', 'db-connections', 'storage', 'api-p95-target'].map(lead),
      [0, HOUR, WEEK, 3 * DAY, WEEK],
    );
    assert.equal(level(plan, 'api-ram', 'warning').action, 'Increase container size');
    assert.equal(level(plan, 'api-cpu', 'critical').leadTimeMs, undefined);
  });

  it('auto-scaling rules (Tier 2+): +1 above 70% for 5 min, -1 below 30% for 15 min, 2 to 20', () => {
    const api = plan.raw.autoscale!.api!;
    assert.equal(api.policy, 'step');
    assert.deepEqual(
      api.steps!.map((s) => [s.when, s.change, ms(s.for)]),
      [
        ['> 70%', 1, 5 * MINUTE],
        ['< 30%', -1, 15 * MINUTE],
      ],
    );
    assert.deepEqual([api.min, api.max], [2, 20]);
    assert.equal(api.from_tier, 'Tier 2');
    assert.equal(api.dry_run, undefined);
  });

  it('scenario "10x traffic spike": 5,000 signups in 24 hours, staged response, +$150/mo', () => {
    const spike = scenario(plan, '10x traffic spike');
    assert.equal(spike.scale, '10x');
    assert.equal(ms(spike.for), 24 * HOUR);
    assert.match(spike.cause!, /5,000 new signups in 24 hours/);
    assert.deepEqual(spike.impact, [
      'API containers max out (100% CPU)',
      'Database connections exhausted',
      'Response times degrade to 5-10s',
    ]);
    assert.deepEqual(
      spike.response!.map((r) => r.within),
      ['0-30 min', '1-4 hours', '1-3 days', '1-2 weeks'],
    );
    assert.match(spike.response![0]!.action, /scale API to 10 containers, enable rate limiting/);
    const cost = evaluate(plan, spike.cost as string);
    assert.deepEqual([cost.value, cost.unit], [150, 'USD/month']);
  });

  it('scenario "database failure": RTO 30 min, RPO 15 min, restore from backup', () => {
    const failure = scenario(plan, 'database failure');
    assert.equal(ms(failure.rto), 30 * MINUTE);
    assert.equal(ms(failure.rpo), 15 * MINUTE);
    assert.deepEqual(failure.impact, ['All API requests fail (database is unavailable)']);
    assert.equal(failure.response!.length, 4);
    assert.match(failure.response![1]!.action, /Railway automated restore from latest backup/);
    assert.match(failure.description!, /Post-mortem/);
  });

  it('change log: three dated changes with reason and impact, newest first', () => {
    const log = plan.raw.changelog!;
    assert.deepEqual(
      log.map((e) => e.date),
      ['2025-10-10', '2025-09-25', '2025-09-15'],
    );
    assert.equal(log[0]!.change, 'Added 2nd API container');
    assert.equal(log[0]!.reason, 'p95 exceeded 1s during peak hours');
    assert.equal(log[0]!.impact, 'Reduced p95 to 400ms, +$10/mo');
    assert.equal(log[1]!.impact, 'Headroom for growth to 200 users');
    assert.ok(!plan.raw.checklist!.some((c) => /change log|disaster/i.test(c.name)));
  });
});
