import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MeasuredCapacity } from '../loadtest/types.ts';
import { parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { breakingPoints } from './breaking-points.ts';
import { buildCapacityModel, type CapacityModel } from './model.ts';
import { project } from './projection.ts';
import { firstToBreakByScale } from './scale.ts';
import { tierOutlook } from './tiers.ts';
import { whatIf } from './whatif.ts';

const NOW = Date.UTC(2026, 11, 8);
const close = (a: number | undefined, b: number, tol = 1e-9): void =>
  assert.ok(a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} ≉ ${b}`);

/**
 * An API whose roadmap formula says 3.5 req/s per 1-vCPU replica (CFI's "vCPU × efficiency ÷
 * response time") on 4 replicas (at most 10), 100 req/s of load from 1,000 users, a database of
 * 100 connections at 50 % and a worker whose formula reads a live metric; tier Big doubles the
 * vCPU per replica.
 */
const PLAN = `
version: 1
name: measured
params:
  container_vcpu: 1 vCPU
  efficiency: 70%
  avg_response_time: 200 ms
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
metrics:
  job_seconds: { from: prom, query: "job_seconds", unit: s }
drivers:
  users: { value: 1000, growth: 10/week }
components:
  api:
    per_replica: { requests: container_vcpu * efficiency / avg_response_time }
    model: { requests: users * 0.1 req/s }
    replicas: { current: 4, max: 10 }
  db:
    capacity: { connections: 100 conn }
    model: { connections: users * 0.05 conn }
  worker:
    kind: worker
    per_replica: { throughput: 1 job / job_seconds }
    model: { throughput: users * 0.01 job/s }
    replicas: { current: 1, max: 5 }
triggers:
  - name: api-requests
    expr: api.requests.utilization
    warning: { when: "> 80%", action: Add API replicas }
tiers:
  - { name: Small, status: deployed, until: { users: 5000 } }
  - name: Big
    until: { users: 50000 }
    set: { container_vcpu: 2 vCPU }
`;

/** The breakpoint run that found 41 req/s per replica with the formula at 3.5. */
const API_41: MeasuredCapacity = {
  component: 'api',
  resource: 'requests',
  value: 41,
  perReplica: true,
  replicas: 4,
  held: ['http_req_duration: p(95)<300', 'http_req_failed: rate<0.01'],
  at: '2026-12-07T10:00:00Z',
  scenario: 'breakpoint',
  method: 'breakpoint',
};

function planWith(measured: MeasuredCapacity[]): Plan {
  const plan = parsePlan(PLAN, 'measured.yaml', { env: {} });
  plan.measured = measured;
  return plan;
}

function modelOf(measured: MeasuredCapacity[]): CapacityModel {
  return buildCapacityModel({ plan: planWith(measured), now: NOW, current: {}, history: [] });
}

const resource = (m: CapacityModel, component: string) =>
  m.resources.find((r) => r.ref.component === component)!;

describe('measured capacities', () => {
  const formula = modelOf([]);
  const measured = modelOf([API_41]);

  it('replaces the formula in the configuration it was measured in, and keeps the formula beside it', () => {
    const api = resource(measured, 'api');
    close(api.capacity, 4 * 41);
    close(api.formulaCapacity, 4 * 3.5);
    close(api.utilization, 100 / 164);
    assert.equal(api.measured?.scenario, 'breakpoint');
    assert.deepEqual(api.measured?.held, API_41.held);
    close(api.measured?.formula, 3.5);
    close(api.measured?.factor, 41 / 3.5);
    close(api.measured?.applied, 41);
    // The roadmap's formula alone: 14 req/s for 100 req/s of load.
    close(resource(formula, 'api').capacity, 14);
    assert.equal(resource(formula, 'api').measured, undefined);
  });

  it('sizes replicas and names the first to break from the measurement in a what-if', () => {
    const byFormula = whatIf(formula, { scale: 2 });
    const api = byFormula.resources.find((r) => r.component === 'api')!;
    // 200 req/s at 80 % of 3.5 req/s per replica.
    assert.equal(api.replicas?.needed, 72);
    assert.equal(byFormula.firstToBreak?.component, 'api');
    const byMeasure = whatIf(measured, { scale: 2 });
    const measuredApi = byMeasure.resources.find((r) => r.component === 'api')!;
    assert.equal(measuredApi.replicas?.needed, Math.ceil(200 / (41 * 0.8)));
    close(measuredApi.capacity, 164);
    close(measuredApi.formulaCapacity, 14);
    close(measuredApi.measured?.applied, 41);
    // The API holds 2× with its measured capacity; the database is full first.
    assert.equal(measuredApi.status, 'scale-out');
    assert.equal(byMeasure.firstToBreak?.component, 'db');
    assert.equal(byMeasure.firstToBreak?.status, 'full');
  });

  it('scales the measurement with the formula: a tier that doubles the vCPU doubles it', () => {
    const [api] = project(
      measured,
      { set: { container_vcpu: 2 } },
      (r) => r.ref.component === 'api',
    );
    close(api!.capacity, 4 * 82);
    close(api!.formulaCapacity, 4 * 7);
    close(api!.measured?.applied, 82);
    const r = whatIf(measured, { scale: 2, set: { container_vcpu: 2 } });
    const view = r.resources.find((x) => x.component === 'api')!;
    assert.equal(view.replicas?.needed, Math.ceil(200 / (82 * 0.8)));
    // A value set on the capacity itself is in the formula's terms too.
    const [direct] = project(
      measured,
      { set: { 'api.per_replica.requests': 7 } },
      (x) => x.ref.component === 'api',
    );
    close(direct!.capacity, 4 * 82);
  });

  it('uses the measurement in breaking points by load and in each tier’s first to break', () => {
    // Formula: the API is full (10 replicas × 3.5) at 0.35× today; measured: at 4.1×, after the db at 2×.
    close(firstToBreakByScale(formula)?.scale, 0.35, 1e-3);
    const first = firstToBreakByScale(measured);
    assert.equal(first?.component, 'db');
    close(first?.scale, 2, 1e-3);
    const [small, big] = tierOutlook(measured, 2 * 365 * 86_400_000);
    assert.equal(small!.firstToBreak?.component, 'db');
    assert.equal(big!.firstToBreak?.component, 'db');
    const warning = breakingPoints(measured, { horizonMs: 10 * 365 * 86_400_000 }).find(
      (p) => p.component === 'api' && p.severity === 'warning',
    );
    close(warning?.utilizationNow, 100 / 164);
  });

  it('leaves a resource without a measurement as the formula says', () => {
    for (const component of ['db', 'worker']) {
      const a = resource(formula, component);
      const b = resource(measured, component);
      assert.equal(b.capacity, a.capacity);
      assert.equal(b.formulaCapacity, a.capacity);
      assert.equal(b.utilization, a.utilization);
      assert.equal('measured' in b, false);
    }
    const a = whatIf(formula, { scale: 3 }).resources.find((r) => r.component === 'db')!;
    const b = whatIf(measured, { scale: 3 }).resources.find((r) => r.component === 'db')!;
    assert.deepEqual(b, a);
  });

  it('measures against the formula recorded with it when the plan changed since', () => {
    // Measured at 82 req/s when the formula said 7 (2 vCPU); the plan now deploys 1 vCPU.
    const m = modelOf([{ ...API_41, value: 82, formula: 7 }]);
    const api = resource(m, 'api');
    close(api.capacity, 4 * 41);
    close(api.measured?.value, 82);
    close(api.measured?.applied, 41);
    close(api.measured?.formula, 7);
  });

  it('uses the measurement as is where the formula reads a live metric with no value', () => {
    const worker: MeasuredCapacity = {
      ...API_41,
      component: 'worker',
      resource: 'throughput',
      value: 12,
      replicas: 1,
    };
    const m = modelOf([worker]);
    const w = resource(m, 'worker');
    close(w.capacity, 12);
    assert.equal(w.formulaCapacity, undefined);
    assert.equal(w.measured?.factor, undefined);
    close(w.utilization, 10 / 12);
    const [big] = project(m, { set: { container_vcpu: 2 } }, (r) => r.ref.component === 'worker');
    close(big!.capacity, 12);
  });

  it('turns a total measured over several replicas into a per-replica capacity', () => {
    const m = modelOf([{ ...API_41, value: 164, perReplica: false, replicas: 4 }]);
    close(resource(m, 'api').capacity, 164);
    const [six] = project(
      m,
      { set: { 'api.replicas.current': 6 } },
      (r) => r.ref.component === 'api',
    );
    close(six!.capacity, 6 * 41);
  });

  it('ignores a measurement of a resource the plan does not have, or of no capacity', () => {
    const m = modelOf([
      { ...API_41, resource: 'memory' },
      { ...API_41, value: 0 },
    ]);
    close(resource(m, 'api').capacity, 14);
    assert.equal(resource(m, 'api').measured, undefined);
  });

  it('takes the newer of two measurements of one resource', () => {
    const older = { ...API_41, value: 30, at: '2026-11-01T00:00:00Z' };
    const m = modelOf([API_41, older]);
    close(resource(m, 'api').capacity, 164);
  });
});
