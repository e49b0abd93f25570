// Unit tests of the rabbitmq source without a broker: validation, and reconnect backoff against
// local TCP servers that are not RabbitMQ. The management API is tested in
// rabbitmq-management.test.ts, the AMQP path against the real RabbitMQ in
// test/integration/rabbitmq.test.ts.
import assert from 'node:assert/strict';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { createSource } from './index.ts';
import { rabbitmqKind, RabbitMqSource } from './rabbitmq.ts';
import type { MetricRequest } from './source.ts';

const CLOCK_MS = 1_700_000_000_000;
const DEAD_AMQP = 'amqp://watcher:s3cret-pw@127.0.0.1:1/';

function metric(name: string, queue: string, field: string): MetricRequest {
  return { name, select: { queue, field } };
}

describe('rabbitmq source: configuration', () => {
  const options = { url: 'amqp://127.0.0.1:5672/' };
  const paths = (opts: Record<string, unknown>, select?: Record<string, unknown>) =>
    rabbitmqKind.validate(opts, select).map((i) => i.path);

  test('ready and consumers need only url; queue and field are required', () => {
    assert.deepEqual(paths(options, { queue: 'q', field: 'ready' }), []);
    assert.deepEqual(paths(options, { queue: 'q', field: 'consumers' }), []);
    assert.deepEqual(paths(options, { field: 'ready' }), ['queue']);
    assert.deepEqual(paths(options, { queue: 'q' }), ['field']);
    assert.deepEqual(paths(options, { queue: '', field: 'ready' }), ['queue']);
  });

  test('management fields without `management` name the option they need', () => {
    for (const field of ['unacked', 'publish_rate', 'deliver_rate', 'ack_rate']) {
      const issues = rabbitmqKind.validate(options, { queue: 'q', field });
      assert.equal(issues.length, 1, field);
      assert.equal(issues[0]!.path, 'field');
      assert.match(issues[0]!.message, /set the source's `management` option/);
    }
    const withManagement = { ...options, management: 'http://127.0.0.1:15672' };
    assert.deepEqual(paths(withManagement, { queue: 'q', field: 'ack_rate' }), []);
  });

  test('an unknown field is named with a guess and the valid fields', () => {
    const [issue] = rabbitmqKind.validate(options, { queue: 'q', field: 'redy' });
    assert.equal(issue?.path, 'field');
    assert.match(issue?.message ?? '', /unknown rabbitmq field "redy" \(did you mean "ready"\?\)/);
  });

  test('bad options are named: url scheme, management scheme, timeout, unknown keys', () => {
    assert.deepEqual(paths({ url: 'http://127.0.0.1:5672' }), ['url']);
    assert.deepEqual(paths({}), ['url']);
    assert.deepEqual(paths({ ...options, management: 'amqp://x' }), ['management']);
    assert.deepEqual(paths({ ...options, timeout: 'soon' }), ['timeout']);
    assert.deepEqual(paths({ ...options, vhost: '/' }), ['vhost']);
  });

  test('createSource with a management field but no management throws SOURCE_CONFIG at the metric', () => {
    assert.throws(
      () =>
        createSource('rabbitmq', {
          name: 'rabbit',
          options,
          metrics: [metric('lag', 'q', 'unacked')],
          now: Date.now,
        }),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'metrics.lag.field',
    );
  });
});

/** A TCP server that is not RabbitMQ: it counts connections and drops or ignores them. */
async function fakeBroker(mode: 'drop' | 'silent'): Promise<{
  url: string;
  attempts: () => number;
  close: () => Promise<void>;
}> {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    attempts += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (mode === 'drop') socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `amqp://watcher:s3cret-pw@127.0.0.1:${port}/`,
    attempts: () => attempts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A port in [from, to] that nothing listens on. */
async function freePortIn(from: number, to: number): Promise<number> {
  for (let port = from; port <= to; port++) {
    const probe = createNetServer();
    const free = await new Promise<boolean>((resolve) => {
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (free) {
      await new Promise((resolve) => probe.close(resolve));
      return port;
    }
  }
  throw new Error(`no free port in ${from}..${to}`);
}

describe('rabbitmq source: reconnect backoff', () => {
  test('after a failed connect the source fails fast until the wait is over, then retries', async () => {
    const broker = await fakeBroker('drop');
    let nowMs = CLOCK_MS;
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: broker.url },
      metrics: [metric('depth', 'q', 'ready')],
      now: () => nowMs,
    });
    const collect = () => source.collect(AbortSignal.timeout(5000));
    try {
      await assert.rejects(collect(), {
        code: 'SOURCE_UNAVAILABLE',
        message: /next attempt in 1 s$/,
      });
      assert.equal(broker.attempts(), 1);
      nowMs += 500;
      const startedMs = performance.now();
      await assert.rejects(collect(), { message: /next attempt in 500 ms$/ });
      assert.ok(performance.now() - startedMs < 50, 'did not fail fast');
      assert.equal(broker.attempts(), 1, 'attempted while backing off');
      nowMs += 500;
      await assert.rejects(collect(), { message: /next attempt in 2 s$/ });
      assert.equal(broker.attempts(), 2);
      nowMs += 2000;
      await assert.rejects(collect(), { message: /next attempt in 4 s$/ });
      assert.equal(broker.attempts(), 3);
    } finally {
      await source.close();
      await broker.close();
    }
  });

  test('the wait never exceeds the plan interval: a broker is retried every interval', async () => {
    const broker = await fakeBroker('drop');
    let nowMs = CLOCK_MS;
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: broker.url },
      metrics: [metric('depth', 'q', 'ready')],
      now: () => nowMs,
      intervalMs: 1500,
    });
    const collect = () => source.collect(AbortSignal.timeout(5000));
    try {
      const waits: string[] = [];
      for (let i = 0; i < 4; i++) {
        const error = await collect().then(
          () => assert.fail('collected'),
          (e: Error) => e,
        );
        waits.push(/next attempt in (.*)$/.exec(error.message)?.[1] ?? error.message);
        nowMs += 1500;
      }
      assert.deepEqual(waits, ['1 s', '1.5 s', '1.5 s', '1.5 s']);
      assert.equal(broker.attempts(), 4);
    } finally {
      await source.close();
      await broker.close();
    }
  });

  test('errors name host:port and vhost, never the credentials', async () => {
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: DEAD_AMQP },
      metrics: [metric('depth', 'q', 'ready')],
      now: Date.now,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.match(e.message, /RabbitMQ at 127\.0\.0\.1:1 \(vhost \/\) cannot be reached/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /s3cret|watcher/);
      return true;
    });
    await source.close();
  });

  test('a refused connection on a port whose number holds 403 is not mistaken for a refused login', async () => {
    // amqplib's message then reads "connect ECONNREFUSED 127.0.0.1:403xx".
    const port = await freePortIn(40300, 40399);
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: `amqp://guest:guest@127.0.0.1:${port}/` },
      metrics: [metric('depth', 'q', 'ready')],
      now: Date.now,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), {
      code: 'SOURCE_UNAVAILABLE',
      message: /cannot be reached \(ECONNREFUSED\)/,
    });
    await source.close();
  });

  test('a broker that never answers: abort rejects within 100 ms, close() does not wait', async () => {
    const broker = await fakeBroker('silent');
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: broker.url, timeout: '300ms' },
      metrics: [metric('depth', 'q', 'ready')],
      now: Date.now,
    });
    try {
      const controller = new AbortController();
      const collecting = source.collect(controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const startedMs = performance.now();
      controller.abort();
      await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE', message: /was aborted/ });
      assert.ok(performance.now() - startedMs < 100, 'abort took too long');
      const closeStartedMs = performance.now();
      await source.close();
      assert.ok(performance.now() - closeStartedMs < 100, 'close waited for the handshake');
    } finally {
      await broker.close();
    }
  });

  test('the source timeout cuts off a broker that never answers', async () => {
    const broker = await fakeBroker('silent');
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: broker.url, timeout: '200ms' },
      metrics: [metric('depth', 'q', 'ready')],
      now: Date.now,
    });
    try {
      const startedMs = performance.now();
      await assert.rejects(source.collect(AbortSignal.timeout(5000)), {
        code: 'SOURCE_UNAVAILABLE',
        message: /timed out/,
      });
      assert.ok(performance.now() - startedMs < 400);
    } finally {
      await source.close();
      await broker.close();
    }
  });
});
