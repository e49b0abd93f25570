// Unit tests of the postgres source without a database: validation, and connection failures
// against local TCP servers that are not PostgreSQL. Everything against the real server is in
// test/integration/postgres.test.ts.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { createSource } from './index.ts';
import { postgresKind, PostgresSource } from './postgres.ts';
import type { MetricRequest } from './source.ts';

const CLOCK_MS = 1_700_000_000_000;
const URL_OPTION = 'postgres://postgres@127.0.0.1:5432/test';

function paths(select?: Record<string, unknown>, options: Record<string, unknown> = {}) {
  return postgresKind.validate({ url: URL_OPTION, ...options }, select).map((i) => i.path);
}

describe('postgres source: configuration', () => {
  test('every field and a query are accepted; database only with database_size_bytes', () => {
    for (const field of [
      'connections',
      'max_connections',
      'connections_utilization',
      'connections_by_database',
      'database_size_bytes',
    ]) {
      assert.deepEqual(paths({ field }), [], field);
    }
    assert.deepEqual(paths({ query: 'select count(*) from companies' }), []);
    assert.deepEqual(paths({ field: 'database_size_bytes', database: 'app' }), []);
    assert.deepEqual(paths({ field: 'connections', database: 'app' }), ['database']);
  });

  test('a metric needs exactly one of field and query', () => {
    assert.deepEqual(paths({}), ['field']);
    assert.deepEqual(paths({ field: 'connections', query: 'select 1' }), ['query']);
    assert.deepEqual(paths({ query: '   ' }), ['query']);
  });

  test('an unknown field is named with a guess; an unknown selector key by its name', () => {
    const [issue] = postgresKind.validate({ url: URL_OPTION }, { field: 'conections' });
    assert.equal(issue?.path, 'field');
    assert.match(
      issue?.message ?? '',
      /unknown postgres field "conections" \(did you mean "connections"\?\)/,
    );
    assert.deepEqual(paths({ field: 'connections', table: 'x' }), ['table']);
  });

  test('bad options are named: url scheme, timeout, unknown keys', () => {
    assert.deepEqual(paths(undefined, { url: 'mysql://127.0.0.1/app' }), ['url']);
    assert.deepEqual(paths(undefined, { url: 'postgresql://127.0.0.1/app' }), []);
    assert.deepEqual(paths(undefined, { timeout: '-1s' }), ['timeout']);
    assert.deepEqual(paths(undefined, { pool: 5 }), ['pool']);
  });

  test('createSource with a bad selector throws SOURCE_CONFIG at the metric', () => {
    assert.throws(
      () =>
        createSource('postgres', {
          name: 'db',
          options: { url: URL_OPTION },
          metrics: [{ name: 'size', select: { field: 'size' } }],
          now: Date.now,
        }),
      (e: unknown) =>
        e instanceof HeadroomError &&
        e.code === 'SOURCE_CONFIG' &&
        e.location.path === 'metrics.size.field',
    );
  });
});

/** A TCP server that is not PostgreSQL: it counts connections and drops or ignores them. */
async function fakeServer(mode: 'drop' | 'silent') {
  let attempts = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    attempts += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    if (mode === 'drop') socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `postgres://watcher:s3cret-pw@127.0.0.1:${port}/app`,
    attempts: () => attempts,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function source(url: string, options: Record<string, unknown> = {}, now = () => CLOCK_MS) {
  const metrics: MetricRequest[] = [{ name: 'conns', select: { field: 'connections' } }];
  return new PostgresSource({ name: 'db', options: { url, ...options }, metrics, now });
}

describe('postgres source: connection failures', () => {
  test('after a failed connect it fails fast until the wait is over, then retries', async () => {
    const server = await fakeServer('drop');
    let nowMs = CLOCK_MS;
    const s = source(server.url, {}, () => nowMs);
    const collect = () => s.collect(AbortSignal.timeout(5000));
    try {
      await assert.rejects(collect(), {
        code: 'SOURCE_UNAVAILABLE',
        message: /PostgreSQL at 127\.0\.0\.1:\d+\/app cannot be reached .*; next attempt in 1 s$/,
      });
      assert.equal(server.attempts(), 1);
      nowMs += 999;
      const startedMs = performance.now();
      await assert.rejects(collect(), { message: /next attempt in 1 ms$/ });
      assert.ok(performance.now() - startedMs < 50, 'did not fail fast');
      assert.equal(server.attempts(), 1, 'attempted while backing off');
      nowMs += 1;
      await assert.rejects(collect(), { message: /next attempt in 2 s$/ });
      assert.equal(server.attempts(), 2);
      nowMs += 2000;
      await assert.rejects(collect(), { message: /next attempt in 4 s$/ });
      assert.equal(server.attempts(), 3);
    } finally {
      await s.close();
      await server.close();
    }
  });

  test('the wait never exceeds the plan interval: the server is tried again every interval', async () => {
    const server = await fakeServer('drop');
    let nowMs = CLOCK_MS;
    const metrics: MetricRequest[] = [{ name: 'conns', select: { field: 'connections' } }];
    const s = new PostgresSource({
      name: 'db',
      options: { url: server.url },
      metrics,
      now: () => nowMs,
      intervalMs: 1500,
    });
    try {
      const waits: string[] = [];
      for (let i = 0; i < 4; i++) {
        const error = await s.collect(AbortSignal.timeout(5000)).then(
          () => assert.fail('collected'),
          (e: Error) => e,
        );
        waits.push(/next attempt in (.*)$/.exec(error.message)?.[1] ?? error.message);
        nowMs += 1500;
      }
      assert.deepEqual(waits, ['1 s', '1.5 s', '1.5 s', '1.5 s']);
      assert.equal(server.attempts(), 4);
    } finally {
      await s.close();
      await server.close();
    }
  });

  test('the metrics of one collect fail together with one error and one wait', async () => {
    const server = await fakeServer('drop');
    const metrics: MetricRequest[] = [
      { name: 'conns', select: { field: 'connections' } },
      { name: 'size', select: { field: 'database_size_bytes' } },
      { name: 'companies', select: { query: 'select count(*) from companies' } },
    ];
    let nowMs = CLOCK_MS;
    const s = new PostgresSource({
      name: 'db',
      options: { url: server.url },
      metrics,
      now: () => nowMs,
    });
    try {
      const result = await s.collectDetailed(AbortSignal.timeout(5000));
      const messages = new Set(result.failures.map((f) => f.error.message));
      assert.equal(result.failures.length, 3);
      assert.equal(messages.size, 1, [...messages].join('\n'));
      assert.match([...messages][0]!, /next attempt in 1 s$/);
      nowMs += 1000;
      const again = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.match(again.failures[0]!.error.message, /next attempt in 2 s$/);
    } finally {
      await s.close();
      await server.close();
    }
  });

  test('errors name host:port/database, never the user or password', async () => {
    const server = await fakeServer('drop');
    const s = source(server.url);
    try {
      await assert.rejects(s.collect(AbortSignal.timeout(5000)), (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.doesNotMatch(`${e.message} ${e.hint}`, /s3cret|watcher/);
        return true;
      });
    } finally {
      await s.close();
      await server.close();
    }
  });

  test('a server that never answers: abort rejects within 100 ms and close() does not wait', async () => {
    const server = await fakeServer('silent');
    const s = source(server.url, { timeout: '300ms' });
    try {
      const controller = new AbortController();
      const collecting = s.collect(controller.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const startedMs = performance.now();
      controller.abort();
      await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE', message: /was aborted/ });
      assert.ok(performance.now() - startedMs < 100, 'abort took too long');
      const closeStartedMs = performance.now();
      await s.close();
      await s.close();
      assert.ok(performance.now() - closeStartedMs < 1200, 'close waited too long');
    } finally {
      await server.close();
    }
  });

  test('the source timeout cuts off a server that never answers', async () => {
    const server = await fakeServer('silent');
    const s = source(server.url, { timeout: '200ms' });
    try {
      const startedMs = performance.now();
      await assert.rejects(s.collect(AbortSignal.timeout(5000)), {
        code: 'SOURCE_UNAVAILABLE',
        message: /timed out/,
      });
      assert.ok(performance.now() - startedMs < 400);
    } finally {
      await s.close();
      await server.close();
    }
  });
});
