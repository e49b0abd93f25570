import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('reloads an edited plan, and keeps the running one through a bad edit', async () => {
    const file = join(dir, 'me.yaml');
    const planText = (triggers: string): string =>
      `version: 1\nname: me\ninterval: 1s\nsources:\n  me: { kind: host }\nmetrics:\n  mem: { from: me, field: memory_utilization }\ntriggers:\n${triggers}`;
    writeFileSync(file, planText('  - { name: mem, expr: mem, warning: { when: "> 99.9%" } }\n'));
    const child = spawn(
      process.execPath,
      [HEADROOM_BIN, 'serve', '--plan', file, '--port', '0', '--store', join(dir, 'c.db')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const until = async <T>(f: () => Promise<T | undefined>, what: string): Promise<T> => {
      for (let i = 0; i < 100; i++) {
        const v = await f().catch(() => undefined);
        if (v !== undefined) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`timed out waiting for ${what}: ${stderr}`);
    };
    try {
      const url = await until(
        async () => /at (http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(stderr)?.[1],
        'the URL',
      );
      type Status = {
        triggers: Record<string, number>;
        plan_errors: { code: string; line: number }[];
      };
      const status = async (): Promise<Status> =>
        (await (await fetch(`${url}/api/status`)).json()) as Status;
      const total = (s: Status): number => Object.values(s.triggers).reduce((a, b) => a + b, 0);
      await until(
        async () => (((await status()).triggers.ok ?? 0) >= 2 ? true : undefined),
        'the first cycle',
      );
      writeFileSync(file, planText('  - { name: mem, expr: mem, warning: { when: "> 5 GB" } }\n'));
      const broken = await until(async () => {
        const s = await status();
        return s.plan_errors.length ? s : undefined;
      }, 'the bad edit to be reported');
      assert.equal(broken.plan_errors[0]!.code, 'PLAN_UNIT');
      assert.equal(broken.plan_errors[0]!.line, 9);
      assert.equal(total(broken), 2, 'still the running plan: mem and source-down');
      writeFileSync(
        file,
        planText(
          '  - { name: mem, expr: mem, warning: { when: "> 99.9%" } }\n  - { name: mem2, expr: mem, critical: { when: "> 99.99%" } }\n',
        ),
      );
      const fixed = await until(async () => {
        const s = await status();
        return s.plan_errors.length === 0 && total(s) === 3 ? s : undefined;
      }, 'the fixed plan to run');
      assert.equal(fixed.plan_errors.length, 0);
    } finally {
      const code = await new Promise<number | null>((resolve) => {
        child.on('exit', resolve);
        child.kill('SIGINT');
      });
      assert.equal(code, 0, stderr);
    }
  });

  it("never shows a secret from the plan's environment in a response, /metrics or its log", async () => {
    const secret = 's3cr3t-hunter2';
    const file = join(dir, 'secrets.yaml');
    writeFileSync(
      file,
      `version: 1\nname: secrets\ninterval: 1s\nsources:\n  db: { kind: postgres, url: "\${SECRET_DB_URL}", timeout: 1s }\n  web: { kind: http-probe, url: "http://127.0.0.1:9/health", headers: { Authorization: "Bearer \${SECRET_TOKEN}" }, timeout: 1s }\nmetrics:\n  conns: { from: db, field: connections }\n  up: { from: web, field: up }\ncomponents:\n  pg: { capacity: { connections: 100 conn }, usage: { connections: conns } }\ntriggers:\n  - { name: conns, expr: pg.connections.utilization, warning: { when: "> 70%" } }\n  - { name: up, expr: up, critical: { when: "< 1" } }\n`,
    );
    const child = spawn(
      process.execPath,
      [HEADROOM_BIN, 'serve', '--plan', file, '--port', '0', '--store', join(dir, 's.db')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: {
          ...process.env,
          NO_COLOR: '1',
          SECRET_DB_URL: `postgres://admin:${secret}@127.0.0.1:9/db`,
          SECRET_TOKEN: secret,
        },
      },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      let url: string | undefined;
      for (let i = 0; i < 300 && !url; i++) {
        url = /at (http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(stderr)?.[1];
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(url, stderr);
      // Let the sources fail a few times, and the first roadmap be built.
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${url}/api/forecast`);
        if (res.status === 200) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const routes = [
        'status',
        'triggers',
        'alerts',
        'components',
        'forecast',
        'tiers',
        'costs',
        'checklist',
        'scaling',
        'openapi.json',
      ];
      for (const route of routes) {
        const body = await (await fetch(`${url}/api/${route}`)).text();
        assert.ok(!body.includes(secret), `/api/${route} shows the secret: ${body.slice(0, 300)}`);
      }
      const status = await (await fetch(`${url}/api/status`)).text();
      assert.match(status, /"state":"err"/, 'the failing sources are reported');
      assert.ok(!(await (await fetch(`${url}/metrics`)).text()).includes(secret));
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.on('close', r));
    }
    assert.ok(!stderr.includes(secret), `the log shows the secret: ${stderr}`);
  });
});
