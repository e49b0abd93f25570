import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanLoadTest } from '../../loadtest/types.ts';
import { loadPlan } from '../load.ts';
import {
  close,
  closeAll,
  EXAMPLES,
  evaluate,
  loadExample,
  MINUTE,
  ms,
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

  const loadtest = (name: string): PlanLoadTest => {
    const found = plan.loadtests.find((l) => l.name === name);
    assert.ok(found, `insightdesk has no load test "${name}"`);
    return found;
  };
  const thresholds = (l: PlanLoadTest): string[] =>
    l.thresholds.map((t) => `${t.metric}${t.tags.name ? `{name:${t.tags.name}}` : ''}: ${t.expr}`);

  it('k6 scenarios as api-load.js writes them: smoke 5 VUs for 1m, load to 100 VUs, stress to 400 VUs', () => {
    assert.deepEqual(
      plan.loadtests.map((l) => [l.name, l.executor]),
      [
        ['smoke', 'constant-vus'],
        ['load', 'ramping-vus'],
        ['stress', 'ramping-vus'],
        ['breakpoint', 'breakpoint'],
      ],
    );
    assert.deepEqual(loadtest('smoke').settings, { vus: 5, durationMs: MINUTE });
    const stages = (name: string): [number, unknown][] =>
      loadtest(name).settings.stages!.map((st) => [st.durationMs / MINUTE, st.target]);
    assert.equal(loadtest('load').settings.startVUs, 0);
    assert.deepEqual(stages('load'), [
      [5, 100],
      [10, 100],
      [5, 0],
    ]);
    assert.equal(loadtest('stress').settings.startVUs, 0);
    assert.deepEqual(stages('stress'), [
      [2, 200],
      [5, 200],
      [2, 400],
      [5, 400],
      [2, 0],
    ]);
    assert.deepEqual(
      ['smoke', 'load', 'stress'].map((n) => [
        loadtest(n).maxDurationMs / MINUTE,
        loadtest(n).maxLoad,
      ]),
      [
        [1, 5],
        [20.5, 100],
        [16.5, 400],
      ],
      'each run is bounded by its stages (+ k6’s 30 s gracefulRampDown)',
    );
  });

  it('k6 thresholds verbatim on every scenario: p(95)<300, p(99)<500, rate<0.01', () => {
    for (const name of ['smoke', 'load', 'stress', 'breakpoint']) {
      assert.deepEqual(thresholds(loadtest(name)).slice(0, 3), [
        'http_req_duration: p(95)<300',
        'http_req_duration: p(99)<500',
        'http_req_failed: rate<0.01',
      ]);
    }
  });

  it('the requests are the four budgeted endpoints, against the API from INSIGHTDESK_API_URL', () => {
    const requests = loadtest('load').requests;
    assert.deepEqual(
      requests.map((r) => [r.name, r.method, r.url, r.weight]),
      [
        ['listTickets', 'GET', 'http://127.0.0.1:3000/api/tickets', 3],
        ['getTicket', 'GET', 'http://127.0.0.1:3000/api/tickets/1', 3],
        ['createTicket', 'POST', 'http://127.0.0.1:3000/api/tickets', 1],
        ['searchKB', 'GET', 'http://127.0.0.1:3000/api/kb/search?q=password', 1],
      ],
    );
    assert.deepEqual([201, 200].map(requests[2]!.expectStatus), [true, false]);
    const elsewhere = loadPlan(join(EXAMPLES, 'insightdesk.yaml'), {
      env: { INSIGHTDESK_API_URL: 'http://127.0.0.1:8080' },
    });
    assert.equal(elsewhere.loadtests[0]!.requests[0]!.url, 'http://127.0.0.1:8080/api/tickets');
  });

  it('a breakpoint search on the API request capacity, with each endpoint’s p95 budget', () => {
    const bp = loadtest('breakpoint');
    assert.deepEqual(bp.settings, {
      startRate: 10,
      timeUnitMs: 1000,
      stages: [{ durationMs: 10 * MINUTE, target: 2000 }],
    });
    assert.deepEqual([bp.maxDurationMs, bp.maxLoad], [10 * MINUTE, 2000]);
    assert.deepEqual(bp.measures, { component: 'api', resource: 'requests' });
    assert.deepEqual(thresholds(bp).slice(3), [
      'http_req_duration{name:listTickets}: p(95)<200',
      'http_req_duration{name:getTicket}: p(95)<100',
      'http_req_duration{name:createTicket}: p(95)<300',
      'http_req_duration{name:searchKB}: p(95)<150',
    ]);
  });

  it('the API’s request capacity: 500 req/min a Small server, as each scale’s traffic over its servers', () => {
    const perMinute = (v: number | undefined): number => Math.round((v ?? NaN) * 60);
    assert.equal(plan.raw.components!.api!.per_replica!.requests, '500 req/min');
    assert.deepEqual(
      plan.tiers.map((t) => perMinute(t.set['api.per_replica.requests'])),
      [NaN, 2500, 12_500, 50_000],
    );
  });

  it('the k6 scenarios left the plan scenarios and the gaps', () => {
    assert.equal(plan.raw.scenarios, undefined);
    assert.ok(!plan.raw.checklist!.some((c) => /k6/.test(c.name)), 'k6 left the checklists');
    const text = readFileSync(join(EXAMPLES, 'insightdesk.yaml'), 'utf8');
    assert.doesNotMatch(text, /GAP:.*load profile/);
  });
});
