/**
 * Compiling the example plans' `autoscale:` entries, and the errors that name the plan field
 * when an entry cannot be compiled.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { loadPlan } from '../plan/load.ts';
import type { RawAutoscale } from '../plan/schema.ts';
import type { Plan } from '../plan/types.ts';
import { createPolicy } from './create.ts';
import { policyFromPlan } from './from-plan.ts';
import { obs } from './test-support.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const load = (name: string): Plan => loadPlan(join(EXAMPLES, `${name}.yaml`), { env: {} });
const MIN = 60_000;

/** The plan with its `autoscale.<name>` entry replaced. */
function withEntry(plan: Plan, name: string, entry: Record<string, unknown>): Plan {
  const autoscale = { ...plan.raw.autoscale, [name]: entry as RawAutoscale };
  return { ...plan, raw: { ...plan.raw, autoscale } };
}

describe('policyFromPlan: the example plans', () => {
  it('roleferry workers: step on the Celery depth, +5 / −2, min 5, max 50, every 5 min', () => {
    const c = policyFromPlan(load('roleferry'), 'workers');
    assert.deepEqual(c.spec, {
      kind: 'step',
      metric: 'celery_queue_depth',
      steps: [
        { when: { op: '>', value: 500 }, change: 5, forMs: 0 },
        { when: { op: '<', value: 50 }, change: -2, forMs: 0 },
      ],
      cooldownMs: 0,
    });
    assert.deepEqual(c.safety, { min: 5, max: 50 });
    assert.equal(c.intervalMs, 5 * MIN);
    assert.equal(c.dryRun, false);
    assert.equal(c.actuator?.kind, 'command');
    const policy = createPolicy(c.spec, c.safety);
    const s = policy.initialState();
    const depth = (r: number, v: number) => obs(r, { metrics: { celery_queue_depth: v } });
    assert.equal(policy.decide(depth(10, 900), s, 0).replicas, 15);
    assert.equal(policy.decide(depth(10, 10), s, 0).replicas, 8);
    assert.equal(policy.decide(depth(48, 900), s, 0).replicas, 50);
  });

  it('roleferry api: hpa on CPU 0.7 per task, ECS cooldowns as stabilization windows', () => {
    const c = policyFromPlan(load('roleferry'), 'api');
    assert.deepEqual(c.spec, {
      kind: 'hpa',
      metrics: [{ metric: 'api_cpu_total', target: 0.7 }],
      scaleUpStabilizationMs: 60_000,
    });
    assert.deepEqual(c.safety, { min: 3, max: 20, scaleDownStabilizationMs: 300_000 });
  });

  it('insightdesk: step rules with for and cooldowns, and three hpa workers', () => {
    const plan = load('insightdesk');
    const api = policyFromPlan(plan, 'api');
    assert.deepEqual(api.spec, {
      kind: 'step',
      metric: 'api_cpu_utilization',
      steps: [
        { when: { op: '>', value: 0.7 }, change: 1, forMs: 2 * MIN },
        { when: { op: '<', value: 0.3 }, change: -1, forMs: 10 * MIN },
      ],
      cooldownMs: 3 * MIN,
      scaleDownCooldownMs: 5 * MIN,
    });
    const workers = ['sla-worker', 'notification-worker', 'analytics-worker'].map((n) =>
      policyFromPlan(plan, n),
    );
    assert.deepEqual(
      workers.map((w) => [w.spec, w.safety.min, w.safety.max]),
      [
        [{ kind: 'hpa', metrics: [{ metric: 'sla_waiting', target: 100 }] }, 2, 5],
        [{ kind: 'hpa', metrics: [{ metric: 'notifications_waiting', target: 500 }] }, 2, 8],
        [{ kind: 'hpa', metrics: [{ metric: 'analytics_waiting', target: 2000 }] }, 1, 3],
      ],
    );
  });

  it('irisx: target-latency with wait_p95 <= 60s; the entry bounds win over the component', () => {
    const plan = load('irisx');
    const sms = policyFromPlan(plan, 'sms-worker', { serviceTimeSec: 0.5 });
    assert.deepEqual(sms.spec, {
      kind: 'target-latency',
      slo: { quantile: 0.95, waitSec: 60 },
      serviceTimeSec: 0.5,
    });
    // The component says min 1, max 1 (Phase 1); the autoscale entry says 3 to 5.
    assert.deepEqual(sms.safety, { min: 3, max: 5 });
    assert.deepEqual(sms.actuator, {
      kind: 'command',
      argv: ['pm2', 'scale', 'sms-worker', '{replicas}'],
    });
    const api = policyFromPlan(plan, 'api');
    assert.deepEqual(api.spec, {
      kind: 'hpa',
      metrics: [{ metric: 'api_cpu_cores', target: 0.7 }],
    });
  });

  it('honeyjar: an hpa on two metrics', () => {
    const c = policyFromPlan(load('honeyjar'), 'intent-worker');
    assert.deepEqual(c.spec, {
      kind: 'hpa',
      metrics: [
        { metric: 'intent_worker_cpu', target: 0.7 },
        { metric: 'intent_waiting', target: 100 },
      ],
    });
    assert.deepEqual(c.safety, { min: 2, max: 20 });
    assert.deepEqual(c.actuator, {
      kind: 'kubernetes',
      namespace: 'default',
      deployment: 'intent-worker',
    });
  });

  it('cfi: "> 70%" for 5m and "< 30%" for 15m', () => {
    const c = policyFromPlan(load('cfi'), 'api');
    assert.deepEqual(c.spec, {
      kind: 'step',
      metric: 'api_cpu',
      steps: [
        { when: { op: '>', value: 0.7 }, change: 1, forMs: 5 * MIN },
        { when: { op: '<', value: 0.3 }, change: -1, forMs: 15 * MIN },
      ],
      cooldownMs: 0,
    });
  });

  it('takes dry run, start-up and extra rails from the options; the plan bounds win', () => {
    const c = policyFromPlan(load('roleferry'), 'workers', {
      dryRun: true,
      startupMs: 90_000,
      safety: { min: 1, max: 99, flapBudgetPerHour: 6 },
    });
    assert.deepEqual(c.safety, { min: 5, max: 50, flapBudgetPerHour: 6, dryRun: true });
    assert.equal(c.dryRun, true);
    assert.equal(c.startupMs, 90_000);
  });

  it('compiles predictive and fixed entries', () => {
    const plan = load('irisx');
    const p = policyFromPlan(
      withEntry(plan, 'sms-worker', {
        policy: 'predictive',
        slo: 'wait_mean <= 5s',
        startup: '2m',
        interval: '30s',
        max: 8,
        scale_down_cooldown: '10m',
      }),
      'sms-worker',
    );
    assert.deepEqual(p.spec, {
      kind: 'predictive',
      slo: { meanWaitSec: 5 },
      startupMs: 2 * MIN,
      intervalMs: 30_000,
    });
    assert.deepEqual(p.safety, { min: 1, max: 8, scaleDownStabilizationMs: 10 * MIN });
    const f = policyFromPlan(withEntry(plan, 'api', { policy: 'fixed', replicas: 4 }), 'api');
    assert.deepEqual(
      [f.spec, f.safety],
      [
        { kind: 'fixed', replicas: 4 },
        { min: 4, max: 4 },
      ],
    );
  });
});

describe('policyFromPlan: errors name the plan field', () => {
  const plan = load('irisx');
  const fails = (p: Plan, name: string, field: RegExp) =>
    assert.throws(
      () => policyFromPlan(p, name),
      (err: unknown) => {
        assert.ok(err instanceof HeadroomError, String(err));
        assert.equal(err.code, 'PLAN_SCHEMA');
        assert.match(err.message, field);
        return true;
      },
    );

  it('an entry that is not there', () =>
    fails(plan, 'nope', /^autoscale\.nope: no autoscale entry/));

  it('predictive without slo', () =>
    fails(
      withEntry(plan, 'sms-worker', { policy: 'predictive', max: 5 }),
      'sms-worker',
      /^autoscale\.sms-worker\.slo: policy predictive needs slo/,
    ));

  it('a step threshold that is not > >= < <=', () =>
    fails(
      withEntry(plan, 'sms-worker', {
        policy: 'step',
        steps: [{ when: '== 5', change: 1 }],
        max: 5,
      }),
      'sms-worker',
      /^autoscale\.sms-worker\.steps\[0\]\.when: "== 5"/,
    ));

  it('a step threshold with a unit', () =>
    fails(
      withEntry(plan, 'sms-worker', {
        policy: 'step',
        steps: [{ when: '> 5 GB', change: 1 }],
        max: 5,
      }),
      'sms-worker',
      /steps\[0\]\.when: "> 5 GB" is not a threshold/,
    ));

  it('a cooldown on target-latency', () =>
    fails(
      withEntry(plan, 'sms-worker', {
        policy: 'target-latency',
        slo: 'wait_p95 <= 1m',
        cooldown: '1m',
        max: 5,
      }),
      'sms-worker',
      /^autoscale\.sms-worker\.cooldown: policy target-latency takes no cooldown/,
    ));

  it('no max on the entry or the component', () =>
    fails(
      withEntry(plan, 'db-read-replica', { policy: 'hpa', metric: 'api_cpu_cores', target: 1 }),
      'db-read-replica',
      /^autoscale\.db-read-replica\.max: no max replicas/,
    ));

  it('hpa without a target, fixed without replicas, min above max', () => {
    fails(
      withEntry(plan, 'api', { policy: 'hpa', metric: 'api_cpu_cores' }),
      'api',
      /\.target: policy hpa needs a target/,
    );
    fails(
      withEntry(plan, 'api', { policy: 'fixed', max: 3 }),
      'api',
      /\.replicas: policy fixed needs replicas/,
    );
    fails(
      withEntry(plan, 'api', { policy: 'fixed', replicas: 2, min: 4, max: 3 }),
      'api',
      /\.min: min \(4\) is above max \(3\)/,
    );
  });

  it('an unreadable slo', () =>
    fails(
      withEntry(plan, 'sms-worker', { policy: 'target-latency', slo: 'p95 < 1m', max: 5 }),
      'sms-worker',
      /\.slo: "p95 < 1m" is not a wait objective/,
    ));
});
