import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ActuatorError } from './actuator.ts';
import { WebhookActuator, type WebhookPayload } from './webhook.ts';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: WebhookPayload;
}

const received: Received[] = [];
let base = '';
let server: Server;

/** Paths: /ok (204), /fail (500 with a body), /moved (302), /slow (never answers). */
function handle(req: IncomingMessage, res: ServerResponse): void {
  let text = '';
  req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  req.on('end', () => {
    received.push({
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(text || '{}') as WebhookPayload,
    });
    if (req.url === '/slow') return;
    if (req.url === '/fail') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('deploy API: quota exceeded\n');
    } else if (req.url === '/moved') {
      res.writeHead(302, { location: '/ok' });
      res.end();
    } else {
      res.writeHead(204);
      res.end();
    }
  });
}

before(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** A loopback port nothing listens on. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const AT = Date.UTC(2025, 0, 6, 9, 0, 0);

describe('webhook actuator', () => {
  it('POSTs {pool, replicas, reason, at} as JSON with the bearer token', async () => {
    received.length = 0;
    const hook = new WebhookActuator({
      pool: 'sms-worker',
      url: `${base}/ok`,
      token: 's3cret',
      now: () => AT,
      initial: 1,
    });
    assert.equal(await hook.current(), 1);
    await hook.scale(5, 'target-latency:\nλ 2/s → 5');
    assert.equal(await hook.current(), 5);
    const [r] = received;
    assert.equal(r!.method, 'POST');
    assert.equal(r!.path, '/ok');
    assert.equal(r!.headers['content-type'], 'application/json');
    assert.equal(r!.headers.authorization, 'Bearer s3cret');
    assert.deepEqual(r!.body, {
      pool: 'sms-worker',
      replicas: 5,
      reason: 'target-latency: λ 2/s → 5',
      at: '2025-01-06T09:00:00.000Z',
    });
    assert.equal(hook.status().lastScale?.replicas, 5);
    await hook.close();
  });

  it('fails on a non-2xx answer with the status and the body, without the token', async () => {
    const hook = new WebhookActuator({
      pool: 'sms-worker',
      url: `${base}/fail`,
      token: 's3cret',
    });
    await assert.rejects(hook.scale(3, 'r'), (err: unknown) => {
      assert.ok(err instanceof ActuatorError);
      assert.equal(
        err.message,
        `webhook actuator of sms-worker: ${base}/fail answered HTTP 500: deploy API: quota exceeded`,
      );
      assert.doesNotMatch(err.message, /s3cret/);
      return true;
    });
    assert.equal(await hook.current(), 0, 'a refused change is not remembered');
    assert.match(hook.status().lastError!.message, /HTTP 500/);
  });

  it('does not follow redirects', async () => {
    const hook = new WebhookActuator({ pool: 'p', url: `${base}/moved` });
    await assert.rejects(hook.scale(1, 'r'), /HTTP 302 \(redirects are not followed\)/);
  });

  it('gives up after its timeout, and names an unreachable endpoint', async () => {
    const slow = new WebhookActuator({ pool: 'p', url: `${base}/slow`, timeoutMs: 200 });
    await assert.rejects(slow.scale(1, 'r'), /\/slow did not answer within 0.2s/);
    const port = await closedPort();
    const closed = new WebhookActuator({ pool: 'p', url: `http://127.0.0.1:${port}/hook` });
    await assert.rejects(
      closed.scale(1, 'r'),
      new RegExp(`cannot reach http://127\\.0\\.0\\.1:${port}/hook: ECONNREFUSED`),
    );
  });

  it('keeps a password in the URL out of messages, sending it as basic auth', async () => {
    received.length = 0;
    const url = new URL(`${base}/fail`);
    url.username = 'ops';
    url.password = 'hunter2';
    const hook = new WebhookActuator({ pool: 'p', url: url.href });
    await assert.rejects(hook.scale(1, 'r'), (err: unknown) => {
      assert.doesNotMatch((err as Error).message, /hunter2|ops@/);
      return true;
    });
    assert.equal(
      received[0]!.headers.authorization,
      `Basic ${Buffer.from('ops:hunter2').toString('base64')}`,
    );
  });
});
