/**
 * Reads JetStream through a NATS server's monitoring port: one
 * `GET /jsz?accounts=true&streams=true&consumers=true&config=true` per collect (server totals,
 * configured limits, every account's streams with their config, state and consumers) and, only
 * when a metric asks for `connections` or `slow_consumers`, one `GET /varz`.
 *
 * The monitor lists the streams of every account; a stream name found in two accounts is
 * ambiguous here and fails its metric (read such streams over `servers` as that account).
 * Connection errors and timeouts are SOURCE_UNAVAILABLE and start the reconnect backoff; a 404
 * is SOURCE_CONFIG (not a monitoring port); a body that is not JSON is SOURCE_BAD_VALUE.
 */
import { HeadroomError } from '../errors.ts';
import {
  badValue,
  consumerNotFound,
  objectOf,
  streamNotFound,
  type ConsumerRecord,
  type JetStreamView,
  type RawValue,
  type ServerFact,
  type StreamRecord,
} from './nats-jetstream-read.ts';
import { abortedError } from './health.ts';
import { ReconnectBackoff, type BackoffOptions } from './reconnect.ts';

/** Where the monitoring port is and how long a request may take. */
export interface MonitorEndpoint {
  /** Base URL with a trailing slash (a `http_base_path` prefix is kept). */
  baseUrl: URL;
  /** The URL as shown in messages: no credentials, no trailing slash. */
  displayUrl: string;
  /** Time one request may take, in ms. */
  timeoutMs: number;
}

/** The /jsz query that returns everything the source reads. */
export const JSZ_PATH = 'jsz?accounts=true&streams=true&consumers=true&config=true';

/** Builds the endpoint from a `monitor` URL (already validated as http/https). */
export function monitorEndpoint(url: string, timeoutMs: number): MonitorEndpoint {
  const baseUrl = new URL(url);
  baseUrl.username = '';
  baseUrl.password = '';
  baseUrl.search = '';
  if (!baseUrl.pathname.endsWith('/')) baseUrl.pathname += '/';
  const displayUrl = `${baseUrl.origin}${baseUrl.pathname}`.replace(/\/$/, '');
  return { baseUrl, displayUrl, timeoutMs };
}

/** A stream found in /jsz, with the account it belongs to and its raw consumer list. */
interface JszStream extends StreamRecord {
  account: string;
  consumerDetail: unknown;
}

/** Reads the monitoring port of one server; keeps the backoff state between collects. */
export class MonitorReader {
  private readonly backoff: ReconnectBackoff;
  // Aborts requests still in flight when the source is closed.
  private readonly closing = new AbortController();

  constructor(
    private readonly endpoint: MonitorEndpoint,
    backoff: BackoffOptions = {},
  ) {
    this.backoff = new ReconnectBackoff(backoff);
  }

  /** How this reader names its server in messages. */
  get what(): string {
    return `NATS monitor at ${this.endpoint.displayUrl}`;
  }

  /** A view for one collect: /jsz and /varz are fetched at most once each, on first use. */
  view(signal: AbortSignal): JetStreamView {
    const combined = AbortSignal.any([signal, this.closing.signal]);
    let jsz: Promise<Record<string, unknown>> | undefined;
    let varz: Promise<Record<string, unknown>> | undefined;
    let streams: Promise<Map<string, JszStream>> | undefined;
    const getJsz = () => (jsz ??= this.getJson(JSZ_PATH, combined).then(checkEnabled(this.what)));
    const getVarz = () => (varz ??= this.getJson('varz', combined));
    const getStreams = () => (streams ??= getJsz().then(streamsOf));
    const stream = async (name: string): Promise<JszStream> => {
      const all = await getStreams();
      const found = all.get(name);
      if (!found) throw streamNotFound(name, [...all.keys()]);
      return found;
    };
    return {
      server: async (fact) => serverFact(fact, getJsz, getVarz),
      streams: async () => [...(await getStreams()).values()],
      stream,
      consumers: async (name) => consumersOf(await stream(name)),
      consumer: async (streamName, name) => {
        const all = consumersOf(await stream(streamName));
        const found = all.find((c) => c.name === name);
        if (!found)
          throw consumerNotFound(
            streamName,
            name,
            all.map((c) => c.name),
          );
        return found;
      },
    };
  }

  /** Aborts requests in flight; later collects reject. */
  close(): void {
    this.closing.abort(new Error('source closed'));
  }

  private async getJson(path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    this.backoff.throwIfWaiting();
    const url = new URL(path, this.endpoint.baseUrl);
    const timeout = AbortSignal.timeout(this.endpoint.timeoutMs);
    let status: number;
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, timeout]) });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      if (signal.aborted) throw abortedError(signal, this.what);
      const reason = timeout.aborted
        ? `no answer within ${this.endpoint.timeoutMs} ms`
        : errorCode(cause);
      const error = new HeadroomError(
        'SOURCE_UNAVAILABLE',
        `${this.what} is unreachable (${reason})`,
        {
          hint: 'check that nats-server runs with -m <port> and that `monitor` is right',
          cause,
        },
      );
      throw this.backoff.failed(error);
    }
    this.backoff.succeeded();
    return parseBody(this.what, `/${path.split('?')[0]}`, status, text);
  }
}

function errorCode(cause: unknown): string {
  const inner = (cause as { cause?: { code?: string; message?: string } }).cause;
  return inner?.code ?? inner?.message ?? (cause instanceof Error ? cause.message : String(cause));
}

function parseBody(
  what: string,
  path: string,
  status: number,
  text: string,
): Record<string, unknown> {
  if (status === 404) {
    throw new HeadroomError('SOURCE_CONFIG', `${what} has no ${path} (HTTP 404)`, {
      hint: 'point `monitor` at the monitoring port (nats-server -m 8222), not the client port',
    });
  }
  if (status < 200 || status > 299) {
    throw new HeadroomError('SOURCE_UNAVAILABLE', `${what} answered HTTP ${status} to ${path}`, {
      hint: 'check the server log',
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = objectOf(json);
  if (!body) throw badValue(`${what} ${path}`, 'is not a JSON object');
  return body;
}

function checkEnabled(what: string) {
  return (jsz: Record<string, unknown>): Record<string, unknown> => {
    if (jsz.disabled === true) {
      throw new HeadroomError('SOURCE_CONFIG', `JetStream is not enabled on the server (${what})`, {
        hint: 'start nats-server with -js (or `jetstream {}` in its config)',
      });
    }
    return jsz;
  };
}

const JSZ_FACTS: Record<ServerFact, string[]> = {
  storage: ['storage'],
  storage_limit: ['config', 'max_storage'],
  memory: ['memory'],
  memory_limit: ['config', 'max_memory'],
  streams: ['streams'],
  consumers: ['consumers'],
  messages: ['messages'],
  bytes: ['bytes'],
  connections: ['connections'],
  slow_consumers: ['slow_consumers'],
};

async function serverFact(
  fact: ServerFact,
  getJsz: () => Promise<Record<string, unknown>>,
  getVarz: () => Promise<Record<string, unknown>>,
): Promise<RawValue> {
  const fromVarz = fact === 'connections' || fact === 'slow_consumers';
  let value: unknown = await (fromVarz ? getVarz() : getJsz());
  const path = JSZ_FACTS[fact];
  for (const key of path) value = objectOf(value)?.[key];
  return { value, where: `${fromVarz ? '/varz' : '/jsz'} ${path.join('.')}` };
}

/** A JSON array, or [] when the server left it out (Go's omitempty); else SOURCE_BAD_VALUE. */
function listOf(value: unknown, where: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badValue(where, 'is not a list');
  return value as unknown[];
}

function nameOf(item: unknown, where: string): string {
  const name = objectOf(item)?.name;
  if (typeof name !== 'string' || name === '') throw badValue(where, 'has an entry without a name');
  return name;
}

/** Every stream of every account in /jsz, by name; a name in two accounts is ambiguous. */
function streamsOf(jsz: Record<string, unknown>): Map<string, JszStream> {
  const accounts = listOf(jsz.account_details, '/jsz account_details');
  if (accounts.length === 0 && typeof jsz.accounts === 'number' && jsz.accounts > 0) {
    throw badValue('/jsz account_details', 'is missing (the server ignored accounts=true)');
  }
  const byName = new Map<string, JszStream>();
  for (const account of accounts) {
    const accountName = nameOf(account, '/jsz account_details');
    const where = `/jsz account "${accountName}" stream_detail`;
    for (const item of listOf(objectOf(account)?.stream_detail, where)) {
      const name = nameOf(item, where);
      const other = byName.get(name);
      if (other) {
        throw badValue(
          `stream "${name}"`,
          `exists in accounts "${other.account}" and "${accountName}"; the monitoring port cannot tell them apart (read it through \`servers\` as that account's user)`,
        );
      }
      const s = objectOf(item)!;
      byName.set(name, {
        name,
        account: accountName,
        config: s.config,
        state: s.state,
        consumerDetail: s.consumer_detail,
      });
    }
  }
  return new Map([...byName].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function consumersOf(stream: JszStream): ConsumerRecord[] {
  const where = `/jsz stream "${stream.name}" consumer_detail`;
  const items = listOf(stream.consumerDetail, where);
  const count = objectOf(stream.state)?.consumer_count;
  if (items.length === 0 && typeof count === 'number' && count > 0) {
    throw badValue(where, `is missing though the stream has ${count} consumer(s)`);
  }
  return items
    .map((info) => ({ name: nameOf(info, where), info }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
