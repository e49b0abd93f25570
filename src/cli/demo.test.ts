import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HEADROOM_BIN, runCli } from '../../test/helpers/cli.ts';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-demo-cli-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Transition {
  trigger: string;
  from: string;
  to: string;
}
interface Pool {
  name: string;
  active: boolean;
  decisions: { from: number; to: number; reason: string }[];
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url);
  assert.equal(res.status, 200, `${url} answered ${res.status}`);
  return (await res.json()) as T;
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('headroom demo', () => {
  it('runs the simulated IRISX through the real pipeline: alerts fire, workers scale, forecasts appear; Ctrl-C leaves nothing', async () => {
    const tmp = mkdtempSync(join(dir, 'tmp-'));
    // The default speed, a simulated day a minute, as a user runs it: each loop step is 6
    // simulated minutes, fine enough for a campaign's backlog to stay pending for its `for`
    // and fire. (At two days a minute a step is 12 minutes, and whether a campaign is seen
    // pending, then firing, depends on how the steps fall on it.) The demo starts at the time
    // of day it is run; the email campaign at 14:00 fires on the first simulated day, within
    // a minute and a half at worst.
    const child = spawn(process.execPath, [HEADROOM_BIN, 'demo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', TMPDIR: tmp },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      const base = await until('the dashboard URL', 60_000, () =>
        Promise.resolve(/dashboard: (http:\/\/127\.0\.0\.1:\d+)\//.exec(err)?.[1]),
      );
      assert.match(err, /recorded 30 days of history/);
      const status = await json<{ plan: string; sources: Record<string, { state: string }> }>(
        `${base}/api/status`,
      );
      assert.equal(status.plan, 'irisx');
      // The simulated system feeds the plan's own sources.
      assert.deepEqual(Object.keys(status.sources).sort(), ['db', 'nats', 'prom']);

      const fired = await until('an alert to go pending, then firing', 150_000, async () => {
        const alerts = await json<Transition[]>(`${base}/api/alerts?limit=200`);
        const firing = alerts.find((a) => a.from === 'pending' && a.to === 'firing');
        return firing && alerts.some((a) => a.trigger === firing.trigger && a.to === 'pending')
          ? firing
          : undefined;
      });
      assert.match(fired.trigger, /queue-depth|consumer-lag|companies|worker-cpu/);

      const scaled = await until('a pool to scale out', 60_000, async () => {
        const { pools } = await json<{ pools: Pool[] }>(`${base}/api/scaling`);
        return pools.flatMap((p) => p.decisions).find((d) => d.to > d.from);
      });
      assert.match(scaled.reason, /target-latency/);

      const forecast = await until('the first forecast', 60_000, async () => {
        const res = await fetch(`${base}/api/forecast`);
        return res.status === 200
          ? ((await res.json()) as { breaking_points: { at?: number }[] })
          : undefined;
      });
      assert.ok(forecast.breaking_points.some((p) => p.at !== undefined));
      const metrics = await (await fetch(`${base}/metrics`)).text();
      assert.match(metrics, /headroom_desired_replicas\{plan="irisx",pool="email-worker"/);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, err);
    assert.match(err, /stopping/);
    // (tsx keeps its compile cache in TMPDIR too.)
    assert.deepEqual(
      readdirSync(tmp).filter((f) => f.startsWith('headroom-demo-')),
      [],
      'the demo deletes its store on exit',
    );
  });

  it('names a bad flag', async () => {
    const r = await runCli(['demo', '--speed', 'fast']);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /--speed "fast" is not a positive number/);
  });
});
