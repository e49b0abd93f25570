// The management-API path of the rabbitmq source, against a canned local HTTP server that
// answers like RabbitMQ's management plugin (which is not enabled on the test machine's broker).
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HeadroomError } from '../errors.ts';
import { RabbitMqSource } from './rabbitmq.ts';
import type { MetricRequest } from './source.ts';

const CLOCK_MS = 1_700_000_000_000;
/** AMQP is never opened by management-only metrics: a dead port proves it. */
const DEAD_AMQP = 'amqp://watcher:s3cret-pw@127.0.0.1:1/';

/** A realistic `GET /api/queues/%2F/<name>` document (RabbitMQ 3.12, trimmed). */
function queueDocument(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    vhost: '/',
    durable: true,
    auto_delete: false,
    exclusive: false,
    arguments: {},
    node: 'rabbit@localhost',
    state: 'running',
    type: 'classic',
    consumers: 2,
    consumer_capacity: 1,
    consumer_utilisation: 1,
    memory: 55_392,
    messages: 47,
    messages_details: { rate: 1.4 },
    messages_ready: 40,
    messages_ready_details: { rate: 1.2 },
    messages_unacknowledged: 7,
    messages_unacknowledged_details: { rate: 0.2 },
    message_stats: {
      ack: 36_411,
      ack_details: { rate: 27.6 },
      deliver: 36_454,
      deliver_details: { rate: 28 },
      deliver_get: 36_460,
      deliver_get_details: { rate: 28.4 },
      deliver_no_ack: 0,
      deliver_no_ack_details: { rate: 0 },
      publish: 36_469,
      publish_details: { rate: 29.2 },
      redeliver: 3,
      redeliver_details: { rate: 0 },
    },
    ...extra,
  };
}

/** Canned answers by request path. */
const ROUTES: Record<string, { status?: number; body: unknown }> = {
  '/api/queues/%2F/emails': { body: queueDocument('emails') },
  '/api/queues/%2F/idle': {
    body: queueDocument('idle', { message_stats: undefined, messages_unacknowledged: 0 }),
  },
  '/api/queues/%2F/old-shape': { body: queueDocument('old-shape', { message_stats: [] }) },
  '/api/queues/%2F/no-acks': {
    body: queueDocument('no-acks', {
      message_stats: { publish: 5, publish_details: { rate: 0.5 } },
    }),
  },
  '/api/queues/%2F/rates-off': {
    body: queueDocument('rates-off', { message_stats: { publish: 5, ack: 5 } }),
  },
  '/api/queues/%2F/fresh': {
    body: { name: 'fresh', vhost: '/', durable: true, arguments: {}, node: 'rabbit@localhost' },
  },
  '/api/queues/%2F/negative': {
    body: queueDocument('negative', { messages_unacknowledged: -3 }),
  },
  '/api/queues/%2F/nan-rate': {
    body: queueDocument('nan-rate', { message_stats: { ack: 1, ack_details: { rate: 'NaN' } } }),
  },
  '/api/queues/%2F/missing': {
    status: 404,
    body: { error: 'Object Not Found', reason: 'Not Found' },
  },
  '/api/queues/%2F/broken': { status: 500, body: { error: 'internal', reason: 'boom' } },
  '/api/queues/orders/emails': { body: queueDocument('emails', { messages_unacknowledged: 3 }) },
  '/api/queues/%2F/html': { body: '<html>not the API</html>' },
};

let management: { url: string; seen: { path: string; headers: IncomingHttpHeaders }[] };
let closeManagement: () => Promise<void>;
before(async () => {
  const seen: { path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    seen.push({ path, headers: req.headers });
    const route = ROUTES[path];
    if (req.headers.authorization === `Basic ${Buffer.from('nobody:nope').toString('base64')}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":"not_authorised","reason":"Login failed"}');
      return;
    }
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/html' });
      res.end('<html>404</html>');
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': 'application/json' });
    res.end(typeof route.body === 'string' ? route.body : JSON.stringify(route.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  management = { url: `http://127.0.0.1:${port}`, seen };
  closeManagement = async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
});
after(() => closeManagement());

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function metric(name: string, queue: string, field: string): MetricRequest {
  return { name, select: { queue, field } };
}

function mgmtSource(
  metrics: MetricRequest[],
  options: Record<string, unknown> = {},
  now: () => number = () => CLOCK_MS,
): RabbitMqSource {
  return new RabbitMqSource({
    name: 'rabbit',
    options: { url: DEAD_AMQP, management: management.url, ...options },
    metrics,
    now,
  });
}

async function failureOf(queue: string, field: string): Promise<HeadroomError> {
  const source = mgmtSource([metric('m', queue, field)]);
  try {
    const result = await source.collectDetailed(AbortSignal.timeout(5000));
    assert.equal(result.failures.length, 1, `expected a failure, got ${JSON.stringify(result)}`);
    return result.failures[0]!.error;
  } finally {
    await source.close();
  }
}

describe('rabbitmq source: management API', () => {
  test('unacked and the three rates come from the queue document, labelled by queue', async () => {
    const source = mgmtSource([
      metric('unacked', 'emails', 'unacked'),
      metric('in', 'emails', 'publish_rate'),
      metric('out', 'emails', 'deliver_rate'),
      metric('acks', 'emails', 'ack_rate'),
    ]);
    management.seen.length = 0;
    const samples = await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.deepEqual(
      samples.map((s) => [s.metric, s.labels, s.value, s.at]),
      [
        ['unacked', { queue: 'emails' }, 7, CLOCK_MS],
        ['in', { queue: 'emails' }, 29.2, CLOCK_MS],
        ['out', { queue: 'emails' }, 28.4, CLOCK_MS],
        ['acks', { queue: 'emails' }, 27.6, CLOCK_MS],
      ],
    );
    assert.equal(management.seen.length, 1, 'one request per queue per collect');
  });

  test('the default vhost is sent as %2F and credentials default to those of url', async () => {
    management.seen.length = 0;
    const source = mgmtSource([metric('u', 'emails', 'unacked')]);
    await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.equal(management.seen[0]?.path, '/api/queues/%2F/emails');
    const expected = `Basic ${Buffer.from('watcher:s3cret-pw').toString('base64')}`;
    assert.equal(management.seen[0]?.headers.authorization, expected);
  });

  test('the vhost of url selects the queue; management credentials win over url ones', async () => {
    management.seen.length = 0;
    const url = management.url.replace('http://', 'http://monitor:m0n@');
    const source = mgmtSource([metric('u', 'emails', 'unacked')], {
      url: 'amqp://watcher:pw@127.0.0.1:1/orders',
      management: url,
    });
    const samples = await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.equal(samples[0]?.value, 3);
    assert.equal(management.seen[0]?.path, '/api/queues/orders/emails');
    const expected = `Basic ${Buffer.from('monitor:m0n').toString('base64')}`;
    assert.equal(management.seen[0]?.headers.authorization, expected);
  });

  test('a queue without message_stats (no traffic in the window) has rates of 0', async () => {
    const source = mgmtSource([
      metric('in', 'idle', 'publish_rate'),
      metric('acks', 'no-acks', 'ack_rate'),
      metric('old', 'old-shape', 'deliver_rate'),
    ]);
    const samples = await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.deepEqual(
      samples.map((s) => [s.metric, s.value]),
      [
        ['in', 0],
        ['acks', 0],
        ['old', 0],
      ],
    );
  });

  const badValues: [string, string, string, RegExp][] = [
    [
      'counters without rates',
      'rates-off',
      'ack_rate',
      /no ack_details: the server keeps no rates/,
    ],
    ['a queue with no statistics yet', 'fresh', 'unacked', /has no messages_unacknowledged yet/],
    ['a negative count', 'negative', 'unacked', /messages_unacknowledged = -3/],
    ['a rate that is not a number', 'nan-rate', 'ack_rate', /ack_details.rate = "NaN"/],
    ['a page that is not JSON', 'html', 'unacked', /not a queue document/],
  ];
  for (const [name, queue, field, message] of badValues) {
    test(`SOURCE_BAD_VALUE for ${name}`, async () => {
      const error = await failureOf(queue, field);
      assert.equal(error.code, 'SOURCE_BAD_VALUE');
      assert.match(error.message, message);
    });
  }

  test('a missing queue is SOURCE_NOT_FOUND naming queue and vhost, never 0', async () => {
    const error = await failureOf('missing', 'unacked');
    assert.equal(error.code, 'SOURCE_NOT_FOUND');
    assert.match(error.message, /queue 'missing' not found in vhost '\/'/);
  });

  test('a wrong management path (a 404 that is not RabbitMQ) is SOURCE_CONFIG', async () => {
    const source = mgmtSource([metric('u', 'emails', 'unacked')], {
      management: `${management.url}/not-the-api`,
    });
    const result = await source.collectDetailed(AbortSignal.timeout(5000));
    await source.close();
    assert.equal(result.failures[0]?.error.code, 'SOURCE_CONFIG');
  });

  test('refused credentials are SOURCE_CONFIG and the password is never shown', async () => {
    const url = management.url.replace('http://', 'http://nobody:nope@');
    const source = mgmtSource([metric('u', 'emails', 'unacked')], { management: url });
    const result = await source.collectDetailed(AbortSignal.timeout(5000));
    await source.close();
    const error = result.failures[0]!.error;
    assert.equal(error.code, 'SOURCE_CONFIG');
    assert.match(error.message, /refused the credentials \(HTTP 401\)/);
    assert.doesNotMatch(JSON.stringify(error.toJSON()), /nope/);
  });

  test('HTTP 500 is SOURCE_UNAVAILABLE with the reason', async () => {
    const error = await failureOf('broken', 'unacked');
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.match(error.message, /HTTP 500: boom/);
  });

  test('a management API that is down is SOURCE_UNAVAILABLE naming its URL', async () => {
    const port = await freePort();
    const source = mgmtSource([metric('u', 'emails', 'unacked')], {
      management: `http://127.0.0.1:${port}`,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), {
      code: 'SOURCE_UNAVAILABLE',
      message: new RegExp(
        `management API at http://127.0.0.1:${port} cannot be reached \\(ECONNREFUSED\\)`,
      ),
    });
    await source.close();
  });

  test('one bad queue does not hide the others, and health names it', async () => {
    const source = mgmtSource([
      metric('good', 'emails', 'unacked'),
      metric('bad', 'missing', 'unacked'),
    ]);
    const samples = await source.collect(AbortSignal.timeout(5000));
    await source.close();
    assert.deepEqual(
      samples.map((s) => s.metric),
      ['good'],
    );
    assert.equal(source.health().state, 'error');
    assert.match(source.health().lastError ?? '', /\(bad\)/);
  });
});
