/**
 * Sources benchmark: one collect of 200 queues across four kinds on this machine's services —
 * 80 BullMQ queues and 60 Celery lists on Redis, 40 JetStream streams on NATS, 20 RabbitMQ
 * queues — through headroom's `Collector`, against bare client calls doing the same reads
 * (an ioredis pipeline of the same counts, one JetStream stream listing, passive declares on
 * one AMQP channel) in the same run. Also each source's own time per collect against its bare
 * read. The bare reads fetch only the counts; the sources also check that each queue exists
 * (never a silent 0) and read Celery's priority sub-lists, so part of their overhead is that
 * work. Everything it creates has a random prefix and is deleted afterwards.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { parsePlan } from '../src/plan/load.ts';
import { Collector } from '../src/runtime/collect.ts';
import { createSource } from '../src/sources/index.ts';
import type { Source } from '../src/sources/source.ts';
import { renderTable, type BenchRow } from './table.ts';

const COUNTS = { bullmq: 80, celery: 60, nats: 40, rabbitmq: 20 };
const RUNS = 15;
const id = randomUUID().slice(0, 8);
const prefix = `hrbench${id}`;
const names = (kind: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${kind}-${i}`);
const bullQueues = names('bq', COUNTS.bullmq);
const celeryLists = names('cel', COUNTS.celery);
const streams = names('st', COUNTS.nats).map((s) => s.replaceAll('-', '_'));
const rabbitQueues = names('rq', COUNTS.rabbitmq);

interface Clients {
  redis: Redis;
  nc: NatsConnection;
  jsm: JetStreamManager;
  amqp: amqp.ChannelModel;
  channel: amqp.Channel;
}

async function setUp(): Promise<Clients> {
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  await redis.connect();
  const fill = redis.pipeline();
  for (const q of bullQueues) {
    // The keys BullMQ itself writes for a queue with three waiting jobs.
    fill.hset(`${prefix}:${q}:meta`, 'opts.maxLenEvents', '10000');
    fill.set(`${prefix}:${q}:id`, '3');
    fill.lpush(`${prefix}:${q}:wait`, '1', '2', '3');
  }
  for (const l of celeryLists) fill.lpush(l, 'a', 'b');
  await fill.exec();
  const nc = await natsConnect({ servers: '127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  for (const s of streams)
    await jsm.streams.add({ name: s, subjects: [`${s}.>`], max_bytes: 1_000_000 });
  const model = await amqp.connect('amqp://guest:guest@127.0.0.1:5672');
  const channel = await model.createChannel();
  for (const q of rabbitQueues) {
    await channel.assertQueue(q, { autoDelete: false });
    channel.sendToQueue(q, Buffer.from('x'));
  }
  return { redis, nc, jsm, amqp: model, channel };
}

async function tearDown(c: Clients): Promise<void> {
  const keys = await c.redis.keys(`${prefix}*`);
  if (keys.length > 0) await c.redis.del(...keys);
  await c.redis.quit();
  for (const s of streams) await c.jsm.streams.delete(s).catch(() => undefined);
  await c.nc.close();
  for (const q of rabbitQueues) await c.channel.deleteQueue(q).catch(() => undefined);
  await c.amqp.close();
}

function planText(): string {
  const celery = celeryLists.map((l, i) => `  cel${i}: { from: celery, key: ${l}, field: length }`);
  const rabbit = rabbitQueues.map(
    (q, i) => `  rq${i}: { from: rabbit, queue: ${q}, field: ready }`,
  );
  return `version: 1
name: bench
sources:
  bull: { kind: bullmq, url: "redis://127.0.0.1:6379/0", prefix: ${prefix} }
  celery: { kind: redis-list, url: "redis://127.0.0.1:6379/0" }
  nats: { kind: nats-jetstream, servers: "nats://127.0.0.1:4222" }
  rabbit: { kind: rabbitmq, url: "amqp://guest:guest@127.0.0.1:5672/" }
metrics:
  bq: { from: bull, field: waiting }
  streams: { from: nats, stream: "*", field: messages }
${celery.join('\n')}
${rabbit.join('\n')}
`;
}

/** The same reads with the bare clients. */
const bare = {
  bullmq: (c: Clients) =>
    c.redis.pipeline(bullQueues.map((q) => ['llen', `${prefix}:${q}:wait`])).exec(),
  celery: (c: Clients) => c.redis.pipeline(celeryLists.map((l) => ['llen', l])).exec(),
  nats: async (c: Clients) => {
    const out = [];
    for await (const s of c.jsm.streams.list()) out.push(s.state.messages);
    return out;
  },
  rabbitmq: (c: Clients) => Promise.all(rabbitQueues.map((q) => c.channel.checkQueue(q))),
};

async function median(fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** Runs the benchmark and returns its table. */
export async function run(): Promise<string> {
  const clients = await setUp();
  const plan = parsePlan(planText(), 'bench.yaml');
  const collector = new Collector(plan, Date.now);
  const sources: Record<string, Source> = {};
  for (const [name, config] of Object.entries(plan.raw.sources ?? {})) {
    const { kind, ...options } = config;
    const metrics = Object.values(plan.metrics)
      .filter((m) => m.source === name)
      .map((m) => ({ name: m.name, select: m.select }));
    sources[name] = createSource(kind, { name, options, metrics, now: Date.now });
  }
  try {
    const outcome = await collector.collect(10_000);
    const failures = Object.keys(outcome.failures);
    if (failures.length > 0) throw new Error(`bench collect failed for ${failures.join(', ')}`);
    const queues = outcome.samples.length;
    const rows: BenchRow[] = [
      {
        name: `one collect of ${queues} queues, all four sources concurrently (median of ${RUNS})`,
        value: await median(() => collector.collect(10_000)),
        baseline: await median(() => Promise.all(Object.values(bare).map((read) => read(clients)))),
        unit: 'ms',
      },
    ];
    const kinds: [string, keyof typeof bare, number][] = [
      ['bull', 'bullmq', COUNTS.bullmq],
      ['celery', 'celery', COUNTS.celery],
      ['nats', 'nats', COUNTS.nats],
      ['rabbit', 'rabbitmq', COUNTS.rabbitmq],
    ];
    for (const [source, read, count] of kinds) {
      rows.push({
        name: `${plan.raw.sources?.[source]?.kind}: ${count} queues, ms per collect`,
        value: await median(() => sources[source]!.collect(AbortSignal.timeout(10_000))),
        baseline: await median(() => bare[read](clients)),
        unit: 'ms',
      });
    }
    return renderTable(
      'sources: one collect of 200 queues vs bare client calls reading the same counts (same run; the sources also check each queue exists)',
      rows,
    );
  } finally {
    await collector.close();
    await Promise.all(Object.values(sources).map((s) => s.close()));
    await tearDown(clients);
  }
}
