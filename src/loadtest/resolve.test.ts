import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HeadroomError } from '../errors.ts';
import { parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { resolveScenario } from './resolve.ts';
import type { PlanLoadTest } from './types.ts';

const TEXT = `version: 1
name: test
params:
  pool: 20
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9090" }
metrics:
  api_request_rate: { from: prom, query: x, unit: req/s }
  users_now: { from: prom, query: y }
drivers:
  users: { metric: users_now, value: 300 }
components:
  api: { per_replica: { requests: 40 req/s }, replicas: 2 }
triggers:
  - { name: rate, expr: api_request_rate, warning: { when: "> 100 req/s" } }
loadtests:
  requests: [{ name: home, url: "http://127.0.0.1:3000/" }]
  scenarios:
    smoke: { executor: constant-vus, duration: 1m }
    ramp: { executor: ramping-vus, stages: [{ duration: 1m, target: users / 10 }] }
    per-minute: { executor: constant-arrival-rate, rate: 600, timeUnit: 1m, duration: 1m, preAllocatedVUs: 20 }
    three-x: { executor: constant-arrival-rate, rate: 3 * api_request_rate, duration: 10m, preAllocatedVUs: 50, maxVUs: 500 }
    pool-per-minute: { executor: constant-arrival-rate, rate: pool * 3, timeUnit: 1m, duration: 1m, maxVUs: 5 }
    in-req-min: { executor: ramping-arrival-rate, startRate: 1200 req/min, stages: [{ duration: 1m, target: api_request_rate * 2 }] }
    negative: { executor: constant-arrival-rate, rate: api_request_rate - 100 req/s, duration: 1m, maxVUs: 5 }
    breakpoint: { executor: ramping-arrival-rate, startRate: 10, stages: [{ duration: 4m, target: 1000 }, { duration: 6m, target: 2000 }], breakpoint: true }
    tuned:
      executor: ramping-arrival-rate
      breakpoint: true
      startRate: api_request_rate
      stages: [{ duration: 5m, target: 500 }]
      step: 30s
      growth: 2
      resolution: 0.1
      maxVUs: 300
`;

const plan: Plan = parsePlan(TEXT, 'plan.yaml', { env: {} });

function scenario(name: string): PlanLoadTest {
  const found = plan.loadtests.find((l) => l.name === name);
  assert.ok(found, `no scenario ${name}`);
  return found;
}

function failure(name: string, metrics: Record<string, number | undefined>): HeadroomError {
  try {
    resolveScenario(plan, scenario(name), metrics);
  } catch (err) {
    assert.ok(err instanceof HeadroomError, String(err));
    return err;
  }
  assert.fail(`scenario ${name} resolved`);
}

describe('resolveScenario: runnable settings with k6 defaults', () => {
  it('constant-vus: 1 VU when vus is left out, as k6', () => {
    assert.deepEqual(resolveScenario(plan, scenario('smoke'), {}), {
      executor: 'constant-vus',
      vus: 1,
      durationMs: 60_000,
    });
  });

  it('ramping-vus: startVUs 1 and gracefulRampDown 30 s; a driver target falls back on its value', () => {
    assert.deepEqual(resolveScenario(plan, scenario('ramp'), {}), {
      executor: 'ramping-vus',
      startVUs: 1,
      stages: [{ durationMs: 60_000, target: 30 }],
      gracefulRampDownMs: 30_000,
    });
    const measured = resolveScenario(plan, scenario('ramp'), { users_now: 1234 });
    assert.equal((measured as { stages: { target: number }[] }).stages[0]!.target, 123);
  });

  it('rates come out per second; maxVUs is preAllocatedVUs when left out', () => {
    assert.deepEqual(resolveScenario(plan, scenario('per-minute'), {}), {
      executor: 'constant-arrival-rate',
      rate: 10,
      timeUnitMs: 1000,
      durationMs: 60_000,
      maxVUs: 20,
    });
  });

  it('3x the measured request rate', () => {
    assert.deepEqual(resolveScenario(plan, scenario('three-x'), { api_request_rate: 41 }), {
      executor: 'constant-arrival-rate',
      rate: 123,
      timeUnitMs: 1000,
      durationMs: 600_000,
      maxVUs: 500,
    });
  });

  it('a plain formula is per timeUnit, a rate formula is what it says', () => {
    const pool = resolveScenario(plan, scenario('pool-per-minute'), {});
    assert.equal((pool as { rate: number }).rate, 1, '60 a minute');
    const ramp = resolveScenario(plan, scenario('in-req-min'), { api_request_rate: 50 });
    assert.deepEqual(ramp, {
      executor: 'ramping-arrival-rate',
      startRate: 20,
      timeUnitMs: 1000,
      stages: [{ durationMs: 60_000, target: 100 }],
      maxVUs: 100,
    });
  });

  it('a breakpoint: bounds from the stages, step 10 s, growth 1.5, resolution 0.05', () => {
    assert.deepEqual(resolveScenario(plan, scenario('breakpoint'), {}), {
      executor: 'breakpoint',
      search: {
        startRate: 10,
        maxRate: 2000,
        stepMs: 10_000,
        growth: 1.5,
        resolution: 0.05,
        maxDurationMs: 600_000,
        maxVUs: 2000,
      },
    });
  });

  it('a breakpoint with its own step, growth, resolution and maxVUs, starting at the load now', () => {
    assert.deepEqual(resolveScenario(plan, scenario('tuned'), { api_request_rate: 25 }), {
      executor: 'breakpoint',
      search: {
        startRate: 25,
        maxRate: 500,
        stepMs: 30_000,
        growth: 2,
        resolution: 0.1,
        maxDurationMs: 300_000,
        maxVUs: 300,
      },
    });
  });
});

describe('resolveScenario: amounts that cannot be evaluated now', () => {
  it('a metric with no value names the scenario, the field, the metric and its source', () => {
    const e = failure('three-x', {});
    assert.equal(e.code, 'LOADTEST_CONFIG');
    assert.match(
      e.message,
      /scenario "three-x": rate "3 \* api_request_rate" needs metric "api_request_rate"/,
    );
    assert.match(e.hint!, /source "prom" is up/);
    assert.equal(e.location.path, 'loadtests.scenarios.three-x.rate');
    assert.equal(e.location.file, 'plan.yaml');
    assert.equal(e.location.line, TEXT.split('\n').findIndex((l) => l.includes('three-x:')) + 1);
  });

  it('a stage target is named by its index', () => {
    const e = failure('in-req-min', {});
    assert.equal(e.location.path, 'loadtests.scenarios.in-req-min.stages[0].target');
  });

  it('a rate that comes to less than 0 now is refused', () => {
    const e = failure('negative', { api_request_rate: 40 });
    assert.match(e.message, /comes to -60\/s/);
  });

  it('a breakpoint that would start at 0 is refused', () => {
    const e = failure('tuned', { api_request_rate: 0 });
    assert.equal(e.location.path, 'loadtests.scenarios.tuned.startRate');
  });
});
