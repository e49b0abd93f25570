// The redis-list source against real Redis: Celery-format messages (kombu's JSON envelope)
// pushed the way kombu's Redis transport pushes them, into random-named queues on
// 127.0.0.1:6379, and a private redis-server for the global `unacked` hash and the
// kill-and-restart test. Every key written on the shared server is deleted after.
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { HeadroomError } from '../../src/errors.ts';
import { RedisListSource, redisListKind } from '../../src/sources/redis-list.ts';
import type { MetricRequest, Sample } from '../../src/sources/source.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';
import { runCli } from '../helpers/cli.ts';
import { freePort, startRedis, type PrivateServer } from '../helpers/servers.ts';

const RUN = randomBytes(4).toString('hex');
const URL = 'redis://127.0.0.1:6379/0';
const SEP = '\x06\x16';
/** Queue names, random per run; every key the test writes contains `hr-it-list-<RUN>`. */
const Q = {
  tasks: `hr-it-list-${RUN}-tasks`,
  bound: `hr-it-list-${RUN}-bound`,
  urgentOnly: `hr-it-list-${RUN}-urgent`,
  hash: `hr-it-list-${RUN}-hash`,
  custom: `hr-it-list-${RUN}-custom`,
};

const redis = new Redis(URL, { lazyConnect: true });
let planDir = '';

/** A Celery task message in kombu's JSON envelope, as the Redis transport stores it. */
function celeryMessage(queue: string, task: string, priority: number): string {
  const id = randomUUID();
  const body = Buffer.from(JSON.stringify([[2, 3], {}, { callbacks: null, errbacks: null }]));
  return JSON.stringify({
    body: body.toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: {
      lang: 'py',
      task,
      id,
      root_id: id,
      parent_id: null,
      group: null,
      retries: 0,
      eta: null,
      expires: null,
      argsrepr: '(2, 3)',
      kwargsrepr: '{}',
      origin: 'gen1@headroom-test',
    },
    properties: {
      correlation_id: id,
      reply_to: randomUUID(),
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: queue },
      priority,
      body_encoding: 'base64',
      delivery_tag: randomUUID(),
    },
  });
}

/** LPUSHes `count` messages of `priority` to the list kombu uses for it (step `step`). */
async function push(client: Redis, queue: string, step: number, count: number): Promise<void> {
  const key = step === 0 ? queue : `${queue}${SEP}${step}`;
  for (let i = 0; i < count; i++) {
    await client.lpush(key, celeryMessage(queue, 'tasks.add', step));
  }
}

/** What kombu writes when a queue is bound: `_kombu.binding.<exchange>` ∋ rk␆␖pattern␆␖queue. */
async function bind(client: Redis, queue: string): Promise<void> {
  await client.sadd(`_kombu.binding.${queue}`, `${queue}${SEP}${SEP}${queue}`);
}

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
  planDir = await mkdtemp(join(tmpdir(), 'headroom-redis-list-'));
  await push(redis, Q.tasks, 0, 4);
  await push(redis, Q.tasks, 3, 2);
  await push(redis, Q.tasks, 9, 1);
  await bind(redis, Q.tasks);
  await bind(redis, Q.bound); // declared by a worker, drained: Redis has deleted its list
  await push(redis, Q.urgentOnly, 6, 2); // only a priority list, no base list, no binding
  await redis.hset(Q.hash, 'not', 'a list');
  await redis.rpush(`${Q.custom}:5`, 'a', 'b', 'c');
  await redis.rpush(Q.custom, 'd');
});

after(async () => {
  await deleteKeys(redis, `*hr-it-list-${RUN}*`);
  redis.disconnect();
  if (planDir) await rm(planDir, { recursive: true, force: true });
});

function byJson(a: unknown, b: unknown): number {
  return JSON.stringify(a).localeCompare(JSON.stringify(b));
}

function source(
  metrics: Record<string, Record<string, unknown>>,
  options: Record<string, unknown> = {},
  now: () => number = Date.now,
): RedisListSource {
  return new RedisListSource({
    name: 'celery',
    options: { url: URL, ...options },
    metrics: Object.entries(metrics).map(([name, select]): MetricRequest => ({ name, select })),
    now,
  });
}

async function collectOnce(s: RedisListSource) {
  try {
    return await s.collectDetailed(AbortSignal.timeout(5000));
  } finally {
    await s.close();
  }
}

sourceContract('redis-list (real Redis)', () => ({
  kind: redisListKind,
  options: { url: URL, timeout: '5s' },
  metrics: [
    { name: 'depth', select: { key: Q.tasks, field: 'length' } },
    { name: 'by_priority', select: { key: Q.tasks, field: 'length_by_priority' } },
    { name: 'unacked', select: { field: 'unacked' } },
  ],
}));

describe('redis-list source: exact counts through `headroom check --json`', () => {
  test('lengths with priority lists, a drained bound queue, and a missing queue', async () => {
    const plan = [
      'version: 1',
      'name: redis-list-it',
      'sources:',
      `  celery: { kind: redis-list, url: "${URL}", timeout: 5s }`,
      `  custom: { kind: redis-list, url: "${URL}", priority_steps: [0, 5], separator: ":" }`,
      'metrics:',
      `  tasks_depth: { from: celery, key: "${Q.tasks}", field: length }`,
      `  tasks_by_priority: { from: celery, key: "${Q.tasks}", field: length_by_priority }`,
      `  bound_depth: { from: celery, key: "${Q.bound}", field: length }`,
      `  urgent_depth: { from: celery, key: "${Q.urgentOnly}", field: length }`,
      `  missing_depth: { from: celery, key: "hr-it-list-${RUN}-emails", field: length }`,
      `  custom_depth: { from: custom, key: "${Q.custom}", field: length }`,
      '',
    ].join('\n');
    const file = join(planDir, 'plan.yaml');
    await writeFile(file, plan);
    const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
    const doc = JSON.parse(result.stdout) as {
      samples: Sample[];
      failures: Record<string, { code: string; message: string }>;
    };
    // The two sources collect concurrently: compare the samples in a fixed order.
    const rows = doc.samples.map((s) => [s.metric, s.labels, s.value]).sort(byJson);
    assert.deepEqual(
      rows,
      [
        ['tasks_depth', { queue: Q.tasks }, 7],
        ['tasks_by_priority', { queue: Q.tasks, priority: '0' }, 4],
        ['tasks_by_priority', { queue: Q.tasks, priority: '3' }, 2],
        ['tasks_by_priority', { queue: Q.tasks, priority: '6' }, 0],
        ['tasks_by_priority', { queue: Q.tasks, priority: '9' }, 1],
        ['bound_depth', { queue: Q.bound }, 0],
        ['urgent_depth', { queue: Q.urgentOnly }, 2],
        ['custom_depth', { queue: Q.custom }, 4],
      ].sort(byJson),
      result.stderr,
    );
    assert.equal(doc.failures.missing_depth?.code, 'SOURCE_NOT_FOUND');
    assert.equal(
      doc.failures.missing_depth?.message,
      `list 'hr-it-list-${RUN}-emails' not found in redis db 0: no list and no _kombu.binding.hr-it-list-${RUN}-emails`,
    );
  });
});

describe('redis-list source: what goes wrong', () => {
  test('a key that holds a hash is SOURCE_BAD_VALUE; the other metrics still read', async () => {
    const { samples, failures } = await collectOnce(
      source({
        wrong: { key: Q.hash, field: 'length' },
        depth: { key: Q.tasks, field: 'length' },
      }),
    );
    assert.deepEqual(
      samples.map((s) => [s.metric, s.value]),
      [['depth', 7]],
    );
    assert.equal(failures[0]?.error.code, 'SOURCE_BAD_VALUE');
    assert.match(
      failures[0]!.error.message,
      new RegExp(`key '${Q.hash}' in redis db 0 is not a list: WRONGTYPE`),
    );
  });

  test('a missing queue in another database is SOURCE_NOT_FOUND naming that database', async () => {
    const { failures } = await collectOnce(
      source({ depth: { key: Q.tasks, field: 'length' } }, { url: 'redis://127.0.0.1:6379/15' }),
    );
    assert.equal(failures[0]?.error.code, 'SOURCE_NOT_FOUND');
    assert.match(
      failures[0]!.error.message,
      /not found in redis db 15: no list and no _kombu\.binding\./,
    );
  });

  test('a dead port is SOURCE_UNAVAILABLE naming host:port, within half a second', async () => {
    const port = await freePort();
    const startedMs = performance.now();
    const { failures } = await collectOnce(
      source(
        { depth: { key: Q.tasks, field: 'length' } },
        { url: `redis://:pw@127.0.0.1:${port}` },
      ),
    );
    assert.ok(performance.now() - startedMs < 500);
    const error = failures[0]?.error;
    assert.ok(error instanceof HeadroomError);
    assert.equal(error.code, 'SOURCE_UNAVAILABLE');
    assert.match(error.message, new RegExp(`^Redis at 127\\.0\\.0\\.1:${port} cannot be reached`));
    assert.doesNotMatch(error.message, /pw/);
  });
});

/** A test client for the private server that stays quiet while the server is down. */
function privateClient(url: string): Redis {
  const client = new Redis(url, { retryStrategy: () => null });
  client.on('error', () => undefined);
  return client;
}

describe('redis-list source: a private Redis', () => {
  let server: PrivateServer | undefined;
  let client: Redis | undefined;
  before(async () => {
    server = await startRedis();
    client = privateClient(`redis://127.0.0.1:${server.port}/0`);
  });
  after(async () => {
    client?.disconnect();
    await server?.stop();
  });

  test("unacked counts kombu's one hash for every queue", async () => {
    for (const queue of ['celery', 'emails', 'emails']) {
      const tag = randomUUID();
      const entry = JSON.stringify([JSON.parse(celeryMessage(queue, 'tasks.add', 0)), '', queue]);
      await client!.hset('unacked', tag, entry);
      await client!.zadd('unacked_index', Date.now() / 1000, tag);
    }
    const s = source(
      { unacked: { field: 'unacked' } },
      { url: `redis://127.0.0.1:${server!.port}/0` },
    );
    assert.deepEqual(
      (await collectOnce(s)).samples.map((x) => [x.labels, x.value]),
      [[{}, 3]],
    );
  });

  test('a wrong or missing password is SOURCE_CONFIG, the password never printed', async () => {
    const port = server!.port;
    await client!.config('SET', 'requirepass', 'right-pw');
    try {
      for (const url of [`redis://127.0.0.1:${port}/0`, `redis://:wrong-pw@127.0.0.1:${port}/0`]) {
        const { failures } = await collectOnce(source({ u: { field: 'unacked' } }, { url }));
        assert.equal(failures[0]?.error.code, 'SOURCE_CONFIG', url);
        assert.match(failures[0]!.error.message, /refused the credentials \((NOAUTH|WRONGPASS)/);
        assert.doesNotMatch(failures[0]!.error.message, /wrong-pw|right-pw/);
      }
      const url = `redis://:right-pw@127.0.0.1:${port}/0`;
      const { failures } = await collectOnce(source({ u: { field: 'unacked' } }, { url }));
      assert.deepEqual(failures, []);
    } finally {
      await client!.config('SET', 'requirepass', '');
    }
  });

  test('killed: fails fast, backs off; restarted: reads again on the same port', async () => {
    let nowMs = 1_800_000_000_000;
    const url = `redis://127.0.0.1:${server!.port}/0`;
    const s = source({ depth: { key: 'celery', field: 'length' } }, { url }, () => nowMs);
    try {
      await push(client!, 'celery', 0, 2);
      assert.deepEqual(
        (await s.collect(AbortSignal.timeout(5000))).map((x) => x.value),
        [2],
      );
      await server!.kill();

      let startedMs = performance.now();
      const down = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.equal(down.failures[0]?.error.code, 'SOURCE_UNAVAILABLE');
      assert.ok(performance.now() - startedMs < 500, 'a dead server must fail fast');

      startedMs = performance.now();
      const backingOff = await s.collectDetailed(AbortSignal.timeout(5000));
      assert.match(backingOff.failures[0]!.error.message, /next attempt in 1 s/);
      assert.ok(performance.now() - startedMs < 50, 'backing off must not try to connect');

      await server!.start();
      client!.disconnect();
      client = privateClient(url);
      await push(client, 'celery', 0, 5); // the restarted server kept nothing
      nowMs += 1000;
      assert.deepEqual(
        (await s.collect(AbortSignal.timeout(5000))).map((x) => x.value),
        [5],
      );
      assert.equal(s.health().state, 'ok');
    } finally {
      await s.close();
    }
  });
});
