/**
 * The `bullmq` source: job counts of BullMQ queues, read with plain Redis commands.
 *
 * Key layout (BullMQ 5 and 6; the counts match BullMQ 6.7's `Queue.getJobCounts`): under
 * `<prefix>:<queue>:` the lists `wait`, `active` and (before BullMQ 6) `paused`, the sorted sets
 * `delayed`, `prioritized`, `waiting-children`, `failed`, `completed`, the hash `meta` (field
 * `paused` while the queue is paused) and the counter `id`. A queue exists when its `meta` or
 * `id` key does; an existing empty queue reads 0, a missing one is SOURCE_NOT_FOUND.
 *
 * One collect reads every queue it needs in a single pipeline (one round trip; per queue only the
 * commands the plan's fields need, at most 14), plus SCANs for `<prefix>:*:meta` and `<prefix>:*:id` when a metric omits `queue` (the
 * list of queues found is reused for a minute). `oldest_wait` takes a second round trip: the
 * `timestamp` and `delay` of each queue's oldest waiting job (the tail of `wait`). The field
 * arithmetic is in `bullmq-fields.ts`.
 *
 * Options: `url` (`redis://[user:password@]host:port/db`), `prefix` (default `bull`), `timeout`.
 * Selector: `field` and optionally `queue` (omit it for every queue under the prefix). Samples
 * are labelled `{ queue }`.
 */
import type { ChainableCommander, Redis } from 'ioredis';
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import {
  BULLMQ_FIELDS,
  completedPerMinute,
  fieldValue,
  oldestWaitingId,
  waitedSeconds,
  readingOf,
  readsFor,
  type BullmqField,
  type CompletedBaseline,
  type QueueReading,
} from './bullmq-fields.ts';
import {
  collectEach,
  HealthTracker,
  samplesOrThrow,
  throwIfAborted,
  type CollectResult,
  type ObservedSource,
} from './health.ts';
import { issuesOf, parseTimeoutMs, throwFirstIssue, TimeoutOption } from './options.ts';
import {
  checkedReplies,
  DEFAULT_REDIS_TIMEOUT_MS,
  parseRedisUrl,
  RedisConnection,
  RedisUrlOption,
  type RedisTarget,
} from './redis-connection.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

export { BULLMQ_FIELDS, type BullmqField } from './bullmq-fields.ts';

/** BullMQ's default key prefix. */
export const DEFAULT_BULLMQ_PREFIX = 'bull';
/** How long a list of queues found by SCAN is reused, in ms. */
export const QUEUE_DISCOVERY_TTL_MS = 60_000;
/** Keys SCAN asks Redis to look at per call. */
const SCAN_COUNT = 1000;

const FIELD_NAMES = Object.keys(BULLMQ_FIELDS) as BullmqField[];
const TAKES_OPTIONS = 'a bullmq source takes url, prefix, timeout';
const TAKES_SELECT = 'a bullmq metric takes queue and field';

const Options = z.strictObject({
  url: RedisUrlOption,
  prefix: z
    .string({ error: 'write the key prefix as text, e.g. `prefix: bull`' })
    .min(1, 'prefix is empty; BullMQ uses `bull` unless told otherwise')
    .optional(),
  timeout: TimeoutOption.optional(),
});

const Select = z.strictObject({
  queue: z
    .string({ error: 'write the queue name as text (quote a numeric name: `queue: "42"`)' })
    .min(1, 'queue is empty; omit it to read every queue under the prefix')
    .optional(),
  field: z.string({ error: `write \`field: <name>\`, one of ${FIELD_NAMES.join(', ')}` }),
});

/** Checks a bullmq source's options and, when given, one metric selector. */
export function validateBullmq(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  const issues = parsed.success ? [] : issuesOf(parsed.error, TAKES_OPTIONS);
  return select === undefined ? issues : [...issues, ...selectIssues(select)];
}

function selectIssues(select: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  if (!parsed.success) return issuesOf(parsed.error, TAKES_SELECT);
  const field = parsed.data.field;
  if (Object.hasOwn(BULLMQ_FIELDS, field)) return [];
  return [
    {
      path: 'field',
      message: `unknown bullmq field "${field}" (did you mean "${closest(field, FIELD_NAMES)}"?); valid fields: ${FIELD_NAMES.join(', ')}`,
    },
  ];
}

/** What one collect read: each queue's replies, and the queues SCAN found when asked. */
interface Snapshot {
  readings: Map<string, QueueReading>;
  discovered: string[] | undefined;
  /** Seconds the oldest waiting job of each queue has waited (when a metric asks). */
  oldestWait: Map<string, number>;
}

/** The bullmq source: one per plan source of kind `bullmq`. */
export class BullmqSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'bullmq';
  /** The key prefix queues live under (`bull`). */
  readonly prefix: string;
  /** Where Redis is. */
  readonly target: RedisTarget;
  private readonly connection: RedisConnection;
  private readonly tracker: HealthTracker;
  /** Completed count of each queue at the previous collect, for rates without BullMQ metrics. */
  private readonly baselines = new Map<string, CompletedBaseline>();
  private discovery: { queues: string[]; atMs: number } | undefined;
  /** The commands read per queue: only those the plan's fields need. */
  private readonly reads: ReturnType<typeof readsFor>;
  /** Whether a metric asks for `oldest_wait` (a second round trip per collect). */
  private readonly wantsOldest: boolean;

  constructor(private readonly context: SourceContext) {
    const { options, name } = context;
    throwFirstIssue(validateBullmq(options), `sources.${name}`, 'bullmq');
    for (const m of context.metrics) {
      throwFirstIssue(selectIssues(m.select), `metrics.${m.name}`, 'bullmq');
    }
    this.target = parseRedisUrl(String(options.url)) as RedisTarget;
    this.prefix = typeof options.prefix === 'string' ? options.prefix : DEFAULT_BULLMQ_PREFIX;
    const timeoutMs = parseTimeoutMs(options.timeout) ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.connection = new RedisConnection({
      target: this.target,
      timeoutMs,
      now: context.now,
      backoffMaxMs: context.intervalMs,
    });
    this.tracker = new HealthTracker(context.now);
    this.reads = readsFor(context.metrics.map((m) => m.select.field as BullmqField));
    this.wantsOldest = context.metrics.some((m) => m.select.field === 'oldest_wait');
  }

  /** Reads every metric now; good samples survive a failed metric. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Reads every metric now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      throwIfAborted(signal, this.connection.description);
      const at = this.context.now();
      let snapshot: Snapshot;
      try {
        snapshot = await this.connection.run(signal, (client) => this.read(client, at));
      } catch (error) {
        if (signal.aborted) throw error;
        return collectEach(this.context.metrics, () => Promise.reject(error));
      }
      const result = await collectEach(this.context.metrics, async (m) =>
        this.samplesOf(m, snapshot, at),
      );
      this.remember(snapshot, at);
      return result;
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Disconnects from Redis; later collects reject. Safe to call twice. */
  async close(): Promise<void> {
    await this.connection.close();
  }

  /** Reads every queue the metrics need in one pipeline. */
  private async read(client: Redis, atMs: number): Promise<Snapshot> {
    const explicit = this.context.metrics
      .map((m) => m.select.queue)
      .filter((q): q is string => typeof q === 'string');
    const wantsAll = this.context.metrics.some((m) => m.select.queue === undefined);
    const discovered = wantsAll ? await this.discover(client, atMs) : undefined;
    const queues = [...new Set([...explicit, ...(discovered ?? [])])];
    const readings = new Map<string, QueueReading>();
    const oldestWait = new Map<string, number>();
    if (queues.length === 0) return { readings, discovered, oldestWait };
    const pipeline = client.pipeline();
    for (const queue of queues) this.addReads(pipeline, queue);
    const replies = checkedReplies(await pipeline.exec());
    const perQueue = this.reads.length;
    queues.forEach((queue, i) => {
      const own = replies.slice(i * perQueue, (i + 1) * perQueue);
      readings.set(queue, readingOf(queue, this.keyOf(queue, ''), own, this.reads));
    });
    if (this.wantsOldest) await this.readOldest(client, readings, atMs, oldestWait);
    return { readings, discovered, oldestWait };
  }

  /** A second round trip for `oldest_wait`: the oldest waiting job's hash in each queue. */
  private async readOldest(
    client: Redis,
    readings: Map<string, QueueReading>,
    atMs: number,
    out: Map<string, number>,
  ): Promise<void> {
    const oldest: [string, string][] = [];
    for (const [queue, reading] of readings) {
      if (!reading.exists) continue;
      const id = oldestWaitingId(reading);
      if (id === undefined) out.set(queue, 0);
      else oldest.push([queue, id]);
    }
    if (oldest.length === 0) return;
    const pipeline = client.pipeline();
    for (const [queue, id] of oldest) pipeline.hmget(this.keyOf(queue, id), 'timestamp', 'delay');
    const replies = checkedReplies(await pipeline.exec());
    oldest.forEach(([queue], i) => {
      const [error, fields] = replies[i] ?? [new Error('no reply'), null];
      const [timestamp, delay] = error === null && Array.isArray(fields) ? fields : [];
      out.set(queue, waitedSeconds(timestamp, delay, atMs));
    });
  }

  private addReads(p: ChainableCommander, queue: string): void {
    const key = (suffix: string): string => this.keyOf(queue, suffix);
    for (const read of this.reads) read.add(p, key);
  }

  private keyOf(queue: string, suffix: string): string {
    return `${this.prefix}:${queue}:${suffix}`;
  }

  /** Queue names under the prefix: every `<prefix>:<queue>:meta` or `:id` key, sorted. */
  private async discover(client: Redis, atMs: number): Promise<string[]> {
    const cached = this.discovery;
    if (cached && atMs - cached.atMs < QUEUE_DISCOVERY_TTL_MS && atMs >= cached.atMs) {
      return cached.queues;
    }
    const names = new Set<string>();
    const head = `${this.prefix}:`;
    for (const suffix of [':meta', ':id']) {
      let cursor = '0';
      do {
        const pattern = `${globEscape(head)}*${suffix}`;
        const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
        for (const key of keys) names.add(key.slice(head.length, key.length - suffix.length));
        cursor = next;
      } while (cursor !== '0');
    }
    const queues = [...names].filter((q) => q !== '').sort();
    this.discovery = { queues, atMs };
    return queues;
  }

  private samplesOf(m: MetricRequest, snapshot: Snapshot, at: number): Sample[] {
    const field = m.select.field as BullmqField;
    const queue = m.select.queue as string | undefined;
    const queues = queue === undefined ? this.existingDiscovered(m, snapshot) : [queue];
    return queues.map((q) => {
      const reading = snapshot.readings.get(q);
      if (!reading?.exists) throw this.notFound(m, q);
      const value =
        field === 'completed_per_minute'
          ? completedPerMinute(reading, this.baselines.get(q), at)
          : field === 'oldest_wait'
            ? (snapshot.oldestWait.get(q) ?? 0)
            : fieldValue(field, reading);
      return { metric: m.name, labels: { queue: q }, value, at };
    });
  }

  private existingDiscovered(m: MetricRequest, snapshot: Snapshot): string[] {
    const queues = (snapshot.discovered ?? []).filter((q) => snapshot.readings.get(q)?.exists);
    if (queues.length > 0) return queues;
    throw new HeadroomError(
      'SOURCE_NOT_FOUND',
      `no BullMQ queue found under prefix '${this.prefix}' in redis db ${this.target.db} (metric "${m.name}")`,
      {
        path: `sources.${this.context.name}.prefix`,
        hint: 'check `prefix` and the database number in `url`; BullMQ uses the prefix `bull` unless told otherwise',
      },
    );
  }

  private notFound(m: MetricRequest, queue: string): HeadroomError {
    return new HeadroomError(
      'SOURCE_NOT_FOUND',
      `queue '${queue}' not found under prefix '${this.prefix}'`,
      {
        path: `metrics.${m.name}.queue`,
        hint: `no ${this.keyOf(queue, 'meta')} or ${this.keyOf(queue, 'id')} in redis db ${this.target.db}: check the queue name, \`prefix\` and the database in \`url\``,
      },
    );
  }

  /** Keeps each queue's completed count for the next collect's rate; forgets vanished queues. */
  private remember(snapshot: Snapshot, atMs: number): void {
    for (const [queue, reading] of snapshot.readings) {
      const completed = reading.exists ? reading.number('completed') : undefined;
      if (typeof completed === 'number') this.baselines.set(queue, { completed, atMs });
      else this.baselines.delete(queue);
    }
    const gone = [...snapshot.readings.values()].some((r) => !r.exists);
    if (gone && snapshot.discovered) this.discovery = undefined;
  }
}

/** Escapes Redis glob characters so a prefix matches itself only. */
function globEscape(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** The `bullmq` source kind: options `{ url, prefix?, timeout? }`; selector `{ queue?, field }`. */
export const bullmqKind: SourceKind = {
  create: (context) => new BullmqSource(context),
  validate: validateBullmq,
};
