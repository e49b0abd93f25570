/**
 * The dashboard shows what load tests established (Debian's chromium, driven by playwright-core,
 * against the real `headroom serve`): a capacity a load test measured beside the roadmap's
 * formula (capacity planning), and a readiness item that names a load-test scenario ticked by
 * the passing run `loadtest` left in the plan's store. The plan is the dashboard test's small
 * IRISX (fake-irisx.ts) with `components.sms-worker.measured`, a `loadtests:` scenario and the
 * roadmap's "Load test to 3x current capacity" tied to it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import type { LoadTestRunRecord } from '../../src/loadtest/types.ts';
import { openSqliteStore } from '../../src/store/sqlite.ts';
import { startFakePrometheus, writeHistory, type FakePrometheus } from './fake-irisx.ts';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  serve,
  stop,
  waitForData,
  watch,
  type Served,
} from './harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLAN = join(ROOT, 'test', 'fixtures', 'dashboard', 'irisx-live.yaml');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const DAY_MS = 86_400_000;

let dir: string;
let prom: FakePrometheus;
let served: Served | undefined;
let browser: Browser;

/** Replaces `from` in `text`, failing when the fixture no longer has it. */
function edit(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `the fixture plan has ${JSON.stringify(from)}`);
  return text.replace(from, to);
}

/** The fixture plan with sms-worker's throughput measured at 140 msg/s per replica, and the "3x" item tied to scenario three-x. */
function measuredPlan(measuredAt: string): string {
  let text = readFileSync(PLAN, 'utf8');
  text = edit(
    text,
    '    queue: sms_pending\n    per_replica: { throughput: 100 msg/s }\n',
    `    queue: sms_pending\n    per_replica: { throughput: 100 msg/s }\n    measured:\n      throughput: { value: 140 msg/s, held: ["http_req_failed: rate<0.01"], at: "${measuredAt}", scenario: three-x, method: breakpoint }\n`,
  );
  text = edit(
    text,
    '\nchecklist:\n',
    '\nloadtests:\n  requests: [{ url: "http://127.0.0.1:9/" }]\n  scenarios:\n    three-x: { executor: constant-arrival-rate, rate: 300, duration: 1m, maxVUs: 100 }\n\nchecklist:\n',
  );
  return edit(
    text,
    '      - Load test to 3x current capacity\n',
    '      - { item: Load test to 3x current capacity, loadtest: three-x }\n',
  );
}

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build:web failed:\n${build.stdout}${build.stderr}`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'headroom-measured-'));
  const now = Date.now();
  prom = await startFakePrometheus(now);
  const path = join(dir, 'irisx.db');
  await writeHistory(path, now, 21);
  const store = await openSqliteStore({ path });
  const run: LoadTestRunRecord = {
    scenario: 'three-x',
    at: now - DAY_MS,
    ok: true,
    rate: 212,
    p95: 0.041,
    failed_rate: 0,
    lastPass: { at: now - DAY_MS, rate: 212, p95: 0.041 },
  };
  await store.saveState('loadtest/three-x', run);
  await store.close();
  const plan = join(dir, 'irisx-live.yaml');
  writeFileSync(plan, measuredPlan(new Date(now - DAY_MS).toISOString().replace(/\.\d+Z$/, 'Z')));
  served = await serve(ROOT, ['--plan', plan, '--store', path], {
    DASHBOARD_PROM_URL: prom.url,
    SLACK_WEBHOOK_URL: '',
    PAGERDUTY_ROUTING_KEY: '',
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  await stop(served);
  await prom?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('dashboard: load tests', { timeout: 120_000 }, () => {
  it('shows the measured capacity beside the formula, and the load-test item ticked by its passing run', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    const measured = await page.textContent(
      '#capacity-planning [data-testid="measured"] [data-resource="sms-worker.throughput"]',
    );
    assert.match(
      measured!,
      /sms-worker\.throughput: measured 140\/s per replica; formula 100\/s per replica/,
    );
    assert.match(measured!, /held http_req_failed: rate<0\.01 · breakpoint \(three-x\)/);
    assert.match(measured!, /capacity now 140\/s \(formula 100\/s\)/);
    const item = page.locator('#checklist li', { hasText: 'Load test to 3x current capacity' });
    assert.equal(await item.getAttribute('class'), 'is-done');
    assert.match((await item.textContent())!, /done: Load test to 3x current capacity/);
    assert.match(
      (await item.locator('[data-loadtest="three-x"]').textContent())!,
      /^Load test three-x: passed \w+ \d+, 20\d\d — 212\/s, p95 41 ms$/,
    );
    assert.match((await page.textContent('#checklist'))!, /4 of 6 done/);
    // The others read as before: no measurement, no load test.
    assert.equal(
      await page.$('#capacity-planning [data-resource="email-worker.throughput"]'),
      null,
    );
    assert.equal(await page.$$eval('#checklist [data-loadtest]', (els) => els.length), 1);
    await page.screenshot({
      path: join(ARTIFACTS, 'dashboard-loadtests-1280.png'),
      fullPage: true,
    });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.foreign, []);
    await page.close();
  });
});
