import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HeadroomError } from '../errors.ts';
import { targetOf } from './nats-jetstream-fields.ts';
import { natsJetStreamKind, validateNatsJetStream } from './nats-jetstream.ts';

const MONITOR = { monitor: 'http://127.0.0.1:8222' };
const SERVERS = { servers: 'nats://127.0.0.1:4222' };

function paths(options: Record<string, unknown>, select?: Record<string, unknown>): string[] {
  return validateNatsJetStream(options, select).map((i) => i.path);
}

describe('nats-jetstream options', () => {
  const good: [string, Record<string, unknown>][] = [
    ['monitor only', MONITOR],
    ['one server', SERVERS],
    [
      'a list of servers, with and without scheme',
      { servers: ['nats://a:4222', 'b:4222', 'tls://c'] },
    ],
    ['servers with user and pass', { ...SERVERS, user: 'app', pass: 's3cret' }],
    ['servers with a token and a timeout', { ...SERVERS, token: 't', timeout: '2s' }],
    ['both monitor and servers', { ...MONITOR, ...SERVERS, timeout: 5 }],
  ];
  for (const [name, options] of good) {
    test(`accepts ${name}`, () => assert.deepEqual(validateNatsJetStream(options), []));
  }

  const bad: [string, Record<string, unknown>, string, RegExp][] = [
    ['neither monitor nor servers', {}, '', /set `monitor`.*or `servers`/],
    ['a monitor that is not http', { monitor: 'nats://127.0.0.1:8222' }, 'monitor', /http:\/\//],
    [
      'a server with another scheme',
      { servers: 'http://127.0.0.1:4222' },
      'servers',
      /NATS server address/,
    ],
    ['an empty server list', { servers: [] }, 'servers', /./],
    ['user without pass', { ...SERVERS, user: 'app' }, 'pass', /user needs pass/],
    [
      'token and user together',
      { ...SERVERS, user: 'a', pass: 'b', token: 't' },
      'token',
      /either token or user/,
    ],
    ['credentials without servers', { ...MONITOR, token: 't' }, 'token', /applies to `servers`/],
    ['a bad timeout', { ...SERVERS, timeout: 'soon' }, 'timeout', /positive duration/],
    ['an unknown option', { ...SERVERS, url: 'x' }, 'url', /unknown option "url"/],
  ];
  for (const [name, options, path, message] of bad) {
    test(`refuses ${name}`, () => {
      const issues = validateNatsJetStream(options);
      const issue = issues.find((i) => i.path === path);
      assert.ok(issue, JSON.stringify(issues));
      assert.match(issue.message, message);
    });
  }
});

describe('nats-jetstream selectors', () => {
  const good: [string, Record<string, unknown>, Record<string, unknown>][] = [
    ['a server field', MONITOR, { field: 'storage' }],
    ['a monitor-only field with monitor', MONITOR, { field: 'storage_utilization' }],
    ['a stream field', SERVERS, { field: 'bytes_utilization', stream: 'SMS' }],
    ['every stream', SERVERS, { field: 'messages', stream: '*' }],
    ['a consumer', SERVERS, { field: 'pending', stream: 'SMS', consumer: 'sms-worker' }],
    ['every consumer of a stream', SERVERS, { field: 'ack_floor_lag', stream: 'SMS' }],
  ];
  for (const [name, options, select] of good) {
    test(`accepts ${name}`, () => assert.deepEqual(validateNatsJetStream(options, select), []));
  }

  const bad: [string, Record<string, unknown>, Record<string, unknown>, string, RegExp][] = [
    [
      'an unknown field, with a guess',
      MONITOR,
      { field: 'pendng' },
      'field',
      /did you mean "pending"/,
    ],
    ['no field', MONITOR, { stream: 'SMS' }, 'field', /field/],
    [
      'a monitor-only field over servers',
      SERVERS,
      { field: 'connections' },
      'field',
      /only published on the monitoring port/,
    ],
    [
      'a consumer field without stream',
      SERVERS,
      { field: 'pending' },
      'stream',
      /needs the consumer's stream/,
    ],
    [
      'a consumer field on every stream',
      SERVERS,
      { field: 'pending', stream: '*' },
      'stream',
      /needs the consumer's stream/,
    ],
    [
      'a stream field with consumer',
      SERVERS,
      { field: 'max_bytes', stream: 'S', consumer: 'c' },
      'field',
      /not a consumer field/,
    ],
    [
      'a server field with stream',
      MONITOR,
      { field: 'storage', stream: 'SMS' },
      'field',
      /server field; remove `stream`/,
    ],
    [
      'a stream name with a dot',
      SERVERS,
      { field: 'messages', stream: 'a.b' },
      'stream',
      /not a stream name/,
    ],
    [
      'a consumer name with a wildcard',
      SERVERS,
      { field: 'pending', stream: 'S', consumer: '*' },
      'consumer',
      /not a consumer name/,
    ],
    [
      'an unknown selector key',
      SERVERS,
      { field: 'storage', queue: 'x' },
      'queue',
      /takes field, stream, consumer/,
    ],
  ];
  for (const [name, options, select, path, message] of bad) {
    test(`refuses ${name}`, () => {
      const issues = validateNatsJetStream(options, select);
      const issue = issues.find((i) => i.path === path);
      assert.ok(issue, JSON.stringify(issues));
      assert.match(issue.message, message);
    });
  }

  test('option problems are reported once, by the call without a selector', () => {
    assert.deepEqual(paths({}, { field: 'storage' }), []);
    assert.deepEqual(paths({}), ['']);
  });
});

describe('nats-jetstream targetOf', () => {
  const cases: [string, Record<string, unknown>, unknown][] = [
    ['server field', { field: 'messages' }, { level: 'server', field: 'messages' }],
    [
      'stream field, named',
      { field: 'messages', stream: 'S' },
      { level: 'stream', field: 'messages', stream: 'S' },
    ],
    [
      'stream field, "*"',
      { field: 'messages', stream: '*' },
      { level: 'stream', field: 'messages', stream: undefined },
    ],
    [
      'stream-only field, no stream',
      { field: 'max_bytes' },
      { level: 'stream', field: 'max_bytes', stream: undefined },
    ],
    [
      'consumer field, no consumer',
      { field: 'waiting', stream: 'S' },
      { level: 'consumer', field: 'waiting', stream: 'S', consumer: undefined },
    ],
  ];
  for (const [name, select, expected] of cases) {
    test(name, () => assert.deepEqual(targetOf(select), expected));
  }
});

describe('nats-jetstream source construction', () => {
  const create = (options: Record<string, unknown>, select: Record<string, unknown>) =>
    natsJetStreamKind.create({
      name: 'nats',
      options,
      metrics: [{ name: 'm', select }],
      now: Date.now,
    });

  test('a bad option throws SOURCE_CONFIG naming the source and option, without the secret', () => {
    assert.throws(
      () =>
        create(
          { servers: 'nats://127.0.0.1:4222', user: 'app', pass: 'hunter2', timeout: 'x' },
          { field: 'storage' },
        ),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_CONFIG');
        assert.equal(e.location.path, 'sources.nats.timeout');
        assert.doesNotMatch(e.message, /hunter2/);
        return true;
      },
    );
  });

  test('a bad selector throws SOURCE_CONFIG naming the metric', () => {
    assert.throws(
      () => create(MONITOR, { field: 'pending' }),
      (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.location.path, 'metrics.m.stream');
        return true;
      },
    );
  });

  const deadServers: [string, Record<string, unknown>][] = [
    ['the monitoring port', { monitor: 'http://127.0.0.1:1', timeout: '1s' }],
    ['a client connection', { servers: 'nats://127.0.0.1:1', timeout: '1s' }],
  ];
  for (const [name, options] of deadServers) {
    test(`through ${name}, the wait after a failure is at most the plan interval`, async () => {
      const source = natsJetStreamKind.create({
        name: 'nats',
        options,
        metrics: [{ name: 'm', select: { field: 'storage' } }],
        now: Date.now,
        intervalMs: 300,
      });
      try {
        await assert.rejects(source.collect(AbortSignal.timeout(5000)), {
          code: 'SOURCE_UNAVAILABLE',
          message: /127\.0\.0\.1:1 is unreachable \(.*\); next attempt in 300 ms$/,
        });
      } finally {
        await source.close();
      }
    });
  }

  test('creating a source opens nothing: close() right away is fine, twice', async () => {
    const source = create(SERVERS, { field: 'storage' });
    await source.close();
    await source.close();
  });
});
