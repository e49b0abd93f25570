import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  close,
  closeAll,
  evaluate,
  loadExample,
  MINUTE,
  ms,
  scenario,
  tier,
  trigger,
} from './load-example.ts';

describe('insightdesk carries its roadmap', () => {
  const plan = loadExample('insightdesk');

  it('scaling indicators: warning and critical for CPU, memory, p95, errors, queue, pool', () => {
    const pairs = (name: string): number[] =>
      trigger(plan, name).levels.map((l) => l.condition.threshold);
    assert.deepEqual(pairs('cpu-usage'), [0.7, 0.85]);
    assert.deepEqual(pairs('memory-usage'), [0.75, 0.9]);
    assert.deepEqual(pairs('response-time-p95'), [0.3, 0.5]);
    assert.deepEqual(pairs('error-rate'), [0.005, 0.01]);
    assert.deepEqual(pairs('queue-depth'), [1000, 5000]);
    assert.deepEqual(pairs('connection-pool'), [0.8, 0.95]);
  });

  it('per-queue scale_on_waiting: sla-checks 100 (2-5), notifications 500 (2-8), analytics 2000 (1-3)', () => {
    const a = plan.raw.autoscale!;
    assert.deepEqual(
      [a['sla-worker']!.target, a['sla-worker']!.min, a['sla-worker']!.max],
      [100, 2, 5],
    );
    const n = a['notification-worker']!;
    assert.deepEqual([n.target, n.min, n.max], [500, 2, 8]);
    assert.deepEqual(
      [a['analytics-worker']!.target, a['analytics-worker']!.min, a['analytics-worker']!.max],
      [2000, 1, 3],
    );
  });

  it('queue priorities: sla-checks 1, notifications 2, analytics 3', () => {
    const c = plan.raw.components!;
    assert.deepEqual(
      ['sla-worker', 'notification-worker', 'analytics-worker'].map((w) => [
        c[w]!.queue,
        c[w]!.priority,
      ]),
      [
        ['sla_waiting', 1],
        ['notifications_waiting', 2],
        ['analytics_waiting', 3],
      ],
    );
  });

  it('reads the three queues from BullMQ on the Valkey queue instance, PostgreSQL directly', () => {
    assert.deepEqual(plan.raw.sources!.queues, {
      kind: 'bullmq',
      url: 'redis://127.0.0.1:6379/1',
      prefix: 'bull',
      timeout: '5s',
    });
    assert.equal(plan.raw.sources!.db!.kind, 'postgres');
    const read = (name: string) => [plan.metrics[name]!.source, plan.metrics[name]!.select];
    assert.deepEqual(read('sla_waiting'), ['queues', { queue: 'sla-checks', field: 'waiting' }]);
    assert.deepEqual(read('notifications_active'), [
      'queues',
      { queue: 'notifications', field: 'active' },
    ]);
    assert.deepEqual(read('analytics_waiting'), [
      'queues',
      { queue: 'analytics', field: 'waiting' },
    ]);
    // Every queue under the prefix, one series each: queue-depth judges their total.
    assert.deepEqual(read('queue_depth'), ['queues', { field: 'waiting' }]);
    assert.equal(trigger(plan, 'queue-depth').expr.text, 'sum(queue_depth)');
    // Completed per minute from BullMQ, converted to the workers' job/s.
    assert.deepEqual(read('sla_rate'), [
      'queues',
      { queue: 'sla-checks', field: 'completed_per_minute' },
    ]);
    // 60 jobs a minute read as 1 job/s, the unit of per_replica throughput.
    assert.equal(plan.metrics.sla_rate!.unit, '1/s');
    close(plan.metrics.sla_rate!.scale * 60, 1);
    assert.deepEqual(read('pg_connections'), ['db', { field: 'connections' }]);
    for (const m of Object.values(plan.metrics).filter((m) => m.source === 'prom')) {
      assert.doesNotMatch(String(m.select.query), /bullmq_queue_|pg_stat_activity/, m.name);
    }
  });

  it('API scaling rules: up at 70% held 2m, down at 30% held 10m, cooldowns 3m / 5m, 2 to 10', () => {
    const api = plan.raw.autoscale!.api!;
    assert.deepEqual(
      api.steps!.map((s) => [s.when, s.change, ms(s.for)]),
      [
        ['> 70%', 1, 2 * MINUTE],
        ['< 30%', -1, 10 * MINUTE],
      ],
    );
    assert.equal(ms(api.cooldown), 3 * MINUTE);
    assert.equal(ms(api.scale_down_cooldown), 5 * MINUTE);
    assert.deepEqual([api.min, api.max], [2, 10]);
  });

  it('pool sizing formula: (4 cores × 2) + 1 spindle = 9 connections per server', () => {
    assert.equal(evaluate(plan, plan.raw.params!.pool_size!).value, 9);
  });

  it('capacity tiers by traffic, ~$100 / $400 / $1,500 / $6,000 a month', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.until.mau),
      [1000, 10_000, 100_000, undefined],
    );
    assert.deepEqual(
      plan.tiers.map((t) => t.until.api_requests_per_min),
      [500, 5000, 50_000, undefined],
    );
    closeAll(
      plan.tiers.map((t) => t.monthlyCostUsd),
      [100, 400, 1500, 6000],
    );
    assert.equal(tier(plan, 'Large').costBreakdown.Database, 400);
    assert.equal(tier(plan, 'Enterprise').set['postgres.capacity.memory'], 32e9);
  });

  it('SLOs and per-endpoint p95/p99 budgets', () => {
    const slo = (name: string): string => plan.raw.slos!.find((s) => s.name === name)!.objective;
    assert.equal(slo('availability'), '>= 99.9%');
    assert.equal(slo('api-p99'), '< 500ms');
    assert.equal(slo('queue-processing-p95'), '< 5s');
    assert.equal(slo('listTickets-p95'), '< 200ms');
    assert.equal(slo('getTicket-p99'), '< 200ms');
    assert.equal(slo('slaCheck-p99'), '< 3000ms');
    assert.equal(plan.raw.slos!.find((s) => s.name === 'searchKB-p95')!.labels!.route, 'searchKB');
    assert.equal(slo('k6-http-req-failed'), '< 1%');
  });

  it('k6 scenarios: smoke 5 VUs for 1m, load to 100 VUs over 20m, stress to 400 VUs over 16m', () => {
    assert.deepEqual(
      plan.raw.scenarios!.map((s) => [s.name, ms(s.for)]),
      [
        ['k6 smoke', MINUTE],
        ['k6 load', 20 * MINUTE],
        ['k6 stress', 16 * MINUTE],
      ],
    );
    assert.match(scenario(plan, 'k6 smoke').description!, /5 VUs/);
    assert.match(scenario(plan, 'k6 load').description!, /100 VUs over 5m, hold 100 for 10m/);
    assert.match(scenario(plan, 'k6 stress').description!, /hold 400 for 5m/);
    assert.ok(!plan.raw.checklist!.some((c) => /k6/.test(c.name)), 'k6 left the checklists');
  });
});
