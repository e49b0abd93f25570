/**
 * The `nats-jetstream` selector: which `field` a metric reads, at which level (server, stream or
 * consumer), and the checks a plan's selector must pass at load time.
 *
 * Levels: a metric with `consumer`, or with a consumer-only field, reads consumers (`stream`
 * required; no `consumer` means every consumer of the stream); otherwise one with `stream`
 * reads streams (`stream: "*"` means every stream); otherwise a server field reads the server,
 * and a stream-only field (`max_bytes`, …) reads every stream.
 */
import { closest } from 'fastest-levenshtein';
import { z } from 'zod';
import type { SourceConfigIssue } from './source.ts';

/** Server-level fields, with what each one is and its unit. */
export const SERVER_FIELDS = {
  storage: 'file storage in use by JetStream (bytes)',
  storage_limit: "the server's configured max file store (bytes; monitor only)",
  storage_utilization: 'storage over storage_limit (ratio 0..1; monitor only)',
  memory: 'memory storage in use by JetStream (bytes)',
  memory_limit: "the server's configured max memory store (bytes; monitor only)",
  memory_utilization: 'memory over memory_limit (ratio 0..1; monitor only)',
  streams: 'number of streams (count)',
  consumers: 'number of consumers (count)',
  messages: 'messages stored in all streams (count)',
  bytes: 'bytes stored in all streams (bytes)',
  connections: 'client connections open now (count; monitor only, from /varz)',
  slow_consumers: 'slow consumers since the server started (count; monitor only, from /varz)',
} as const;

/** Stream-level fields, with what each one is and its unit. */
export const STREAM_FIELDS = {
  messages: 'messages stored in the stream (count)',
  bytes: 'bytes stored in the stream (bytes)',
  max_bytes: "the stream's byte limit (bytes)",
  max_msgs: "the stream's message limit (count)",
  max_age_seconds: "the stream's age limit (seconds)",
  bytes_utilization: 'bytes over max_bytes (ratio 0..1)',
  messages_utilization: 'messages over max_msgs (ratio 0..1)',
  consumer_count: 'consumers of the stream (count)',
  first_seq: 'sequence number of the oldest stored message',
  last_seq: 'sequence number of the newest message',
} as const;

/** Consumer-level fields, with what each one is and its unit. */
export const CONSUMER_FIELDS = {
  pending: 'num_pending + num_ack_pending: the backlog to work off (messages)',
  num_pending: 'messages not yet delivered (messages)',
  ack_pending: 'messages delivered but not yet acknowledged (messages)',
  redelivered: 'messages delivered more than once (messages)',
  waiting: 'pull requests waiting for messages (count)',
  ack_floor_lag: "stream last_seq minus the consumer's ack floor stream sequence (messages)",
} as const;

/** A server-level field name. */
export type ServerField = keyof typeof SERVER_FIELDS;
/** A stream-level field name. */
export type StreamField = keyof typeof STREAM_FIELDS;
/** A consumer-level field name. */
export type ConsumerField = keyof typeof CONSUMER_FIELDS;

/** Fields only the monitoring port (`monitor`) can give: the client API has no such facts. */
export const MONITOR_ONLY_FIELDS: ReadonlySet<string> = new Set([
  'storage_limit',
  'storage_utilization',
  'memory_limit',
  'memory_utilization',
  'connections',
  'slow_consumers',
]);

/** `stream: "*"`: every stream (needed for fields that are also server fields). */
export const EVERY_STREAM = '*';

/** What one metric reads: a server field, streams' fields, or consumers' fields. */
export type NatsTarget =
  | { level: 'server'; field: ServerField }
  /** `stream` undefined: every stream. */
  | { level: 'stream'; field: StreamField; stream: string | undefined }
  /** `consumer` undefined: every consumer of the stream. */
  | { level: 'consumer'; field: ConsumerField; stream: string; consumer: string | undefined };

const ALL_FIELDS = [
  ...new Set([
    ...Object.keys(SERVER_FIELDS),
    ...Object.keys(STREAM_FIELDS),
    ...Object.keys(CONSUMER_FIELDS),
  ]),
];

const Select = z.strictObject({
  field: z.string({ error: 'write `field: <name>`, e.g. `field: pending`' }),
  stream: z.string({ error: 'stream must be a stream name' }).min(1, 'stream is empty').optional(),
  consumer: z
    .string({ error: 'consumer must be a consumer name' })
    .min(1, 'consumer is empty')
    .optional(),
});

/** Characters NATS forbids in stream and consumer names. */
const BAD_NAME = /[\s.*>/\\]/;

/** The level a valid selector reads (call `validateNatsSelect` first). */
export function targetOf(select: Record<string, unknown>): NatsTarget {
  const field = String(select.field);
  const stream = typeof select.stream === 'string' ? select.stream : undefined;
  const consumer = typeof select.consumer === 'string' ? select.consumer : undefined;
  if (consumer !== undefined || Object.hasOwn(CONSUMER_FIELDS, field)) {
    return { level: 'consumer', field: field as ConsumerField, stream: stream ?? '', consumer };
  }
  if (stream !== undefined) {
    const named = stream === EVERY_STREAM ? undefined : stream;
    return { level: 'stream', field: field as StreamField, stream: named };
  }
  if (Object.hasOwn(SERVER_FIELDS, field)) return { level: 'server', field: field as ServerField };
  return { level: 'stream', field: field as StreamField, stream: undefined };
}

/** Checks one metric selector; `hasMonitor` says whether the source reads a monitoring port. */
export function validateNatsSelect(
  select: Record<string, unknown>,
  hasMonitor: boolean,
): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  if (!parsed.success) {
    return parsed.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            path: key,
            message: `unknown option "${key}"; a nats-jetstream metric takes field, stream, consumer`,
          }))
        : [{ path: issue.path.join('.'), message: issue.message }],
    );
  }
  const { field, stream, consumer } = parsed.data;
  if (!ALL_FIELDS.includes(field)) {
    const guess =
      ALL_FIELDS.find((f) => field.length > 2 && f.startsWith(field)) ?? closest(field, ALL_FIELDS);
    return [
      {
        path: 'field',
        message: `unknown nats-jetstream field "${field}" (did you mean "${guess}"?); valid fields: ${ALL_FIELDS.join(', ')}`,
      },
    ];
  }
  return [
    ...nameIssues(stream, consumer),
    ...levelIssues(field, stream, consumer),
    ...(MONITOR_ONLY_FIELDS.has(field) && !hasMonitor && stream === undefined
      ? [
          {
            path: 'field',
            message: `field "${field}" is only published on the monitoring port; set the source's \`monitor\` option (e.g. http://127.0.0.1:8222): the JetStream API over \`servers\` does not report it`,
          },
        ]
      : []),
  ];
}

function nameIssues(stream?: string, consumer?: string): SourceConfigIssue[] {
  const issues: SourceConfigIssue[] = [];
  if (stream !== undefined && stream !== EVERY_STREAM && BAD_NAME.test(stream)) {
    issues.push({
      path: 'stream',
      message: `"${stream}" is not a stream name: NATS names hold no spaces, ".", "*", ">", "/" or "\\" (write "*" alone for every stream)`,
    });
  }
  if (consumer !== undefined && BAD_NAME.test(consumer)) {
    issues.push({
      path: 'consumer',
      message: `"${consumer}" is not a consumer name: NATS names hold no spaces, ".", "*", ">", "/" or "\\" (omit consumer for every consumer)`,
    });
  }
  return issues;
}

function levelIssues(field: string, stream?: string, consumer?: string): SourceConfigIssue[] {
  const isConsumerField = Object.hasOwn(CONSUMER_FIELDS, field);
  if (consumer !== undefined && !isConsumerField) {
    return [
      {
        path: 'field',
        message: `field "${field}" is not a consumer field; with \`consumer\` use one of: ${Object.keys(CONSUMER_FIELDS).join(', ')}`,
      },
    ];
  }
  if (isConsumerField && (stream === undefined || stream === EVERY_STREAM)) {
    return [
      {
        path: 'stream',
        message: `consumer field "${field}" needs the consumer's stream: add \`stream: <name>\``,
      },
    ];
  }
  if (!isConsumerField && stream !== undefined && !Object.hasOwn(STREAM_FIELDS, field)) {
    return [
      {
        path: 'field',
        message: `field "${field}" is a server field; remove \`stream\`, or use a stream field: ${Object.keys(STREAM_FIELDS).join(', ')}`,
      },
    ];
  }
  return [];
}
