/**
 * What the dashboard's browser test needs around the browser: the real `headroom serve` started
 * on a free port, chromium's options, and a watch on what a page logs and where it connects.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Page } from 'playwright-core';
import { HEADROOM_BIN } from '../helpers/cli.ts';

/** Debian's chromium, installed by scripts/pretest.sh. */
export const CHROMIUM = '/usr/bin/chromium';
/** Chromium without sandbox, GPU or background traffic (the page must stay on 127.0.0.1). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Every widget on the page, by section id, in page order. */
export const WIDGETS = [
  'queue-health',
  'capacity-planning',
  'alerts',
  'cost-tracking',
  'forecast',
  'tiers',
  'breaking-points',
  'checklist',
  'scaling',
  'pipeline',
];
/** Widgets that must draw at least one chart with this plan. */
export const CHARTED = ['queue-health', 'capacity-planning', 'forecast', 'breaking-points'];

/** A running `headroom serve`. */
export interface Served {
  url: string;
  child: ChildProcess;
  stderr: () => string;
}

/** Starts the real binary on a free port and waits for the URL it prints. */
export async function serve(
  root: string,
  args: string[],
  env: Record<string, string>,
): Promise<Served> {
  const child = spawn(process.execPath, [HEADROOM_BIN, 'serve', ...args, '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL: ${stderr}`)), 30_000);
    child.stderr!.on('data', () => {
      const m = /at (http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
  return { url, child, stderr: () => stderr };
}

/** Stops a server with Ctrl-C and waits for it to exit. */
export async function stop(served: Served | undefined): Promise<void> {
  if (!served || served.child.exitCode !== null) return;
  await new Promise((resolve) => {
    served.child.on('exit', resolve);
    served.child.kill('SIGINT');
  });
}

/** What a page did that the test checks afterwards: console errors and foreign requests. */
export interface Watch {
  errors: string[];
  foreign: string[];
}

/** Records console errors, page errors and every request to a host other than 127.0.0.1. */
export function watch(page: Page): Watch {
  const w: Watch = { errors: [], foreign: [] };
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    // The one failed request the page expects: /api/scaling answers 404 until the plan's
    // pools are served (the widget then says "autoscaling not configured").
    if (/404/.test(m.text()) && m.location().url.endsWith('/api/scaling')) return;
    w.errors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => w.errors.push(`page error: ${e.message}`));
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (url.protocol === 'data:') return;
    if (url.hostname !== '127.0.0.1') w.foreign.push(r.url());
  });
  return w;
}

/** Waits until every widget left its loading state and the roadmap widgets show data. */
export async function waitForData(page: Page): Promise<void> {
  await page.waitForSelector('#app[data-ready="true"]', { timeout: 30_000 });
  await page.waitForFunction(
    () =>
      document.querySelectorAll('.card-message.is-loading').length === 0 &&
      document.querySelector('#forecast .chart canvas') !== null,
    undefined,
    { timeout: 60_000 },
  );
}
