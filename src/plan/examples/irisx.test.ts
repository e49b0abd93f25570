import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { resolveScenario } from '../../loadtest/resolve.ts';
import { loadPlan } from '../load.ts';
import type { PlanTier } from '../types.ts';
import {
  close,
  closeAll,
  EXAMPLES,
  evaluate,
  HOUR,
  level,
  loadExample,
  MINUTE,
  ms,
  tier,
  trigger,
  WEEK,
  MONTH,
  QUARTER,
} from './load-example.ts';

describe('irisx carries its roadmap', () => {
  const plan = loadExample('irisx');

  it('NATS storage: yellow at 70% and red at 85%, held 10m, with the roadmap actions', () => {
    assert.equal(trigger(plan, 'nats-storage').expr.text, 'nats.storage.utilization');
    const warning = level(plan, 'nats-storage', 'warning');
    assert.equal(warning.condition.threshold, 0.7);
    assert.equal(warning.forMs, 10 * MINUTE);
    assert.equal(warning.action, 'Plan upgrade to 250GB within 2 weeks');
    assert.equal(level(plan, 'nats-storage', 'critical').condition.threshold, 0.85);
  });

  it('queue depth 50K / 100K and consumer lag 1 min / 5 min over all channels, restarts 10 / 20 per hour', () => {
    assert.equal(
      trigger(plan, 'queue-depth').expr.text,
      'sum(sms_pending) + sum(email_pending) + sum(webhooks_pending)',
    );
    assert.equal(level(plan, 'queue-depth', 'warning').condition.threshold, 50_000);
    assert.equal(level(plan, 'queue-depth', 'warning').action, 'Add more worker instances');
    assert.equal(level(plan, 'queue-depth', 'critical').condition.threshold, 100_000);
    assert.equal(level(plan, 'queue-depth', 'critical').action, 'Double worker count NOW');
    assert.equal(level(plan, 'queue-depth', 'warning').forMs, 5 * MINUTE);
    for (const channel of ['sms', 'email', 'webhooks']) {
      assert.equal(
        plan.triggers.find((t) => t.name === `queue-depth-${channel}`),
        undefined,
      );
    }
    assert.equal(trigger(plan, 'consumer-lag').unit, 's');
    assert.equal(level(plan, 'consumer-lag', 'warning').condition.threshold, 60);
    assert.equal(level(plan, 'consumer-lag', 'critical').condition.threshold, 300);
    assert.deepEqual(trigger(plan, 'worker-restarts').inputs, ['increase(worker_restarts[1h])']);
    assert.equal(level(plan, 'worker-restarts', 'critical').condition.threshold, 20);
    assert.equal(level(plan, 'companies', 'critical').action, 'Execute Phase 2 scaling');
  });

  it('reads NATS through a client connection and the companies with SQL, on loopback by default', () => {
    assert.deepEqual(plan.raw.sources!.nats, {
      kind: 'nats-jetstream',
      servers: 'nats://127.0.0.1:4222',
      timeout: '5s',
    });
    assert.equal(plan.raw.sources!.db!.kind, 'postgres');
    assert.equal(plan.raw.sources!.db!.url, 'postgres://postgres@127.0.0.1:5432/test');
    const read = (name: string) => [plan.metrics[name]!.source, plan.metrics[name]!.select];
    assert.deepEqual(read('companies'), ['db', { query: 'select count(*) from companies' }]);
    assert.deepEqual(read('nats_storage_used'), ['nats', { field: 'storage' }]);
    assert.deepEqual(read('sms_stream_bytes'), ['nats', { field: 'bytes', stream: 'SMS' }]);
    assert.deepEqual(read('webhooks_stream_msgs'), [
      'nats',
      { field: 'messages', stream: 'WEBHOOKS' },
    ]);
    assert.deepEqual(read('email_pending'), [
      'nats',
      { field: 'pending', stream: 'EMAIL', consumer: 'email-worker' },
    ]);
    assert.deepEqual(read('db_connections'), ['db', { field: 'connections' }]);
    assert.equal(plan.metrics.sms_stream_bytes!.unit, 'B');
    // Prometheus keeps only what lives there: no NATS exporter or postgres_exporter series.
    for (const m of Object.values(plan.metrics).filter((m) => m.source === 'prom')) {
      assert.doesNotMatch(
        String(m.select.query),
        /gnatsd_|jetstream_(stream|consumer)_total|pg_/,
        m.name,
      );
    }
  });

  it('stream names come from the environment, for several deployments on one server', () => {
    const env = { IRISX_SMS_STREAM: 'SMS_STAGING', NATS_URL: 'nats://nats.internal:4222' };
    const staging = loadPlan(join(EXAMPLES, 'irisx.yaml'), { env });
    assert.deepEqual(staging.metrics.sms_pending!.select, {
      field: 'pending',
      stream: 'SMS_STAGING',
      consumer: 'sms-worker',
    });
    assert.equal(staging.metrics.email_pending!.select.stream, 'EMAIL');
    assert.equal(staging.raw.sources!.nats!.servers, 'nats://nats.internal:4222');
  });

  it('four phases by company count, $92 → $500 → $4,000 → $22,500 a month', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.name),
      ['Phase 1', 'Phase 2', 'Phase 3', 'Phase 4'],
    );
    assert.deepEqual(
      plan.tiers.map((t) => t.until.companies),
      [2000, 10_000, 50_000, undefined],
    );
    closeAll(
      plan.tiers.map((t) => t.monthlyCostUsd),
      [92, 500, 4000, 22_500],
    );
    const sum = (t: PlanTier): number => Object.values(t.costBreakdown).reduce((a, b) => a + b, 0);
    close(sum(tier(plan, 'Phase 1')), 92);
    close(sum(tier(plan, 'Phase 2')), 500);
    assert.equal(tier(plan, 'Phase 2').costBreakdown['EC2 (5x t3.large)'], 300);
  });

  it('cost impact ranges: Phase 2 $400-600, Phase 3 $3,000-5,000, Phase 4 $15,000-30,000', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.costRangeUsd),
      [undefined, [400, 600], [3000, 5000], [15_000, 30_000]],
    );
  });

  it('Phase 2 upgrades NATS to 250GB/8GB and the streams to 75/125/50GB, workers to 3-5', () => {
    const set = tier(plan, 'Phase 2').set;
    assert.equal(set['nats.capacity.storage'], 250e9);
    assert.equal(set['nats.capacity.memory'], 8e9);
    assert.equal(set['sms-stream.capacity.storage'], 75e9);
    assert.equal(set['email-stream.capacity.storage'], 125e9);
    assert.equal(set['webhooks-stream.capacity.storage'], 50e9);
    assert.equal(set['sms-worker.replicas.min'], 3);
    assert.equal(set['sms-worker.replicas.max'], 5);
    assert.match(
      tier(plan, 'Phase 2').deployWhen!.text,
      /companies > 1500 or nats\.storage\.usage > 70 GB/,
    );
    assert.match(tier(plan, 'Phase 3').deployWhen!.text, /companies > 8000/);
  });

  it('auto-scaling starts with Phase 2: API on 70% CPU and the channel workers, 3 to 5 each', () => {
    const autoscale = plan.raw.autoscale!;
    const api = autoscale.api!;
    assert.deepEqual([api.policy, api.target, api.from_tier], ['hpa', 0.7, 'Phase 2']);
    for (const name of ['api', 'sms-worker', 'email-worker', 'webhook-worker']) {
      const a = autoscale[name]!;
      assert.equal(a.from_tier, 'Phase 2', name);
      assert.equal(a.dry_run, undefined, name);
      assert.deepEqual([a.min, a.max], [3, 5], name);
    }
    assert.equal(autoscale['sms-worker']!.slo, 'wait_p95 <= 60s');
  });

  it('success metrics per phase: p95 100/150/200ms, uptime 99.9% → 99.995%', () => {
    closeAll(
      plan.tiers.map((t) => t.targets['api-latency-p95']?.threshold),
      [0.1, 0.15, 0.2, 0.2],
    );
    closeAll(
      plan.tiers.map((t) => t.targets.uptime?.threshold),
      [0.999, 0.9995, 0.9999, 0.99995],
    );
  });

  it('growth 15 companies/week from 1,200, 7-day retention', () => {
    const growth = plan.drivers.companies!.growth!;
    assert.equal(growth.kind, 'linear');
    close(growth.rate * 7 * 24 * HOUR, 15, 'companies per week');
    assert.equal(plan.drivers.companies!.value, 1200);
    assert.equal(plan.params.retention!.value, 7 * 86_400);
  });

  it('unit costs: SMS $0.0079/msg, voice $13,000/1M min, email $90/1M, TTS $15/1M chars', () => {
    const price = (name: string): number => evaluate(plan, plan.raw.unit_costs![name]!.price).value;
    close(price('sms'), 0.0079);
    close(price('voice'), 0.013);
    close(price('email'), 0.00009);
    close(price('tts'), 0.000015);
  });

  it('readiness checklists before Phase 2 (8 items) and Phase 3 (6 items), and no others', () => {
    const lists = plan.raw.checklist!;
    assert.deepEqual(
      lists.map((c) => [c.tier, c.items.length]),
      [
        ['Phase 2', 8],
        ['Phase 3', 6],
      ],
    );
  });

  it('"Load test to 3x current capacity": 3 × the API request rate measured when the test starts', () => {
    const [threeX, ...others] = plan.loadtests;
    assert.equal(others.length, 0);
    assert.equal(threeX!.name, 'three-x');
    assert.equal(threeX!.executor, 'constant-arrival-rate');
    assert.deepEqual(threeX!.settings, {
      rate: { expr: '3 * api_request_rate' },
      timeUnitMs: 1000,
      durationMs: 10 * MINUTE,
      maxVUs: 500,
    });
    assert.equal(plan.metrics.api_request_rate!.unit, '1/s');
    assert.deepEqual(
      threeX!.thresholds.map((t) => [t.metric, t.expr]),
      [['http_req_duration', 'p(95)<200']],
    );
    const resolved = resolveScenario(plan, threeX!, { api_request_rate: 40 });
    assert.equal((resolved as { rate: number }).rate, 120);
    const item = plan.raw.checklist![0]!.items.find(
      (i) => typeof i === 'object' && i.item === 'Load test to 3x current capacity',
    );
    assert.deepEqual(item, { item: 'Load test to 3x current capacity', loadtest: 'three-x' });
  });

  it('review schedule: weekly, monthly, quarterly and yearly, owned by Platform Engineering', () => {
    const reviews = plan.raw.reviews!;
    assert.deepEqual(
      reviews.map((r) => ms(r.every)),
      [WEEK, MONTH, QUARTER, 365 * 24 * HOUR],
    );
    assert.equal(reviews[0]!.what, 'Review key metrics dashboard');
    assert.equal(reviews[3]!.what, 'Architecture review + tech debt assessment');
    assert.ok(reviews.every((r) => r.owner === 'Platform Engineering Team'));
  });
});
