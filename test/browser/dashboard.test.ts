/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against the
 * real `headroom serve`: test/fixtures/dashboard/irisx-live.yaml reads a small IRISX that this
 * test answers on 127.0.0.1 (fake-irisx.ts), with three weeks of history written to the store
 * first. Screenshots go to test/artifacts/ (and one to docs/img/dashboard.png for the README).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startFakePrometheus, writeHistory, type FakePrometheus } from './fake-irisx.ts';
import {
  CHARTED,
  CHROMIUM,
  CHROMIUM_ARGS,
  serve,
  stop,
  waitForData,
  watch,
  WIDGETS,
  type Served,
} from './harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLAN = join(ROOT, 'test', 'fixtures', 'dashboard', 'irisx-live.yaml');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const README_SHOT = join(ROOT, 'docs', 'img', 'dashboard.png');

let dir: string;
/** The plan served: a copy, so that a test can edit it. */
let plan: string;
let prom: FakePrometheus;
let served: Served | undefined;
let browser: Browser;

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build:web failed:\n${build.stdout}${build.stderr}`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  mkdirSync(dirname(README_SHOT), { recursive: true });
  dir = mkdtempSync(join(tmpdir(), 'headroom-dashboard-'));
  const now = Date.now();
  prom = await startFakePrometheus(now);
  const store = join(dir, 'irisx.db');
  await writeHistory(store, now, 21);
  plan = join(dir, 'irisx-live.yaml');
  copyFileSync(PLAN, plan);
  // The plan's Slack and PagerDuty channels stay disabled, whatever this machine's environment.
  served = await serve(ROOT, ['--plan', plan, '--store', store], {
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

describe('dashboard', { timeout: 180_000 }, () => {
  it('loads with live numbers and charts in every widget, no console error and no request beyond 127.0.0.1', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    for (const id of WIDGETS) {
      const state = await page.$eval(`#${id}`, (el) => ({
        heading: el.querySelector('h2')?.textContent ?? '',
        message: el.querySelector('.card-message')?.getAttribute('data-state') ?? null,
        text: el.querySelector('.card-body')?.textContent ?? '',
      }));
      assert.ok(state.heading, `${id} has a heading`);
      if (id === 'scaling') continue;
      assert.equal(state.message, null, `${id} shows data, not "${state.text}"`);
      assert.match(state.text, /\d/, `${id} shows numbers`);
    }
    for (const id of CHARTED) {
      const sizes = await page.$$eval(`#${id} .chart canvas`, (canvases) =>
        canvases.map((c) => c.getBoundingClientRect()).map((r) => [r.width, r.height]),
      );
      assert.ok(sizes.length > 0, `${id} draws a chart`);
      for (const [width, height] of sizes)
        assert.ok(width! > 100 && height! > 50, `${id} chart is ${width}×${height}`);
    }
    // The numbers the IRISX roadmap's widgets show, from this plan's live sources.
    const queue = await page.textContent('#queue-health');
    assert.match(queue!, /Storage\s*4\d(\.\d)? GB/);
    assert.match(queue!, /Messages waiting/);
    assert.match(queue!, /sms-stream/);
    const capacity = await page.textContent('#capacity-planning');
    // The fixture's history is fitted afresh each run: near-flat growth may come out either sign.
    assert.match(capacity!, /Growth rate[+−]\d+(\.\d+)?\/weekcompanies · fitted from history/);
    assert.match(capacity!, /Current load1,\d{3}companies · \d+% of Phase 1's 2,000/);
    assert.match(capacity!, /Estimated scale date(\w+ 20\d\d|not within 2 years)/);
    const costs = await page.textContent('#cost-tracking');
    assert.match(costs!, /Infrastructure/);
    assert.match(costs!, /\$92/);
    assert.match(costs!, /Avg per company/);
    const tiers = await page.textContent('#tiers');
    assert.match(tiers!, /Phase 1.*you are here/s);
    assert.match((await page.textContent('#checklist')) ?? '', /3 of 6 done/);
    // Notifications: the log channel works; the two whose secret is unset say what to set.
    const notify = (await page.textContent('#pipeline [data-testid="notify"]')) ?? '';
    assert.match(notify, /Notifications.*log\W*ok/s);
    assert.match(notify, /platform-alerts\W*disabled.*export SLACK_WEBHOOK_URL=/s);
    assert.match(notify, /pagerduty\W*disabled.*export PAGERDUTY_ROUTING_KEY=/s);
    // Autoscaling: rendered when the server has /api/scaling pools, else said to be absent.
    const scaling = await fetch(`${served!.url}/api/scaling`);
    const scalingText = (await page.textContent('#scaling')) ?? '';
    if (scaling.ok) assert.match(scalingText, /sms-worker/);
    else assert.match(scalingText, /Autoscaling not configured/);
    // Live: the header follows the event stream, and a new backlog shows without a reload.
    await page.waitForSelector('[data-testid="link"] .tone-ok', { timeout: 10_000 });
    prom.overrides.sms_pending = 61_000;
    await page.waitForFunction(
      () =>
        /6\d,\d{3}/.test(
          document.querySelector('#queue-health [data-testid="backlog"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 15_000 },
    );
    delete prom.overrides.sms_pending;
    await page.waitForFunction(
      () => {
        const text = document.querySelector('#queue-health [data-testid="backlog"]')?.textContent;
        const waiting = /Messages waiting([\d,]+)/.exec(text ?? '')?.[1]?.replace(/,/g, '');
        return waiting !== undefined && Number(waiting) < 20_000;
      },
      undefined,
      { timeout: 15_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280.png'), fullPage: true });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.foreign, []);
    await page.close();
  });

  it('shows an alert when storage goes over its threshold, pending then firing', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    assert.equal(
      await page.$('#alerts [data-testid="active-alerts"] [data-trigger="nats-storage"]'),
      null,
    );
    // Some readings first, so that the live charts have a line before the jump.
    await page.waitForFunction(
      () => {
        const label = document
          .querySelector('#queue-health .chart-box')
          ?.getAttribute('aria-label');
        return Number(/(\d+) readings/.exec(label ?? '')?.[1] ?? 0) >= 8;
      },
      undefined,
      { timeout: 30_000 },
    );
    prom.overrides.nats_storage_used = 78e9;
    const row = '#alerts [data-testid="active-alerts"] [data-trigger="nats-storage"]';
    await page.waitForSelector(row, { timeout: 15_000 });
    await page.waitForFunction(
      (sel) =>
        /warning/.test(document.querySelector(sel)?.textContent ?? '') &&
        !/pending/.test(document.querySelector(sel)?.textContent ?? ''),
      row,
      { timeout: 15_000 },
    );
    const text = await page.textContent(row);
    assert.match(text!, /nats-storage/);
    assert.match(text!, /78%/);
    assert.match(text!, /Plan upgrade to 250GB within 2 weeks/);
    const changes = await page.textContent('#alerts [data-testid="alert-changes"]');
    assert.match(changes!, /nats-storage warning: pending → firing/);
    assert.match(changes!, /nats-storage warning: inactive → pending/);
    assert.match((await page.textContent('[data-testid="overall"]'))!, /warning/);
    // Storage is coloured by the trigger's thresholds, and says so in words.
    await page.waitForFunction(
      () =>
        /warning/.test(
          document.querySelector('#queue-health [data-testid="storage"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 10_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alert-1280.png'), fullPage: true });
    // The README's picture: the first two rows (queue health, capacity planning, alerts, costs).
    const bottom = await page.$eval(
      '#cost-tracking',
      (el) => el.getBoundingClientRect().bottom + window.scrollY,
    );
    await page.screenshot({
      path: README_SHOT,
      fullPage: true,
      clip: { x: 0, y: 0, width: 1280, height: Math.ceil(bottom) + 18 },
    });
    assert.ok(
      statSync(README_SHOT).size < 500_000,
      `${README_SHOT} is ${statSync(README_SHOT).size} bytes`,
    );
    delete prom.overrides.nats_storage_used;
    assert.deepEqual(w.errors, []);
    await page.close();
  });

  it('stacks the widgets on a phone (390×844) with no horizontal scroll', async () => {
    const context = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const w = watch(page);
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
      cards: [...document.querySelectorAll<HTMLElement>('.card')].map((c) => {
        const r = c.getBoundingClientRect();
        return { id: c.id, x: r.x, y: r.y, width: r.width, right: r.right };
      }),
    }));
    assert.ok(
      layout.scrollWidth <= layout.clientWidth,
      `page is ${layout.scrollWidth} px wide in a ${layout.clientWidth} px window`,
    );
    assert.equal(layout.cards.length, WIDGETS.length);
    const x0 = layout.cards[0]!.x;
    for (const [i, c] of layout.cards.entries()) {
      assert.ok(Math.abs(c.x - x0) < 1, `${c.id} starts in the one column`);
      assert.ok(c.width > 330 && c.right <= layout.clientWidth, `${c.id} is ${c.width} px wide`);
      if (i > 0)
        assert.ok(c.y > layout.cards[i - 1]!.y, `${c.id} is below ${layout.cards[i - 1]!.id}`);
    }
    const overflowing = await page.$$eval('.card *', (els) =>
      els
        .filter((el) => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
    );
    assert.deepEqual(overflowing, []);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-390.png'), fullPage: true });
    assert.deepEqual(w.errors, []);
    await context.close();
  });

  it('is usable from the keyboard, with landmarks, headings and text for every chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const r = el.getBoundingClientRect();
      return { text: el.textContent, top: r.top };
    });
    assert.equal(skip.text, 'Skip to the dashboard');
    assert.ok(skip.top >= 0, 'the skip link shows when focused');
    // Tab through the whole page: every stop shows a focus ring, until focus leaves the page.
    const reached: string[] = [];
    for (let i = 0; i < 80; i++) {
      await page.keyboard.press('Tab');
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        const home = el.closest('section, nav, footer');
        return {
          tag: el.tagName.toLowerCase(),
          where: home?.id || home?.tagName.toLowerCase() || '',
          outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth),
        };
      });
      if (focus.tag === 'body') break;
      assert.ok(
        focus.outline !== 'none' && focus.outlineWidth >= 2,
        `${focus.tag} in ${focus.where} shows where focus is`,
      );
      reached.push(`${focus.tag}#${focus.where}`);
    }
    assert.ok(reached.includes('a#nav'), `the widget links are reachable: ${reached.join(' ')}`);
    assert.ok(reached.includes('a#footer'), `the footer is reachable: ${reached.join(' ')}`);
    for (const id of ['breaking-points', 'tiers', 'checklist'])
      assert.ok(reached.includes(`summary#${id}`), `the disclosures in ${id} are reachable`);
    const outline = await page.evaluate(() => ({
      h1: document.querySelectorAll('h1').length,
      h2: [...document.querySelectorAll('h2')].map((h) => h.textContent),
      landmarks: ['header', 'nav', 'main', 'footer'].filter((t) => document.querySelector(t)),
      sections: [...document.querySelectorAll('section[aria-labelledby]')].length,
      charts: [...document.querySelectorAll('.chart-box')].map((c) => [
        c.getAttribute('role'),
        c.getAttribute('aria-label'),
      ]),
    }));
    assert.equal(outline.h1, 1);
    assert.equal(outline.h2.length, WIDGETS.length);
    assert.deepEqual(outline.landmarks, ['header', 'nav', 'main', 'footer']);
    assert.equal(outline.sections, WIDGETS.length);
    assert.ok(outline.charts.length >= CHARTED.length);
    for (const [role, label] of outline.charts) {
      assert.equal(role, 'img');
      assert.match(label ?? '', /\d/, `chart text alternative states numbers: ${label}`);
    }
    await page.close();
  });

  it('renders scaling decisions with their reasons when /api/scaling has pools', async () => {
    // The shape `headroom serve` answers with once its pools run (src/runtime/autoscale-stage.ts);
    // stood in here so the widget is checked whether or not this plan's pool is in force yet.
    const now = Date.now();
    const at = (agoMs: number): string => new Date(now - agoMs).toISOString();
    const doc = {
      pools: [
        {
          name: 'sms-worker',
          policy: 'target-latency',
          dry_run: false,
          active: true,
          replicas: { current: 3, desired: 4, min: 1, max: 5 },
          last_decision: { at: at(5_000), replicas: 4, reason: 'wait p95 94 s > 60 s' },
          decisions: [
            { at: at(600_000), from: 1, to: 3, reason: 'backlog 3,200 growing 40/s' },
            { at: at(120_000), from: 3, to: 2, reason: 'backlog drained', error: 'pm2 exited 1' },
            { at: at(5_000), from: 3, to: 4, reason: 'wait p95 94 s > 60 s' },
          ],
        },
        {
          name: 'email-worker',
          policy: 'hpa',
          dry_run: true,
          active: false,
          inactive_reason: 'in force from Phase 2',
          replicas: { min: 3, max: 5 },
          decisions: [],
        },
      ],
    };
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.route('**/api/scaling', (route) => route.fulfill({ json: doc }));
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    await page.waitForSelector('#scaling [data-pool="sms-worker"]', { timeout: 10_000 });
    const text = (await page.textContent('#scaling'))!;
    assert.match(text, /3 replicas now · desired 4 · bounds 1–5/);
    assert.match(text, /Last decision: 4 replicas .* — wait p95 94 s > 60 s/);
    assert.match(text, /failed.*3 → 2: backlog drained \(pm2 exited 1\)/);
    assert.match(text, /email-worker.*inactive.*dry run.*in force from Phase 2/s);
    assert.match((await page.textContent('#queue-health [data-testid="workers"]'))!, /3\/4/);
    const canvases = await page.$$eval('#scaling .chart canvas', (c) => c.length);
    assert.equal(canvases, 1, 'a replica chart for the pool that has run');
    assert.deepEqual(w.errors, []);
    await page.close();
  });

  it('polls when the event stream is unavailable, shows a failing endpoint in its widget, and keeps the last numbers offline', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.route('**/api/events', (route) => route.abort());
    let costsFail = true;
    await page.route('**/api/costs', (route) =>
      costsFail
        ? route.fulfill({
            status: 500,
            json: { error: { code: 'INTERNAL', message: 'the cost model failed' } },
          })
        : route.continue(),
    );
    await page.goto(`${served!.url}/`);
    await page.waitForSelector('#app[data-ready="true"]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid="link"] .tone-warning', { timeout: 15_000 });
    assert.match((await page.textContent('[data-testid="link"]'))!, /polling/);
    await page.waitForSelector('#cost-tracking [data-state="error"]', { timeout: 60_000 });
    assert.match(
      (await page.textContent('#cost-tracking'))!,
      /\/api\/costs failed: the cost model failed \(INTERNAL\)/,
    );
    costsFail = false;
    // Polling still brings new evaluations.
    const evaluated = async (): Promise<string | null> =>
      page.$eval('header time', (t) => t.getAttribute('datetime'));
    const first = await evaluated();
    await page.waitForFunction(
      (before) => document.querySelector('header time')?.getAttribute('datetime') !== before,
      first,
      { timeout: 15_000 },
    );
    // The server gone: the page says so and keeps what it last showed.
    await page.route('**/api/**', (route) => route.abort());
    await page.waitForSelector('[data-testid="link"] .tone-critical', { timeout: 15_000 });
    assert.match((await page.textContent('[data-testid="link"]'))!, /offline/);
    assert.match((await page.textContent('#queue-health'))!, /Storage\s*\d+(\.\d)? GB/);
    await page.close();
  });

  it('shows the errors of a bad plan edit at the top until the plan is fixed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.goto(`${served!.url}/`);
    await waitForData(page);
    const good = readFileSync(plan, 'utf8');
    // A size where a percentage belongs: the plan does not compile, the running one stays.
    writeFileSync(plan, good.replace('warning: { when: "> 70%"', 'warning: { when: "> 70 GB"'));
    try {
      const banner = await page.waitForSelector(
        '.banner[role="alert"] [data-testid="plan-errors"]',
        {
          timeout: 20_000,
        },
      );
      const text = (await banner.textContent())!;
      assert.match(text, /the previous plan keeps running/);
      assert.match(text, /irisx-live\.yaml:\d+:\d+ PLAN_UNIT/);
      assert.match((await page.textContent('#pipeline'))!, /plan errors.*PLAN_UNIT/s);
    } finally {
      writeFileSync(plan, good);
    }
    await page.waitForSelector('.banner', { state: 'detached', timeout: 20_000 });
    assert.deepEqual(w.errors, []);
    await page.close();
  });

  it('takes the access token from ?token= once and sends it as a bearer header', async () => {
    const token = 'dashboard-test-token-0123456789';
    const secured = await serve(
      ROOT,
      ['--plan', 'examples/local.yaml', '--store', join(dir, 'local.db')],
      { HEADROOM_TOKEN: token },
    );
    try {
      assert.equal((await fetch(`${secured.url}/api/status`)).status, 401);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const w = watch(page);
      const authorized: string[] = [];
      page.on('request', (r) => {
        if (
          new URL(r.url()).pathname.startsWith('/api/') &&
          r.headers().authorization === `Bearer ${token}`
        )
          authorized.push(new URL(r.url()).pathname);
      });
      await page.goto(`${secured.url}/?token=${token}`);
      await page.waitForSelector('#app[data-ready="true"]', { timeout: 30_000 });
      assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar');
      await page.waitForSelector('[data-testid="link"] .tone-ok', { timeout: 10_000 });
      assert.ok(authorized.includes('/api/status') || authorized.includes('/api/events'));
      assert.ok(authorized.includes('/api/triggers'));
      assert.match((await page.textContent('h1'))!, /local/);
      assert.deepEqual(w.errors, []);
      await page.close();
    } finally {
      await stop(secured);
    }
  });
});
