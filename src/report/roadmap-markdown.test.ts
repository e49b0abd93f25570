import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCapacityModel, whatIf } from '../capacity/index.ts';
import { renderWhatIf, whatIfDocument } from '../cli/whatif.ts';
import type { LoadTestRunRecord, MeasuredCapacity } from '../loadtest/types.ts';
import { parsePlan } from '../plan/load.ts';
import type { Plan } from '../plan/types.ts';
import { roadmapData } from './roadmap-data.ts';
import { renderRoadmap } from './roadmap-markdown.ts';

const NOW = Date.UTC(2026, 11, 8);
const PLAN = `
version: 1
name: api
params:
  container_vcpu: 1 vCPU
  efficiency: 70%
  avg_response_time: 200 ms
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
drivers:
  users: { value: 1000 }
components:
  api:
    per_replica: { requests: container_vcpu * efficiency / avg_response_time }
    model: { requests: users * 0.1 req/s }
    replicas: { current: 4, max: 10 }
  db:
    capacity: { connections: 100 conn }
    model: { connections: users * 0.05 conn }
loadtests:
  requests: [{ url: "http://127.0.0.1:3000/" }]
  scenarios:
    three-x: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    ten-k: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    soak: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
checklist:
  - name: Before launch
    items:
      - { item: Load test to 3x current capacity, loadtest: three-x }
      - { item: Load test 10K concurrent users, loadtest: ten-k }
      - { item: Soak test, loadtest: soak }
`;
const MEASURED: MeasuredCapacity = {
  component: 'api',
  resource: 'requests',
  value: 41,
  perReplica: true,
  replicas: 4,
  held: ['http_req_duration: p(95)<300'],
  at: '2026-12-07T10:00:00Z',
  scenario: 'breakpoint',
  method: 'breakpoint',
};
const DEC_7 = Date.UTC(2026, 11, 7, 10);
const RUNS: Record<string, LoadTestRunRecord> = {
  'three-x': {
    scenario: 'three-x',
    at: DEC_7,
    ok: true,
    rate: 212,
    p95: 0.041,
    failed_rate: 0,
    lastPass: { at: DEC_7, rate: 212, p95: 0.041 },
  },
  'ten-k': { scenario: 'ten-k', at: DEC_7, ok: false, rate: 180, p95: 0.45, failed_rate: 0.03 },
};

function plan(measured: MeasuredCapacity[]): Plan {
  const p = parsePlan(PLAN, 'api.yaml', { env: {} });
  p.measured = measured;
  return p;
}

function report(measured: MeasuredCapacity[]): string {
  const model = buildCapacityModel({ plan: plan(measured), now: NOW, current: {}, history: [] });
  return renderRoadmap(
    roadmapData(model, [], {
      producedAt: NOW,
      horizonMs: 365 * 86_400_000,
      source: { kind: 'live', frames: 0, sourceErrors: [] },
      loadTests: RUNS,
    }),
  );
}

describe('roadmap and what-if: measured capacities and load-test checklist items', () => {
  it('shows the measured capacity beside the formula in Current Capacity', () => {
    const md = report([MEASURED]);
    assert.match(md, /\| api \| requests \| 164\/s \(measured; formula 14\/s\) \|/);
    assert.match(
      md,
      /- \*\*api requests:\*\* formula 3\.5\/s per replica; measured 41\/s per replica at http_req_duration: p\(95\)<300 \(breakpoint, 2026-12-07\)/,
    );
    // The database was not measured: its row reads as before.
    assert.match(md, /\| db \| connections \| 100 \|/);
    const unmeasured = report([]);
    assert.doesNotMatch(unmeasured, /Measured by load tests|\(measured/);
    assert.match(unmeasured, /\| api \| requests \| 14\/s \|/);
  });

  it('ticks a load-test item that passed and says how the others went', () => {
    const md = report([]);
    assert.match(
      md,
      /- \[x\] Load test to 3x current capacity — load test `three-x`: passed 2026-12-07: 212\/s, p95 41 ms/,
    );
    assert.match(
      md,
      /- \[ \] Load test 10K concurrent users — load test `ten-k`: last run failed 2026-12-07: 180\/s, p95 450 ms, 3% failed/,
    );
    assert.match(md, /- \[ \] Soak test — load test `soak`: never run/);
    assert.match(md, /### Before launch \(1\/3\)/);
  });

  it('what-if: sizes from the measurement, with formula_capacity and measured in --json', () => {
    const p = plan([MEASURED]);
    const model = buildCapacityModel({ plan: p, now: NOW, current: {}, history: [] });
    const q = { scale: 3 };
    const r = whatIf(model, q);
    const doc = whatIfDocument(p, r, q) as {
      resources: {
        component: string;
        capacity: number;
        formula_capacity: number;
        measured: unknown;
        replicas?: { needed: number };
      }[];
    };
    const api = doc.resources.find((x) => x.component === 'api')!;
    assert.equal(api.capacity, 164);
    assert.ok(Math.abs(api.formula_capacity - 14) < 1e-9);
    assert.equal(api.replicas?.needed, Math.ceil(300 / 41));
    assert.deepEqual(api.measured, {
      value: 41,
      per_replica: true,
      held: ['http_req_duration: p(95)<300'],
      at: '2026-12-07T10:00:00Z',
      scenario: 'breakpoint',
      method: 'breakpoint',
      formula: 3.5,
      factor: 41 / 3.5,
      applied: 41,
    });
    assert.equal(doc.resources.find((x) => x.component === 'db')!.measured, null);
    const text = renderWhatIf(p, r, q);
    assert.match(text, /164\/s \(measured; formula 14\/s\)/);
    assert.match(
      text,
      /measured api\.requests: formula 3\.5\/s per replica; measured 41\/s per replica at http_req_duration: p\(95\)<300 \(breakpoint, 2026-12-07\)/,
    );
  });
});
