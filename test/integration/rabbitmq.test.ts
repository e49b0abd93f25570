// The rabbitmq source against the RabbitMQ on 127.0.0.1:5672: random queues per run, filled with
// real messages and held by a real consumer that does not ack, read through `headroom check
// --json`. The management plugin is not enabled on this broker, so the management fields are
// served by a canned local HTTP server beside the real AMQP path. A local TCP proxy in front
// of the broker lets the tests cut the connection and take the "broker" away and back.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import {
  connect as tcpConnect,
  createServer,
  type AddressInfo,
  type Server as NetServer,
  type Socket,
} from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { connect, type Channel, type ChannelModel } from 'amqplib';
import { HeadroomError } from '../../src/errors.ts';
import { rabbitmqKind, RabbitMqSource } from '../../src/sources/rabbitmq.ts';
import type { MetricRequest } from '../../src/sources/source.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';
import { runCli } from '../helpers/cli.ts';

const RUN = randomBytes(4).toString('hex');
const URL = 'amqp://guest:guest@127.0.0.1:5672/';
const Q = { work: `hr-it-${RUN}-work`, idle: `hr-it-${RUN}-idle` };
/** Messages published to the work queue, and how many the consumer holds unacked. */
const PUBLISHED = 9;
const HELD = 4;

let broker: ChannelModel | undefined;
let consumerChannel: Channel | undefined;
let management: Server | undefined;
let managementUrl = '';
let planDir = '';

async function fillQueues(model: ChannelModel): Promise<void> {
  const publisher = await model.createConfirmChannel();
  for (const q of Object.values(Q)) await publisher.assertQueue(q, { durable: false });
  for (let i = 0; i < PUBLISHED; i++) publisher.sendToQueue(Q.work, Buffer.from(`job ${i}`));
  await publisher.waitForConfirms();
  await publisher.close();
  // A consumer that takes HELD messages and never acks them: ready = PUBLISHED - HELD.
  consumerChannel = await model.createChannel();
  await consumerChannel.prefetch(HELD);
  let received = 0;
  const all = new Promise<void>((resolve) => {
    void consumerChannel!.consume(Q.work, () => {
      received += 1;
      if (received === HELD) resolve();
    });
  });
  await all;
}

/** Canned management API: the work queue as RabbitMQ would describe it. */
async function startManagement(): Promise<void> {
  management = createHttpServer((req, res) => {
    if (req.url === `/api/queues/%2F/${Q.work}`) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          name: Q.work,
          vhost: '/',
          consumers: 1,
          messages: PUBLISHED,
          messages_ready: PUBLISHED - HELD,
          messages_unacknowledged: HELD,
          message_stats: {
            publish: PUBLISHED,
            publish_details: { rate: 1.8 },
            deliver_get: HELD,
            deliver_get_details: { rate: 0.8 },
          },
        }),
      );
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"error":"Object Not Found","reason":"Not Found"}');
  });
  await new Promise<void>((resolve) => management!.listen(0, '127.0.0.1', resolve));
  managementUrl = `http://127.0.0.1:${(management.address() as AddressInfo).port}`;
}

before(async () => {
  planDir = await mkdtemp(join(tmpdir(), 'headroom-rabbit-it-'));
  broker = await connect(URL);
  broker.on('error', () => undefined);
  await fillQueues(broker);
  await startManagement();
});

after(async () => {
  if (broker) {
    const cleanup = await broker.createChannel();
    for (const q of Object.values(Q)) await cleanup.deleteQueue(q).catch(() => undefined);
    await broker.close().catch(() => undefined);
  }
  if (management) {
    management.closeAllConnections();
    await new Promise((resolve) => management!.close(resolve));
  }
  if (planDir) await rm(planDir, { recursive: true, force: true });
});

interface CheckJson {
  sources: Record<string, { kind: string; state: string; last_error?: string }>;
  failures: Record<string, { code: string; message: string; path?: string }>;
  samples: { metric: string; labels: Record<string, string>; value: number }[];
}

/** Runs `headroom check --json --no-store` with one rabbitmq source `mq` and these metrics. */
async function check(
  metrics: Record<string, Record<string, unknown>>,
  options: Record<string, unknown> = { url: URL },
): Promise<CheckJson> {
  const lines = [
    'version: 1',
    `name: rabbit-it-${RUN}`,
    'sources:',
    `  mq: ${JSON.stringify({ kind: 'rabbitmq', timeout: '5s', ...options })}`,
    'metrics:',
    ...Object.entries(metrics).map(([n, m]) => `  ${n}: ${JSON.stringify({ from: 'mq', ...m })}`),
    '',
  ];
  const file = join(planDir, `plan-${randomBytes(3).toString('hex')}.yaml`);
  await writeFile(file, lines.join('\n'));
  const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
  try {
    return JSON.parse(result.stdout) as CheckJson;
  } catch {
    throw new Error(`no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
}

function valueOf(json: CheckJson, metric: string): number {
  const sample = json.samples.find((s) => s.metric === metric);
  assert.ok(sample, `no sample ${metric}: ${JSON.stringify(json)}`);
  return sample.value;
}

function metric(name: string, queue: string, field: string): MetricRequest {
  return { name, select: { queue, field } };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

sourceContract('rabbitmq (real broker)', () => ({
  kind: rabbitmqKind,
  options: { url: URL, timeout: '5s' },
  metrics: [metric('ready', Q.work, 'ready'), metric('consumers', Q.work, 'consumers')],
}));

describe('rabbitmq source through headroom check --json', () => {
  test('ready and consumers are the exact counts of real queues, labelled by queue', async () => {
    const json = await check({
      work_ready: { queue: Q.work, field: 'ready' },
      work_consumers: { queue: Q.work, field: 'consumers' },
      idle_ready: { queue: Q.idle, field: 'ready' },
      idle_consumers: { queue: Q.idle, field: 'consumers' },
    });
    assert.deepEqual(json.failures, {});
    assert.equal(valueOf(json, 'work_ready'), PUBLISHED - HELD);
    assert.equal(valueOf(json, 'work_consumers'), 1);
    assert.equal(valueOf(json, 'idle_ready'), 0);
    assert.equal(valueOf(json, 'idle_consumers'), 0);
    assert.deepEqual(json.samples.find((s) => s.metric === 'work_ready')?.labels, {
      queue: Q.work,
    });
    assert.equal(json.sources.mq?.state, 'ok');
  });

  test('a missing queue is SOURCE_NOT_FOUND, and the queues after it are still read', async () => {
    const json = await check({
      a_missing: { queue: `hr-it-${RUN}-nope`, field: 'ready' },
      b_work: { queue: Q.work, field: 'ready' },
      c_missing_too: { queue: `hr-it-${RUN}-nope-2`, field: 'consumers' },
      d_idle: { queue: Q.idle, field: 'consumers' },
    });
    assert.equal(json.failures.a_missing?.code, 'SOURCE_NOT_FOUND');
    assert.match(json.failures.a_missing!.message, /queue 'hr-it-.*-nope' not found in RabbitMQ/);
    assert.equal(json.failures.c_missing_too?.code, 'SOURCE_NOT_FOUND');
    assert.equal(valueOf(json, 'b_work'), PUBLISHED - HELD);
    assert.equal(valueOf(json, 'd_idle'), 0);
    assert.equal(json.sources.mq?.state, 'error');
  });

  test('management fields come from the management API beside the AMQP ones', async () => {
    const json = await check(
      {
        ready: { queue: Q.work, field: 'ready' },
        unacked: { queue: Q.work, field: 'unacked' },
        publish: { queue: Q.work, field: 'publish_rate' },
        deliver: { queue: Q.work, field: 'deliver_rate' },
        acks: { queue: Q.work, field: 'ack_rate' },
      },
      { url: URL, management: managementUrl },
    );
    assert.deepEqual(json.failures, {});
    assert.equal(valueOf(json, 'ready'), PUBLISHED - HELD);
    assert.equal(valueOf(json, 'unacked'), HELD);
    assert.equal(valueOf(json, 'publish'), 1.8);
    assert.equal(valueOf(json, 'deliver'), 0.8);
    assert.equal(valueOf(json, 'acks'), 0, 'no acks in the window: message_stats has no ack');
  });

  test('a dead port is SOURCE_UNAVAILABLE naming host:port, without the password', async () => {
    const port = await freePort();
    const json = await check(
      { ready: { queue: Q.work, field: 'ready' } },
      { url: `amqp://guest:pa55word@127.0.0.1:${port}/` },
    );
    assert.equal(json.failures.ready?.code, 'SOURCE_UNAVAILABLE');
    assert.match(json.failures.ready!.message, new RegExp(`127.0.0.1:${port}.*ECONNREFUSED`));
    assert.doesNotMatch(JSON.stringify(json), /pa55word/);
  });
});

/** A TCP proxy to the broker that tests can cut and stop. */
class Proxy {
  private server: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  /** Listening port. */
  port = 0;
  /** Client connections accepted so far. */
  accepted = 0;

  async start(port = 0): Promise<void> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  /** Stops forwarding on the open connections (a broker that hangs); new ones still work. */
  freeze(): void {
    for (const s of this.sockets) s.unpipe();
  }

  /** Drops every proxied connection, as a broker restart or a network cut would. */
  cut(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  async stop(): Promise<void> {
    this.cut();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  private accept(client: Socket): void {
    this.accepted += 1;
    const upstream = tcpConnect(5672, '127.0.0.1');
    for (const s of [client, upstream]) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }
}

describe('rabbitmq source: connection faults', () => {
  test('a cut connection is reopened on the next collect; a lost broker backs off, then recovers', async () => {
    const proxy = new Proxy();
    await proxy.start();
    let nowMs = Date.now();
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: `amqp://guest:guest@127.0.0.1:${proxy.port}/`, timeout: '2s' },
      metrics: [metric('ready', Q.work, 'ready')],
      now: () => nowMs,
    });
    const collect = () => source.collect(AbortSignal.timeout(5000));
    try {
      assert.equal((await collect())[0]?.value, PUBLISHED - HELD);
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal((await collect())[0]?.value, PUBLISHED - HELD, 'not reconnected after a cut');
      const port = proxy.port;
      await proxy.stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await assert.rejects(collect(), { code: 'SOURCE_UNAVAILABLE', message: /in 1 s$/ });
      await assert.rejects(collect(), { message: /next attempt in 1 s$/ });
      await proxy.start(port);
      // Still inside the wait: fails fast although the broker is back.
      await assert.rejects(collect(), { code: 'SOURCE_UNAVAILABLE' });
      nowMs += 1000;
      assert.equal((await collect())[0]?.value, PUBLISHED - HELD, 'not recovered after the wait');
      assert.equal(source.health().state, 'ok');
    } finally {
      await source.close();
      await proxy.stop();
    }
  });

  test('a broker that stops answering mid-collect times out, and the next collect reconnects', async () => {
    const proxy = new Proxy();
    await proxy.start();
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: `amqp://guest:guest@127.0.0.1:${proxy.port}/`, timeout: '300ms' },
      metrics: [metric('ready', Q.work, 'ready')],
      now: Date.now,
    });
    const collect = () => source.collect(AbortSignal.timeout(5000));
    try {
      assert.equal((await collect())[0]?.value, PUBLISHED - HELD);
      proxy.freeze();
      const startedMs = performance.now();
      await assert.rejects(collect(), { code: 'SOURCE_UNAVAILABLE', message: /timed out/ });
      assert.ok(performance.now() - startedMs < 500, 'the hung declare was not cut off');
      assert.equal((await collect())[0]?.value, PUBLISHED - HELD, 'stuck behind the hung declare');
      assert.equal(proxy.accepted, 2);
    } finally {
      await source.close();
      await proxy.stop();
    }
  });

  test('wrong credentials are SOURCE_CONFIG and the password is never shown', async () => {
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: 'amqp://guest:not-the-pa55word@127.0.0.1:5672/' },
      metrics: [metric('ready', Q.work, 'ready')],
      now: Date.now,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'SOURCE_CONFIG');
      assert.match(e.message, /refused the login/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /pa55word/);
      return true;
    });
    await source.close();
  });

  test('a vhost that does not exist is SOURCE_CONFIG naming it', async () => {
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: `amqp://guest:guest@127.0.0.1:5672/no-vhost-${RUN}` },
      metrics: [metric('ready', Q.work, 'ready')],
      now: Date.now,
    });
    await assert.rejects(source.collect(AbortSignal.timeout(5000)), {
      code: 'SOURCE_CONFIG',
      message: new RegExp(`refused to open vhost 'no-vhost-${RUN}'`),
    });
    await source.close();
  });

  test('one connection serves every collect and survives a missing queue', async () => {
    const proxy = new Proxy();
    await proxy.start();
    const source = new RabbitMqSource({
      name: 'rabbit',
      options: { url: `amqp://guest:guest@127.0.0.1:${proxy.port}/` },
      metrics: [
        metric('missing', `hr-it-${RUN}-absent`, 'ready'),
        metric('ready', Q.work, 'ready'),
      ],
      now: Date.now,
    });
    try {
      for (let i = 0; i < 3; i++) {
        const result = await source.collectDetailed(AbortSignal.timeout(5000));
        assert.deepEqual(
          result.failures.map((f) => f.error.code),
          ['SOURCE_NOT_FOUND'],
        );
        assert.equal(result.samples[0]?.value, PUBLISHED - HELD);
      }
      assert.equal(proxy.accepted, 1, 'opened more than one connection');
    } finally {
      await source.close();
      await proxy.stop();
    }
  });
});
