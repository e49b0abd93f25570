import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HEADROOM_BIN, runCli } from '../../test/helpers/cli.ts';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'headroom-serve-cli-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('headroom serve', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    const r = await runCli(
      ['serve', '--plan', 'examples/local.yaml', '--host', '0.0.0.0', '--store', join(dir, 'a.db')],
      {
        env: { HEADROOM_TOKEN: '' },
      },
    );
    assert.equal(r.code, 64);
    assert.match(r.stderr, /without an access token\n\s+hint: set HEADROOM_TOKEN/);
  });

  it('serves the plan on a free port, answers /api/status, and stops cleanly on Ctrl-C', async () => {
    const child = spawn(
      process.execPath,
      [
        HEADROOM_BIN,
        'serve',
        '--plan',
        'examples/local.yaml',
        '--port',
        '0',
        '--store',
        join(dir, 'b.db'),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed: ${stderr}`)), 30_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /at (http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(stderr);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    let status: { plan: string; stages: Record<string, { state: string }> } | undefined;
    for (let i = 0; i < 50; i++) {
      status = (await (await fetch(`${url}/api/status`)).json()) as typeof status;
      if (status!.stages.evaluate!.state === 'ok') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(status?.plan, 'local');
    assert.equal(status?.stages.evaluate?.state, 'ok');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /headroom_trigger_status\{plan="local"/);
    const code = await new Promise<number | null>((resolve) => {
      child.on('exit', resolve);
      child.kill('SIGINT');
    });
    assert.equal(code, 0, stderr);
  });
});
