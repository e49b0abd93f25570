/**
 * The `rabbitmq` source: per queue, messages `ready` and `consumers` by a passive queue declare
 * over AMQP 0-9-1 (`queue.declare passive`, amqplib's `checkQueue`), and `unacked` plus message
 * rates from the management HTTP API when `management` is set (`rabbitmq-management.ts`).
 *
 * Options: `url` (`amqp://user:pass@host:5672/vhost`, `amqps://` for TLS; credentials from
 * `${ENV}`), `management` (optional, `http://host:15672`; credentials from its own `user:pass@`,
 * else from `url`), `timeout` (deadline of one collect, default 10s).
 * Selector: `{ queue, field }`; samples are labelled `{ queue }`.
 *
 * Connection: one AMQP connection and one channel per source, opened on the first collect that
 * needs them and reused. A missing queue makes RabbitMQ close the channel (404): that metric
 * fails with SOURCE_NOT_FOUND and the next queue gets a fresh channel. When the connection is
 * lost it is reopened lazily on a later collect; after a failed attempt the source waits 1 s,
 * then 2, 4 … up to 30 s (never longer than the plan's interval) before the next one, and
 * meanwhile fails fast with SOURCE_UNAVAILABLE saying when it will try again.
 */
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import {
  collectEach,
  HealthTracker,
  samplesOrThrow,
  throwIfAborted,
  type CollectResult,
  type ObservedSource,
} from './health.ts';
import {
  assertValidConfig,
  DEFAULT_TIMEOUT_MS,
  issuesOf,
  parseTimeoutMs,
  TimeoutOption,
} from './options.ts';
import { AmqpQueueReader, type DeclareOk } from './rabbitmq-amqp.ts';
import {
  fetchQueueDocument,
  MANAGEMENT_FIELDS,
  managementEndpoint,
  managementValue,
  type ManagementEndpoint,
  type QueueDocument,
} from './rabbitmq-management.ts';
import { untilAborted } from './reconnect.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** Fields read by a passive declare over AMQP, with their meaning and unit. */
export const AMQP_FIELDS = {
  ready: 'messages waiting in the queue, ready for delivery (count)',
  consumers: 'consumers subscribed to the queue (count)',
} as const;

/** Every field of the rabbitmq source, with its meaning and unit. */
export const RABBITMQ_FIELDS = { ...AMQP_FIELDS, ...MANAGEMENT_FIELDS } as const;

/** A field of the rabbitmq source. */
export type RabbitMqField = keyof typeof RABBITMQ_FIELDS;

const FIELD_NAMES = Object.keys(RABBITMQ_FIELDS) as RabbitMqField[];

const Options = z.strictObject({
  url: z
    .string({ error: 'write the broker address, e.g. `url: amqp://guest:guest@127.0.0.1:5672/`' })
    .refine((u) => URL.canParse(u) && /^amqps?:$/.test(new URL(u).protocol), {
      error: 'must be an amqp:// or amqps:// URL, e.g. amqp://guest:guest@127.0.0.1:5672/',
    }),
  management: z
    .string()
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), {
      error:
        'must be the http:// or https:// URL of the management API, e.g. http://127.0.0.1:15672',
    })
    .optional(),
  timeout: TimeoutOption.optional(),
});

const Select = z.strictObject({
  queue: z.string({ error: 'write the queue name, e.g. `queue: emails`' }).min(1, 'queue is empty'),
  field: z.string({ error: `write \`field: <name>\`; one of ${FIELD_NAMES.join(', ')}` }),
});

/** Checks the source's options and, when given, one metric selector. */
export function validateRabbitMq(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const issues = optionIssues(options);
  return select === undefined ? issues : [...issues, ...selectIssues(options, select)];
}

function optionIssues(options: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  return parsed.success
    ? []
    : issuesOf(parsed.error, 'a rabbitmq source takes url, management, timeout');
}

function selectIssues(
  options: Record<string, unknown>,
  select: Record<string, unknown>,
): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  if (!parsed.success) return issuesOf(parsed.error, 'a rabbitmq metric takes queue and field');
  const { field } = parsed.data;
  if (!Object.hasOwn(RABBITMQ_FIELDS, field)) {
    const guess = closest(field, FIELD_NAMES);
    const message = `unknown rabbitmq field "${field}" (did you mean "${guess}"?); valid fields: ${FIELD_NAMES.join(', ')}`;
    return [{ path: 'field', message }];
  }
  if (Object.hasOwn(MANAGEMENT_FIELDS, field) && options.management === undefined) {
    const needing = Object.keys(MANAGEMENT_FIELDS).join(', ');
    const message = `field "${field}" is read from the management API: set the source's \`management\` option (e.g. http://127.0.0.1:15672); ${needing} need it, ready and consumers do not`;
    return [{ path: 'field', message }];
  }
  return [];
}

/** The rabbitmq source: one per plan source of kind `rabbitmq`. */
export class RabbitMqSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'rabbitmq';
  private readonly display: string;
  private readonly timeoutMs: number;
  private readonly amqp: AmqpQueueReader;
  private readonly management: ManagementEndpoint | undefined;
  private readonly tracker: HealthTracker;
  private readonly closing = new AbortController();

  constructor(private readonly context: SourceContext) {
    assertValidConfig('rabbitmq', context, {
      options: optionIssues,
      select: (select, options) => selectIssues(options, select),
    });
    const options = context.options as z.infer<typeof Options>;
    const url = new URL(options.url);
    const vhost = decodeURIComponent(url.pathname.slice(1)) || '/';
    const port = url.port || (url.protocol === 'amqps:' ? '5671' : '5672');
    this.display = `RabbitMQ at ${url.hostname}:${port} (vhost ${vhost})`;
    this.timeoutMs =
      options.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeoutMs(options.timeout)!;
    this.amqp = new AmqpQueueReader({
      url: options.url,
      display: this.display,
      vhost,
      timeoutMs: this.timeoutMs,
      connectionName: `headroom source ${context.name}`,
      now: context.now,
      backoffMaxMs: context.intervalMs,
    });
    this.management = options.management
      ? managementEndpoint(options.management, url, vhost)
      : undefined;
    this.tracker = new HealthTracker(context.now);
  }

  /** Reads every metric now; good samples survive a failed metric. */
  async collect(signal: AbortSignal): Promise<Sample[]> {
    return samplesOrThrow(await this.collectDetailed(signal));
  }

  /** Reads every metric now; returns good samples and per-metric failures. */
  collectDetailed(signal: AbortSignal): Promise<CollectResult> {
    return this.tracker.track(async () => {
      const deadline = AbortSignal.any([
        signal,
        this.closing.signal,
        AbortSignal.timeout(this.timeoutMs),
      ]);
      throwIfAborted(deadline, this.display);
      const at = this.context.now();
      try {
        return await untilAborted(this.readAll(at, deadline), deadline, this.display);
      } finally {
        if (deadline.aborted) this.amqp.abandon();
      }
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Aborts a collect in flight and closes the AMQP connection. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new Error('source closed'));
    await this.amqp.close();
  }

  private readAll(at: number, signal: AbortSignal): Promise<CollectResult> {
    const declares = new Map<string, Promise<DeclareOk>>();
    const documents = new Map<string, Promise<QueueDocument>>();
    const needsAmqp = this.context.metrics.some((m) =>
      Object.hasOwn(AMQP_FIELDS, String(m.select.field)),
    );
    // Opened once for all AMQP metrics; a failure fails each of them with the same error.
    const ready = needsAmqp ? this.amqp.ready() : Promise.resolve();
    ready.catch(() => undefined);
    return collectEach(this.context.metrics, async (m: MetricRequest) => {
      const queue = String(m.select.queue);
      const field = String(m.select.field) as RabbitMqField;
      let value: number;
      if (field === 'ready' || field === 'consumers') {
        await ready;
        if (!declares.has(queue)) declares.set(queue, this.amqp.declare(queue));
        value = (await declares.get(queue)!)[field];
      } else {
        if (!documents.has(queue))
          documents.set(queue, fetchQueueDocument(this.management!, queue, signal));
        value = managementValue(await documents.get(queue)!, field, queue);
      }
      return [{ metric: m.name, labels: { queue }, value, at }];
    });
  }
}

/** Throws SOURCE_CONFIG for the first problem with the source's options or a metric selector. */
/** The `rabbitmq` source kind: options `{ url, management?, timeout? }`; selector `{ queue, field }`. */
export const rabbitmqKind: SourceKind = {
  create: (context) => new RabbitMqSource(context),
  validate: validateRabbitMq,
};
