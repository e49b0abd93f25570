// The notify stage end to end, as a user runs it: `headroom serve` on a plan whose trigger
// watches a real Redis list (a random key on 127.0.0.1:6379, deleted after), notifying a real
// Prometheus Alertmanager (Debian's, private, on a free port), a real SMTP relay (smtp-server)
// for critical alerts only, a webhook that is down at first, the log, and a Slack channel whose
// URL is not set. The list grows past the warning, then the critical threshold, then empties.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { HEADROOM_BIN } from '../helpers/cli.ts';
import { startAlertmanager, type PrivateServer } from '../helpers/servers.ts';

const KEY = `hr-it-notify-${randomBytes(4).toString('hex')}`;
const redis = new Redis('redis://127.0.0.1:6379/0', { lazyConnect: true });

let dir = '';
let am: PrivateServer;
let hook: Server;
let hookUp = false;
const hookSeen: { state: string; severity: string; trigger: string }[] = [];
let smtp: SMTPServer;
let smtpPort = 0;
const mails: { to: string[]; subject: string }[] = [];
let child: ChildProcess | undefined;
let stderr = '';

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)),
  );
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${stderr}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface NotifyDoc {
  channels: {
    channel: string;
    kind: string;
    state: string;
    sent: number;
    failed: number;
    queued: number;
    last_error?: string;
  }[];
  problems: { channel: string; kind: string; message: string }[];
}

describe('notify: headroom serve → Alertmanager, SMTP, webhook, log', () => {
  before(async () => {
    await redis.connect();
    dir = mkdtempSync(join(tmpdir(), 'headroom-notify-it-'));
    am = await startAlertmanager();
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (!hookUp) {
          res.writeHead(503).end('maintenance');
          return;
        }
        hookSeen.push(JSON.parse(body) as (typeof hookSeen)[number]);
        res.writeHead(204).end();
      });
    });
    const hookPort = await listen(hook);
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (c: Buffer) => (raw += c.toString()));
        stream.on('end', () => {
          mails.push({
            to: session.envelope.rcptTo.map((r) => r.address),
            subject: /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '',
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    smtpPort = ((smtp as unknown as { server: Server }).server.address() as { port: number }).port;

    const plan = join(dir, 'queue.yaml');
    writeFileSync(
      plan,
      [
        'version: 1',
        'name: notify-it',
        'interval: 1s',
        'sources:',
        '  q: { kind: redis-list, url: "redis://127.0.0.1:6379/0" }',
        'metrics:',
        `  depth: { from: q, key: "${KEY}", field: length }`,
        'triggers:',
        '  - name: backlog',
        '    expr: depth',
        '    warning: { when: "> 5", action: "add a worker" }',
        '    critical: { when: "> 50", action: "add five workers" }',
        'notify:',
        '  - { kind: log }',
        '  - { kind: webhook, name: hook, url: "${HOOK_URL}" }',
        '  - { kind: alertmanager, url: "${AM_URL}" }',
        '  - { kind: email, name: oncall, smtp: "${SMTP_URL}", to: oncall@example.com, severities: [critical] }',
        '  - { kind: slack, url: "${SLACK_WEBHOOK_URL:-}" }',
        '',
      ].join('\n'),
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      NO_COLOR: '1',
      HOOK_URL: `http://127.0.0.1:${hookPort}/alerts`,
      AM_URL: `http://127.0.0.1:${am.port}`,
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    };
    delete env.SLACK_WEBHOOK_URL;
    child = spawn(
      process.execPath,
      [HEADROOM_BIN, 'serve', '--plan', plan, '--port', '0', '--store', join(dir, 'h.db')],
      { stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  });

  after(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGINT');
      await exited;
    }
    await redis.del(KEY);
    redis.disconnect();
    await am.stop();
    hook.closeAllConnections();
    await new Promise((r) => hook.close(r));
    await new Promise<void>((r) => smtp.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('fires, retries the webhook until it is back, pages by email on critical only, resolves everywhere', async () => {
    const url = await until(
      'the serve URL',
      async () => /at (http:\/\/127\.0\.0\.1:\d+)\/api\/status/.exec(stderr)?.[1],
    );
    assert.match(stderr, /notify: notify\[4\]\.url: is empty because SLACK_WEBHOOK_URL is not set/);
    const notify = async (): Promise<NotifyDoc> =>
      (await (await fetch(`${url}/api/notify`)).json()) as NotifyDoc;
    const amAlerts = async (): Promise<
      { labels: Record<string, string>; status: { state: string } }[]
    > => (await (await fetch(`http://127.0.0.1:${am.port}/api/v2/alerts`)).json()) as never;

    // Warning: the log and Alertmanager get it; the webhook answers 503 and its event waits.
    await redis.rpush(KEY, ...Array.from({ length: 10 }, (_, i) => `job-${i}`));
    await until('the warning in Alertmanager', async () => {
      const alerts = await amAlerts();
      return alerts.some((a) => a.labels.alertname === 'backlog' && a.labels.severity === 'warning')
        ? true
        : undefined;
    });
    const [alert] = (await amAlerts()).filter((a) => a.labels.alertname === 'backlog');
    assert.deepEqual([alert!.labels.plan, alert!.status.state], ['notify-it', 'active']);
    assert.match(
      stderr,
      /notify \[FIRING\] warning backlog \{queue="hr-it-notify-[0-9a-f]+"\} = 10 \(plan notify-it\): add a worker/,
    );
    const down = await until('the webhook failing', async () => {
      const doc = await notify();
      const h = doc.channels.find((c) => c.channel === 'hook');
      return h && h.failed > 0 ? doc : undefined;
    });
    const h = down.channels.find((c) => c.channel === 'hook')!;
    assert.deepEqual([h.state, h.sent, h.queued], ['err', 0, 1]);
    assert.match(h.last_error!, /answered HTTP 503: maintenance/);
    assert.deepEqual(
      down.problems.map((p) => [p.channel, p.kind]),
      [['slack', 'disabled']],
    );
    const status = (await (await fetch(`${url}/api/status`)).json()) as {
      stages: Record<string, { state: string; lastError?: string }>;
    };
    assert.equal(status.stages.notify!.state, 'err');
    assert.equal(mails.length, 0);

    // The webhook comes back: the waiting event is delivered, nothing was lost.
    hookUp = true;
    await until('the webhook to catch up', async () => (hookSeen.length >= 1 ? true : undefined));
    assert.deepEqual(
      [hookSeen[0]!.state, hookSeen[0]!.severity, hookSeen[0]!.trigger],
      ['firing', 'warning', 'backlog'],
    );

    // Critical: the on-call mail goes out.
    await redis.rpush(KEY, ...Array.from({ length: 60 }, (_, i) => `job-b${i}`));
    await until('the critical mail', async () => (mails.length >= 1 ? true : undefined));
    assert.deepEqual(mails[0], {
      to: ['oncall@example.com'],
      subject: '[FIRING] critical backlog (plan notify-it)',
    });

    // Drained: every channel hears the resolution; Alertmanager shows no active backlog alert.
    await redis.del(KEY);
    await until('the resolution mail', async () => (mails.length >= 2 ? true : undefined));
    assert.equal(mails[1]!.subject, '[RESOLVED] critical backlog (plan notify-it)');
    await until('Alertmanager to resolve', async () =>
      (await amAlerts()).some((a) => a.labels.alertname === 'backlog') ? undefined : true,
    );
    await until('the webhook resolution', async () =>
      hookSeen.some((e) => e.state === 'resolved' && e.severity === 'critical') ? true : undefined,
    );
    const states = hookSeen.map((e) => `${e.state} ${e.severity}`);
    assert.ok(
      states.indexOf('firing critical') < states.indexOf('resolved critical'),
      states.join(', '),
    );
    const final = await notify();
    const hookView = final.channels.find((c) => c.channel === 'hook')!;
    assert.deepEqual([hookView.state, hookView.queued], ['ok', 0]);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(
      metrics,
      /headroom_notifications_total\{plan="notify-it",channel="oncall",kind="email",outcome="sent"\} 2/,
    );
  });
});
