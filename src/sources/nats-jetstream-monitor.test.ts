// The monitoring-port reader against a canned local HTTP server that answers /jsz and /varz
// with bodies each test chooses: server shapes a real nats-server cannot be made to produce.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import type { CollectResult } from './health.ts';
import { MonitorReader, monitorEndpoint } from './nats-jetstream-monitor.ts';
import { readMetric } from './nats-jetstream-read.ts';
import { NatsJetStreamSource } from './nats-jetstream.ts';

interface Canned {
  status?: number;
  body: unknown;
  delayMs?: number;
}

const routes = new Map<string, Canned>();
const seen: string[] = [];
let server: Server;
let baseUrl = '';

function consumer(name: string, extra: Record<string, unknown> = {}) {
  return {
    stream_name: 'SMS',
    name,
    num_pending: 15,
    num_ack_pending: 6,
    num_redelivered: 0,
    num_waiting: 0,
    ack_floor: { stream_seq: 4, consumer_seq: 4 },
    ...extra,
  };
}

function stream(name: string, consumers?: unknown[]) {
  return {
    name,
    config: { name, max_bytes: 1000, max_msgs: 100, max_age: 0 },
    state: {
      messages: 25,
      bytes: 250,
      first_seq: 1,
      last_seq: 25,
      consumer_count: consumers?.length ?? 0,
    },
    ...(consumers ? { consumer_detail: consumers } : {}),
  };
}

function jsz(accountDetails: unknown): Record<string, unknown> {
  return {
    config: { max_memory: 1000, max_storage: 10_000 },
    memory: 0,
    storage: 250,
    accounts: 1,
    streams: 1,
    consumers: 1,
    messages: 25,
    bytes: 250,
    account_details: accountDetails,
  };
}

const GOOD_JSZ = jsz([
  { name: '$G', id: '$G', stream_detail: [stream('SMS', [consumer('worker')])] },
]);

before(async () => {
  server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const path = (req.url ?? '').split('?')[0]!;
    const canned = routes.get(path) ?? { status: 404, body: 'Not Found' };
    const send = () => {
      res.writeHead(canned.status ?? 200, { 'content-type': 'application/json' });
      res.end(typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body));
    };
    if (canned.delayMs) setTimeout(send, canned.delayMs).unref();
    else send();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  routes.clear();
  seen.length = 0;
  routes.set('/jsz', { body: GOOD_JSZ });
  routes.set('/varz', { body: { connections: 7, slow_consumers: 2 } });
});

function source(
  selects: Record<string, Record<string, unknown>>,
  options: Record<string, unknown> = {},
) {
  return new NatsJetStreamSource({
    name: 'nats',
    options: { monitor: baseUrl, timeout: '2s', ...options },
    metrics: Object.entries(selects).map(([name, select]) => ({ name, select })),
    now: () => 1000,
  });
}

async function collect(selects: Record<string, Record<string, unknown>>): Promise<CollectResult> {
  const s = source(selects);
  try {
    return await s.collectDetailed(AbortSignal.timeout(5000));
  } finally {
    await s.close();
  }
}

function onlyFailure(result: CollectResult, metric: string): HeadroomError {
  const f = result.failures.find((x) => x.metric === metric);
  assert.ok(f, `expected ${metric} to fail: ${JSON.stringify(result)}`);
  return f.error;
}

describe('nats-jetstream monitor reader (canned server)', () => {
  test('one /jsz request serves every metric of a collect; /varz only when asked for', async () => {
    const result = await collect({
      storage: { field: 'storage' },
      util: { field: 'storage_utilization' },
      pending: { field: 'pending', stream: 'SMS', consumer: 'worker' },
      lag: { field: 'ack_floor_lag', stream: 'SMS' },
    });
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      result.samples.map((s) => [s.metric, s.value]),
      [
        ['storage', 250],
        ['util', 0.025],
        ['pending', 21],
        ['lag', 21],
      ],
    );
    assert.deepEqual(seen, ['/jsz?accounts=true&streams=true&consumers=true&config=true']);
  });

  test('connections and slow consumers come from /varz', async () => {
    const result = await collect({ c: { field: 'connections' }, s: { field: 'slow_consumers' } });
    assert.deepEqual(
      result.samples.map((s) => [s.metric, s.value]),
      [
        ['c', 7],
        ['s', 2],
      ],
    );
    assert.deepEqual(seen, ['/varz']);
  });

  test('a path prefix in `monitor` is kept (http_base_path)', async () => {
    routes.set('/nats/jsz', { body: GOOD_JSZ });
    const s = source({ m: { field: 'storage' } }, { monitor: `${baseUrl}/nats` });
    assert.deepEqual(
      (await s.collect(AbortSignal.timeout(5000))).map((x) => x.value),
      [250],
    );
    await s.close();
  });

  test('JetStream disabled on the server is SOURCE_CONFIG saying so', async () => {
    routes.set('/jsz', { body: { server_id: 'x', disabled: true } });
    const e = onlyFailure(await collect({ m: { field: 'storage' } }), 'm');
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /JetStream is not enabled/);
  });

  test('HTTP 404 (not a monitoring port) is SOURCE_CONFIG', async () => {
    routes.delete('/jsz');
    const e = onlyFailure(await collect({ m: { field: 'storage' } }), 'm');
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /has no \/jsz \(HTTP 404\)/);
  });

  test('HTTP 500 is SOURCE_UNAVAILABLE', async () => {
    routes.set('/jsz', { status: 500, body: 'oops' });
    const e = onlyFailure(await collect({ m: { field: 'storage' } }), 'm');
    assert.equal(e.code, 'SOURCE_UNAVAILABLE');
  });

  test('a body that is not JSON is SOURCE_BAD_VALUE', async () => {
    routes.set('/jsz', { body: '<html>proxy error</html>' });
    const e = onlyFailure(await collect({ m: { field: 'storage' } }), 'm');
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, /\/jsz is not a JSON object/);
  });

  test('an older server without account_details fails stream metrics, not server ones', async () => {
    routes.set('/jsz', { body: { ...GOOD_JSZ, account_details: undefined } });
    const result = await collect({
      s: { field: 'storage' },
      m: { field: 'messages', stream: 'SMS' },
    });
    assert.deepEqual(
      result.samples.map((x) => x.metric),
      ['s'],
    );
    const e = onlyFailure(result, 'm');
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, /account_details is missing/);
  });

  test('an older server without num_ack_pending fails pending but not num_pending', async () => {
    const old = consumer('worker', { num_ack_pending: undefined });
    routes.set('/jsz', { body: jsz([{ name: '$G', stream_detail: [stream('SMS', [old])] }]) });
    const result = await collect({
      p: { field: 'pending', stream: 'SMS', consumer: 'worker' },
      n: { field: 'num_pending', stream: 'SMS', consumer: 'worker' },
    });
    assert.deepEqual(
      result.samples.map((x) => [x.metric, x.value]),
      [['n', 15]],
    );
    assert.match(onlyFailure(result, 'p').message, /num_ack_pending is missing/);
  });

  test('a stream name in two accounts is ambiguous: SOURCE_BAD_VALUE naming both', async () => {
    routes.set('/jsz', {
      body: jsz([
        { name: 'A', stream_detail: [stream('SMS')] },
        { name: 'B', stream_detail: [stream('SMS')] },
      ]),
    });
    const e = onlyFailure(await collect({ m: { field: 'messages', stream: 'SMS' } }), 'm');
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, /exists in accounts "A" and "B"/);
  });

  test('consumers left out though the stream has some is SOURCE_BAD_VALUE, not "none"', async () => {
    const s = { ...stream('SMS'), state: { ...stream('SMS').state, consumer_count: 2 } };
    routes.set('/jsz', { body: jsz([{ name: '$G', stream_detail: [s] }]) });
    const e = onlyFailure(await collect({ m: { field: 'pending', stream: 'SMS' } }), 'm');
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, /consumer_detail is missing though the stream has 2 consumer/);
  });

  test('a stream that does not exist is SOURCE_NOT_FOUND listing the streams of every account', async () => {
    routes.set('/jsz', {
      body: jsz([
        { name: 'A', stream_detail: [stream('SMS')] },
        { name: 'B', stream_detail: [stream('EMAIL')] },
      ]),
    });
    const e = onlyFailure(await collect({ m: { field: 'messages', stream: 'PUSH' } }), 'm');
    assert.equal(e.code, 'SOURCE_NOT_FOUND');
    assert.match(e.message, /stream "PUSH" does not exist \(known: EMAIL, SMS\)/);
  });

  test('a slow server: an abort rejects within 100 ms, and close() cancels too', async () => {
    routes.set('/jsz', { body: GOOD_JSZ, delayMs: 3000 });
    const s = source({ m: { field: 'storage' } });
    const startedMs = performance.now();
    await assert.rejects(s.collect(AbortSignal.timeout(50)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'SOURCE_UNAVAILABLE');
      assert.match(e.message, /timed out/);
      return true;
    });
    assert.ok(performance.now() - startedMs < 150);
    const pending = s.collect(AbortSignal.timeout(5000));
    await s.close();
    await assert.rejects(pending, /was aborted/);
  });
});

describe('nats-jetstream monitor reader: timeouts and backoff', () => {
  test('a server slower than `timeout` is SOURCE_UNAVAILABLE, then fails fast until the backoff ends', async () => {
    routes.set('/jsz', { body: GOOD_JSZ, delayMs: 400 });
    let clockMs = 0;
    const reader = new MonitorReader(monitorEndpoint(baseUrl, 100), { clockMs: () => clockMs });
    const metric = { name: 'm', select: { field: 'storage' } };
    const read = () => readMetric(reader.view(AbortSignal.timeout(5000)), metric, 0);
    await assert.rejects(read(), /unreachable \(no answer within 100 ms\); next attempt in 1 s/);
    const requests = seen.length;
    clockMs = 999;
    await assert.rejects(read(), /next attempt in 1 ms/);
    assert.equal(seen.length, requests, 'no request while backing off');
    routes.set('/jsz', { body: GOOD_JSZ });
    clockMs = 1001;
    assert.deepEqual(
      (await read()).map((s) => s.value),
      [250],
    );
    reader.close();
  });
});
