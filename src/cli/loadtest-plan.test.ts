// `loadtest --plan`: which scenario the options choose (and what they may not change), and what
// `--write` records from a run's report. The runs themselves are in
// test/integration/loadtest-plan.test.ts and truth.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeadroomError } from '../errors.ts';
import type { PlanRunReport } from '../loadtest/plan-run.ts';
import type { LoadTestReport } from '../loadtest/types.ts';
import { parsePlan } from '../plan/load.ts';
import { chooseScenario, measurementOf } from './loadtest-plan.ts';
import type { LoadtestCliOptions } from './loadtest-options.ts';

const PLAN = `version: 1
name: shop
params:
  container_vcpu: 1 vCPU
  efficiency: 70%
  avg_response_time: 200 ms
sources:
  q: { kind: bullmq, url: "redis://127.0.0.1:6379" }
metrics:
  waiting: { from: q, queue: mail, field: waiting }
components:
  api:
    kind: service
    per_replica: { requests: container_vcpu * efficiency / avg_response_time, cpu: 1 vCPU }
    replicas: { current: 2, max: 40 }
  db:
    kind: database
    capacity: { connections: 100 conn }
  mailer:
    kind: worker
    queue: waiting
    per_replica: { throughput: 20 job/s }
    replicas: 4
loadtests:
  requests:
    - { name: home, url: "http://127.0.0.1:3000/" }
  measures: api.requests
  thresholds:
    http_req_duration: ["p(95)<300"]
  scenarios:
    smoke: { executor: constant-vus, vus: 2, duration: 10s }
    ramp:
      executor: ramping-arrival-rate
      startRate: 10
      stages: [{ duration: 1m, target: 500 }]
      breakpoint: true
    pool: { executor: constant-vus, vus: 2, duration: 10s, measures: db.connections }
    mail: { executor: constant-arrival-rate, rate: 10, duration: 10s, queue: { ref: mailer } }
`;

const plan = parsePlan(PLAN, 'shop.yaml', { env: {} });
const base: LoadtestCliOptions = {
  method: 'GET',
  header: [],
  timeout: '60s',
  threshold: [],
  plan: 'shop.yaml',
};

function configError(fn: () => unknown, mentions: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof HeadroomError);
    assert.equal(err.code, 'LOADTEST_CONFIG');
    assert.match(`${err.message} ${err.hint ?? ''}`, mentions);
    return true;
  });
}

const latency = { p50: 0.01, p90: 0.02, p95: 0.03, p99: 0.04, max: 0.05, avg: 0.01, min: 0.001 };

function report(over: Partial<LoadTestReport> & Partial<PlanRunReport>): PlanRunReport {
  return {
    scenario: 'ramp',
    executor: 'breakpoint',
    target: 'GET http://127.0.0.1:3000/',
    requests: 1000,
    duration_s: 60,
    rate: 100,
    latency,
    failed_rate: 0,
    dropped_iterations: 0,
    thresholds: [],
    ok: true,
    interrupted: false,
    stages: [],
    plan: 'shop',
    observation: { reads: 10, failures: {} },
    ...over,
  };
}

const scenario = (name: string) => plan.loadtests.find((s) => s.name === name)!;

describe('loadtest --plan: choosing the scenario', () => {
  it('runs the named scenario as written', () => {
    const { scenario: s, mode } = chooseScenario(plan, { ...base, scenario: 'smoke' });
    assert.equal(s.name, 'smoke');
    assert.equal(mode, undefined);
  });

  it('names the scenarios there are when the one asked for is not', () => {
    configError(() => chooseScenario(plan, { ...base, scenario: 'smok' }), /smoke, ramp/);
    configError(() => chooseScenario(plan, base), /needs --scenario/);
  });

  it('refuses load options beside a scenario: the scenario bounds the run', () => {
    configError(
      () => chooseScenario(plan, { ...base, scenario: 'smoke', rate: '1000/s' }),
      /--rate does not apply to a plan scenario/,
    );
    configError(
      () => chooseScenario(plan, { ...base, scenario: 'smoke', threshold: ['http_reqs: count>1'] }),
      /--threshold/,
    );
    configError(() => chooseScenario(plan, { ...base, url: 'http://127.0.0.1/' }), /--url/);
  });

  it('--queue builds a scenario from the load options, refusing VUs and a scenario', () => {
    const { scenario: s, mode } = chooseScenario(plan, {
      ...base,
      queue: 'mailer',
      rate: '5/s',
      duration: '10s',
    });
    assert.equal(s.queue?.name, 'mail');
    assert.deepEqual(s.measures, { component: 'mailer', resource: 'throughput' });
    assert.ok(mode && 'executor' in mode && mode.executor === 'constant-arrival-rate');
    configError(
      () => chooseScenario(plan, { ...base, queue: 'mailer', vus: '5', duration: '10s' }),
      /--vus/,
    );
    configError(
      () => chooseScenario(plan, { ...base, queue: 'mailer', scenario: 'mail', breakpoint: true }),
      /exclude each other/,
    );
    configError(() => chooseScenario(plan, { ...base, queue: 'mailer' }), /--rate/);
  });
});

describe('loadtest --write: what a run records', () => {
  it('a breakpoint: the held rate per replica, the thresholds that held, the formula then', () => {
    const m = measurementOf(
      plan,
      scenario('ramp'),
      report({
        breakpoint: { rate: 82, concurrency: 3, reason: 'p(95) failed', max_throughput: 90 },
      }),
      {},
    );
    assert.equal(m.component, 'api');
    assert.equal(m.resource, 'requests');
    assert.equal(m.perReplica, true);
    assert.equal(m.replicas, 2);
    assert.equal(m.value, 41);
    assert.ok(Math.abs(m.formula! - 3.5) < 1e-9);
    assert.deepEqual(m.held, ['http_req_duration: p(95)<300']);
    assert.equal(m.method, 'breakpoint');
    assert.equal(m.scenario, 'ramp');
  });

  it('a queue breakpoint: the sustained throughput over the workers that served it', () => {
    const queued = report({
      scenario: 'mail',
      breakpoint: { rate: 70, concurrency: 1, reason: 'backlog grew', max_throughput: 65 },
    }) as PlanRunReport & { queue: Record<string, unknown> };
    queued.queue = { sustained_throughput: 60, workers: 3 };
    const m = measurementOf(plan, scenario('mail'), queued, {});
    assert.equal(m.value, 20);
    assert.equal(m.replicas, 3);
    assert.deepEqual(m.held, ['queue backlog did not grow']);
  });

  it('a probe: the predicted saturation rate, only when the probe itself held', () => {
    const predicted = report({
      scenario: 'smoke',
      executor: 'constant-vus',
      prediction: { component: 'db', resource: 'connections', rate: 300, resources: [] },
    });
    const m = measurementOf(plan, scenario('smoke'), predicted, {});
    assert.equal(m.method, 'probe');
    assert.equal(m.value, 150);
    configError(
      () => measurementOf(plan, scenario('smoke'), { ...predicted, ok: false }, {}),
      /did not hold/,
    );
    configError(
      () =>
        measurementOf(plan, scenario('smoke'), { ...predicted, prediction: { resources: [] } }, {}),
      /predicted no saturation rate/,
    );
  });

  it('records nothing for an interrupted run, a run that held no step, or a resource that is not a rate', () => {
    const ramp = scenario('ramp');
    configError(
      () =>
        measurementOf(
          plan,
          ramp,
          report({
            interrupted: true,
            breakpoint: { rate: 80, concurrency: 1, reason: 'x', max_throughput: 80 },
          }),
          {},
        ),
      /interrupted/,
    );
    configError(
      () =>
        measurementOf(
          plan,
          ramp,
          report({
            breakpoint: {
              rate: 0,
              concurrency: 0,
              reason: 'the first step failed',
              max_throughput: 0,
            },
          }),
          {},
        ),
      /no step held \(the first step failed\)/,
    );
    configError(
      () =>
        measurementOf(
          plan,
          scenario('pool'),
          report({ breakpoint: { rate: 80, concurrency: 1, reason: 'x', max_throughput: 80 } }),
          {},
        ),
      /db\.connections, a count, not a rate/,
    );
  });
});
