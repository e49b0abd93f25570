import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import {
  checkedReplies,
  parseRedisUrl,
  RedisConnection,
  type RedisTarget,
} from './redis-connection.ts';

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers (a stuck Redis). */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function target(url: string): RedisTarget {
  const parsed = parseRedisUrl(url);
  assert.ok(typeof parsed !== 'string', parsed as string);
  return parsed;
}

/** Runs `promise`, expects a HeadroomError, and returns it with how long it took (ms). */
async function failure(promise: Promise<unknown>): Promise<{ error: HeadroomError; ms: number }> {
  const startedMs = performance.now();
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HeadroomError, `not catalogued: ${String(error)}`);
    return { error, ms: performance.now() - startedMs };
  }
  assert.fail('expected a rejection');
}

describe('parseRedisUrl', () => {
  const cases: [string, string, RedisTarget | RegExp][] = [
    [
      'host and port, db defaults to 0',
      'redis://127.0.0.1:6379',
      { url: 'redis://127.0.0.1:6379', address: '127.0.0.1:6379', db: 0 },
    ],
    [
      'port defaults to 6379, db from the path',
      'redis://cache.internal/3',
      { url: 'redis://cache.internal/3', address: 'cache.internal:6379', db: 3 },
    ],
    [
      'TLS scheme',
      'rediss://10.0.0.1:6380/0',
      { url: 'rediss://10.0.0.1:6380/0', address: '10.0.0.1:6380', db: 0 },
    ],
    [
      'credentials stay out of the address',
      'redis://app:s3cret@127.0.0.1:6379/1',
      { url: 'redis://app:s3cret@127.0.0.1:6379/1', address: '127.0.0.1:6379', db: 1 },
    ],
    ['http scheme is refused', 'http://127.0.0.1:6379', /redis:\/\/ or rediss:\/\//],
    ['a path that is not a number is refused', 'redis://127.0.0.1:6379/queues', /database number/],
    ['not a URL', '127.0.0.1:6379', /must be a URL|redis:\/\//],
  ];
  for (const [name, input, expected] of cases) {
    test(name, () => {
      const parsed = parseRedisUrl(input);
      if (expected instanceof RegExp) assert.match(String(parsed), expected);
      else assert.deepEqual(parsed, expected);
    });
  }
});

describe('checkedReplies', () => {
  test('keeps server errors (WRONGTYPE) for the caller to judge per key', () => {
    const wrongType = Object.assign(new Error('WRONGTYPE Operation'), { name: 'ReplyError' });
    const replies = checkedReplies([
      [null, 1],
      [wrongType, null],
    ]);
    assert.equal(replies.length, 2);
  });

  test('throws a connection error found in any reply', () => {
    assert.throws(
      () => checkedReplies([[new Error('Connection is closed.'), null]]),
      /Connection is closed/,
    );
  });
});

describe('RedisConnection against dead and stuck servers', () => {
  test('a dead port fails at once with SOURCE_UNAVAILABLE naming host:port, never the password', async () => {
    const port = await freePort();
    const connection = new RedisConnection({
      target: target(`redis://app:s3cret@127.0.0.1:${port}/0`),
      timeoutMs: 2000,
      now: () => 0,
    });
    try {
      const { error, ms } = await failure(connection.run(AbortSignal.timeout(5000), async () => 1));
      assert.equal(error.code, 'SOURCE_UNAVAILABLE');
      assert.match(
        error.message,
        new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} cannot be reached`),
      );
      assert.match(error.message, /\(ECONNREFUSED\); next attempt in 1 s$/);
      assert.doesNotMatch(error.message, /s3cret|app:/);
      assert.ok(ms < 1000, `took ${ms} ms`);
    } finally {
      await connection.close();
    }
  });

  test('while backing off it fails fast without trying, then tries again with a doubled wait', async () => {
    const port = await freePort();
    let nowMs = 1_000_000;
    const connection = new RedisConnection({
      target: target(`redis://127.0.0.1:${port}`),
      timeoutMs: 2000,
      now: () => nowMs,
    });
    let attempts = 0;
    const work = async (): Promise<number> => ++attempts;
    try {
      await failure(connection.run(AbortSignal.timeout(5000), work));
      nowMs += 400;
      const waiting = await failure(connection.run(AbortSignal.timeout(5000), work));
      assert.equal(waiting.error.code, 'SOURCE_UNAVAILABLE');
      assert.match(waiting.error.message, /\(ECONNREFUSED\); next attempt in 600 ms$/);
      assert.ok(waiting.ms < 20, `backing off took ${waiting.ms} ms`);
      nowMs += 600;
      const retried = await failure(connection.run(AbortSignal.timeout(5000), work));
      assert.match(retried.error.message, /\(ECONNREFUSED\); next attempt in 2 s$/);
      assert.equal(attempts, 0, 'work ran without a connection');
    } finally {
      await connection.close();
    }
  });

  test('a server that never answers is SOURCE_UNAVAILABLE after the timeout, then backs off', async () => {
    const stuck = await silentServer();
    const connection = new RedisConnection({
      target: target(`redis://127.0.0.1:${stuck.port}`),
      timeoutMs: 200,
      now: () => 0,
    });
    try {
      const { error, ms } = await failure(connection.run(AbortSignal.timeout(5000), async () => 1));
      assert.equal(error.code, 'SOURCE_UNAVAILABLE');
      assert.match(error.message, /did not answer within 200 ms; next attempt in 1 s$/);
      assert.ok(ms < 1000, `took ${ms} ms`);
      const again = await failure(connection.run(AbortSignal.timeout(5000), async () => 1));
      assert.match(again.error.message, /did not answer within 200 ms; next attempt in 1 s$/);
      assert.ok(again.ms < 20, `backing off took ${again.ms} ms`);
    } finally {
      await connection.close();
      await stuck.close();
    }
  });

  test("the caller's abort rejects promptly and does not start a backoff", async () => {
    const stuck = await silentServer();
    const connection = new RedisConnection({
      target: target(`redis://127.0.0.1:${stuck.port}`),
      timeoutMs: 5000,
      now: () => 0,
    });
    try {
      const controller = new AbortController();
      const running = connection.run(controller.signal, async () => 1);
      setTimeout(() => controller.abort(), 50);
      const { error, ms } = await failure(running);
      assert.match(error.message, /was aborted/);
      assert.ok(ms < 200, `took ${ms} ms`);
      assert.doesNotMatch(
        (await failure(connection.run(AbortSignal.timeout(100), async () => 1))).error.message,
        /next attempt in/,
      );
    } finally {
      await connection.close();
      await stuck.close();
    }
  });

  test('close() twice is safe and later runs reject as closed', async () => {
    const connection = new RedisConnection({
      target: target('redis://127.0.0.1:1'),
      timeoutMs: 1000,
      now: () => 0,
    });
    await connection.close();
    await connection.close();
    const { error } = await failure(connection.run(AbortSignal.timeout(1000), async () => 1));
    assert.match(error.message, /the source is closed/);
  });
});
