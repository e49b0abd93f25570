import assert from 'node:assert/strict';
import { createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { EmailNotifier, emailMessage } from './email.ts';
import type { AlertEvent } from './notifier.ts';

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);
const EVENT: AlertEvent = {
  plan: 'cfi',
  trigger: 'api-cpu',
  severity: 'warning',
  state: 'firing',
  labels: { container: 'api-1' },
  value: 0.82,
  action: 'Add a container',
  at: AT,
  since: AT - 300_000,
};

interface Received {
  from: string;
  to: string[];
  user?: string;
  raw: string;
}

/** A real SMTP server on 127.0.0.1 (smtp-server, nodemailer's own) that keeps what it gets. */
async function startRelay(): Promise<{ port: number; mail: Received[]; close(): Promise<void> }> {
  const mail: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 's3cr3t-pw') {
        callback(null, { user: auth.username });
      } else callback(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, callback) {
      if (address.address.endsWith('@blocked.example.com')) {
        callback(new Error('mailbox unavailable'));
      } else callback();
    },
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
      stream.on('end', () => {
        mail.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          ...(typeof session.user === 'string' ? { user: session.user } : {}),
          raw,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = (server as unknown as { server: TcpServer }).server.address() as {
    port: number;
  };
  return { port, mail, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

let relay: Awaited<ReturnType<typeof startRelay>>;
before(async () => (relay = await startRelay()));
after(() => relay.close());

describe('email notifier', () => {
  it('formats a subject and a plain-text body', () => {
    const { subject, text } = emailMessage(EVENT);
    assert.equal(subject, '[FIRING] warning api-cpu (plan cfi)');
    assert.match(text, /^\[FIRING\] warning api-cpu \{container="api-1"\} = 0\.82 \(plan cfi\)/);
    assert.match(text, /Active since: 2025-01-06T08:55:00\.000Z/);
    assert.match(text, /Action: Add a container/);
    const resolved = emailMessage({ ...EVENT, state: 'resolved' });
    assert.equal(resolved.subject, '[RESOLVED] warning api-cpu (plan cfi)');
    assert.doesNotMatch(resolved.text, /Action:/);
  });

  it('delivers through a real SMTP relay, logging in with the URL credentials', async () => {
    relay.mail.length = 0;
    const email = new EmailNotifier({
      smtp: `smtp://alerts:s3cr3t-pw@127.0.0.1:${relay.port}`,
      to: ['ops@example.com', 'cto@example.com'],
      from: 'headroom <headroom@example.com>',
    });
    await email.send(EVENT);
    assert.equal(relay.mail.length, 1);
    const [m] = relay.mail;
    assert.equal(m!.from, 'headroom@example.com');
    assert.deepEqual(m!.to, ['ops@example.com', 'cto@example.com']);
    assert.equal(m!.user, 'alerts');
    assert.match(m!.raw, /^Subject: \[FIRING\] warning api-cpu \(plan cfi\)\r?$/m);
    assert.match(m!.raw, /Action: Add a container/);
  });

  it('names the relay and its reply on a refused login, never the password', async () => {
    const email = new EmailNotifier({
      name: 'p2',
      smtp: `smtp://alerts:wrong-pw@127.0.0.1:${relay.port}`,
      to: ['ops@example.com'],
    });
    await assert.rejects(email.send(EVENT), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`^email p2: the SMTP relay 127\\.0\\.0\\.1:${relay.port}`),
      );
      assert.match(err.message, /Invalid username or password/);
      assert.doesNotMatch(err.message, /wrong-pw/);
      return true;
    });
  });

  it('reports a rejected recipient', async () => {
    const email = new EmailNotifier({
      smtp: `smtp://127.0.0.1:${relay.port}`,
      to: ['ops@blocked.example.com'],
    });
    await assert.rejects(email.send(EVENT), /mailbox unavailable/);
  });

  it('reports a relay that is down, and one that never greets, within the timeout', async () => {
    const down = new EmailNotifier({ smtp: 'smtp://127.0.0.1:1', to: ['ops@example.com'] });
    await assert.rejects(down.send(EVENT), /SMTP relay 127\.0\.0\.1:1 .*ECONNREFUSED/);

    const silent = createTcpServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const mute = new EmailNotifier({
        smtp: `smtp://127.0.0.1:${port}`,
        to: ['ops@example.com'],
        timeoutMs: 300,
      });
      const started = Date.now();
      await assert.rejects(mute.send(EVENT), /SMTP relay/);
      assert.ok(Date.now() - started < 5_000);
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
