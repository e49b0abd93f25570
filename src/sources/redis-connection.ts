/**
 * One Redis connection per source, shared by the `bullmq` and `redis-list` kinds.
 *
 * - The connection is opened lazily by the first collect and reused by the next ones.
 * - ioredis's own reconnect loop and offline queue are off (`retryStrategy: null`,
 *   `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`): a command to a dead server fails at
 *   once instead of waiting in a queue, so a collect never hangs on it.
 * - When the server is unreachable, times out or drops the connection, the next attempt waits
 *   1 s, then 2, 4, … up to 30 s or the plan's interval (`reconnect.ts`; reset by a successful
 *   connect). While it waits, a collect fails at once with SOURCE_UNAVAILABLE saying when the
 *   next attempt is.
 * - Every command batch runs within the source `timeout` and the caller's AbortSignal; a batch
 *   that times out drops the connection (the server may be stuck), a caller's abort does not.
 * - Messages name `host:port` only: credentials in the URL never appear.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';
import { LazyModule } from './lazy-module.ts';
import { ReconnectBackoff, untilAborted } from './reconnect.ts';

const ioredis = new LazyModule(() => import('ioredis'));

/** Default time a connect or a command batch may take, in ms. */
export const DEFAULT_REDIS_TIMEOUT_MS = 5000;

/** Where a source's Redis is: the URL for the client and what messages may show. */
export interface RedisTarget {
  /** The URL as configured (may hold credentials: never print it). */
  url: string;
  /** `host:port`, for messages. */
  address: string;
  /** Logical database number (the URL path, default 0). */
  db: number;
}

/** Parses a `redis://` or `rediss://` URL; returns an error message when it is not one. */
export function parseRedisUrl(value: string): RedisTarget | string {
  if (!URL.canParse(value)) return 'must be a URL such as redis://127.0.0.1:6379/0';
  const url = new URL(value);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `must start with redis:// or rediss:// (got ${url.protocol}//)`;
  }
  if (url.hostname === '') return 'names no host; write e.g. redis://127.0.0.1:6379/0';
  const path = url.pathname.replace(/^\//, '');
  if (path !== '' && !/^\d+$/.test(path)) {
    return `the path must be a database number such as /0 (got /${path})`;
  }
  return { url: value, address: `${url.hostname}:${url.port || 6379}`, db: Number(path || 0) };
}

/** Zod schema of the `url` option shared by the Redis kinds. */
export const RedisUrlOption = z
  .string({ error: 'write the server address, e.g. `url: redis://127.0.0.1:6379/0`' })
  .superRefine((value, ctx) => {
    const parsed = parseRedisUrl(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** One raw pipeline reply: an error (WRONGTYPE…) or the value. */
export type Reply = [Error | null, unknown];

/** True for an error the server sent (WRONGTYPE, NOAUTH…), as opposed to a connection failure. */
export function isReplyError(error: unknown): error is Error {
  return error instanceof Error && error.name === 'ReplyError';
}

/** True for Redis refusing the credentials or the ACL (NOAUTH, WRONGPASS, NOPERM). */
export function isAuthError(error: unknown): boolean {
  return isReplyError(error) && /^(NOAUTH|WRONGPASS|NOPERM)/.test(error.message);
}

const CREDENTIALS_HINT =
  'put the credentials in `url` (redis://user:${REDIS_PASSWORD}@host:6379/0) and check the ACL';

/** Checks a pipeline's replies: a connection-level error in any of them is thrown. */
export function checkedReplies(replies: Reply[] | null): Reply[] {
  if (replies === null) throw new Error('the pipeline was discarded');
  const broken = replies.find(([error]) => error !== null && !isReplyError(error));
  if (broken) throw broken[0];
  return replies;
}

/** What a source passes to build its connection. */
export interface RedisConnectionOptions {
  /** The server. */
  target: RedisTarget;
  /** Time a connect or a command batch may take, in ms. */
  timeoutMs: number;
  /** The source's clock, epoch ms (drives the backoff). */
  now: () => number;
  /** Longest wait between connection attempts, in ms (the plan's interval); at most 30 s. */
  backoffMaxMs?: number | undefined;
}

/** A lazily opened, reused ioredis connection with fail-fast backoff. */
export class RedisConnection {
  private client: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  private lastConnectionError: unknown;
  private readonly backoff: ReconnectBackoff;
  private readonly closing = new AbortController();

  constructor(private readonly options: RedisConnectionOptions) {
    this.backoff = new ReconnectBackoff({ clockMs: options.now, maxMs: options.backoffMaxMs });
  }

  /** `Redis at host:port`, for messages. */
  get description(): string {
    return `Redis at ${this.options.target.address}`;
  }

  /**
   * Runs `work` on the connection (opening it if needed) within the timeout and `signal`.
   * Rejects with SOURCE_UNAVAILABLE (down, timed out, aborted, backing off) or SOURCE_CONFIG
   * (authentication); errors `work` throws as HeadroomErrors pass through.
   */
  async run<T>(signal: AbortSignal, work: (client: Redis) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const combined = AbortSignal.any([signal, timeout, this.closing.signal]);
    if (this.closing.signal.aborted) throw this.closedError();
    if (signal.aborted) throw abortedError(signal, this.description);
    try {
      const client = await untilAborted(this.connected(), combined, this.description);
      return await untilAborted(work(client), combined, this.description);
    } catch (thrown) {
      if (this.closing.signal.aborted) throw this.closedError();
      if (signal.aborted) throw abortedError(signal, this.description);
      // untilAborted rejects a timeout as a HeadroomError: it is a connection failure all the same.
      if (thrown instanceof HeadroomError && !timeout.aborted) throw thrown;
      if (isReplyError(thrown) && !isAuthError(thrown)) throw this.replyError(thrown);
      const cause = this.lastConnectionError ?? thrown;
      const detail = timeout.aborted
        ? `did not answer within ${this.options.timeoutMs} ms`
        : `${isAuthError(cause) ? 'refused the credentials' : 'cannot be reached'} (${errorDetail(cause)})`;
      this.drop();
      throw this.backoff.failed(this.connectionError(detail, cause));
    }
  }

  /** Disconnects; later runs reject. Safe to call twice. */
  async close(): Promise<void> {
    this.closing.abort(new Error('source closed'));
    this.drop();
  }

  private async connected(): Promise<Redis> {
    if (this.client?.status === 'ready') return this.client;
    if (this.connecting) return this.connecting;
    this.drop();
    this.backoff.throwIfWaiting();
    const connecting = this.open();
    this.connecting = connecting;
    try {
      return await connecting;
    } finally {
      if (this.connecting === connecting) this.connecting = undefined;
    }
  }

  private async open(): Promise<Redis> {
    this.lastConnectionError = undefined;
    const { Redis } = await ioredis.load();
    const client = new Redis(this.options.target.url, {
      lazyConnect: true,
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      connectTimeout: this.options.timeoutMs,
    });
    // ioredis reports why a connect failed only through 'error'; keep it for the message.
    client.on('error', (error: unknown) => {
      if (this.client === client) this.lastConnectionError = error;
    });
    client.on('end', () => {
      if (this.client === client) this.client = undefined;
    });
    this.client = client;
    await client.connect();
    this.backoff.succeeded();
    return client;
  }

  private drop(): void {
    const client = this.client;
    this.client = undefined;
    this.connecting = undefined;
    client?.disconnect();
  }

  /** A failed connection: SOURCE_CONFIG when Redis refused the credentials, else unavailable. */
  private connectionError(detail: string, cause: unknown): HeadroomError {
    const message = `${this.description} ${detail}`;
    if (isAuthError(cause)) {
      return new HeadroomError('SOURCE_CONFIG', message, { hint: CREDENTIALS_HINT, cause });
    }
    return new HeadroomError('SOURCE_UNAVAILABLE', message, {
      hint: 'check that Redis is running and that `url` is right; headroom reconnects by itself',
      cause,
    });
  }

  private replyError(error: Error): HeadroomError {
    return new HeadroomError(
      'SOURCE_BAD_VALUE',
      `${this.description} refused the request: ${error.message}`,
      { cause: error },
    );
  }

  private closedError(): HeadroomError {
    return new HeadroomError('SOURCE_UNAVAILABLE', `${this.description}: the source is closed`);
  }
}

/** The useful part of a connection error: its code (ECONNREFUSED) or message. */
function errorDetail(error: unknown): string {
  if (error === undefined) return 'no answer';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}
