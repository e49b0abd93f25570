import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../../test/helpers/cli.ts';
import type { LoadTestRunRecord } from '../loadtest/types.ts';
import { openSqliteStore } from '../store/sqlite.ts';

let dir: string;
let planFile: string;
const AT = Date.UTC(2026, 11, 7, 10);

/** A service with nothing to collect, and a checklist whose two load-test items name the plan's scenarios. */
const PLAN = `
version: 1
name: ticks
sources:
  host: { kind: host }
metrics:
  mem: { from: host, field: memory_utilization }
drivers:
  users: { value: 100 }
components:
  api:
    per_replica: { requests: 10 req/s }
    model: { requests: users * 0.1 req/s }
    replicas: { current: 2 }
loadtests:
  requests: [{ url: "http://127.0.0.1:3000/" }]
  scenarios:
    three-x: { executor: constant-arrival-rate, rate: 30, duration: 1m, maxVUs: 50 }
    soak: { executor: constant-vus, vus: 5, duration: 10m }
checklist:
  - name: Before launch
    items:
      - { item: Load test to 3x current capacity, loadtest: three-x }
      - { item: Soak test, loadtest: soak }
`;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'headroom-report-'));
  planFile = join(dir, 'ticks.yaml');
  writeFileSync(planFile, PLAN);
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom report: load-test checklist items', () => {
  it('ticks an item from the passing run the store holds, and says the other never ran', async () => {
    const store = join(dir, 'ticks.db');
    const db = await openSqliteStore({ path: store });
    const run: LoadTestRunRecord = {
      scenario: 'three-x',
      at: AT,
      ok: true,
      rate: 212,
      p95: 0.041,
      failed_rate: 0,
      lastPass: { at: AT, rate: 212, p95: 0.041 },
    };
    await db.saveState('loadtest/three-x', run);
    await db.close();
    const r = await runCli(['report', '--plan', planFile, '--store', store, '--timeout', '3s']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /- \[x\] Load test to 3x current capacity — load test `three-x`: passed 2026-12-07: 212\/s, p95 41 ms/,
    );
    assert.match(r.stdout, /- \[ \] Soak test — load test `soak`: never run/);
    assert.match(r.stdout, /### Before launch \(1\/2\)/);
  });

  it('reads samples offline without creating a store that does not exist', async () => {
    const csv = join(dir, 'samples.csv');
    writeFileSync(csv, 'time,mem\n2026-12-07T10:00:00Z,0.4\n2026-12-07T11:00:00Z,0.5\n');
    const missing = join(dir, 'none', 'missing.db');
    const r = await runCli(['report', '--plan', planFile, '--history', csv, '--store', missing]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /- \[ \] Load test to 3x current capacity — load test `three-x`: never run/,
    );
    assert.equal(existsSync(missing), false);
  });
});
