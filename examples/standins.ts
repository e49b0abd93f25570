/**
 * Local stand-ins of an example plan's queues and tables, so that `headroom check` has real
 * systems to read on this machine:
 *
 *   npx tsx examples/standins.ts <irisx|insightdesk|roleferry|honeyjar|cfi> [--clean] [--yes] [--json]
 *
 * It fills the services the plan reads (JetStream streams with lagging durable consumers,
 * BullMQ queues, Celery lists in kombu's format, PostgreSQL tables) with small fixed numbers,
 * and prints what it made and the exact `headroom check` command; `--clean` removes it all.
 * Services come from the plan's own variables (NATS_URL, REDIS_URL, VALKEY_QUEUE_URL,
 * DATABASE_URL) with the plans' loopback defaults; a service elsewhere needs `--yes`.
 *
 * Every object it makes carries a marker (a stream description, a `headroom-standin:*` key, a
 * table or database comment), and it never changes or removes an object without its own
 * marker: a real `SMS` stream or `celery` queue is refused, not overwritten.
 * HEADROOM_STANDIN_SUFFIX (up to 16 of `[a-z0-9]`) appends `_<suffix>` to every name, for
 * stand-ins side by side on shared servers (tests): streams, the BullMQ prefix, the Celery
 * queue, and a database of its own for tables. The plans read those names from variables
 * (IRISX_SMS_STREAM, BULLMQ_PREFIX, CELERY_QUEUE, DATABASE_URL), which the printed command sets.
 * `--json` prints the report, with the samples `check` must read. Exit codes: 0 done, 1 a
 * service failed, 2 bad usage or refused.
 */
import { randomUUID } from 'node:crypto';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect as natsConnect, type NatsConnection } from '@nats-io/transport-node';
import { MetricsTime, Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';

/** The example plans that have stand-ins. */
export const PLANS = ['irisx', 'insightdesk', 'roleferry', 'honeyjar', 'cfi'] as const;
/** One of `PLANS`. */
export type PlanName = (typeof PLANS)[number];

/** One sample `headroom check --json` must report, in its `samples` format; values are counts. */
export interface ExpectedSample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** What one run did (printed as JSON with `--json`). */
export interface StandinReport {
  plan: PlanName;
  action: 'create' | 'clean';
  /** HEADROOM_STANDIN_SUFFIX, or '' without one. */
  suffix: string;
  /** The variables the plan reads, set to see these stand-ins (service URLs and names). */
  env: Record<string, string>;
  /** The command that checks the plan against the stand-ins. */
  command: string;
  /** One line per object made or removed. */
  done: string[];
  /** Samples of the plan's queue and table metrics `check` must then report (create only). */
  expect: ExpectedSample[];
}

/** A failure a user can act on; `exitCode` 1 is a service, 2 bad usage or a refusal. */
export class StandinError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2,
  ) {
    super(message);
  }
}

/** A stream with one durable pull consumer that fetched `fetched` and acked the first `acked`. */
interface StreamSpec {
  stream: string;
  consumer: string;
  published: number;
  messageBytes: number;
  fetched: number;
  acked: number;
  /** The plan's metrics are `<metric>_stream_msgs`, `<metric>_stream_bytes`, `<metric>_pending`. */
  metric: string;
}
/** A BullMQ queue: jobs a worker finished, then jobs left in each state. */
interface JobQueueSpec {
  queue: string;
  completed: number;
  failed: number;
  active: number;
  waiting: number;
  delayed: number;
}
/** What one plan's stand-ins are, before the suffix. */
interface Spec {
  streams?: StreamSpec[];
  jobs?: {
    urlVar: 'REDIS_URL' | 'VALKEY_QUEUE_URL';
    queues: JobQueueSpec[];
    /** Plan metric, the queue it reads (`*`: every queue) and the count it reads. */
    metrics: [string, string, keyof Omit<JobQueueSpec, 'queue'>][];
  };
  /** A Celery queue: messages waiting per kombu priority step, and unacked ones. */
  celery?: { waitingByStep: Record<number, number>; unacked: number; metric: string };
  table?: { name: 'companies' | 'users'; rows: number; metric: string };
}

/** A stream from its numbers: published, message bytes, fetched, acked. */
function stream(stream: string, consumer: string, metric: string, numbers: number[]): StreamSpec {
  const [published, messageBytes, fetched, acked] = numbers as [number, number, number, number];
  return { stream, consumer, metric, published, messageBytes, fetched, acked };
}

/** A queue from its counts in the order they are made: completed, failed, active, waiting, delayed. */
function jobs(queue: string, [completed, failed, active, waiting, delayed = 0]: number[]) {
  return { queue, completed, failed, active, waiting, delayed } as JobQueueSpec;
}

/** The stand-ins: small, realistic numbers, under the warning thresholds but one (honeyjar). */
const SPECS: Record<PlanName, Spec> = {
  irisx: {
    // The roadmap's message sizes: ~500 B, ~5 KB, ~2 KB.
    streams: [
      stream('SMS', 'sms-worker', 'sms', [240, 500, 40, 25]),
      stream('EMAIL', 'email-worker', 'email', [60, 5000, 12, 12]),
      stream('WEBHOOKS', 'webhook-worker', 'webhooks', [150, 2000, 0, 0]),
    ],
    table: { name: 'companies', rows: 120, metric: 'companies' },
  },
  insightdesk: {
    jobs: {
      urlVar: 'VALKEY_QUEUE_URL',
      queues: [
        jobs('sla-checks', [40, 2, 4, 35, 10]),
        jobs('notifications', [90, 5, 12, 180]),
        jobs('analytics', [10, 0, 1, 640, 3]),
      ],
      metrics: [
        ['sla_waiting', 'sla-checks', 'waiting'],
        ['notifications_waiting', 'notifications', 'waiting'],
        ['analytics_waiting', 'analytics', 'waiting'],
        ['queue_depth', '*', 'waiting'],
        ['sla_active', 'sla-checks', 'active'],
        ['notifications_active', 'notifications', 'active'],
        ['analytics_active', 'analytics', 'active'],
      ],
    },
  },
  honeyjar: {
    jobs: {
      urlVar: 'REDIS_URL',
      // The five queues the roadmap names (of its 8); openai is over "add more workers" (100).
      queues: [
        jobs('intent', [60, 1, 3, 42]),
        jobs('openai', [25, 4, 2, 130]),
        jobs('rag', [30, 0, 2, 18]),
        jobs('security', [40, 0, 1, 6]),
        jobs('notification', [50, 0, 0, 3, 5]),
      ],
      metrics: [
        ['intent_waiting', 'intent', 'waiting'],
        ['openai_waiting', 'openai', 'waiting'],
        ['rag_waiting', 'rag', 'waiting'],
        ['queue_waiting', '*', 'waiting'],
        ['worker_failures_total', '*', 'failed'],
      ],
    },
  },
  roleferry: {
    celery: { waitingByStep: { 0: 100, 3: 20 }, unacked: 8, metric: 'celery_waiting' },
    table: { name: 'users', rows: 240, metric: 'users' },
  },
  cfi: { celery: { waitingByStep: { 0: 7 }, unacked: 0, metric: 'celery_queue' } },
};

/** The plans' own defaults of every variable they read. */
const PLAN_DEFAULTS: Record<string, string> = {
  NATS_URL: 'nats://127.0.0.1:4222',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  VALKEY_QUEUE_URL: 'redis://127.0.0.1:6379/1',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
  BULLMQ_PREFIX: 'bull',
  CELERY_QUEUE: 'celery',
  IRISX_SMS_STREAM: 'SMS',
  IRISX_EMAIL_STREAM: 'EMAIL',
  IRISX_WEBHOOKS_STREAM: 'WEBHOOKS',
};
const MARKER = 'headroom stand-in (examples/standins.ts)';
const SEP = '\x06\x16'; // kombu's separator between a queue and its priority step

/** The names and URLs of one run, after the suffix. */
interface Target {
  plan: PlanName;
  spec: Spec;
  suffix: string;
  /** `name_<suffix>`, or `name` without a suffix. */
  named: (name: string) => string;
  nats: string;
  redis: string;
  /** The database the plan reads: with a suffix and a table, a database of its own. */
  database: string;
  /** The database given, from which a suffixed database is created. */
  adminDatabase: string;
  /** Variables the plan reads, set to see these stand-ins. */
  env: Record<string, string>;
  /** Of those, the ones the environment does not already give the plan (names with a suffix). */
  changed: Record<string, string>;
}

/** Resolves the names and URLs of `plan`'s stand-ins from the environment. */
export function target(plan: PlanName, env: NodeJS.ProcessEnv = process.env): Target {
  const suffix = env.HEADROOM_STANDIN_SUFFIX ?? '';
  if (!/^[a-z0-9]{0,16}$/.test(suffix)) {
    throw new StandinError(`HEADROOM_STANDIN_SUFFIX is up to 16 of [a-z0-9], not "${suffix}"`, 2);
  }
  const spec = SPECS[plan];
  const named = (name: string): string => (suffix ? `${name}_${suffix}` : name);
  const pick = (name: string): string => env[name] || PLAN_DEFAULTS[name]!;
  const adminDatabase = pick('DATABASE_URL');
  const db = new URL(adminDatabase);
  // A database per plan and suffix: irisx and roleferry may run side by side.
  if (spec.table && suffix)
    db.pathname = `/${named(`${db.pathname.slice(1) || 'postgres'}_${plan}`)}`;
  const redisVar = spec.jobs?.urlVar ?? 'REDIS_URL';
  const vars: Record<string, string> = { DATABASE_URL: db.href };
  if (spec.streams) vars.NATS_URL = pick('NATS_URL');
  for (const s of spec.streams ?? []) vars[`IRISX_${s.stream}_STREAM`] = named(s.stream);
  if (spec.jobs || spec.celery) vars[redisVar] = pick(redisVar);
  if (spec.jobs) vars.BULLMQ_PREFIX = named('bull');
  if (spec.celery) vars.CELERY_QUEUE = named('celery');
  const urls = { nats: pick('NATS_URL'), redis: pick(redisVar), database: db.href };
  const changed = Object.fromEntries(Object.entries(vars).filter(([k, v]) => v !== pick(k)));
  return { plan, spec, suffix, named, ...urls, adminDatabase, env: vars, changed };
}

/**
 * The `headroom check` command: it sets the variables the environment does not already give
 * the plan, with any password in them shown as `***` (the JSON report has them whole).
 */
export function checkCommand(t: Target, cwd = process.cwd()): string {
  const redact = (value: string): string => {
    if (!value.includes('://')) return value;
    const url = new URL(value);
    if (url.password) url.password = '***';
    return url.href;
  };
  const set = Object.entries(t.changed).map(([name, value]) => `${name}=${redact(value)}`);
  const here = fileURLToPath(new URL('.', import.meta.url));
  const bin = relative(cwd, resolve(here, '..', 'bin', 'headroom.js'));
  const plan = relative(cwd, resolve(here, `${t.plan}.yaml`));
  return [...set, bin.startsWith('.') ? bin : `./${bin}`, 'check', '--plan', plan].join(' ');
}

function urlOf(text: string): URL {
  return new URL(text.includes('://') ? text : `nats://${text}`);
}

/** Refuses services that are not on this machine unless `yes`. */
export function checkLoopback(urls: string[], yes: boolean): void {
  const remote = urls
    .map((u) => urlOf(u).hostname.replace(/^\[|\]$/g, ''))
    .filter((host) => !/^(localhost|127(\.\d+){3}|::1)$/.test(host));
  if (remote.length > 0 && !yes) {
    throw new StandinError(
      `${[...new Set(remote)].join(', ')} is not this machine, and stand-ins create and delete ` +
        'streams, queues and tables there: re-run with --yes if that is what you want',
      2,
    );
  }
}

/** `host:port`, plus `/db` for Redis and PostgreSQL; never credentials. */
function where(url: string): string {
  const u = urlOf(url);
  return `${u.hostname}:${u.port}${/^(redis|rediss|postgres|postgresql):$/.test(u.protocol) ? u.pathname : ''}`;
}

function unreachable(service: string, url: string, err: unknown, howToStart: string): StandinError {
  const reason = err instanceof Error ? err.message || err.name : String(err);
  return new StandinError(
    `${service} at ${where(url)} is not reachable (${reason}). ${howToStart}`,
    1,
  );
}

/** One kind of service: makes its part of a plan's stand-ins, and removes it again. */
interface Backend {
  applies: (spec: Spec) => boolean;
  create: (t: Target, report: StandinReport) => Promise<void>;
  clean: (t: Target, report: StandinReport) => Promise<void>;
}

// ---- NATS JetStream ---------------------------------------------------------------------------

async function withNats(
  t: Target,
  use: (nc: NatsConnection, jsm: JetStreamManager) => Promise<void>,
) {
  const nc = await natsConnect({ servers: t.nats, timeout: 5000, reconnect: false }).catch(
    (err) => {
      throw unreachable('NATS', t.nats, err, 'Start it with `nats-server -js`, or set NATS_URL.');
    },
  );
  try {
    const jsm = await jetstreamManager(nc, { timeout: 5000 }).catch((err) => {
      throw new StandinError(
        `NATS at ${where(t.nats)} has no JetStream (${err}): run \`nats-server -js\``,
        1,
      );
    });
    await use(nc, jsm);
  } finally {
    await nc.close();
  }
}

/** Deletes stream `name` if it is this plan's stand-in; refuses one that is not. */
async function dropStream(t: Target, jsm: JetStreamManager, name: string): Promise<boolean> {
  const info = await jsm.streams.info(name).catch(() => undefined);
  if (!info) return false;
  if (info.config.description !== `${MARKER} ${t.plan}`) {
    throw new StandinError(
      `stream ${name} exists and is not a ${t.plan} stand-in; leaving it alone`,
      2,
    );
  }
  return jsm.streams.delete(name);
}

/** The consumer fetches `fetched` messages and acknowledges the first `acked`. */
async function takeSome(nc: NatsConnection, stream: string, s: StreamSpec): Promise<void> {
  if (s.fetched === 0) return;
  const consumer = await jetstream(nc).consumers.get(stream, s.consumer);
  let seen = 0;
  for await (const m of await consumer.fetch({ max_messages: s.fetched, expires: 5000 })) {
    if (seen < s.acked) await m.ackAck();
    if (++seen === s.fetched) break;
  }
}

async function createStream(t: Target, nc: NatsConnection, jsm: JetStreamManager, s: StreamSpec) {
  const stream = t.named(s.stream);
  await dropStream(t, jsm, stream);
  // Subjects of their own: streams of one server may not share subjects.
  const subject = ['headroom', 'standin', t.plan, s.metric, t.suffix].filter(Boolean).join('.');
  const description = `${MARKER} ${t.plan}`;
  const maxAge = 7 * 86_400 * 1e9; // "Message Retention: 7 days"
  await jsm.streams.add({
    name: stream,
    subjects: [subject],
    description,
    max_msgs: 10_000_000,
    max_age: maxAge,
  });
  const js = jetstream(nc);
  for (let i = 0; i < s.published; i++) await js.publish(subject, 'x'.repeat(s.messageBytes));
  // An hour's ack_wait: nothing is redelivered while the stand-in is read.
  await jsm.consumers.add(stream, {
    durable_name: s.consumer,
    ack_policy: AckPolicy.Explicit,
    ack_wait: 3600e9,
  });
  await takeSome(nc, stream, s);
  return { stream, bytes: (await jsm.streams.info(stream)).state.bytes };
}

const natsBackend: Backend = {
  applies: (spec) => !!spec.streams,
  create: (t, report) =>
    withNats(t, async (nc, jsm) => {
      for (const s of t.spec.streams!) {
        const { stream, bytes } = await createStream(t, nc, jsm, s);
        const pending = s.published - s.acked;
        report.expect.push(
          { metric: `${s.metric}_stream_msgs`, labels: { stream }, value: s.published },
          { metric: `${s.metric}_stream_bytes`, labels: { stream }, value: bytes },
          {
            metric: `${s.metric}_pending`,
            labels: { stream, consumer: s.consumer },
            value: pending,
          },
        );
        report.done.push(
          `NATS ${where(t.nats)}: stream ${stream}, ${s.published} messages of ${s.messageBytes} B; ` +
            `consumer ${s.consumer} fetched ${s.fetched}, acked ${s.acked}: ${pending} pending`,
        );
      }
    }),
  clean: (t, report) =>
    withNats(t, async (_nc, jsm) => {
      for (const s of t.spec.streams!) {
        const name = t.named(s.stream);
        if (await dropStream(t, jsm, name))
          report.done.push(`NATS ${where(t.nats)}: deleted stream ${name}`);
      }
    }),
};

// ---- Redis: BullMQ and Celery -----------------------------------------------------------------

async function withRedis(t: Target, use: (redis: Redis) => Promise<void>): Promise<void> {
  const options = { lazyConnect: true, maxRetriesPerRequest: null, retryStrategy: () => null };
  const redis = new Redis(t.redis, { ...options, connectTimeout: 5000 });
  redis.on('error', () => undefined); // connect() below reports it
  await redis.connect().catch((err) => {
    const variable = t.spec.jobs?.urlVar ?? 'REDIS_URL';
    throw unreachable(
      'Redis',
      t.redis,
      err,
      `Start it with \`redis-server\` (or valkey-server), or set ${variable}.`,
    );
  });
  try {
    await use(redis);
  } finally {
    redis.disconnect();
  }
}

/**
 * Whether `what` is this plan's stand-in (its marker key holds the plan's name); refuses one
 * that `exists` without this plan's marker. A marker without the object is a half-made stand-in.
 */
async function ours(t: Target, redis: Redis, what: string, exists: boolean): Promise<boolean> {
  const owner = await redis.get(`headroom-standin:${what}`);
  if (owner === t.plan) return true;
  if (!exists && owner === null) return false;
  const whose = owner
    ? `belongs to the ${owner} stand-in (remove it with --clean)`
    : 'is not a stand-in';
  throw new StandinError(`${what} in redis ${where(t.redis)} ${whose}; leaving it alone`, 2);
}

async function dropJobQueue(t: Target, redis: Redis, queue: string): Promise<boolean> {
  const prefix = t.named('bull');
  const what = `bullmq ${prefix}:${queue}`;
  const exists = (await redis.exists(`${prefix}:${queue}:meta`, `${prefix}:${queue}:id`)) > 0;
  if (!(await ours(t, redis, what, exists))) return false;
  const q = new Queue(queue, { connection: redis, prefix });
  await q.obliterate({ force: true });
  await q.close();
  await redis.del(`headroom-standin:${what}`);
  return true;
}

/** Fills one queue: a worker finishes `completed` and `failed` jobs and holds `active`; then the rest. */
async function fillJobQueue(redis: Redis, prefix: string, s: JobQueueSpec): Promise<void> {
  const q = new Queue(s.queue, { connection: redis, prefix });
  const add = (n: number, name: string, opts = {}) =>
    q.addBulk(Array.from({ length: n }, (_, i) => ({ name, data: { i }, opts })));
  const taken = s.completed + s.failed + s.active;
  await add(taken, 'work');
  // A worker without a processor takes jobs one at a time. BullMQ metrics are on, as on the
  // plans' workers, so completed_per_minute is known from the first collect.
  const metrics = { maxDataPoints: MetricsTime.ONE_WEEK };
  const worker = new Worker(s.queue, null, { connection: redis, prefix, autorun: false, metrics });
  const token = randomUUID();
  for (let i = 0; i < taken; i++) {
    const next = await worker.getNextJob(token, { block: false });
    if (!next)
      throw new StandinError(`bullmq ${prefix}:${s.queue}: job ${i + 1} of ${taken} is missing`, 1);
    if (i < s.completed) await next.moveToCompleted('done', token, false);
    else if (i < s.completed + s.failed)
      await next.moveToFailed(new Error('stand-in failure'), token, false);
  }
  await worker.close(true); // the `active` jobs stay active: no worker is left to notice them
  await add(s.waiting, 'work');
  await add(s.delayed, 'later', { delay: 3_600_000 });
  await q.close();
}

const bullmqBackend: Backend = {
  applies: (spec) => !!spec.jobs,
  async create(t, report) {
    const { queues, metrics } = t.spec.jobs!;
    const prefix = t.named('bull');
    await withRedis(t, async (redis) => {
      for (const s of queues) {
        await dropJobQueue(t, redis, s.queue);
        await redis.set(`headroom-standin:bullmq ${prefix}:${s.queue}`, t.plan); // first: --clean finds a half-made one
        await fillJobQueue(redis, prefix, s);
        report.done.push(
          `Redis ${where(t.redis)}: BullMQ queue ${prefix}:${s.queue}: ${s.waiting} waiting, ` +
            `${s.active} active, ${s.delayed} delayed, ${s.completed} completed, ${s.failed} failed`,
        );
      }
    });
    for (const [metric, queue, field] of metrics) {
      for (const s of queues.filter((q) => queue === '*' || q.queue === queue))
        report.expect.push({ metric, labels: { queue: s.queue }, value: s[field] });
    }
  },
  clean: (t, report) =>
    withRedis(t, async (redis) => {
      for (const { queue } of t.spec.jobs!.queues) {
        if (await dropJobQueue(t, redis, queue))
          report.done.push(
            `Redis ${where(t.redis)}: removed BullMQ queue ${t.named('bull')}:${queue}`,
          );
      }
    }),
};

/** A Celery task message in kombu's JSON envelope, as its Redis transport stores it. */
function celeryMessage(queue: string, priority: number, tag: string): Record<string, unknown> {
  const id = randomUUID();
  const body = Buffer.from(JSON.stringify([[], {}, { callbacks: null, errbacks: null }]));
  return {
    body: body.toString('base64'),
    'content-encoding': 'utf-8',
    'content-type': 'application/json',
    headers: { lang: 'py', task: 'standin.noop', id, root_id: id, parent_id: null, retries: 0 },
    properties: {
      correlation_id: id,
      delivery_mode: 2,
      delivery_info: { exchange: '', routing_key: queue },
      priority,
      body_encoding: 'base64',
      delivery_tag: tag,
    },
  };
}

/** The keys kombu keeps for `queue`: its list, its priority lists and its binding. */
const celeryKeys = (queue: string): string[] => [
  queue,
  ...[3, 6, 9].map((step) => `${queue}${SEP}${step}`),
  `_kombu.binding.${queue}`,
];
const unackedTags = (t: Target, queue: string): string[] =>
  Array.from({ length: t.spec.celery!.unacked }, (_, i) => `headroom-standin-${queue}-${i}`);

async function dropCeleryQueue(t: Target, redis: Redis, queue: string): Promise<boolean> {
  const what = `celery queue ${queue}`;
  if (!(await ours(t, redis, what, (await redis.exists(...celeryKeys(queue))) > 0))) return false;
  const tags = unackedTags(t, queue);
  const tx = redis.multi().del(...celeryKeys(queue), `headroom-standin:${what}`);
  if (tags.length > 0) tx.hdel('unacked', ...tags).zrem('unacked_index', ...tags);
  await tx.exec();
  return true;
}

async function fillCeleryQueue(t: Target, redis: Redis, queue: string): Promise<void> {
  await redis.set(`headroom-standin:celery queue ${queue}`, t.plan);
  // What a worker or producer declaring the queue writes: the binding of its exchange.
  await redis.sadd(`_kombu.binding.${queue}`, `${queue}${SEP}${SEP}${queue}`);
  for (const [step, count] of Object.entries(t.spec.celery!.waitingByStep)) {
    const messages = Array.from({ length: count }, () =>
      JSON.stringify(celeryMessage(queue, Number(step), randomUUID())),
    );
    await redis.lpush(step === '0' ? queue : `${queue}${SEP}${step}`, ...messages);
  }
  // Messages a worker took and has not acknowledged: kombu's one `unacked` hash for the broker.
  for (const tag of unackedTags(t, queue)) {
    await redis.hset('unacked', tag, JSON.stringify([celeryMessage(queue, 0, tag), '', queue]));
    await redis.zadd('unacked_index', Date.now() / 1000, tag);
  }
}

const celeryBackend: Backend = {
  applies: (spec) => !!spec.celery,
  async create(t, report) {
    const queue = t.named('celery');
    const { waitingByStep, unacked, metric } = t.spec.celery!;
    await withRedis(t, async (redis) => {
      await dropCeleryQueue(t, redis, queue);
      await fillCeleryQueue(t, redis, queue);
    });
    const waiting = Object.values(waitingByStep).reduce((a, b) => a + b, 0);
    const steps = Object.entries(waitingByStep).map(([step, n]) => `${n} at priority ${step}`);
    report.done.push(
      `Redis ${where(t.redis)}: Celery queue ${queue}: ${steps.join(', ')}, ${unacked} unacked; _kombu.binding.${queue}`,
    );
    report.expect.push({ metric, labels: { queue }, value: waiting });
    if (unacked > 0) report.expect.push({ metric: 'celery_unacked', labels: {}, value: unacked });
  },
  clean: (t, report) =>
    withRedis(t, async (redis) => {
      const queue = t.named('celery');
      if (await dropCeleryQueue(t, redis, queue))
        report.done.push(`Redis ${where(t.redis)}: removed Celery queue ${queue}`);
    }),
};

// ---- PostgreSQL -------------------------------------------------------------------------------

async function withDb<T>(url: string, use: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await db.connect().catch((err) => {
    throw unreachable(
      'PostgreSQL',
      url,
      err,
      'Start it (`pg_ctlcluster 15 main start`, or `docker run -p 5432:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:16`), or set DATABASE_URL.',
    );
  });
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

const databaseOf = (url: string): string => decodeURIComponent(new URL(url).pathname.slice(1));

/** Drops the stand-in's table, or with a suffix its database; refuses one without the marker. */
async function dropTable(t: Target): Promise<string | undefined> {
  const marker = `${MARKER} ${t.plan}`;
  const [url, sql, kind, name] = t.suffix
    ? [
        t.adminDatabase,
        `select shobj_description(oid, 'pg_database') as c from pg_database where datname = $1`,
        'database',
        databaseOf(t.database),
      ]
    : [
        t.database,
        `select obj_description(oid, 'pg_class') as c from pg_class where oid = to_regclass($1)`,
        'table',
        t.spec.table!.name,
      ];
  return withDb(url, async (db) => {
    const found = await db.query<{ c: string | null }>(sql, [name]);
    if (found.rowCount === 0) return undefined;
    if (found.rows[0]!.c !== marker) {
      throw new StandinError(
        `${kind} ${name} in ${where(url)} exists and is not a ${t.plan} stand-in; leaving it alone`,
        2,
      );
    }
    const quoted = db.escapeIdentifier(name);
    await db.query(
      kind === 'database' ? `drop database ${quoted} with (force)` : `drop table ${quoted}`,
    );
    return `${kind} ${name}`;
  });
}

const tableBackend: Backend = {
  applies: (spec) => !!spec.table,
  async create(t, report) {
    const { name, rows, metric } = t.spec.table!;
    const comment = `'${MARKER} ${t.plan}'`;
    await dropTable(t);
    if (t.suffix) {
      const database = databaseOf(t.database);
      await withDb(t.adminDatabase, async (db) => {
        const quoted = db.escapeIdentifier(database);
        await db.query(`create database ${quoted}`);
        await db.query(`comment on database ${quoted} is ${comment}`);
      });
    }
    await withDb(t.database, async (db) => {
      await db.query(
        `create table ${name} (id serial primary key, name text not null, created_at timestamptz not null default now())`,
      );
      await db.query(`comment on table ${name} is ${comment}`);
      await db.query(
        `insert into ${name} (name) select '${name} ' || i from generate_series(1, $1::int) i`,
        [rows],
      );
    });
    report.done.push(`PostgreSQL ${where(t.database)}: table ${name}, ${rows} rows`);
    report.expect.push({ metric, labels: {}, value: rows });
  },
  async clean(t, report) {
    const dropped = await dropTable(t);
    if (dropped) report.done.push(`PostgreSQL ${where(t.adminDatabase)}: dropped ${dropped}`);
  },
};

// ---- the run ----------------------------------------------------------------------------------

const BACKENDS = [natsBackend, bullmqBackend, celeryBackend, tableBackend];

/** Creates (or with `clean`, removes) the stand-ins of `plan`, and says what it did. */
export async function run(
  plan: PlanName,
  options: { clean?: boolean; yes?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<StandinReport> {
  const t = target(plan, options.env);
  const { spec } = t;
  const urls = [
    ...(spec.streams ? [t.nats] : []),
    ...(spec.jobs || spec.celery ? [t.redis] : []),
    ...(spec.table ? [t.database] : []),
  ];
  checkLoopback(urls, !!options.yes);
  const action = options.clean ? 'clean' : 'create';
  const report: StandinReport = {
    plan,
    action,
    suffix: t.suffix,
    env: t.env,
    command: checkCommand(t),
    done: [],
    expect: [],
  };
  for (const backend of BACKENDS.filter((b) => b.applies(spec))) await backend[action](t, report);
  return report;
}

function print(report: StandinReport): void {
  if (report.action === 'clean') {
    console.log(report.done.join('\n') || `no ${report.plan} stand-ins to remove`);
    return;
  }
  const self = relative(process.cwd(), fileURLToPath(import.meta.url));
  const suffix = report.suffix ? `HEADROOM_STANDIN_SUFFIX=${report.suffix} ` : '';
  console.log(`${report.plan} stand-ins:\n  ${report.done.join('\n  ')}\n`);
  console.log(`Check the plan against them:\n  ${report.command}\n`);
  console.log(`Remove them:\n  ${suffix}npx tsx ${self} ${report.plan} --clean`);
}

async function main(argv: string[]): Promise<number> {
  const usage = `usage: npx tsx examples/standins.ts <${PLANS.join('|')}> [--clean] [--yes] [--json]`;
  const flags = {
    clean: { type: 'boolean' },
    yes: { type: 'boolean' },
    json: { type: 'boolean' },
  } as const;
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: flags });
  } catch (err) {
    console.error(`standins: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  const plan = parsed.positionals[0] as PlanName;
  if (parsed.positionals.length !== 1 || !PLANS.includes(plan)) {
    console.error(usage);
    return 2;
  }
  try {
    const report = await run(plan, parsed.values);
    if (parsed.values.json) console.log(JSON.stringify(report, null, 2));
    else print(report);
    return 0;
  } catch (err) {
    if (!(err instanceof StandinError)) throw err;
    console.error(`standins: ${err.message}`);
    return err.exitCode;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
