// The nats-jetstream source against real NATS servers: a private `nats-server -js -m` started
// here (so /jsz and /varz exist, and so it can be killed and restarted), and the machine's
// shared NATS at 127.0.0.1:4222 through the client path. Streams get random names and are
// deleted afterwards; the private server's store directory is removed.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { HeadroomError } from '../../src/errors.ts';
import {
  fillLaggingStream,
  freePort,
  PrivateNatsServer,
  type LaggingStream,
} from '../../src/sources/nats-jetstream-fixture.ts';
import { natsJetStreamKind, NatsJetStreamSource } from '../../src/sources/nats-jetstream.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';
import { runCli } from '../helpers/cli.ts';

const SHARED_NATS = 'nats://127.0.0.1:4222';
const run = randomBytes(4).toString('hex').toUpperCase();
/** A stream with limits and two durable pull consumers: `worker` lags, `idle` never read. */
const SPEC: LaggingStream = {
  stream: `HR_${run}_SMS`,
  subject: `hr.${run.toLowerCase()}.sms`,
  published: 25,
  fetched: 10,
  acked: 4,
  limits: { maxBytes: 1024 * 1024, maxMsgs: 1000, maxAgeSeconds: 3600 },
};
const { published: PUBLISHED, fetched: FETCHED, acked: ACKED } = SPEC;
const SMS = SPEC.stream;
/** A stream without limits. */
const LOGS = `HR_${run}_LOGS`;
const LOG_MESSAGES = 3;

const nats = new PrivateNatsServer();
let monitor = '';
let servers = '';
let tmpDir = '';
/** Bytes stored in SMS and LOGS, as the server reported them after the fill. */
const stored = { sms: 0, logs: 0 };

async function fillLogs(nc: NatsConnection, jsm: JetStreamManager): Promise<number> {
  const subject = `hr.${run.toLowerCase()}.logs`;
  await jsm.streams.add({ name: LOGS, subjects: [subject] });
  const js = jetstream(nc);
  for (let i = 0; i < LOG_MESSAGES; i++) await js.publish(subject, `log ${i}`);
  return (await jsm.streams.info(LOGS)).state.bytes;
}

async function cleanup(): Promise<void> {
  await nats.remove();
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
}

process.on('exit', () => nats.killNow());

before(async () => {
  try {
    tmpDir = await mkdtemp(join(tmpdir(), 'headroom-nats-plans-'));
    await nats.start();
    ({ monitor, servers } = nats);
    const nc = await connect({ servers });
    try {
      const jsm = await jetstreamManager(nc);
      stored.sms = await fillLaggingStream(nc, jsm, SPEC);
      stored.logs = await fillLogs(nc, jsm);
    } finally {
      await nc.close();
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
});

after(cleanup);

/** Writes a plan with `sources` (name → options) and `metrics` lines, runs `check --json` on it. */
async function check(
  sources: Record<string, string>,
  metrics: string[],
): Promise<{
  samples: { metric: string; labels: Record<string, string>; value: number }[];
  failures: Record<string, { code: string; message: string }>;
}> {
  const yaml = [
    'version: 1',
    'name: nats-it',
    'sources:',
    ...Object.entries(sources).map(
      ([name, options]) => `  ${name}: { kind: nats-jetstream, ${options} }`,
    ),
    'metrics:',
    ...metrics.map((line) => `  ${line}`),
    '',
  ].join('\n');
  const file = join(tmpDir, `plan-${randomBytes(4).toString('hex')}.yaml`);
  await writeFile(file, yaml);
  const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
  assert.notEqual(result.stdout, '', result.stderr);
  return JSON.parse(result.stdout);
}

/** One metric line per selector, named `<prefix><name>`, read from `source`. */
function metricLines(prefix: string, source: string, selects: Record<string, string>): string[] {
  return Object.entries(selects).map(([name, s]) => `${prefix}${name}: { from: ${source}, ${s} }`);
}

const METRICS = {
  storage: `field: storage`,
  streams: `field: streams`,
  consumers: `field: consumers`,
  messages: `field: messages`,
  bytes: `field: bytes`,
  sms_messages: `field: messages, stream: ${SMS}`,
  sms_bytes: `field: bytes, stream: ${SMS}`,
  sms_max_bytes: `field: max_bytes, stream: ${SMS}`,
  sms_max_msgs: `field: max_msgs, stream: ${SMS}`,
  sms_max_age: `field: max_age_seconds, stream: ${SMS}`,
  sms_bytes_util: `field: bytes_utilization, stream: ${SMS}`,
  sms_msgs_util: `field: messages_utilization, stream: ${SMS}`,
  sms_consumer_count: `field: consumer_count, stream: ${SMS}`,
  sms_first_seq: `field: first_seq, stream: ${SMS}`,
  sms_last_seq: `field: last_seq, stream: ${SMS}`,
  every_stream_messages: `field: messages, stream: "*"`,
  worker_pending: `field: pending, stream: ${SMS}, consumer: worker`,
  worker_num_pending: `field: num_pending, stream: ${SMS}, consumer: worker`,
  worker_ack_pending: `field: ack_pending, stream: ${SMS}, consumer: worker`,
  worker_redelivered: `field: redelivered, stream: ${SMS}, consumer: worker`,
  worker_waiting: `field: waiting, stream: ${SMS}, consumer: worker`,
  every_consumer_lag: `field: ack_floor_lag, stream: ${SMS}`,
};

/** Selectors that must fail: wrong names, and a utilization of a stream without limits. */
const WRONG = {
  no_such_stream: `field: messages, stream: ${SMS}X`,
  no_such_consumer: `field: pending, stream: ${SMS}, consumer: workr`,
  logs_bytes_util: `field: bytes_utilization, stream: ${LOGS}`,
};

/** What both paths must report, by metric, as [labels, value] pairs. */
function expectedSamples(): Record<string, [Record<string, string>, number][]> {
  const sms = { stream: SMS };
  const worker = { stream: SMS, consumer: 'worker' };
  const unacked = FETCHED - ACKED;
  return {
    storage: [[{}, stored.sms + stored.logs]],
    streams: [[{}, 2]],
    consumers: [[{}, 2]],
    messages: [[{}, PUBLISHED + LOG_MESSAGES]],
    bytes: [[{}, stored.sms + stored.logs]],
    sms_messages: [[sms, PUBLISHED]],
    sms_bytes: [[sms, stored.sms]],
    sms_max_bytes: [[sms, SPEC.limits.maxBytes]],
    sms_max_msgs: [[sms, SPEC.limits.maxMsgs]],
    sms_max_age: [[sms, SPEC.limits.maxAgeSeconds]],
    sms_bytes_util: [[sms, stored.sms / SPEC.limits.maxBytes]],
    sms_msgs_util: [[sms, PUBLISHED / SPEC.limits.maxMsgs]],
    sms_consumer_count: [[sms, 2]],
    sms_first_seq: [[sms, 1]],
    sms_last_seq: [[sms, PUBLISHED]],
    // "HR_<run>_LOGS" sorts before "HR_<run>_SMS".
    every_stream_messages: [
      [{ stream: LOGS }, LOG_MESSAGES],
      [sms, PUBLISHED],
    ],
    worker_pending: [[worker, PUBLISHED - FETCHED + unacked]],
    worker_num_pending: [[worker, PUBLISHED - FETCHED]],
    worker_ack_pending: [[worker, unacked]],
    worker_redelivered: [[worker, 0]],
    worker_waiting: [[worker, 0]],
    every_consumer_lag: [
      [{ stream: SMS, consumer: 'idle' }, PUBLISHED],
      [worker, PUBLISHED - ACKED],
    ],
  };
}

function byMetric(samples: { metric: string; labels: Record<string, string>; value: number }[]) {
  const out: Record<string, [Record<string, string>, number][]> = {};
  for (const s of samples) (out[s.metric] ??= []).push([s.labels, s.value]);
  return out;
}

sourceContract('nats-jetstream via monitor (private nats-server)', () => ({
  kind: natsJetStreamKind,
  options: { monitor, timeout: '5s' },
  metrics: [
    { name: 'storage_util', select: { field: 'storage_utilization' } },
    { name: 'connections', select: { field: 'connections' } },
    { name: 'pending', select: { field: 'pending', stream: SMS, consumer: 'worker' } },
    { name: 'bytes_util', select: { field: 'bytes_utilization' } },
  ],
}));

sourceContract('nats-jetstream via client (private nats-server)', () => ({
  kind: natsJetStreamKind,
  options: { servers: [servers], timeout: '5s' },
  metrics: [
    { name: 'storage', select: { field: 'storage' } },
    { name: 'pending', select: { field: 'pending', stream: SMS } },
    { name: 'messages', select: { field: 'messages', stream: '*' } },
  ],
}));

describe('headroom check --json reads the lagging consumer exactly', () => {
  test('monitor and client paths both report the exact counts, identically', async () => {
    const doc = await check({ mon: `monitor: "${monitor}"`, cli: `servers: "${servers}"` }, [
      ...metricLines('mon_', 'mon', METRICS),
      ...metricLines('cli_', 'cli', METRICS),
      ...metricLines('mon_', 'mon', {
        connections: 'field: connections',
        storage_util: 'field: storage_utilization',
      }),
    ]);
    const got = byMetric(doc.samples);
    for (const [name, expected] of Object.entries(expectedSamples())) {
      assert.deepEqual(got[`mon_${name}`], expected, `monitor: ${name}`);
      assert.deepEqual(got[`cli_${name}`], expected, `client: ${name}`);
    }
    const jsz = (await (await fetch(`${monitor}/jsz?config=true`)).json()) as {
      config: { max_storage: number };
    };
    const storageUtil = (stored.sms + stored.logs) / jsz.config.max_storage;
    assert.deepEqual(got.mon_storage_util, [[{}, storageUtil]]);
    assert.equal(got.mon_connections?.length, 1);
  });

  test('connections and slow consumers come from /varz (monitor path)', async () => {
    const clients = await Promise.all([1, 2, 3].map(() => connect({ servers })));
    const source = new NatsJetStreamSource({
      name: 'mon',
      options: { monitor },
      metrics: [
        { name: 'connections', select: { field: 'connections' } },
        { name: 'slow', select: { field: 'slow_consumers' } },
      ],
      now: Date.now,
    });
    try {
      // Connections the earlier tests closed may take a moment to leave the server's count.
      const deadline = Date.now() + 5000;
      let values: number[] = [];
      while (Date.now() < deadline) {
        values = (await source.collect(AbortSignal.timeout(5000))).map((s) => s.value);
        if (values[0] === clients.length) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(values, [clients.length, 0]);
    } finally {
      await source.close();
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test('wrong names are SOURCE_NOT_FOUND naming the real ones, and an unlimited stream has no utilization', async () => {
    const doc = await check(
      { mon: `monitor: "${monitor}"`, cli: `servers: "${servers}"` },
      ['mon', 'cli'].flatMap((p) => metricLines(`${p}_`, p, WRONG)),
    );
    assert.deepEqual(doc.samples, []);
    for (const p of ['mon', 'cli']) {
      const stream = doc.failures[`${p}_no_such_stream`]!;
      assert.equal(stream.code, 'SOURCE_NOT_FOUND');
      assert.equal(stream.message, `stream "${SMS}X" does not exist (known: ${LOGS}, ${SMS})`);
      const consumer = doc.failures[`${p}_no_such_consumer`]!;
      assert.equal(consumer.code, 'SOURCE_NOT_FOUND');
      assert.equal(
        consumer.message,
        `consumer "workr" of stream "${SMS}" does not exist (known: idle, worker)`,
      );
      const util = doc.failures[`${p}_logs_bytes_util`]!;
      assert.equal(util.code, 'SOURCE_CONFIG');
      assert.match(util.message, new RegExp(`stream "${LOGS}" has no max_bytes`));
    }
  });

  test('a dead port is SOURCE_UNAVAILABLE on both paths, without credentials', async () => {
    const dead = await freePort();
    const doc = await check(
      {
        mon: `monitor: "http://127.0.0.1:${dead}"`,
        cli: `servers: "nats://bob:hunter2@127.0.0.1:${dead}"`,
      },
      ['mon_storage: { from: mon, field: storage }', 'cli_storage: { from: cli, field: storage }'],
    );
    assert.equal(doc.failures.mon_storage?.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      doc.failures.mon_storage!.message,
      new RegExp(`http://127.0.0.1:${dead} is unreachable`),
    );
    assert.equal(doc.failures.cli_storage?.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      doc.failures.cli_storage!.message,
      new RegExp(`NATS at 127.0.0.1:${dead} is unreachable`),
    );
    assert.doesNotMatch(JSON.stringify(doc), /hunter2|bob/);
  });

  test('a dead port fails a collect within a second on both paths', async () => {
    const dead = await freePort();
    for (const options of [
      { monitor: `http://127.0.0.1:${dead}` },
      { servers: `127.0.0.1:${dead}` },
    ]) {
      const source = new NatsJetStreamSource({
        name: 'dead',
        options,
        metrics: [{ name: 'm', select: { field: 'storage' } }],
        now: Date.now,
      });
      const startedMs = performance.now();
      await assert.rejects(source.collect(AbortSignal.timeout(10_000)), (e: unknown) => {
        assert.ok(e instanceof HeadroomError);
        assert.equal(e.code, 'SOURCE_UNAVAILABLE');
        return true;
      });
      assert.ok(performance.now() - startedMs < 1000, JSON.stringify(options));
      await source.close();
    }
  });
});

describe('the private server hangs, dies and comes back', () => {
  test('a frozen server: an abort rejects within 100 ms on both paths', async () => {
    const metrics = [{ name: 'm', select: { field: 'messages', stream: SMS } }];
    const sources = [{ monitor }, { servers }].map(
      (options) => new NatsJetStreamSource({ name: 'nats', options, metrics, now: Date.now }),
    );
    try {
      // Connected first, so the client path hangs on a request, not on the dial.
      for (const s of sources) await s.collect(AbortSignal.timeout(5000));
      await nats.freeze(true);
      for (const s of sources) {
        const startedMs = performance.now();
        await assert.rejects(s.collect(AbortSignal.timeout(200)), /timed out/);
        assert.ok(performance.now() - startedMs < 300, s.health().lastError);
      }
    } finally {
      await nats.freeze(false);
      await Promise.all(sources.map((s) => s.close()));
    }
  });

  test('both paths fail fast while it is down and read the same values after it returns', async () => {
    const metrics = [
      { name: 'messages', select: { field: 'messages', stream: SMS } },
      { name: 'pending', select: { field: 'pending', stream: SMS, consumer: 'worker' } },
    ];
    const sources = [{ monitor }, { servers }].map(
      (options) => new NatsJetStreamSource({ name: 'nats', options, metrics, now: Date.now }),
    );
    const collectAll = () =>
      Promise.all(sources.map((s) => s.collectDetailed(AbortSignal.timeout(5000))));
    const values = (results: Awaited<ReturnType<typeof collectAll>>) =>
      results.map((r) => r.samples.map((s) => s.value));
    try {
      const expected = [PUBLISHED, PUBLISHED - FETCHED + (FETCHED - ACKED)];
      assert.deepEqual(values(await collectAll()), [expected, expected]);
      await nats.kill();
      // The first collects notice the loss and dial once; from then on they back off.
      for (let i = 0; i < 2; i++) {
        for (const result of await collectAll()) {
          assert.equal(result.failures[0]?.error.code, 'SOURCE_UNAVAILABLE');
        }
      }
      const startedMs = performance.now();
      for (const result of await collectAll()) {
        assert.match(result.failures[0]!.error.message, /is unreachable \(.*\); next attempt in/);
      }
      assert.ok(performance.now() - startedMs < 50, 'backing off must not dial');
      assert.deepEqual(
        sources.map((s) => s.health().state),
        ['error', 'error'],
      );
      await nats.restart();
      await new Promise((resolve) => setTimeout(resolve, 1100));
      assert.deepEqual(values(await collectAll()), [expected, expected]);
      assert.deepEqual(
        sources.map((s) => s.health().state),
        ['ok', 'ok'],
      );
    } finally {
      await Promise.all(sources.map((s) => s.close()));
    }
  });
});

describe('the shared NATS at 127.0.0.1:4222 through the client path', () => {
  const spec: LaggingStream = {
    ...SPEC,
    stream: `HR_${run}_SHARED`,
    subject: `hr.${run.toLowerCase()}.shared`,
  };
  const stream = spec.stream;
  let nc: NatsConnection | undefined;
  let jsm: JetStreamManager | undefined;

  before(async () => {
    nc = await connect({ servers: SHARED_NATS });
    jsm = await jetstreamManager(nc);
    await fillLaggingStream(nc, jsm, spec);
  });

  after(async () => {
    await jsm?.streams.delete(stream).catch(() => undefined);
    await nc?.close();
  });

  sourceContract('nats-jetstream via client (shared 127.0.0.1:4222)', () => ({
    kind: natsJetStreamKind,
    options: { servers: SHARED_NATS },
    metrics: [
      { name: 'messages', select: { field: 'messages', stream } },
      { name: 'pending', select: { field: 'pending', stream, consumer: 'worker' } },
    ],
  }));

  test('headroom check reports the exact counts of a fresh stream with a lagging consumer', async () => {
    const doc = await check({ nats: `servers: "${SHARED_NATS}"` }, [
      `messages: { from: nats, field: messages, stream: ${stream} }`,
      `util: { from: nats, field: messages_utilization, stream: ${stream} }`,
      `pending: { from: nats, field: pending, stream: ${stream}, consumer: worker }`,
      `lag: { from: nats, field: ack_floor_lag, stream: ${stream} }`,
      `missing: { from: nats, field: pending, stream: ${stream}, consumer: nobody }`,
    ]);
    const worker = { stream, consumer: 'worker' };
    assert.deepEqual(byMetric(doc.samples), {
      messages: [[{ stream }, PUBLISHED]],
      util: [[{ stream }, PUBLISHED / SPEC.limits.maxMsgs]],
      pending: [[worker, PUBLISHED - ACKED]],
      lag: [
        [{ stream, consumer: 'idle' }, PUBLISHED],
        [worker, PUBLISHED - ACKED],
      ],
    });
    assert.equal(doc.failures.missing?.code, 'SOURCE_NOT_FOUND');
  });
});
