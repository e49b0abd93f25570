/**
 * The `redis-list` source: queues kept as Redis lists, as Celery's Redis transport (kombu) keeps
 * them, and any producer that LPUSHes to a list and has workers BRPOP from it.
 *
 * kombu stores a queue `celery` as the list `celery` (priority 0, served first) plus one list
 * per other priority step, named `<queue><separator><step>` (`celery\x06\x163`, `…6`, `…9` with
 * the default steps 0, 3, 6, 9). Messages a worker took but has not acknowledged sit in one hash,
 * `unacked`, shared by every queue of the broker. Redis deletes a list when it empties, so a
 * queue exists when its list, any priority list, or its binding set `_kombu.binding.<queue>`
 * (written when the queue is declared) exists; none of them is SOURCE_NOT_FOUND, never a 0.
 *
 * Options: `url`, `timeout`, `priority_steps` (kombu's `priority_steps`), `separator` (kombu's
 * `sep`). Selector: `field` (`length`, `length_by_priority`, `unacked`) and `key` (the queue
 * name; not for `unacked`). One collect reads everything in one pipeline.
 */
import type { Redis } from 'ioredis';
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
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
  type Reply,
} from './redis-connection.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** Fields a redis-list metric can read, with what each one is and its unit. */
export const REDIS_LIST_FIELDS = {
  length: 'messages waiting in the queue: its list plus its priority lists (count)',
  length_by_priority: 'messages waiting per priority step, labelled `priority` (count)',
  unacked:
    "messages delivered to workers and not yet acknowledged: kombu's `unacked` hash, one for all queues (count)",
} as const;

/** A field name of the redis-list source. */
export type RedisListField = keyof typeof REDIS_LIST_FIELDS;

/** kombu's default priority steps (`PRIORITY_STEPS`). */
export const DEFAULT_PRIORITY_STEPS: readonly number[] = [0, 3, 6, 9];
/** kombu's default separator between a queue name and its priority (`sep`). */
export const DEFAULT_SEPARATOR = '\x06\x16';
/** The hash where kombu keeps unacknowledged messages (`unacked_key`). */
export const UNACKED_KEY = 'unacked';
/** Prefix of kombu's binding sets (`keyprefix_queue`). */
export const BINDING_PREFIX = '_kombu.binding.';

const FIELD_NAMES = Object.keys(REDIS_LIST_FIELDS) as RedisListField[];
const TAKES_OPTIONS = 'a redis-list source takes url, timeout, priority_steps, separator';
const TAKES_SELECT = 'a redis-list metric takes key and field';

const Options = z.strictObject({
  url: RedisUrlOption,
  timeout: TimeoutOption.optional(),
  priority_steps: z
    .array(z.number().int().min(0), {
      error: 'write the steps as a list of whole numbers, e.g. [0, 3, 6, 9]',
    })
    .min(1, 'list at least one step, e.g. [0, 3, 6, 9]')
    .refine((steps) => steps.every((s, i) => i === 0 || s > steps[i - 1]!), {
      error: 'steps must increase, as kombu requires (e.g. [0, 3, 6, 9])',
    })
    .optional(),
  separator: z
    .string({ error: 'write the separator as text, e.g. "\\x06\\x16"' })
    .min(1, 'separator is empty')
    .optional(),
});

const Select = z.strictObject({
  key: z
    .string({ error: 'write the queue name as text, e.g. `key: celery`' })
    .min(1, 'key is empty')
    .optional(),
  field: z.string({ error: `write \`field: <name>\`, one of ${FIELD_NAMES.join(', ')}` }),
});

/** Checks a redis-list source's options and, when given, one metric selector. */
export function validateRedisList(
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
  const { field, key } = parsed.data;
  if (!Object.hasOwn(REDIS_LIST_FIELDS, field)) {
    const guess = closest(field, FIELD_NAMES);
    const message = `unknown redis-list field "${field}" (did you mean "${guess}"?); valid fields: ${FIELD_NAMES.join(', ')}`;
    return [{ path: 'field', message }];
  }
  if (field === 'unacked' && key !== undefined) {
    const message = `kombu keeps one \`${UNACKED_KEY}\` hash for all queues, so unacked takes no key; remove it`;
    return [{ path: 'key', message }];
  }
  if (field !== 'unacked' && key === undefined) {
    return [{ path: 'key', message: `${field} needs the queue name, e.g. \`key: celery\`` }];
  }
  return [];
}

/** Name of the list holding `queue`'s messages of priority step `step`, as kombu names it. */
export function priorityListKey(queue: string, step: number, separator: string): string {
  return step === 0 ? queue : `${queue}${separator}${step}`;
}

/** What one collect read: each queue's list lengths by step, its binding, and unacked. */
interface Snapshot {
  queues: Map<string, { lengths: Reply[]; binding: Reply }>;
  unacked: Reply | undefined;
}

/** The redis-list source: one per plan source of kind `redis-list`. */
export class RedisListSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'redis-list';
  /** Where Redis is. */
  readonly target: RedisTarget;
  /** Priority steps, ascending. */
  readonly prioritySteps: readonly number[];
  /** Separator between a queue name and its priority step. */
  readonly separator: string;
  private readonly connection: RedisConnection;
  private readonly tracker: HealthTracker;

  constructor(private readonly context: SourceContext) {
    const { options, name } = context;
    throwFirstIssue(validateRedisList(options), `sources.${name}`, 'redis-list');
    for (const m of context.metrics) {
      throwFirstIssue(selectIssues(m.select), `metrics.${m.name}`, 'redis-list');
    }
    this.target = parseRedisUrl(String(options.url)) as RedisTarget;
    this.prioritySteps = (options.priority_steps as number[] | undefined) ?? DEFAULT_PRIORITY_STEPS;
    this.separator = (options.separator as string | undefined) ?? DEFAULT_SEPARATOR;
    const timeoutMs = parseTimeoutMs(options.timeout) ?? DEFAULT_REDIS_TIMEOUT_MS;
    this.connection = new RedisConnection({
      target: this.target,
      timeoutMs,
      now: context.now,
      backoffMaxMs: context.intervalMs,
    });
    this.tracker = new HealthTracker(context.now);
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
        snapshot = await this.connection.run(signal, (client) => this.read(client));
      } catch (error) {
        if (signal.aborted) throw error;
        return collectEach(this.context.metrics, () => Promise.reject(error));
      }
      return collectEach(this.context.metrics, async (m) => this.samplesOf(m, snapshot, at));
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

  /** Reads every queue's lists and binding, and the unacked hash, in one pipeline. */
  private async read(client: Redis): Promise<Snapshot> {
    const keys = [
      ...new Set(
        this.context.metrics
          .map((m) => m.select.key)
          .filter((k): k is string => typeof k === 'string'),
      ),
    ];
    const wantsUnacked = this.context.metrics.some((m) => m.select.field === 'unacked');
    const pipeline = client.pipeline();
    for (const key of keys) {
      for (const step of this.prioritySteps) {
        pipeline.llen(priorityListKey(key, step, this.separator));
      }
      pipeline.exists(`${BINDING_PREFIX}${key}`);
    }
    if (wantsUnacked) pipeline.hlen(UNACKED_KEY);
    const replies = checkedReplies(await pipeline.exec());
    const perKey = this.prioritySteps.length + 1;
    const queues = new Map(
      keys.map((key, i) => {
        const own = replies.slice(i * perKey, (i + 1) * perKey);
        return [key, { lengths: own.slice(0, -1), binding: own.at(-1)! }];
      }),
    );
    return { queues, unacked: wantsUnacked ? replies.at(-1) : undefined };
  }

  private samplesOf(m: MetricRequest, snapshot: Snapshot, at: number): Sample[] {
    const field = m.select.field as RedisListField;
    if (field === 'unacked') {
      const value = this.countOf(snapshot.unacked!, UNACKED_KEY, 'a hash');
      return [{ metric: m.name, labels: {}, value, at }];
    }
    const queue = m.select.key as string;
    const lengths = this.lengthsOf(m, queue, snapshot);
    if (field === 'length') {
      const value = lengths.reduce((sum, n) => sum + n, 0);
      return [{ metric: m.name, labels: { queue }, value, at }];
    }
    return this.prioritySteps.map((step, i) => ({
      metric: m.name,
      labels: { queue, priority: String(step) },
      value: lengths[i]!,
      at,
    }));
  }

  /** The queue's list lengths by step; SOURCE_NOT_FOUND when neither lists nor binding exist. */
  private lengthsOf(m: MetricRequest, queue: string, snapshot: Snapshot): number[] {
    const read = snapshot.queues.get(queue)!;
    const lengths = read.lengths.map((reply, i) =>
      this.countOf(reply, priorityListKey(queue, this.prioritySteps[i]!, this.separator), 'a list'),
    );
    const bound = this.countOf(read.binding, `${BINDING_PREFIX}${queue}`, 'a key') > 0;
    if (bound || lengths.some((n) => n > 0)) return lengths;
    throw new HeadroomError(
      'SOURCE_NOT_FOUND',
      `list '${queue}' not found in redis db ${this.target.db}: no list and no ${BINDING_PREFIX}${queue}`,
      {
        path: `metrics.${m.name}.key`,
        hint: 'check the queue name and the database in `url`; Celery deletes an empty list but keeps the binding once a worker has declared the queue',
      },
    );
  }

  /** A count reply; SOURCE_BAD_VALUE naming the key when Redis refused (WRONGTYPE). */
  private countOf(reply: Reply, key: string, expected: string): number {
    const [error, value] = reply;
    const shown = JSON.stringify(key).slice(1, -1);
    if (error) {
      throw new HeadroomError(
        'SOURCE_BAD_VALUE',
        `key '${shown}' in redis db ${this.target.db} is not ${expected}: ${error.message}`,
        { hint: 'another program uses this key name; check `key` and the database in `url`' },
      );
    }
    const n = Number(value);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    throw new HeadroomError(
      'SOURCE_BAD_VALUE',
      `key '${shown}' in redis db ${this.target.db} gave ${String(value)}, not a count`,
    );
  }
}

/** The `redis-list` kind: options `{ url, timeout?, priority_steps?, separator? }`; selector `{ key?, field }`. */
export const redisListKind: SourceKind = {
  create: (context) => new RedisListSource(context),
  validate: validateRedisList,
};
