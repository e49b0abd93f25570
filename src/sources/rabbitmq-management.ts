/**
 * The RabbitMQ management HTTP API, for what a passive declare over AMQP cannot tell: unacked
 * messages and message rates of one queue (`GET /api/queues/<vhost>/<queue>`).
 *
 * - `unacked` is `messages_unacknowledged` (count).
 * - `publish_rate`, `deliver_rate`, `ack_rate` are `message_stats.<x>_details.rate` (messages per
 *   second, averaged by RabbitMQ over its sampling window) for `<x>` = `publish`, `deliver_get`
 *   (every delivery to a consumer, in both ack modes, plus basic.get) and `ack`.
 *
 * RabbitMQ leaves `message_stats` (or one `<x>_details` in it) out when the queue saw no such
 * event in the window; that is a rate of 0. A counter (`<x>`) without its `<x>_details` means the
 * server keeps no rates (`management.rates_mode = none`): SOURCE_BAD_VALUE. A queue whose JSON
 * lacks `messages_unacknowledged` (just declared; statistics not emitted yet) is SOURCE_BAD_VALUE.
 */
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';

/** Management-API fields of the rabbitmq source, with their meaning and unit. */
export const MANAGEMENT_FIELDS = {
  unacked: 'messages delivered to consumers and not acknowledged yet (count)',
  publish_rate: 'messages published into the queue (messages per second)',
  deliver_rate: 'messages delivered to consumers or fetched with basic.get (messages per second)',
  ack_rate: 'messages acknowledged by consumers (messages per second)',
} as const;

/** A field read through the management API. */
export type ManagementField = keyof typeof MANAGEMENT_FIELDS;

/** `message_stats` key behind each rate field. */
const RATE_KEYS: Record<Exclude<ManagementField, 'unacked'>, string> = {
  publish_rate: 'publish',
  deliver_rate: 'deliver_get',
  ack_rate: 'ack',
};

/** Where and how to reach the management API of one RabbitMQ. */
export interface ManagementEndpoint {
  /** Base URL, trailing slash, without credentials. */
  baseUrl: URL;
  /** Base URL as shown in messages (no credentials, no trailing slash). */
  displayUrl: string;
  /** `Authorization` header value (basic auth). */
  authorization: string;
  /** Virtual host whose queues are read. */
  vhost: string;
}

/** The queue document, as far as headroom reads it. */
export type QueueDocument = Record<string, unknown>;

/**
 * Builds the endpoint from the `management` option. Credentials come from its `user:pass@`,
 * else from the AMQP url's, else RabbitMQ's default `guest:guest` (as amqplib does).
 */
export function managementEndpoint(
  managementUrl: string,
  amqpUrl: URL,
  vhost: string,
): ManagementEndpoint {
  const baseUrl = new URL(managementUrl);
  const source = baseUrl.username || baseUrl.password ? baseUrl : amqpUrl;
  const user = source.username || source.password ? decodeURIComponent(source.username) : 'guest';
  const pass = source.username || source.password ? decodeURIComponent(source.password) : 'guest';
  baseUrl.username = '';
  baseUrl.password = '';
  baseUrl.search = '';
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const displayUrl = `${baseUrl.origin}${baseUrl.pathname}`.replace(/\/$/, '');
  const authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  return { baseUrl, displayUrl, authorization, vhost };
}

/** Fetches `/api/queues/<vhost>/<queue>`; every failure is a catalogued error. */
export async function fetchQueueDocument(
  endpoint: ManagementEndpoint,
  queue: string,
  signal: AbortSignal,
): Promise<QueueDocument> {
  const path = `api/queues/${encodeURIComponent(endpoint.vhost)}/${encodeURIComponent(queue)}`;
  const what = `RabbitMQ management API at ${endpoint.displayUrl}`;
  let status: number;
  let text: string;
  try {
    const response = await fetch(new URL(path, endpoint.baseUrl), {
      headers: { authorization: endpoint.authorization, accept: 'application/json' },
      signal,
    });
    status = response.status;
    text = await response.text();
  } catch (cause) {
    if (signal.aborted) throw abortedError(signal, what);
    throw new HeadroomError(
      'SOURCE_UNAVAILABLE',
      `${what} cannot be reached (${causeCode(cause)})`,
      {
        hint: 'check that the management plugin is enabled (rabbitmq-plugins enable rabbitmq_management) and that `management` is right',
        cause,
      },
    );
  }
  const body = parseJson(text);
  if (status === 200 && isObject(body)) return body;
  throw httpFailure(endpoint, queue, status, body, text);
}

/** Reads one management field from a queue document; SOURCE_BAD_VALUE when absent or bad. */
export function managementValue(
  document: QueueDocument,
  field: ManagementField,
  queue: string,
): number {
  if (field === 'unacked') {
    const value = document.messages_unacknowledged;
    if (value === undefined) {
      throw badValue(
        queue,
        'has no messages_unacknowledged yet',
        'RabbitMQ emits queue statistics a few seconds after the queue is declared; wait for the next collect',
      );
    }
    return checkedNumber(value, queue, 'messages_unacknowledged');
  }
  const key = RATE_KEYS[field];
  const stats = document.message_stats;
  // Absent, or `[]` on old servers: the queue saw no traffic in the sampling window.
  if (stats === undefined || Array.isArray(stats)) return 0;
  if (!isObject(stats)) throw badValue(queue, 'has a message_stats that is not an object', HINT);
  const details = stats[`${key}_details`];
  if (details === undefined) {
    if (stats[key] === undefined) return 0;
    throw badValue(
      queue,
      `reports message_stats.${key} but no ${key}_details: the server keeps no rates`,
      'set management.rates_mode to basic (the default) in rabbitmq.conf, or read rates from Prometheus',
    );
  }
  const rate = isObject(details) ? details.rate : undefined;
  return checkedNumber(rate, queue, `message_stats.${key}_details.rate`);
}

const HINT = 'check that `management` points at the RabbitMQ management API (port 15672)';

function checkedNumber(value: unknown, queue: string, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw badValue(queue, `has ${path} = ${JSON.stringify(value)}, not a count or rate`, HINT);
  }
  return value;
}

function badValue(queue: string, problem: string, hint: string): HeadroomError {
  return new HeadroomError('SOURCE_BAD_VALUE', `queue '${queue}' ${problem}`, { hint });
}

function httpFailure(
  endpoint: ManagementEndpoint,
  queue: string,
  status: number,
  body: unknown,
  text: string,
): HeadroomError {
  const what = `RabbitMQ management API at ${endpoint.displayUrl}`;
  const reason = isObject(body) && typeof body.reason === 'string' ? body.reason : '';
  // RabbitMQ answers a missing queue (or vhost) with 404 and {"error":"Object Not Found"}.
  if (status === 404 && isObject(body) && body.error === 'Object Not Found') {
    return new HeadroomError(
      'SOURCE_NOT_FOUND',
      `queue '${queue}' not found in vhost '${endpoint.vhost}' (${what})`,
      { hint: 'check the queue name and the vhost in `url`; queue names are case-sensitive' },
    );
  }
  if (status === 401 || status === 403) {
    return new HeadroomError('SOURCE_CONFIG', `${what} refused the credentials (HTTP ${status})`, {
      hint: 'give a user with the monitoring tag in `management` (http://user:pass@host:15672) or `url`',
    });
  }
  if (status === 404) {
    return new HeadroomError('SOURCE_CONFIG', `${what} answered HTTP 404 for ${queue}`, {
      hint: 'check `management`: it is the base URL of the management API, e.g. http://127.0.0.1:15672',
    });
  }
  if (status >= 500) {
    const detail = reason || text.trim().slice(0, 200);
    return new HeadroomError(
      'SOURCE_UNAVAILABLE',
      `${what} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
      { hint: 'check that the RabbitMQ node is healthy' },
    );
  }
  return new HeadroomError(
    'SOURCE_BAD_VALUE',
    `${what} answered HTTP ${status} with something that is not a queue document`,
    { hint: HINT },
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The low-level reason of a failed connection (`ECONNREFUSED`), for messages. */
export function causeCode(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
  const own = cause as { code?: unknown; message?: string };
  if (inner?.code) return inner.code;
  if (typeof own.code === 'string') return own.code;
  return inner?.message ?? (cause instanceof Error ? cause.message : String(cause));
}
