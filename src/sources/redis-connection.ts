/**
 * One Redis connection per source, shared by the `bullmq` and `redis-list` kinds.
 *
 * - The connection is opened lazily by the first collect and reused by the next ones.
 * - ioredis's own reconnect loop and offline queue are off (`retryStrategy: null`,
 *   `enableOfflineQueue: false`, `maxRetriesPerRequest: 0`): a command to a dead server fails at
 *   once instead of waiting in a queue, so a collect never hangs on it.
 * - When the server is unreachable, times out or drops the connection, the next attempt waits
 *   1 s, then 2, 4, … up to 30 s (reset by a successful connect). While it waits, a collect fails
 *   at once with SOURCE_UNAVAILABLE saying when the next attempt is.
 * - Every command batch runs within the source `timeout` and the caller's AbortSignal; a batch
 *   that times out drops the connection (the server may be stuck), a caller's abort does not.
 * - Messages name `host:port` only: credentials in the URL never appear.
 */
import { Redis } from 'ioredis';
import { z } from 'zod';
import { HeadroomError } from '../errors.ts';
import { parseDurationMs } from '../plan/units.ts';
import { abortedError } from './health.ts';
import type { SourceConfigIssue } from './source.ts';

/** Default time a connect or a command batch may take, in ms. */
export const DEFAULT_REDIS_TIMEOUT_MS = 5000;
/** First wait after a failed attempt, in ms; it doubles with each failure. */
export const BACKOFF_INITIAL_MS = 1000;
/** Longest wait between connection attempts, in ms. */
export const BACKOFF_MAX_MS = 30_000;

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

/** Parses `timeout` (`5s`, `250ms`, a bare number of seconds); undefined when invalid. */
export function parseRedisTimeoutMs(value: unknown): number | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const ms = parseDurationMs(value);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

/** Zod schema of the `url` option shared by the Redis kinds. */
export const RedisUrlOption = z
  .string({ error: 'write the server address, e.g. `url: redis://127.0.0.1:6379/0`' })
  .superRefine((value, ctx) => {
    const parsed = parseRedisUrl(value);
    if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  });

/** Zod schema of the `timeout` option shared by the Redis kinds. */
export const RedisTimeoutOption = z
  .union([z.string(), z.number()])
  .refine((t) => parseRedisTimeoutMs(t) !== undefined, {
    error: 'must be a positive duration such as 5s or 250ms (a bare number is seconds)',
  });

/** Turns zod issues into config issues; unknown keys are named one by one. */
export function zodIssues(error: z.ZodError, takes: string): SourceConfigIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: key, message: `unknown option "${key}"; ${takes}` }))
      : [{ path: issue.path.join('.'), message: issue.message }],
  );
}

/** Throws SOURCE_CONFIG for the first issue, its path under `prefix` (`sources.x`, `metrics.y`). */
export function throwFirstIssue(issues: SourceConfigIssue[], prefix: string, kind: string): void {
  const first = issues[0];
  if (!first) return;
  const path = first.path ? `${prefix}.${first.path}` : prefix;
  throw new HeadroomError('SOURCE_CONFIG', `${path}: ${first.message}`, {
    path,
    hint: `see the "${kind}" source in docs/sources.md`,
  });
}

/** Exponential backoff between connection attempts, on the source's clock (epoch ms). */
export class Backoff {
  private failures = 0;
  private nextAttemptAtMs = 0;
  private lastDelayMs = 0;

  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  /** Records a failed attempt at `nowMs`; a failure while already waiting changes nothing. */
  failed(nowMs: number): void {
    if (nowMs < this.nextAttemptAtMs) return;
    this.lastDelayMs = Math.min(this.maxMs, this.initialMs * 2 ** this.failures);
    this.failures += 1;
    this.nextAttemptAtMs = nowMs + this.lastDelayMs;
  }

  /** Records a successful connect: the next failure waits the initial delay again. */
  succeeded(): void {
    this.failures = 0;
    this.nextAttemptAtMs = 0;
    this.lastDelayMs = 0;
  }

  /** How long until the next attempt is allowed, in ms (0: now). */
  remainingMs(nowMs: number): number {
    return Math.max(0, this.nextAttemptAtMs - nowMs);
  }

  /** The wait set by the last failure, in ms (0 after a success). */
  get delayMs(): number {
    return this.lastDelayMs;
  }
}

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
}

/** A lazily opened, reused ioredis connection with fail-fast backoff. */
export class RedisConnection {
  private client: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  private lastConnectionError: unknown;
  private readonly backoff = new Backoff();
  private readonly closing = new AbortController();

  constructor(private readonly options: RedisConnectionOptions) {}

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
      const client = await untilAborted(this.connected(), combined);
      return await untilAborted(work(client), combined);
    } catch (thrown) {
      if (this.closing.signal.aborted) throw this.closedError();
      if (signal.aborted) throw abortedError(signal, this.description);
      if (thrown instanceof HeadroomError) throw thrown;
      if (isReplyError(thrown) && !isAuthError(thrown)) throw this.replyError(thrown);
      const cause = this.lastConnectionError ?? thrown;
      const detail = timeout.aborted
        ? `did not answer within ${this.options.timeoutMs} ms`
        : `${isAuthError(cause) ? 'refused the credentials' : 'cannot be reached'} (${errorDetail(cause)})`;
      this.drop();
      this.backoff.failed(this.options.now());
      const next = seconds(this.backoff.remainingMs(this.options.now()));
      throw this.connectionError(`${detail}; next connection attempt in ${next}`, cause);
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
    const waitMs = this.backoff.remainingMs(this.options.now());
    if (waitMs > 0) {
      const last = this.lastConnectionError;
      const what = isAuthError(last) ? 'refused the credentials' : 'cannot be reached';
      throw this.connectionError(
        `${what} (${errorDetail(last)}); next connection attempt in ${seconds(waitMs)} (backing off ${seconds(this.backoff.delayMs)})`,
        last,
      );
    }
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

/** Resolves or rejects like `promise`, or rejects as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** The useful part of a connection error: its code (ECONNREFUSED) or message. */
function errorDetail(error: unknown): string {
  if (error === undefined) return 'no answer';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
