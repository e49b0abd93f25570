import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCapacityModel } from '../capacity/index.ts';
import type { LoadTestRunRecord, MeasuredCapacity } from '../loadtest/types.ts';
import { parsePlan } from '../plan/load.ts';
import { loadTestRuns } from '../report/loadtest-runs.ts';
import { roadmapData } from '../report/roadmap-data.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import { buildApp } from './app.ts';
import { initialState, type ServeState } from './state.ts';

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
loadtests:
  requests: [{ url: "http://127.0.0.1:3000/" }]
  scenarios:
    three-x: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    soak: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
checklist:
  - name: Before launch
    items:
      - { item: Load test to 3x current capacity, loadtest: three-x }
      - { item: Soak test, loadtest: soak }
      - Document runbooks
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
const RUN: LoadTestRunRecord = {
  scenario: 'three-x',
  at: Date.UTC(2026, 11, 7, 10),
  ok: true,
  rate: 212,
  p95: 0.041,
  failed_rate: 0,
  lastPass: { at: Date.UTC(2026, 11, 7, 10), rate: 212, p95: 0.041 },
};

async function servedState(): Promise<ServeState> {
  const plan = parsePlan(PLAN, 'api.yaml', { env: {} });
  plan.measured = [MEASURED];
  const store = await openSqliteStore({ path: ':memory:' });
  await store.saveState('loadtest/three-x', RUN);
  const loadTests = await loadTestRuns(store, plan);
  await store.close();
  const model = buildCapacityModel({ plan, now: NOW, current: {}, history: [] });
  const roadmap = roadmapData(model, [], {
    producedAt: NOW,
    horizonMs: 365 * 86_400_000,
    source: { kind: 'live', frames: 0, sourceErrors: [] },
    loadTests,
  });
  return { ...initialState('api', 'api.yaml', NOW), at: NOW, roadmap };
}

describe('serve API: load tests and measured capacities', () => {
  it('GET /api/checklist: a load-test item carries its scenario and last run, ticked when it passed', async () => {
    const state = await servedState();
    const app = await buildApp({ state: () => state });
    const r = await app.inject({ method: 'GET', url: '/api/checklist' });
    assert.equal(r.statusCode, 200, r.body);
    const [list] = r.json() as { items: Record<string, unknown>[] }[];
    assert.deepEqual(list!.items, [
      {
        item: 'Load test to 3x current capacity',
        done: true,
        loadtest: 'three-x',
        last_run: {
          at: '2026-12-07T10:00:00.000Z',
          ok: true,
          rate: 212,
          p95: 0.041,
          failed_rate: 0,
          last_pass: { at: '2026-12-07T10:00:00.000Z', rate: 212, p95: 0.041 },
        },
      },
      { item: 'Soak test', done: false, loadtest: 'soak', last_run: null },
      { item: 'Document runbooks', done: false },
    ]);
  });

  it('GET /api/components: the measured capacity beside the formula’s', async () => {
    const state = await servedState();
    const app = await buildApp({ state: () => state });
    const r = await app.inject({ method: 'GET', url: '/api/components' });
    const [api] = r.json() as {
      capacity: number;
      formulaCapacity: number;
      measured: { value: number; held: string[]; formula: number };
    }[];
    assert.equal(api!.capacity, 164);
    assert.ok(Math.abs(api!.formulaCapacity - 14) < 1e-9);
    assert.equal(api!.measured.value, 41);
    assert.deepEqual(api!.measured.held, ['http_req_duration: p(95)<300']);
    assert.ok(Math.abs(api!.measured.formula - 3.5) < 1e-9);
  });
});
