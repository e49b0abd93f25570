import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import {
  consumerNotFound,
  readMetric,
  streamNotFound,
  type ConsumerRecord,
  type JetStreamView,
  type ServerFact,
  type StreamRecord,
} from './nats-jetstream-read.ts';

const AT_MS = 1_700_000_000_000;

interface FakeStream {
  config: Record<string, unknown>;
  state: Record<string, unknown>;
  consumers: Record<string, Record<string, unknown>>;
}

/** A view over plain objects, as either reader would hand them over. */
function fakeView(
  server: Partial<Record<ServerFact, unknown>>,
  streams: Record<string, FakeStream>,
): JetStreamView {
  const record = (name: string): StreamRecord => {
    const s = streams[name];
    if (!s) throw streamNotFound(name, Object.keys(streams));
    return { name, config: s.config, state: s.state };
  };
  const consumers = (stream: string): ConsumerRecord[] =>
    Object.entries(streams[stream]?.consumers ?? {})
      .map(([name, info]) => ({ name, info }))
      .sort((a, b) => a.name.localeCompare(b.name));
  return {
    server: async (fact) => ({ value: server[fact], where: `/jsz ${fact}` }),
    streams: async () => Object.keys(streams).sort().map(record),
    stream: async (name) => record(name),
    consumers: async (stream) => (record(stream), consumers(stream)),
    consumer: async (stream, name) => {
      record(stream);
      const found = consumers(stream).find((c) => c.name === name);
      if (!found)
        throw consumerNotFound(
          stream,
          name,
          consumers(stream).map((c) => c.name),
        );
      return found;
    },
  };
}

const SMS: FakeStream = {
  config: { name: 'SMS', max_bytes: 1000, max_msgs: 100, max_age: 3_600_000_000_000 },
  state: { messages: 25, bytes: 250, first_seq: 1, last_seq: 25, consumer_count: 2 },
  consumers: {
    worker: {
      num_pending: 15,
      num_ack_pending: 6,
      num_redelivered: 1,
      num_waiting: 2,
      ack_floor: { stream_seq: 4, consumer_seq: 4 },
    },
    audit: {
      num_pending: 0,
      num_ack_pending: 0,
      num_redelivered: 0,
      num_waiting: 0,
      ack_floor: { stream_seq: 25, consumer_seq: 25 },
    },
  },
};
const LOGS: FakeStream = {
  config: { name: 'LOGS', max_bytes: -1, max_msgs: -1, max_age: 0 },
  state: { messages: 3, bytes: 30, first_seq: 1, last_seq: 3, consumer_count: 0 },
  consumers: {},
};
const SERVER = {
  storage: 280,
  storage_limit: 1000,
  memory: 0,
  memory_limit: 0,
  streams: 2,
  consumers: 2,
  messages: 28,
  bytes: 280,
  connections: 3,
  slow_consumers: 0,
};

const view = fakeView(SERVER, { SMS, LOGS });

async function read(select: Record<string, unknown>, v: JetStreamView = view) {
  const samples = await readMetric(v, { name: 'm', select }, AT_MS);
  for (const s of samples) {
    assert.equal(s.metric, 'm');
    assert.equal(s.at, AT_MS);
  }
  return samples.map((s) => [s.labels, s.value]);
}

async function failure(select: Record<string, unknown>, v: JetStreamView = view) {
  try {
    await readMetric(v, { name: 'm', select }, AT_MS);
  } catch (e) {
    assert.ok(e instanceof HeadroomError, String(e));
    return e;
  }
  assert.fail('expected the metric to fail');
}

describe('nats-jetstream readMetric: values', () => {
  const cases: [string, Record<string, unknown>, [Record<string, string>, number][]][] = [
    ['server storage in bytes', { field: 'storage' }, [[{}, 280]]],
    ['server storage utilization', { field: 'storage_utilization' }, [[{}, 0.28]]],
    ['server message total', { field: 'messages' }, [[{}, 28]]],
    ['server connections', { field: 'connections' }, [[{}, 3]]],
    ['one stream: messages', { field: 'messages', stream: 'SMS' }, [[{ stream: 'SMS' }, 25]]],
    [
      'one stream: bytes utilization',
      { field: 'bytes_utilization', stream: 'SMS' },
      [[{ stream: 'SMS' }, 0.25]],
    ],
    [
      'one stream: max age in seconds',
      { field: 'max_age_seconds', stream: 'SMS' },
      [[{ stream: 'SMS' }, 3600]],
    ],
    [
      'one stream: messages utilization',
      { field: 'messages_utilization', stream: 'SMS' },
      [[{ stream: 'SMS' }, 0.25]],
    ],
    ['one stream: last_seq', { field: 'last_seq', stream: 'SMS' }, [[{ stream: 'SMS' }, 25]]],
    [
      'every stream with "*", sorted by name',
      { field: 'messages', stream: '*' },
      [
        [{ stream: 'LOGS' }, 3],
        [{ stream: 'SMS' }, 25],
      ],
    ],
    [
      'a stream-only field without stream reads every stream',
      { field: 'consumer_count' },
      [
        [{ stream: 'LOGS' }, 0],
        [{ stream: 'SMS' }, 2],
      ],
    ],
    [
      'every stream: streams without the limit have no series',
      { field: 'max_bytes' },
      [[{ stream: 'SMS' }, 1000]],
    ],
    [
      'one consumer: pending is num_pending + num_ack_pending',
      { field: 'pending', stream: 'SMS', consumer: 'worker' },
      [[{ stream: 'SMS', consumer: 'worker' }, 21]],
    ],
    [
      'one consumer: ack_floor_lag is last_seq minus the ack floor',
      { field: 'ack_floor_lag', stream: 'SMS', consumer: 'worker' },
      [[{ stream: 'SMS', consumer: 'worker' }, 21]],
    ],
    [
      'every consumer of a stream, sorted by name',
      { field: 'ack_pending', stream: 'SMS' },
      [
        [{ stream: 'SMS', consumer: 'audit' }, 0],
        [{ stream: 'SMS', consumer: 'worker' }, 6],
      ],
    ],
    [
      'redelivered and waiting',
      { field: 'redelivered', stream: 'SMS', consumer: 'worker' },
      [[{ stream: 'SMS', consumer: 'worker' }, 1]],
    ],
    ['a stream without consumers gives no series', { field: 'pending', stream: 'LOGS' }, []],
  ];
  for (const [name, select, expected] of cases) {
    test(name, async () => assert.deepEqual(await read(select), expected));
  }
});

describe('nats-jetstream readMetric: errors', () => {
  test('a missing stream is SOURCE_NOT_FOUND naming the known streams', async () => {
    const e = await failure({ field: 'messages', stream: 'sms' });
    assert.equal(e.code, 'SOURCE_NOT_FOUND');
    assert.match(e.message, /stream "sms" does not exist \(known: LOGS, SMS\)/);
  });

  test('a missing consumer is SOURCE_NOT_FOUND naming the known consumers', async () => {
    const e = await failure({ field: 'pending', stream: 'SMS', consumer: 'wrk' });
    assert.equal(e.code, 'SOURCE_NOT_FOUND');
    assert.match(
      e.message,
      /consumer "wrk" of stream "SMS" does not exist \(known: audit, worker\)/,
    );
  });

  test('utilization of a stream without a byte limit is a clear SOURCE_CONFIG, not a number', async () => {
    const e = await failure({ field: 'bytes_utilization', stream: 'LOGS' });
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /stream "LOGS" has no max_bytes, so metric "m" \(bytes_utilization\)/);
  });

  test('an unset age limit (max_age 0) is SOURCE_CONFIG', async () => {
    const e = await failure({ field: 'max_age_seconds', stream: 'LOGS' });
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /has no max_age/);
  });

  test('every stream, none with the limit: SOURCE_CONFIG saying so', async () => {
    const e = await failure({ field: 'max_msgs' }, fakeView(SERVER, { LOGS }));
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /none of the 1 streams has max_msgs/);
  });

  test('server utilization with a zero memory limit is SOURCE_CONFIG', async () => {
    const e = await failure({ field: 'memory_utilization' });
    assert.equal(e.code, 'SOURCE_CONFIG');
    assert.match(e.message, /no max_memory_store/);
  });

  const bad: [string, FakeStream, Record<string, unknown>, RegExp][] = [
    [
      'an absent consumer field (older server)',
      { ...SMS, consumers: { worker: { num_pending: 3 } } },
      { field: 'pending', stream: 'SMS', consumer: 'worker' },
      /consumer "worker" of stream "SMS" num_ack_pending is missing/,
    ],
    [
      'a nested absent field',
      { ...SMS, consumers: { worker: { num_pending: 3 } } },
      { field: 'ack_floor_lag', stream: 'SMS', consumer: 'worker' },
      /ack_floor\.stream_seq is missing/,
    ],
    [
      'a string where a count belongs',
      { ...SMS, state: { ...SMS.state, messages: 'many' } },
      { field: 'messages', stream: 'SMS' },
      /stream "SMS" state\.messages is "many", not a number/,
    ],
    [
      'a negative count',
      { ...SMS, state: { ...SMS.state, bytes: -5 } },
      { field: 'bytes', stream: 'SMS' },
      /state\.bytes is negative \(-5\)/,
    ],
    [
      'a negative limit other than -1',
      { ...SMS, config: { ...SMS.config, max_bytes: -7 } },
      { field: 'max_bytes', stream: 'SMS' },
      /config\.max_bytes is negative/,
    ],
    [
      'a config without limits (no config=true support)',
      { ...SMS, config: {} },
      { field: 'max_msgs', stream: 'SMS' },
      /config\.max_msgs is missing/,
    ],
  ];
  for (const [name, stream, select, message] of bad) {
    test(`${name} is SOURCE_BAD_VALUE naming where`, async () => {
      const e = await failure(select, fakeView(SERVER, { SMS: stream }));
      assert.equal(e.code, 'SOURCE_BAD_VALUE');
      assert.match(e.message, message);
    });
  }

  test('an absent server field is SOURCE_BAD_VALUE naming it', async () => {
    const e = await failure({ field: 'storage' }, fakeView({}, {}));
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
    assert.match(e.message, /\/jsz storage is missing/);
  });

  test('a NaN-like server value (null) is SOURCE_BAD_VALUE, never 0', async () => {
    const e = await failure({ field: 'slow_consumers' }, fakeView({ slow_consumers: null }, {}));
    assert.equal(e.code, 'SOURCE_BAD_VALUE');
  });
});
