/**
 * Reads JetStream over a client connection, for servers without a monitoring port: the
 * JetStream management API (`$JS.API.INFO` account info, `STREAM.LIST` / `STREAM.INFO`,
 * `CONSUMER.LIST` / `CONSUMER.INFO`) through `@nats-io/jetstream`.
 *
 * One connection per source, opened on the first collect and reused. The client's own
 * reconnect loop is off (`reconnect: false`), so a request never waits in a reconnect buffer:
 * when the connection drops, the next collect reconnects, and failed attempts back off 1 s,
 * 2 s … 30 s or the plan's interval (`reconnect.ts`), failing fast in between. Server totals
 * are the connecting account's (equal to the server's on a single-account server); `messages`
 * and `bytes` are summed over its streams. Credentials never appear in messages.
 */
import type { JetStreamManager, Lister } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';
import { LazyModule } from './lazy-module.ts';
import {
  consumerNotFound,
  countOf,
  objectOf,
  streamNotFound,
  type ConsumerRecord,
  type JetStreamView,
  type RawValue,
  type ServerFact,
  type StreamRecord,
} from './nats-jetstream-read.ts';
import { ReconnectBackoff, untilAborted, type BackoffOptions } from './reconnect.ts';

const transport = new LazyModule(() => import('@nats-io/transport-node'));
const jetstreamApi = new LazyModule(() => import('@nats-io/jetstream'));

/** Where the NATS servers are, how to authenticate, and how long a request may take. */
export interface ClientEndpoint {
  /** Server URLs as given (`nats://host:4222`, `host:4222`); may carry `user:pass@`. */
  servers: string[];
  /** The servers as shown in messages: `host:port` joined by commas, no credentials. */
  displayServers: string;
  /** User name, with `pass`. */
  user?: string | undefined;
  /** Password, with `user`. */
  pass?: string | undefined;
  /** Authentication token. */
  token?: string | undefined;
  /** Connect and request deadline, in ms. */
  timeoutMs: number;
}

/** `host:port` of a server URL without credentials (`nats://` and port 4222 assumed). */
export function displayServer(server: string): string {
  const url = new URL(/^[a-z]+:\/\//i.test(server) ? server : `nats://${server}`);
  return `${url.hostname}:${url.port || '4222'}`;
}

/** Reads JetStream through one reused client connection. */
export class ClientReader {
  private readonly backoff: ReconnectBackoff;
  private nc: NatsConnection | undefined;
  private jsm: JetStreamManager | undefined;
  private connecting: Promise<JetStreamManager> | undefined;
  private closed = false;

  constructor(
    private readonly endpoint: ClientEndpoint,
    backoff: BackoffOptions = {},
  ) {
    this.backoff = new ReconnectBackoff(backoff);
  }

  /** How this reader names its servers in messages. */
  get what(): string {
    return `NATS at ${this.endpoint.displayServers}`;
  }

  /** A view for one collect; each API call is made at most once per view. */
  view(signal: AbortSignal): JetStreamView {
    const memo = new Map<string, Promise<unknown>>();
    const once = <T>(key: string, call: (jsm: JetStreamManager) => Promise<T>): Promise<T> => {
      if (!memo.has(key)) memo.set(key, this.call(call, signal));
      return memo.get(key) as Promise<T>;
    };
    const streams = () =>
      once('streams', async (jsm) =>
        sortByName(await drain(jsm.streams.list(), signal, this.what)),
      ).then((list) => list.map(streamRecord));
    const stream = (name: string) =>
      once(`stream ${name}`, async (jsm) => {
        try {
          return streamRecord(await jsm.streams.info(name));
        } catch (e) {
          if (!isApiError(e, 'StreamNotFound')) throw e;
          throw streamNotFound(name, await drain(jsm.streams.names(), signal, this.what));
        }
      });
    const consumers = async (streamName: string) => {
      await stream(streamName);
      return once(`consumers ${streamName}`, async (jsm) =>
        sortByName(await drain(jsm.consumers.list(streamName), signal, this.what)).map(
          consumerRecord,
        ),
      );
    };
    return {
      server: (fact) => this.serverFact(fact, once, streams),
      streams,
      stream,
      consumers,
      consumer: async (streamName, name) => {
        await stream(streamName);
        return once(`consumer ${streamName} ${name}`, async (jsm) => {
          try {
            return consumerRecord(await jsm.consumers.info(streamName, name));
          } catch (e) {
            if (!isApiError(e, 'ConsumerNotFound')) throw e;
            const known = await drain(jsm.consumers.list(streamName), signal, this.what);
            throw consumerNotFound(
              streamName,
              name,
              known.map((c) => c.name),
            );
          }
        });
      },
    };
  }

  /**
   * Closes the connection. Safe to call twice. A connection still being opened is closed as soon
   * as it opens (or gives up at `timeout`): the client offers no way to cancel a dial.
   */
  async close(): Promise<void> {
    this.closed = true;
    const nc = this.nc;
    this.nc = undefined;
    this.jsm = undefined;
    await nc?.close().catch(() => undefined);
  }

  private async serverFact(
    fact: ServerFact,
    once: <T>(key: string, call: (jsm: JetStreamManager) => Promise<T>) => Promise<T>,
    streams: () => Promise<StreamRecord[]>,
  ): Promise<RawValue> {
    if (fact === 'messages' || fact === 'bytes') {
      let total = 0;
      for (const s of await streams()) {
        total += countOf({
          value: objectOf(s.state)?.[fact],
          where: `stream "${s.name}" state.${fact}`,
        });
      }
      return { value: total, where: `the sum of state.${fact} over the account's streams` };
    }
    if (fact !== 'storage' && fact !== 'memory' && fact !== 'streams' && fact !== 'consumers') {
      throw new HeadroomError(
        'SOURCE_CONFIG',
        `${fact} is only published on the monitoring port, not by the JetStream API`,
        { hint: "set the source's `monitor` option, e.g. http://127.0.0.1:8222" },
      );
    }
    const info = await once('account', (jsm) => jsm.getAccountInfo());
    return { value: objectOf(info)?.[fact], where: `account info ${fact}` };
  }

  /** Runs one API call on the (re)opened connection within `signal`; maps client errors. */
  private async call<T>(
    run: (jsm: JetStreamManager) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const jsm = await this.manager(signal);
    try {
      return await untilAborted(run(jsm), signal, this.what);
    } catch (e) {
      throw this.apiError(e);
    }
  }

  private async manager(signal: AbortSignal): Promise<JetStreamManager> {
    if (this.closed) throw abortedError(AbortSignal.abort(), this.what);
    if (this.jsm && this.nc && !this.nc.isClosed()) return this.jsm;
    this.backoff.throwIfWaiting();
    this.connecting ??= this.open();
    return untilAborted(this.connecting, signal, this.what);
  }

  private async open(): Promise<JetStreamManager> {
    const { servers, user, pass, token, timeoutMs } = this.endpoint;
    try {
      const [{ connect }, { jetstreamManager }] = await Promise.all([
        transport.load(),
        jetstreamApi.load(),
      ]);
      const nc = await connect({
        servers,
        ...(user !== undefined ? { user, pass } : {}),
        ...(token !== undefined ? { token } : {}),
        timeout: timeoutMs,
        reconnect: false,
        name: 'headroom',
      });
      if (this.closed) {
        await nc.close();
        throw abortedError(AbortSignal.abort(), this.what);
      }
      this.backoff.succeeded();
      const jsm = await jetstreamManager(nc, { timeout: timeoutMs, checkAPI: false });
      this.nc = nc;
      this.jsm = jsm;
      // The server went away or closed us: the next collect reconnects.
      void nc.closed().then(() => {
        if (this.nc === nc) [this.nc, this.jsm] = [undefined, undefined];
      });
      return jsm;
    } catch (e) {
      if (e instanceof HeadroomError) throw e;
      throw this.connectError(e);
    } finally {
      this.connecting = undefined;
    }
  }

  private connectError(e: unknown): HeadroomError {
    const reason = this.redact(reasonOf(e));
    const refused = errorName(e) === 'AuthorizationError' || /authoriz|authentic/i.test(reason);
    const error = refused
      ? new HeadroomError('SOURCE_CONFIG', `${this.what} refused the credentials (${reason})`, {
          hint: 'check `user`/`pass` or `token` (set them from ${ENV} variables)',
          cause: e,
        })
      : new HeadroomError('SOURCE_UNAVAILABLE', `${this.what} is unreachable (${reason})`, {
          hint: 'check that nats-server is running and that `servers` is right',
          cause: e,
        });
    return this.backoff.failed(error);
  }

  private apiError(e: unknown): unknown {
    if (e instanceof HeadroomError) return e;
    if (errorName(e) === 'JetStreamNotEnabled') {
      return new HeadroomError(
        'SOURCE_CONFIG',
        `JetStream is not enabled for this account on ${this.what}`,
        {
          hint: 'start nats-server with -js, and enable JetStream for the account the source connects as',
          cause: e,
        },
      );
    }
    const name = errorName(e);
    const reason = this.redact(reasonOf(e));
    if (name === 'PermissionViolationError') {
      return new HeadroomError(
        'SOURCE_CONFIG',
        `${this.what} denied a JetStream API request (${reason})`,
        {
          hint: 'allow the user to publish to $JS.API.> and subscribe to its inbox',
          cause: e,
        },
      );
    }
    const detail =
      name === 'TimeoutError'
        ? `did not answer within ${this.endpoint.timeoutMs} ms`
        : `failed: ${reason}`;
    return new HeadroomError('SOURCE_UNAVAILABLE', `${this.what} ${detail}`, {
      hint: 'check that nats-server is running and not overloaded; raise `timeout` if it is slow',
      cause: e,
    });
  }

  private redact(text: string): string {
    const { user, pass, token, servers } = this.endpoint;
    const secrets = [pass, token, user, ...servers.flatMap(secretsOfUrl)].filter(
      (s): s is string => typeof s === 'string' && s.length > 0,
    );
    return secrets.reduce((t, s) => t.split(s).join('***'), text);
  }
}

/** True for the JetStream API's error `code` (the client is loaded once a connection exists). */
function isApiError(e: unknown, code: 'StreamNotFound' | 'ConsumerNotFound'): boolean {
  const api = jetstreamApi.loaded;
  return (
    api !== undefined &&
    e instanceof api.JetStreamApiError &&
    e.code === api.JetStreamApiCodes[code]
  );
}

/** The client's error class name (`TimeoutError`, `AuthorizationError`, …). */
function errorName(e: unknown): string {
  return e instanceof Error ? e.name : 'Error';
}

function secretsOfUrl(server: string): string[] {
  const match = /^[a-z]+:\/\/([^@/]*)@/i.exec(server);
  return match ? match[1]!.split(':').map(decodeURIComponent) : [];
}

function reasonOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string } }).cause;
  if (cause?.code) return cause.code;
  return e instanceof Error ? e.message : String(e);
}

/** Reads every page of a lister, giving up when `signal` aborts. */
async function drain<T>(lister: Lister<T>, signal: AbortSignal, what: string): Promise<T[]> {
  const items: T[] = [];
  for (;;) {
    const page = await untilAborted(lister.next(), signal, what);
    if (page.length === 0) return items;
    items.push(...page);
  }
}

function sortByName<T extends { config?: { name?: string }; name?: string }>(items: T[]): T[] {
  const key = (x: T) => x.name ?? x.config?.name ?? '';
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function streamRecord(info: { config?: { name?: string }; state?: unknown }): StreamRecord {
  return { name: String(info.config?.name ?? ''), config: info.config, state: info.state };
}

function consumerRecord(info: { name?: string }): ConsumerRecord {
  return { name: String(info.name ?? ''), info };
}
