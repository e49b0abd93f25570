import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import { parsePlan } from '../plan/load.ts';
import { openSqliteStore } from '../store/sqlite.ts';
import {
  hasPassed,
  loadTestRuns,
  loadTestRunText,
  loadTestScenarios,
  runRecord,
} from './loadtest-runs.ts';
import { checklistsOf } from './roadmap-data.ts';

const AT = Date.UTC(2026, 11, 7, 10);
const PASSED: LoadTestRunRecord = {
  scenario: 'three-x',
  at: AT,
  ok: true,
  rate: 212,
  p95: 0.041,
  failed_rate: 0,
  lastPass: { at: AT, rate: 212, p95: 0.041 },
};

const PLAN = `
version: 1
name: runs
sources:
  prom: { kind: prometheus, url: "http://127.0.0.1:9" }
loadtests:
  requests: [{ url: "http://127.0.0.1:3000/" }]
  scenarios:
    three-x: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    ten-k: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    soak: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
checklist:
  - name: Before Phase 2
    items:
      - { item: Monitoring dashboard, done: true }
      - { item: Load test to 3x current capacity, loadtest: three-x }
      - { item: Load test 10K concurrent users, loadtest: ten-k }
      - { item: Soak test, loadtest: soak }
      - Document runbooks
`;

describe('load-test runs', () => {
  const plan = parsePlan(PLAN, 'runs.yaml', { env: {} });

  it('names every scenario the checklists refer to', () => {
    assert.deepEqual(loadTestScenarios(plan), ['three-x', 'ten-k', 'soak']);
  });

  it('reads each scenario’s last run from the plan’s store, skipping what is not a run', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      await store.saveState('loadtest/three-x', PASSED);
      await store.saveState('loadtest/ten-k', {
        ...PASSED,
        scenario: 'ten-k',
        ok: false,
        lastPass: undefined,
      });
      await store.saveState('loadtest/soak', { scenario: 'soak', at: 'yesterday' });
      await store.saveState('loadtest/unrelated', PASSED);
      const runs = await loadTestRuns(store, plan);
      assert.deepEqual(Object.keys(runs).sort(), ['ten-k', 'three-x']);
      assert.deepEqual(runs['three-x'], PASSED);
      assert.equal(runs['ten-k']!.ok, false);
    } finally {
      await store.close();
    }
  });

  it('ticks an item whose scenario passed, now or before its last run, and no other', () => {
    const failedAfterPass: LoadTestRunRecord = {
      ...PASSED,
      scenario: 'ten-k',
      at: AT + 86_400_000,
      ok: false,
      p95: 0.45,
      failed_rate: 0.03,
    };
    const [list] = checklistsOf(plan.raw.checklist!, {
      'three-x': PASSED,
      'ten-k': failedAfterPass,
    });
    assert.deepEqual(
      list!.items.map((i) => [i.item, i.done]),
      [
        ['Monitoring dashboard', true],
        ['Load test to 3x current capacity', true],
        ['Load test 10K concurrent users', true],
        ['Soak test', false],
        ['Document runbooks', false],
      ],
    );
    assert.equal(list!.items[1]!.loadtest, 'three-x');
    assert.equal(list!.items[3]!.lastRun, undefined);
    const [failing] = checklistsOf(plan.raw.checklist!, {
      'ten-k': { ...failedAfterPass, lastPass: undefined },
    });
    assert.equal(failing!.items[2]!.done, false);
  });

  it('says how each run went in words', () => {
    assert.equal(loadTestRunText(PASSED), 'passed 2026-12-07: 212/s, p95 41 ms');
    assert.equal(loadTestRunText(undefined), 'never run');
    const failed = {
      ...PASSED,
      at: AT + 86_400_000,
      ok: false,
      rate: 180,
      p95: 0.45,
      failed_rate: 0.03,
    };
    assert.equal(
      loadTestRunText(failed),
      'passed 2026-12-07: 212/s, p95 41 ms; last run failed 2026-12-08: 180/s, p95 450 ms, 3% failed',
    );
    assert.equal(
      loadTestRunText({ ...failed, lastPass: undefined }),
      'last run failed 2026-12-08: 180/s, p95 450 ms, 3% failed',
    );
  });

  it('takes a passing run without lastPass as its own last pass, and rejects broken records', () => {
    const { lastPass: _, ...bare } = PASSED;
    assert.ok(hasPassed(runRecord(bare)));
    assert.deepEqual(runRecord(bare)?.lastPass, { at: AT, rate: 212, p95: 0.041 });
    assert.equal(runRecord(null), undefined);
    assert.equal(runRecord({ ...PASSED, rate: 'fast' }), undefined);
    assert.equal(runRecord({ ...PASSED, ok: 'yes' }), undefined);
  });
});
