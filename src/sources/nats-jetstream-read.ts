/**
 * Turns what a JetStream server reports into samples, the same way whichever path read it: the
 * monitoring port (`/jsz`, `/varz`) and the JetStream API over a client connection both hand over
 * a `JetStreamView` of raw JSON records, and `readMetric` validates and converts each value here.
 *
 * Values are checked one by one: a field that is absent (an older server), not a number or
 * negative fails its metric with SOURCE_BAD_VALUE naming where it was read; a limit that is not
 * set (`max_bytes: -1`, `max_age: 0`) fails a limit or utilization metric with SOURCE_CONFIG.
 * Series are labelled `{ stream }` or `{ stream, consumer }` and sorted by name.
 */
import { HeadroomError } from '../errors.ts';
import {
  targetOf,
  type ConsumerField,
  type ServerField,
  type StreamField,
} from './nats-jetstream-fields.ts';
import type { MetricRequest, Sample } from './source.ts';

/** A raw value as the server reported it, and where it was read (for messages). */
export interface RawValue {
  /** The JSON value, unchecked. */
  value: unknown;
  /** Where it was read, e.g. `/jsz config.max_storage`. */
  where: string;
}

/** One stream as the server reports it: its name and raw `config` and `state` objects. */
export interface StreamRecord {
  /** Stream name. */
  name: string;
  /** The stream's `config` object (limits). */
  config: unknown;
  /** The stream's `state` object (messages, bytes, sequences). */
  state: unknown;
}

/** One consumer as the server reports it: its name and its raw consumer info. */
export interface ConsumerRecord {
  /** Consumer name. */
  name: string;
  /** The consumer info object (`num_pending`, `ack_floor`, …). */
  info: unknown;
}

/** Raw server-level facts a view can give. */
export type ServerFact =
  | 'storage'
  | 'storage_limit'
  | 'memory'
  | 'memory_limit'
  | 'streams'
  | 'consumers'
  | 'messages'
  | 'bytes'
  | 'connections'
  | 'slow_consumers';

/** What one collect can read from a JetStream server; every call honours the collect's signal. */
export interface JetStreamView {
  /** One server-level fact. */
  server(fact: ServerFact): Promise<RawValue>;
  /** Every stream, sorted by name. */
  streams(): Promise<StreamRecord[]>;
  /** One stream; SOURCE_NOT_FOUND naming the known streams when it does not exist. */
  stream(name: string): Promise<StreamRecord>;
  /** Every consumer of a stream, sorted by name; SOURCE_NOT_FOUND for a missing stream. */
  consumers(stream: string): Promise<ConsumerRecord[]>;
  /** One consumer; SOURCE_NOT_FOUND naming the stream's consumers when it does not exist. */
  consumer(stream: string, name: string): Promise<ConsumerRecord>;
}

/** SOURCE_NOT_FOUND for a stream or consumer, listing the names that do exist. */
export function notFound(what: string, known: readonly string[], hint: string): HeadroomError {
  const list = known.length > 0 ? [...known].sort().join(', ') : 'none';
  return new HeadroomError('SOURCE_NOT_FOUND', `${what} does not exist (known: ${list})`, {
    hint,
  });
}

/** SOURCE_NOT_FOUND for a stream that does not exist. */
export function streamNotFound(name: string, known: readonly string[]): HeadroomError {
  return notFound(
    `stream "${name}"`,
    known,
    'check the stream name (names are case-sensitive) and the account the source connects as',
  );
}

/** SOURCE_NOT_FOUND for a consumer that does not exist on its stream. */
export function consumerNotFound(
  stream: string,
  name: string,
  known: readonly string[],
): HeadroomError {
  return notFound(
    `consumer "${name}" of stream "${stream}"`,
    known,
    'check the consumer name: durable consumers keep their name, ephemeral ones do not',
  );
}

/** SOURCE_BAD_VALUE: the server's answer lacks a field or has one that is not a usable number. */
export function badValue(where: string, problem: string): HeadroomError {
  return new HeadroomError('SOURCE_BAD_VALUE', `${where} ${problem}`, {
    hint: 'an older NATS server may not report it; upgrade the server or read another field',
  });
}

/** Plain-object view of an unknown JSON value, or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A non-negative finite number from the server, or SOURCE_BAD_VALUE saying what it was. */
export function countOf(raw: RawValue): number {
  const v = raw.value;
  if (v === undefined || v === null) throw badValue(raw.where, 'is missing');
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw badValue(raw.where, `is ${JSON.stringify(v)}, not a number`);
  }
  if (v < 0) throw badValue(raw.where, `is negative (${v})`);
  return v;
}

/** A limit that may be unset (`-1`, or `0`: JetStream's "no limit"): undefined then. */
function limitOf(raw: RawValue): number | undefined {
  return raw.value === -1 || raw.value === 0 ? undefined : countOf(raw);
}

/** SOURCE_CONFIG: the plan reads a limit (or a utilization) that is not set. */
function noLimit(missing: string, metric: string, field: string, setting: string): HeadroomError {
  return new HeadroomError(
    'SOURCE_CONFIG',
    `${missing}, so metric "${metric}" (${field}) has no value`,
    {
      path: `metrics.${metric}`,
      hint: `set ${setting}, or read the amount used instead of a limit or utilization`,
    },
  );
}

function at(obj: unknown, where: string, ...path: string[]): RawValue {
  let value: unknown = obj;
  for (const key of path) value = objectOf(value)?.[key];
  return { value, where: `${where} ${path.join('.')}` };
}

async function serverValue(view: JetStreamView, field: ServerField, metric: string) {
  if (field === 'storage_utilization' || field === 'memory_utilization') {
    const used = field === 'storage_utilization' ? 'storage' : 'memory';
    const [usedRaw, limitRaw] = await Promise.all([
      view.server(used),
      view.server(`${used}_limit`),
    ]);
    const limit = limitOf(limitRaw);
    const setting = used === 'storage' ? 'max_file_store' : 'max_memory_store';
    if (limit === undefined) {
      throw noLimit(`the JetStream server has no ${setting}`, metric, field, setting);
    }
    return countOf(usedRaw) / limit;
  }
  return countOf(await view.server(field));
}

/** The value of one stream field; undefined when the stream has no such limit. */
export function streamValue(s: StreamRecord, field: StreamField): number | undefined {
  const where = `stream "${s.name}"`;
  const limit = (key: string) => limitOf(at(s, where, 'config', key));
  const state = (key: string) => countOf(at(s, where, 'state', key));
  switch (field) {
    case 'max_bytes':
      return limit('max_bytes');
    case 'max_msgs':
      return limit('max_msgs');
    case 'max_age_seconds': {
      const ns = limit('max_age');
      return ns === undefined ? undefined : ns / 1e9;
    }
    case 'bytes_utilization': {
      const max = limit('max_bytes');
      return max === undefined ? undefined : state('bytes') / max;
    }
    case 'messages_utilization': {
      const max = limit('max_msgs');
      return max === undefined ? undefined : state('messages') / max;
    }
    default:
      return state(field);
  }
}

const LIMIT_SETTING: Partial<Record<StreamField, string>> = {
  max_bytes: 'max_bytes',
  max_msgs: 'max_msgs',
  max_age_seconds: 'max_age',
  bytes_utilization: 'max_bytes',
  messages_utilization: 'max_msgs',
};

/** The value of one consumer field of `stream` (whose last_seq `ack_floor_lag` needs). */
export function consumerValue(
  c: ConsumerRecord,
  field: ConsumerField,
  stream: StreamRecord,
): number {
  const where = `consumer "${c.name}" of stream "${stream.name}"`;
  const get = (...path: string[]) => countOf(at(c.info, where, ...path));
  switch (field) {
    case 'pending':
      return get('num_pending') + get('num_ack_pending');
    case 'num_pending':
      return get('num_pending');
    case 'ack_pending':
      return get('num_ack_pending');
    case 'redelivered':
      return get('num_redelivered');
    case 'waiting':
      return get('num_waiting');
    case 'ack_floor_lag': {
      const lastSeq = countOf(at(stream, `stream "${stream.name}"`, 'state', 'last_seq'));
      // A purge can move the stream past the ack floor's view; a lag is never negative.
      return Math.max(0, lastSeq - get('ack_floor', 'stream_seq'));
    }
  }
}

/** Reads one plan metric through `view`; samples carry the metric name and the clock time. */
export async function readMetric(
  view: JetStreamView,
  m: MetricRequest,
  atMs: number,
): Promise<Sample[]> {
  const target = targetOf(m.select);
  const sample = (labels: Record<string, string>, value: number): Sample => ({
    metric: m.name,
    labels,
    value,
    at: atMs,
  });
  if (target.level === 'server') return [sample({}, await serverValue(view, target.field, m.name))];
  if (target.level === 'stream') {
    const streams = target.stream ? [await view.stream(target.stream)] : await view.streams();
    const samples: Sample[] = [];
    const setting = LIMIT_SETTING[target.field] ?? '';
    for (const s of streams) {
      const value = streamValue(s, target.field);
      if (value !== undefined) samples.push(sample({ stream: s.name }, value));
      else if (target.stream) {
        throw noLimit(`stream "${s.name}" has no ${setting}`, m.name, target.field, setting);
      }
    }
    // Every stream: streams without the limit have no series; none at all is an error.
    if (samples.length === 0 && streams.length > 0) {
      const missing = `none of the ${streams.length} streams has ${setting}`;
      throw noLimit(missing, m.name, target.field, `${setting} on a stream`);
    }
    return samples;
  }
  const stream = await view.stream(target.stream);
  const consumers = target.consumer
    ? [await view.consumer(target.stream, target.consumer)]
    : await view.consumers(target.stream);
  return consumers.map((c) =>
    sample({ stream: stream.name, consumer: c.name }, consumerValue(c, target.field, stream)),
  );
}
