import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { triggerSpecs } from '../trigger-specs.ts';
import {
  close,
  closeAll,
  DAY,
  HOUR,
  level,
  loadExample,
  MINUTE,
  tier,
  trigger,
  WEEK,
  QUARTER,
} from './load-example.ts';

describe('honeyjar carries its roadmap', () => {
  const plan = loadExample('honeyjar');

  it('alerting thresholds keep their own durations', () => {
    assert.equal(level(plan, 'response-time', 'warning').condition.threshold, 2);
    assert.equal(level(plan, 'response-time', 'warning').forMs, 10 * MINUTE);
    assert.equal(level(plan, 'response-time', 'critical').condition.threshold, 5);
    assert.equal(level(plan, 'response-time', 'critical').forMs, 5 * MINUTE);
    assert.equal(level(plan, 'error-rate', 'critical').condition.threshold, 0.05);
    assert.equal(level(plan, 'error-rate', 'critical').forMs, 2 * MINUTE);
    assert.equal(level(plan, 'queue-depth', 'warning').condition.threshold, 200);
    assert.equal(level(plan, 'queue-depth', 'critical').condition.threshold, 1000);
    assert.equal(level(plan, 'cpu-usage', 'warning').forMs, 15 * MINUTE);
    assert.equal(level(plan, 'memory-usage', 'warning').condition.threshold, 0.85);
    assert.deepEqual(trigger(plan, 'worker-failures').inputs, [
      'increase(worker_failures_total[1m])',
    ]);
  });

  it('reads its queues from BullMQ and its connections from PostgreSQL, on loopback by default', () => {
    assert.deepEqual(plan.raw.sources!.jobs, {
      kind: 'bullmq',
      url: 'redis://127.0.0.1:6379/0',
      prefix: 'bull',
      timeout: '5s',
    });
    const read = (name: string) => [plan.metrics[name]!.source, plan.metrics[name]!.select];
    for (const queue of ['intent', 'openai', 'rag']) {
      assert.deepEqual(read(`${queue}_waiting`), ['jobs', { queue, field: 'waiting' }]);
      assert.deepEqual(read(`${queue}_processed_rate`), [
        'jobs',
        { queue, field: 'completed_per_minute' },
      ]);
      // 60 jobs a minute read as 1 job/s, the unit of per_replica throughput.
      const rate = plan.metrics[`${queue}_processed_rate`]!;
      assert.equal(rate.unit, '1/s');
      close(rate.scale * 60, 1);
    }
    // Every queue under the prefix, one series each: a trigger over it fires for the deepest.
    assert.deepEqual(read('queue_waiting'), ['jobs', { field: 'waiting' }]);
    assert.equal(trigger(plan, 'queue-depth').expr.text, 'queue_waiting');
    assert.equal(trigger(plan, 'add-more-workers').expr.text, 'queue_waiting');
    assert.deepEqual(read('worker_failures_total'), ['jobs', { field: 'failed' }]);
    assert.deepEqual(read('db_connections'), ['db', { field: 'connections' }]);
    assert.deepEqual(
      plan.raw
        .slos!.filter((s) => s.name.startsWith('queue-depth'))
        .map((s) => [s.metric ?? s.expr, s.objective]),
      [
        ['avg(queue_waiting)', '< 50'],
        ['queue_waiting', '< 200'],
      ],
    );
    assert.match(
      tier(plan, 'Phase 2').deployWhen!.text,
      /min_over_time\(queue_waiting, 1h\) > 100/,
    );
  });

  it('intent workers (Phase 4): HPA on CPU 70% and queue depth average 100, 2 to 20 replicas', () => {
    const hpa = plan.raw.autoscale!['intent-worker']!;
    assert.equal(hpa.policy, 'hpa');
    assert.deepEqual(hpa.metrics, [
      { metric: 'intent_worker_cpu', target: 0.7 },
      { metric: 'intent_waiting', target: 100 },
    ]);
    assert.equal(hpa.target, undefined, 'the targets are per metric');
    assert.deepEqual([hpa.min, hpa.max], [2, 20]);
    assert.equal(hpa.from_tier, 'Phase 4');
  });

  it('five phases by concurrent users with their worker counts and costs', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.until.concurrent_users),
      [100, 500, 2000, 10_000, undefined],
    );
    const phase2 = tier(plan, 'Phase 2');
    assert.equal(phase2.set['intent-worker.replicas.current'], 3);
    assert.equal(phase2.set['openai-worker.replicas.current'], 2);
    assert.equal(phase2.set['rag-worker.replicas.current'], 2);
    assert.equal(phase2.set.pg_max_connections, 200);
    assert.equal(tier(plan, 'Phase 4').set['intent-worker.replicas.max'], 20);
    assert.equal(tier(plan, 'Phase 5').monthlyCostUsd, 15_000);
  });

  it('monthly cost ranges: $200-800, $800-3,000, $3,000-15,000, then $15,000+', () => {
    assert.deepEqual(
      plan.tiers.map((t) => t.costRangeUsd),
      [undefined, [200, 800], [800, 3000], [3000, 15_000], undefined],
    );
    closeAll(
      plan.tiers.map((t) => t.monthlyCostUsd),
      [undefined, 500, 1900, 9000, 15_000],
    );
  });

  it('decision framework timelines are lead times: hours, days, weeks, quarters', () => {
    const lead = (name: string): number | undefined => level(plan, name, 'warning').leadTimeMs;
    assert.equal(lead('add-more-workers'), HOUR);
    assert.equal(lead('add-app-servers'), DAY);
    assert.equal(lead('optimize-database'), WEEK);
    assert.equal(lead('add-regions'), QUARTER);
    assert.equal(
      level(plan, 'add-more-workers', 'warning').action,
      'Horizontal scaling of workers',
    );
    assert.equal(level(plan, 'response-time', 'warning').leadTimeMs, undefined);
  });

  it('"add app servers" fires when either CPU > 70% or memory > 80%', () => {
    const spec = triggerSpecs(plan).find((s) => s.name === 'add-app-servers')!;
    assert.ok(spec.compute({ cpu_usage: 0.75, memory_usage: 0.1 }) > 1);
    assert.ok(spec.compute({ cpu_usage: 0.1, memory_usage: 0.85 }) > 1);
    assert.ok(spec.compute({ cpu_usage: 0.69, memory_usage: 0.79 }) < 1);
  });
});
