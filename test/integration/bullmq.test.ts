// The bullmq source against the Redis on 127.0.0.1:6379, with queues filled by BullMQ itself
// (Queue, Worker, FlowProducer) under a random prefix, and a private redis-server for the
// kill-and-restart test. Every key the test writes lives under its prefix and is deleted after.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { HeadroomError } from '../../src/errors.ts';
import { bullmqKind, BullmqSource } from '../../src/sources/bullmq.ts';
import type { MetricRequest, Sample } from '../../src/sources/source.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';
import { runCli } from '../helpers/cli.ts';
import { freePort, startRedis, type PrivateServer } from '../helpers/servers.ts';

const RUN = randomBytes(4).toString('hex');
const PREFIX = `hr-it-bullmq-${RUN}`;
const URL = 'redis://127.0.0.1:6379/0';
const connection = { host: '127.0.0.1', port: 6379 };
/** Queue names, random per run. */
const Q = {
  pending: `pending-${RUN}`,
  done: `done-${RUN}`,
  counted: `counted-${RUN}`,
  stopped: `stopped-${RUN}`,
  empty: `empty-${RUN}`,
  busy: `busy-${RUN}`,
  parents: `parents-${RUN}`,
  kids: `kids-${RUN}`,
  aged: `aged-${RUN}`,
};

const redis = new Redis(URL, { lazyConnect: true });
const queues = new Map<string, Queue>();
const workers: Worker[] = [];
let flows: FlowProducer | undefined;
let releaseBusy: () => void = () => undefined;
let planDir = '';

function queue(name: string): Queue {
  let q = queues.get(name);
  if (!q) {
    q = new Queue(name, { connection, prefix: PREFIX });
    queues.set(name, q);
  }
  return q;
}

/** Polls BullMQ's own counts until `done` says so; fails after 10 s. */
async function waitForCounts(name: string, done: (c: Record<string, number>) => boolean) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const counts = await queue(name).getJobCounts();
    if (done(counts)) return;
    if (Date.now() > deadline) throw new Error(`${name}: counts ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Completes jobs unless `job.data.fail`; BullMQ metrics on when `metrics` is set. */
function startWorker(name: string, metrics: boolean): Worker {
  const worker = new Worker(
    name,
    async (job: Job) => {
      if (job.data.fail) throw new Error('planned failure');
      return 'ok';
    },
    { connection, prefix: PREFIX, ...(metrics ? { metrics: { maxDataPoints: 60 } } : {}) },
  );
  workers.push(worker);
  return worker;
}

async function fillQueues(): Promise<void> {
  const pending = queue(Q.pending);
  await pending.addBulk(Array.from({ length: 5 }, (_, i) => ({ name: 'send', data: { i } })));
  for (let i = 0; i < 2; i++) await pending.add('later', { i }, { delay: 3_600_000 });
  for (let i = 1; i <= 3; i++) await pending.add('urgent', { i }, { priority: i });

  const done = queue(Q.done);
  for (let i = 0; i < 6; i++) await done.add('job', { fail: i % 3 === 0 });
  const doneWorker = startWorker(Q.done, true);
  await waitForCounts(Q.done, (c) => c.completed === 4 && c.failed === 2);
  await doneWorker.close();

  const stopped = queue(Q.stopped);
  for (let i = 0; i < 3; i++) await stopped.add('job', { i });
  await stopped.pause();

  await queue(Q.empty).getVersion(); // resolves once the Queue has written its meta hash

  const busy = queue(Q.busy);
  for (let i = 0; i < 2; i++) await busy.add('slow', { i });
  const gate = new Promise<void>((resolve) => (releaseBusy = resolve));
  workers.push(new Worker(Q.busy, () => gate, { connection, prefix: PREFIX, concurrency: 1 }));
  await waitForCounts(Q.busy, (c) => c.active === 1 && c.waiting === 1);

  flows = new FlowProducer({ connection, prefix: PREFIX });
  await flows.add({
    name: 'report',
    queueName: Q.parents,
    children: [
      { name: 'part', queueName: Q.kids, data: { n: 1 } },
      { name: 'part', queueName: Q.kids, data: { n: 2 } },
    ],
  });
}

/** Deletes every key under a prefix (SCAN, not KEYS). */
async function deleteKeys(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    if (keys.length > 0) await client.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

before(async () => {
  await redis.connect();
  planDir = await mkdtemp(join(tmpdir(), 'headroom-bullmq-'));
  await fillQueues();
});

after(async () => {
  releaseBusy();
  await Promise.allSettled(workers.map((w) => w.close(true)));
  await flows?.close();
  await Promise.allSettled([...queues.values()].map((q) => q.close()));
  await deleteKeys(redis, `${PREFIX}:*`);
  redis.disconnect();
  if (planDir) await rm(planDir, { recursive: true, force: true });
});

function source(
  metrics: Record<string, Record<string, unknown>>,
  options: Record<string, unknown> = {},
  now: () => number = Date.now,
): BullmqSource {
  return new BullmqSource({
    name: 'jobs',
    options: { url: URL, prefix: PREFIX, ...options },
    metrics: Object.entries(metrics).map(([name, select]): MetricRequest => ({ name, select })),
    now,
  });
}

async function collectOnce(s: BullmqSource) {
  try {
    return await s.collectDetailed(AbortSignal.timeout(5000));
  } finally {
    await s.close();
  }
}

function valuesOf(samples: Sample[]): number[] {
  return samples.map((s) => s.value);
}

function values(samples: Sample[], metric: string): Record<string, number> {
  return Object.fromEntries(
    samples.filter((s) => s.metric === metric).map((s) => [s.labels.queue!, s.value]),
  );
}

sourceContract('bullmq (real Redis)', () => ({
  kind: bullmqKind,
  options: { url: URL, prefix: PREFIX, timeout: '5s' },
  metrics: [
    { name: 'pending_waiting', select: { queue: Q.pending, field: 'waiting' } },
    { name: 'busy_active', select: { queue: Q.busy, field: 'active' } },
    { name: 'all_backlog', select: { field: 'backlog' } },
    { name: 'done_rate', select: { queue: Q.done, field: 'completed_per_minute' } },
  ],
}));

describe('bullmq source: exact counts through `headroom check --json`', () => {
  test('every field of real BullMQ queues, a missing queue, and a rate without history', async () => {
    const expected: [metric: string, queue: string, field: string, value: number][] = [
      ['pending_waiting', Q.pending, 'waiting', 5],
      ['pending_delayed', Q.pending, 'delayed', 2],
      ['pending_prioritized', Q.pending, 'prioritized', 3],
      ['pending_backlog', Q.pending, 'backlog', 8],
      ['pending_paused', Q.pending, 'paused', 0],
      ['done_completed', Q.done, 'completed', 4],
      ['done_failed', Q.done, 'failed', 2],
      ['stopped_waiting', Q.stopped, 'waiting', 3],
      ['stopped_paused', Q.stopped, 'paused', 3],
      ['empty_waiting', Q.empty, 'waiting', 0],
      ['busy_active', Q.busy, 'active', 1],
      ['busy_waiting', Q.busy, 'waiting', 1],
      ['parents_waiting_children', Q.parents, 'waiting_children', 1],
      ['kids_waiting', Q.kids, 'waiting', 2],
    ];
    const plan = [
      'version: 1',
      'name: bullmq-it',
      'sources:',
      `  jobs: { kind: bullmq, url: "${URL}", prefix: "${PREFIX}", timeout: 5s }`,
      'metrics:',
      ...expected.map(([m, q, field]) => `  ${m}: { from: jobs, queue: "${q}", field: ${field} }`),
      '  all_backlog: { from: jobs, field: backlog }',
      '  missing: { from: jobs, queue: emails, field: waiting }',
      `  pending_rate: { from: jobs, queue: "${Q.pending}", field: completed_per_minute }`,
      '',
    ].join('\n');
    const file = join(planDir, 'plan.yaml');
    await writeFile(file, plan);
    const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
    const doc = JSON.parse(result.stdout) as {
      samples: Sample[];
      sources: Record<string, { state: string; last_error?: string }>;
      failures: Record<string, { code: string; message: string }>;
    };
    const single = doc.samples.filter((s) => s.metric !== 'all_backlog');
    assert.deepEqual(
      single.map((s) => [s.metric, s.labels.queue, s.value]),
      expected.map(([m, q, , value]) => [m, q, value]),
      result.stderr,
    );
    assert.deepEqual(values(doc.samples, 'all_backlog'), {
      [Q.pending]: 8,
      [Q.done]: 0,
      [Q.stopped]: 3,
      [Q.empty]: 0,
      [Q.busy]: 1,
      [Q.parents]: 0,
      [Q.kids]: 2,
    });
    assert.equal(doc.failures.missing?.code, 'SOURCE_NOT_FOUND');
    assert.equal(
      doc.failures.missing?.message,
      `queue 'emails' not found under prefix '${PREFIX}'`,
    );
    assert.equal(doc.failures.pending_rate?.code, 'SOURCE_BAD_VALUE');
    assert.match(doc.failures.pending_rate?.message ?? '', /is not known yet/);
    assert.equal(doc.sources.jobs?.state, 'error');
    assert.match(
      doc.sources.jobs?.last_error ?? '',
      /2 metric\(s\) failed \(missing, pending_rate\)/,
    );
  });
});

describe('bullmq source: oldest_wait', () => {
  test("the oldest waiting job's age from its timestamp and delay; 0 for an empty queue", async () => {
    const now = Date.now();
    const aged = queue(Q.aged);
    // Added oldest first: BullMQ pushes each new job at the head of `wait`.
    for (const ago of [90_000, 60_000, 30_000])
      await aged.add('send', { ago }, { timestamp: now - ago });
    const result = await collectOnce(
      source(
        {
          aged_oldest: { queue: Q.aged, field: 'oldest_wait' },
          empty_oldest: { queue: Q.empty, field: 'oldest_wait' },
          aged_waiting: { queue: Q.aged, field: 'waiting' },
        },
        {},
        () => now,
      ),
    );
    assert.deepEqual(result.failures, []);
    assert.deepEqual(
      result.samples.map((s) => [s.metric, s.value]),
      [
        ['aged_oldest', 90],
        ['empty_oldest', 0],
        ['aged_waiting', 3],
      ],
    );
    // The oldest taken by a worker: the next oldest is 60 s old.
    const oldest = (await aged.getJobs(['wait'])).find((j) => j.data.ago === 90_000);
    await oldest!.remove();
    const again = await collectOnce(
      source({ aged_oldest: { queue: Q.aged, field: 'oldest_wait' } }, {}, () => now + 1000),
    );
    assert.deepEqual(
      again.samples.map((s) => s.value),
      [61],
    );
  });
});

describe('bullmq source: completed_per_minute', () => {
  test("from BullMQ's metrics: the jobs completed in the last whole minute, at the first collect", async () => {
    const metricsKey = `${PREFIX}:${Q.done}:metrics:completed`;
    const [count, prevTs, prevCount] = (
      await redis.hmget(metricsKey, 'count', 'prevTS', 'prevCount')
    ).map(Number);
    assert.equal(count, 4, 'BullMQ counted the 4 completed jobs');
    const openMinuteMs = Math.floor(prevTs! / 60_000) * 60_000;
    const rateAt = async (nowMs: number) =>
      (
        await collectOnce(
          source({ rate: { queue: Q.done, field: 'completed_per_minute' } }, {}, () => nowMs),
        )
      ).samples[0]?.value;
    // The minute after the open bucket's: every completion in that bucket.
    assert.equal(await rateAt(openMinuteMs + 60_000 + 5000), count! - prevCount!);
    // Two minutes later nothing completed in the last minute.
    assert.equal(await rateAt(openMinuteMs + 120_000 + 5000), 0);
  });

  test('without metrics: the first collect says so, the next one gives the change per minute', async () => {
    let nowMs = 1_800_000_000_000;
    const s = source(
      { rate: { queue: Q.counted, field: 'completed_per_minute' } },
      {},
      () => nowMs,
    );
    try {
      await queue(Q.counted).add('seed', {});
      const first = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.equal(first.failures[0]?.error.code, 'SOURCE_BAD_VALUE');
      assert.match(first.failures[0]!.error.message, /not known yet/);
      for (let i = 0; i < 2; i++) await queue(Q.counted).add('job', {});
      const worker = startWorker(Q.counted, false);
      await waitForCounts(Q.counted, (c) => c.completed === 3);
      await worker.close();
      nowMs += 30_000;
      const second = await s.collectDetailed(AbortSignal.timeout(5000));
      // 3 completed in 30 s of source clock: 6 per minute.
      assert.deepEqual(valuesOf(second.samples), [6]);
    } finally {
      await s.close();
    }
  });
});

describe('bullmq source: what goes wrong', () => {
  test('a queue that does not exist is SOURCE_NOT_FOUND with the exact message, never 0', async () => {
    const { failures } = await collectOnce(source({ m: { queue: 'emails', field: 'waiting' } }));
    assert.equal(failures[0]?.error.code, 'SOURCE_NOT_FOUND');
    assert.equal(failures[0]?.error.message, `queue 'emails' not found under prefix '${PREFIX}'`);
  });

  test('a prefix with no queue at all is SOURCE_NOT_FOUND for a metric over every queue', async () => {
    const { failures } = await collectOnce(
      source({ m: { field: 'backlog' } }, { prefix: `${PREFIX}-nothing` }),
    );
    assert.equal(failures[0]?.error.code, 'SOURCE_NOT_FOUND');
    assert.match(
      failures[0]!.error.message,
      /no BullMQ queue found under prefix '.*-nothing' in redis db 0/,
    );
  });

  test('a key of the wrong type fails its field naming the key; the other fields still read', async () => {
    const broken = `broken-${RUN}`;
    await redis.hset(`${PREFIX}:${broken}:meta`, 'version', 'bullmq:6.7.0');
    await redis.set(`${PREFIX}:${broken}:wait`, 'not a list');
    const s = source({
      waiting: { queue: broken, field: 'waiting' },
      active: { queue: broken, field: 'active' },
    });
    const { samples, failures } = await s.collectDetailed(AbortSignal.timeout(5000));
    try {
      assert.deepEqual(
        samples.map((x) => [x.metric, x.value]),
        [['active', 0]],
      );
      assert.equal(failures[0]?.metric, 'waiting');
      assert.equal(failures[0]?.error.code, 'SOURCE_BAD_VALUE');
      assert.match(
        failures[0]!.error.message,
        new RegExp(`key '${PREFIX}:${broken}:wait' holds the wrong type`),
      );
      assert.equal(s.health().state, 'error');
    } finally {
      await s.close();
      await redis.del(`${PREFIX}:${broken}:meta`, `${PREFIX}:${broken}:wait`);
    }
  });

  test('a dead port is SOURCE_UNAVAILABLE naming host:port, within half a second', async () => {
    const port = await freePort();
    const startedMs = performance.now();
    const url = `redis://:pw@127.0.0.1:${port}/0`;
    const { failures } = await collectOnce(
      source({ m: { queue: Q.pending, field: 'waiting' } }, { url }),
    );
    assert.ok(performance.now() - startedMs < 500);
    const error = failures[0]?.error;
    assert.ok(error instanceof HeadroomError);
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      error.message,
      new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} cannot be reached \\(ECONNREFUSED\\)`),
    );
    assert.doesNotMatch(error.message, /pw/);
  });
});

describe('bullmq source: a private Redis killed and restarted', () => {
  let server: PrivateServer | undefined;
  after(async () => server?.stop());

  test('fails fast while down, backs off, and reads again once the server is back', async () => {
    server = await startRedis();
    const url = `redis://127.0.0.1:${server.port}/0`;
    const q = new Queue(Q.pending, {
      connection: { ...connection, port: server.port },
      prefix: PREFIX,
    });
    let nowMs = 1_800_000_000_000;
    const s = source({ m: { queue: Q.pending, field: 'waiting' } }, { url }, () => nowMs);
    try {
      await q.add('a', {});
      assert.deepEqual(valuesOf(await s.collect(AbortSignal.timeout(5000))), [1]);
      await q.close();
      await server.kill();

      let startedMs = performance.now();
      const down = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.equal(down.failures[0]?.error.code, 'SOURCE_UNAVAILABLE');
      assert.ok(performance.now() - startedMs < 500, 'a dead server must fail fast');
      assert.equal(s.health().state, 'error');

      startedMs = performance.now();
      const backingOff = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.match(backingOff.failures[0]!.error.message, /next attempt in/);
      assert.ok(performance.now() - startedMs < 50, 'backing off must not try to connect');

      await server.start();
      const again = new Queue(Q.pending, {
        connection: { ...connection, port: server.port },
        prefix: PREFIX,
      });
      await again.addBulk(['b', 'c'].map((name) => ({ name, data: {} })));
      await again.close();
      nowMs += 1000; // past the first backoff step
      assert.deepEqual(valuesOf(await s.collect(AbortSignal.timeout(5000))), [2]);
      assert.equal(s.health().state, 'ok');
    } finally {
      await s.close();
    }
  });
});

const LISTS = ['wait', 'paused', 'active'];
const SETS = ['delayed', 'prioritized', 'waiting-children', 'failed', 'completed'];

/** Median duration of five runs of `run`, in ms. */
async function medianMs(run: () => Promise<unknown>): Promise<number> {
  const durations: number[] = [];
  for (let i = 0; i < 5; i++) {
    const startedMs = performance.now();
    await run();
    durations.push(performance.now() - startedMs);
  }
  return durations.sort((a, b) => a - b)[2]!;
}

describe('bullmq source: 200 queues in one collect', () => {
  const many = Array.from({ length: 200 }, (_, i) => `many-${i}`);
  const manyPrefix = `${PREFIX}-many`;
  after(async () => deleteKeys(redis, `${manyPrefix}:*`));

  test('reads 200 queues in one pipeline, faster than one request per count', async (t) => {
    const fill = redis.pipeline();
    many.forEach((name, i) => {
      fill.hset(`${manyPrefix}:${name}:meta`, 'version', 'bullmq:6.7.0');
      if (i % 4 > 0)
        fill.rpush(
          `${manyPrefix}:${name}:wait`,
          ...Array.from({ length: i % 4 }, (_, j) => String(j)),
        );
    });
    await fill.exec();
    const s = source(
      { backlog: { field: 'backlog' }, active: { field: 'active' } },
      { prefix: manyPrefix },
    );
    try {
      await s.collect(AbortSignal.timeout(5000)); // connect and discover once
      const samples = await s.collect(AbortSignal.timeout(5000));
      const backlog = values(samples, 'backlog');
      assert.equal(Object.keys(backlog).length, 200);
      assert.equal(backlog['many-7'], 3);
      assert.equal(backlog['many-8'], 0);
      const sourceMs = await medianMs(() => s.collect(AbortSignal.timeout(5000)));
      const bareMs = await medianMs(async () => {
        const bare = redis.pipeline();
        for (const name of many) {
          for (const list of LISTS) bare.llen(`${manyPrefix}:${name}:${list}`);
          for (const set of SETS) bare.zcard(`${manyPrefix}:${name}:${set}`);
        }
        await bare.exec();
      });
      const startedMs = performance.now();
      for (const name of many) {
        for (const list of LISTS) await redis.llen(`${manyPrefix}:${name}:${list}`);
        for (const set of SETS) await redis.zcard(`${manyPrefix}:${name}:${set}`);
      }
      const oneByOneMs = performance.now() - startedMs;
      t.diagnostic(
        `200 queues (median of 5): source collect ${sourceMs.toFixed(1)} ms, bare ioredis pipeline of the same counts ${bareMs.toFixed(1)} ms; one request per count ${oneByOneMs.toFixed(1)} ms`,
      );
      assert.ok(sourceMs < oneByOneMs, 'the source must not pay one round trip per count');
    } finally {
      await s.close();
    }
  });
});
