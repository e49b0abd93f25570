import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asHeadroomErrors, formatError } from '../errors.ts';
import { loadPlan } from './load.ts';
import { triggerSpecs } from './trigger-specs.ts';
import type { Plan, PlanLevel, PlanTier, PlanTrigger } from './types.ts';
import {
  fromCanonical,
  normalizeExpression,
  parseDurationMs,
  toQuantity,
  type Quantity,
} from './units.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

/** Loads an example with an empty environment, so every `${VAR:-default}` takes its default. */
function load(name: string): Plan {
  try {
    return loadPlan(join(EXAMPLES, `${name}.yaml`), { env: {} });
  } catch (err) {
    assert.fail(asHeadroomErrors(err).map(formatError).join('\n'));
  }
}

function trigger(plan: Plan, name: string): PlanTrigger {
  const found = plan.triggers.find((t) => t.name === name);
  assert.ok(found, `${plan.name} has no trigger "${name}"`);
  return found;
}

function level(plan: Plan, name: string, severity: 'warning' | 'critical'): PlanLevel {
  const found = trigger(plan, name).levels.find((l) => l.severity === severity);
  assert.ok(found, `${plan.name} trigger "${name}" has no ${severity} level`);
  return found;
}

function tier(plan: Plan, name: string): PlanTier {
  const found = plan.tiers.find((t) => t.name === name);
  assert.ok(found, `${plan.name} has no tier "${name}"`);
  return found;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Evaluates a formula as written in the plan over the plan's constant params and `extra` values
 * (canonical numbers, or objects for dotted paths such as `{ api: { replicas: 2 } }`), without
 * the formula graph: the roadmap's arithmetic, checked on its own.
 */
function evaluate(
  plan: Plan,
  text: string | number,
  extra: Record<string, unknown> = {},
): Quantity {
  const scope: Record<string, unknown> = {};
  for (const [name, q] of Object.entries(plan.params))
    scope[name] = fromCanonical(plan.units, q.value, q.unit);
  Object.assign(scope, extra);
  return toQuantity(plan.units, plan.units.math.evaluate(normalizeExpression(String(text)), scope));
}

function close(actual: number, expected: number, message?: string): void {
  assert.ok(
    Math.abs(actual - expected) <= Math.abs(expected) * 1e-9,
    `${message ?? ''} ${actual} ≠ ${expected}`,
  );
}

/** Element-wise `close`, for lists of canonical numbers (`99.9%` is 0.9990000000000001). */
function closeAll(actual: (number | undefined)[], expected: (number | undefined)[]): void {
  assert.equal(actual.length, expected.length, `${actual.join()} vs ${expected.join()}`);
  actual.forEach((a, i) => {
    if (expected[i] === undefined || a === undefined) assert.equal(a, expected[i]);
    else close(a, expected[i]!, `[${i}]`);
  });
}

describe('every example plan loads', () => {
  for (const file of FILES) {
    it(`${file} validates and compiles`, () => {
      const plan = load(basename(file, '.yaml'));
      assert.equal(plan.name, basename(file, '.yaml'));
      assert.ok(plan.triggers.length > 0, 'a plan with no triggers watches nothing');
    });
  }

  it('the five seed roadmaps and the local plan are all there', () => {
    for (const name of ['irisx', 'honeyjar', 'insightdesk', 'cfi', 'roleferry', 'local']) {
      assert.ok(FILES.includes(`${name}.yaml`), `examples/${name}.yaml is missing`);
    }
  });

  it('each seed plan opens with a comment naming its roadmap', () => {
    for (const name of ['irisx', 'honeyjar', 'insightdesk', 'cfi', 'roleferry']) {
      const first = readFileSync(join(EXAMPLES, `${name}.yaml`), 'utf8').split('\n')[0]!;
      assert.match(first, /^# .*seed roadmap 00\d/, `${name}.yaml: ${first}`);
    }
  });

  it('warning thresholds come before critical ones, and tiers climb', () => {
    for (const file of FILES) {
      const plan = load(basename(file, '.yaml'));
      for (const t of plan.triggers) {
        const [w, c] = [
          t.levels.find((l) => l.severity === 'warning'),
          t.levels.find((l) => l.severity === 'critical'),
        ];
        if (w && c && w.condition.op.startsWith('>')) {
          assert.ok(w.condition.threshold < c.condition.threshold, `${plan.name}/${t.name}`);
        }
      }
      for (let i = 1; i < plan.tiers.length; i++) {
        for (const [driver, bound] of Object.entries(plan.tiers[i]!.until)) {
          const previous = plan.tiers[i - 1]!.until[driver];
          if (previous !== undefined)
            assert.ok(bound > previous, `${plan.name} ${plan.tiers[i]!.name}.${driver}`);
        }
      }
    }
  });
});

describe('irisx carries its roadmap', () => {
  const plan = load('irisx');

  it('NATS storage: yellow at 70% and red at 85%, held 10m, with the roadmap actions', () => {
    assert.equal(trigger(plan, 'nats-storage').expr.text, 'nats.storage.utilization');
    const warning = level(plan, 'nats-storage', 'warning');
    assert.equal(warning.condition.threshold, 0.7);
    assert.equal(warning.forMs, 10 * MINUTE);
    assert.equal(warning.action, 'Plan upgrade to 250GB within 2 weeks');
    assert.equal(level(plan, 'nats-storage', 'critical').condition.threshold, 0.85);
  });

  it('queue depth 50K / 100K, consumer lag 1 min / 5 min, restarts 10 / 20 per hour', () => {
    assert.equal(level(plan, 'queue-depth', 'warning').condition.threshold, 50_000);
    assert.equal(level(plan, 'queue-depth', 'critical').action, 'Double worker count NOW');
    assert.equal(trigger(plan, 'consumer-lag').unit, 's');
    assert.equal(level(plan, 'consumer-lag', 'warning').condition.threshold, 60);
    assert.equal(level(plan, 'consumer-lag', 'critical').condition.threshold, 300);
    assert.deepEqual(trigger(plan, 'worker-restarts').inputs, ['increase(worker_restarts[1h])']);
    assert.equal(level(plan, 'worker-restarts', 'critical').condition.threshold, 20);
    assert.equal(level(plan, 'companies', 'critical').action, 'Execute Phase 2 scaling');
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

  it('readiness checklists before Phase 2 (8 items) and Phase 3 (6 items)', () => {
    const lists = plan.raw.checklist!;
    assert.equal(lists.find((c) => c.tier === 'Phase 2')!.items.length, 8);
    assert.equal(lists.find((c) => c.tier === 'Phase 3')!.items.length, 6);
  });
});

describe('honeyjar carries its roadmap', () => {
  const plan = load('honeyjar');

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

  it('intent workers: HPA on queue_depth average 100, 2 to 20 replicas', () => {
    const hpa = plan.raw.autoscale!['intent-worker']!;
    assert.equal(hpa.policy, 'hpa');
    assert.equal(hpa.target, 100);
    assert.deepEqual([hpa.min, hpa.max], [2, 20]);
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

  it('"add app servers" fires when either CPU > 70% or memory > 80%', () => {
    const spec = triggerSpecs(plan).find((s) => s.name === 'add-app-servers')!;
    assert.ok(spec.compute({ cpu_usage: 0.75, memory_usage: 0.1 }) > 1);
    assert.ok(spec.compute({ cpu_usage: 0.1, memory_usage: 0.85 }) > 1);
    assert.ok(spec.compute({ cpu_usage: 0.69, memory_usage: 0.79 }) < 1);
  });
});

describe('insightdesk carries its roadmap', () => {
  const plan = load('insightdesk');

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

  it('API scaling rules: up at 70%, down at 30%, cooldowns 3m / 5m, 2 to 10 instances', () => {
    const api = plan.raw.autoscale!.api!;
    assert.deepEqual(api.steps, [
      { when: '> 70%', change: 1 },
      { when: '< 30%', change: -1 },
    ]);
    assert.equal(parseDurationMs(api.cooldown!), 3 * MINUTE);
    assert.equal(parseDurationMs(api.scale_down_cooldown!), 5 * MINUTE);
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
  });
});

describe('cfi carries its roadmap', () => {
  const plan = load('cfi');
  const raw = plan.raw.components!;

  it('req/s = vCPU × 0.7 / 200 ms = 3.5 per 1-vCPU container', () => {
    const q = evaluate(plan, raw.api!.per_replica!.requests!);
    assert.equal(q.unit, '1/s');
    close(q.value, 3.5);
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
    const price = plan.params.price_per_instructor!.value;
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

  it('auto-scaling rules (Tier 2+): +1 above 70%, -1 below 30%, 2 to 20 containers', () => {
    const api = plan.raw.autoscale!.api!;
    assert.equal(api.policy, 'step');
    assert.deepEqual(
      api.steps!.map((s) => [s.when, s.change]),
      [
        ['> 70%', 1],
        ['< 30%', -1],
      ],
    );
    assert.deepEqual([api.min, api.max], [2, 20]);
  });
});

describe('roleferry carries its roadmap', () => {
  const plan = load('roleferry');

  it('Celery step scaling: +5 above depth 500, -2 below 50, min 5, max 50, every 5 min', () => {
    const workers = plan.raw.autoscale!.workers!;
    assert.equal(workers.policy, 'step');
    assert.deepEqual(workers.steps, [
      { when: '> 500', change: 5 },
      { when: '< 50', change: -2 },
    ]);
    assert.deepEqual([workers.min, workers.max], [5, 50]);
    assert.equal(parseDurationMs(workers.interval!), 5 * MINUTE);
    assert.equal(plan.raw.components!.workers!.queue, 'celery_queue_depth');
  });

  it('ECS API target tracking: CPU 70%, 3 to 20 tasks, cooldowns 60 s out / 300 s in', () => {
    const api = plan.raw.autoscale!.api!;
    assert.equal(api.target, 0.7);
    assert.deepEqual([api.min, api.max], [3, 20]);
    assert.equal(parseDurationMs(api.cooldown!), 60_000);
    assert.equal(parseDurationMs(api.scale_down_cooldown!), 300_000);
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
});

describe('local watches this machine', () => {
  const plan = load('local');

  it('reads only the host source, root disk included', () => {
    assert.deepEqual(
      Object.values(plan.raw.sources!).map((s) => s.kind),
      ['host'],
    );
    assert.equal(plan.metrics.disk_used!.select.path, '/');
    assert.deepEqual(
      plan.triggers.map((t) => t.expr.text),
      ['host.cpu.utilization', 'host.memory.utilization', 'host.disk.utilization', 'load_per_cpu'],
    );
  });

  it('an idle machine is ok, a full disk is critical', () => {
    const idle = {
      cpu_utilization: 0.05,
      cpu_count: 4,
      memory_used: 2e9,
      memory_total: 16e9,
      disk_used: 40e9,
      disk_utilization: 0.4,
      load1: 0.3,
      load_per_cpu: 0.075,
    };
    for (const spec of triggerSpecs(plan)) {
      const value = spec.compute(idle);
      for (const l of spec.levels)
        assert.ok(!(value > l.condition.threshold), `${spec.name} ${l.severity} at ${value}`);
    }
    const disk = triggerSpecs(plan).find((s) => s.name === 'disk')!;
    close(disk.compute({ ...idle, disk_used: 98e9, disk_utilization: 0.98 }), 0.98);
    assert.equal(level(plan, 'disk', 'critical').condition.threshold, 0.97);
  });
});
