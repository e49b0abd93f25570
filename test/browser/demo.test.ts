/**
 * `headroom demo` in a real browser: the dashboard of the simulated IRISX shows the autoscaler
 * adding workers with its reasons and an alert going pending then firing, as the demo crosses
 * its thresholds, with no request beyond 127.0.0.1. A screenshot goes to test/artifacts/.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { HEADROOM_BIN } from '../helpers/cli.ts';
import { CHROMIUM, CHROMIUM_ARGS, waitForData, watch } from './harness.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');

let demo: ChildProcess;
let url: string;
let browser: Browser;

before(async () => {
  if (!existsSync(join(ROOT, 'web', 'dist', 'index.html'))) {
    const build = spawnSync('npm', ['run', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(build.status, 0, `npm run build:web failed:\n${build.stdout}${build.stderr}`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  // The default speed, a simulated day a real minute: each daily campaign comes round within
  // a minute, and a loop step (6 simulated minutes) is fine enough to see a campaign's backlog
  // pending, then firing. (At two days a minute it depended on how the steps fell on it.)
  demo = spawn(process.execPath, [HEADROOM_BIN, 'demo', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let err = '';
  demo.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the demo printed no URL:\n${err}`)), 60_000);
    demo.stderr!.on('data', () => {
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  demo?.kill('SIGINT');
  await new Promise((r) => (demo?.exitCode !== null ? r(null) : demo.on('close', r)));
});

describe('demo dashboard', { timeout: 360_000 }, () => {
  it('shows workers added with reasons, and an alert pending then firing, as the demo crosses a threshold', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const w = watch(page);
    await page.goto(`${url}/`);
    await waitForData(page);
    assert.match((await page.textContent('header'))!, /irisx/);
    // The autoscaler's pools appear with their policy.
    await page.waitForSelector('#scaling [data-pool="email-worker"]', { timeout: 30_000 });
    // A campaign's backlog: the pool scales out, and the widget gives the policy's reason.
    await page.waitForFunction(
      () =>
        /target-latency: λ .*→ [2-5]/.test(document.querySelector('#scaling')?.textContent ?? ''),
      undefined,
      { timeout: 150_000 },
    );
    // …and an alert on the backlog goes pending, then fires (in the latest changes).
    await page.waitForFunction(
      () =>
        /(queue-depth|consumer-lag) (warning|critical): pending → firing/.test(
          document.querySelector('#alerts [data-testid="alert-changes"]')?.textContent ?? '',
        ),
      undefined,
      { timeout: 150_000 },
    );
    const changes = (await page.textContent('#alerts [data-testid="alert-changes"]'))!;
    assert.match(changes, /inactive → pending/);
    // The forecast names the first component to break.
    await page.waitForFunction(
      () => (document.querySelector('#breaking-points')?.textContent ?? '').includes('stream'),
      undefined,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: join(ARTIFACTS, 'demo-1280.png'), fullPage: true });
    assert.deepEqual(w.errors, []);
    assert.deepEqual(w.foreign, []);
    await page.close();
  });
});
