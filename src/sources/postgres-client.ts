/**
 * The connection side of the postgres source: a small `pg.Pool` (at most 2 connections, kept
 * open between collects) and the way every statement runs on it — in `BEGIN READ ONLY` with
 * `SET LOCAL statement_timeout`, rolled back afterwards — with failures mapped to catalogued
 * errors that name the server but never its credentials.
 *
 * Connections are opened lazily. After a failed connection attempt the client waits 1 s,
 * doubling up to 30 s or the plan's interval (`reconnect.ts`), before the next one, and
 * meanwhile fails fast with SOURCE_UNAVAILABLE (or SOURCE_CONFIG for a refused login) saying
 * when it will try again. An abort drops the connection in use: that is the only way to stop a
 * statement in flight at once.
 */
import type { DatabaseError, Pool, PoolClient } from 'pg';
import { HeadroomError } from '../errors.ts';
import { abortedError } from './health.ts';
import { LazyModule } from './lazy-module.ts';
import { ReconnectBackoff, untilAborted } from './reconnect.ts';

/** Connections the pool may hold: one for a query, one for the statistics beside it. */
const POOL_MAX = 2;

const pgModule = new LazyModule(() => import('pg'));

/** How long close() waits for the pool to shut down before leaving it to finish, in ms. */
const CLOSE_GRACE_MS = 1000;

/** What a statement reads, for messages: `the query of metric "x"` and its plan path. */
export interface StatementSubject {
  /** Human description, e.g. `the query of metric "companies"`. */
  what: string;
  /** Plan path for the error, e.g. `metrics.companies.query`. */
  path: string;
  /** True for a user's `query`, false for headroom's own statistics. */
  userQuery: boolean;
}

/** Where to connect: options already validated by the source. */
export interface PostgresTarget {
  /** postgres:// URL, credentials included (never shown). */
  url: string;
  /** Connection timeout and statement timeout, in ms. */
  timeoutMs: number;
  /** Shown in pg_stat_activity as application_name. */
  applicationName: string;
  /** Clock for the backoff, epoch ms. */
  now: () => number;
  /** Longest wait between connection attempts, in ms (the plan's interval); at most 30 s. */
  backoffMaxMs?: number | undefined;
}

/** A pool of at most two connections to one PostgreSQL, for read-only statements. */
export class PostgresClient {
  /** `PostgreSQL at host:port/database`, for messages. */
  readonly display: string;
  /** The pool, made by the first checkout (pg is imported then, not at start). */
  private pool: Promise<Pool> | undefined;
  private readonly backoff: ReconnectBackoff;
  private ended = false;

  constructor(private readonly target: PostgresTarget) {
    this.display = `PostgreSQL at ${displayAddress(target.url)}`;
    this.backoff = new ReconnectBackoff({ clockMs: target.now, maxMs: target.backoffMaxMs });
  }

  private async makePool(): Promise<Pool> {
    const { target } = this;
    const { default: pg } = await pgModule.load();
    const pool = new pg.Pool({
      connectionString: target.url,
      max: POOL_MAX,
      idleTimeoutMillis: 0, // keep the connection between collects
      allowExitOnIdle: true,
      connectionTimeoutMillis: target.timeoutMs,
      // No startup `options`/`statement_timeout`: PgBouncer refuses unknown startup parameters.
      application_name: target.applicationName,
      keepAlive: true,
    });
    // An idle connection that the server drops emits 'error' on the pool; the pool replaces it.
    pool.on('error', () => undefined);
    return pool;
  }

  /** Closes the pool (waits at most about a second). Safe to call twice. */
  async close(): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, CLOSE_GRACE_MS);
    });
    // A connection attempt still under way ends by itself within `timeout`.
    const ending = this.pool?.then((pool) => pool.end()).catch(() => undefined);
    if (ending) await Promise.race([ending, grace]);
    clearTimeout(timer);
  }

  /**
   * Runs `use` on a pooled connection inside `BEGIN READ ONLY` with `SET LOCAL statement_timeout`
   * and rolls back; maps failures to catalogued errors; drops the connection on abort.
   */
  async withClient<T>(
    signal: AbortSignal,
    subject: StatementSubject,
    use: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = await this.checkout(signal);
    let released = false;
    const release = (destroy: boolean): void => {
      if (released) return;
      released = true;
      client.release(destroy);
    };
    // Dropping the connection is the only way to stop a statement in flight at once.
    const onAbort = (): void => release(true);
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      await client.query(
        `BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.ceil(this.target.timeoutMs)}`,
      );
      try {
        return await use(client);
      } finally {
        await client.query('ROLLBACK');
      }
    } catch (cause) {
      if (signal.aborted) throw abortedError(signal, this.display);
      const error = statementError(cause, this.display, subject);
      // A SQL error leaves the connection usable; anything else may have broken it.
      release(!(isDatabaseError(cause) || cause instanceof HeadroomError));
      throw error;
    } finally {
      signal.removeEventListener('abort', onAbort);
      release(false);
    }
  }

  private async checkout(signal: AbortSignal): Promise<PoolClient> {
    this.backoff.throwIfWaiting();
    let abandoned = false;
    const onAbort = (): void => {
      abandoned = true;
    };
    signal.addEventListener('abort', onAbort, { once: true });
    // A connection that arrives after the caller gave up goes back to the pool.
    this.pool ??= this.ended ? Promise.reject(new Error('the source is closed')) : this.makePool();
    const pending = this.pool
      .then((pool) => pool.connect())
      .then((client) => {
        if (abandoned) client.release();
        return client;
      });
    try {
      const client = await untilAborted(pending, signal, this.display);
      this.backoff.succeeded();
      return client;
    } catch (cause) {
      if (signal.aborted) {
        pending.catch(() => undefined);
        throw abortedError(signal, this.display);
      }
      throw this.backoff.failed(connectError(cause, this.display));
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

/** `host:port/database` of a postgres URL, without credentials. */
function displayAddress(url: string): string {
  const parsed = new URL(url);
  const host = parsed.hostname || parsed.searchParams.get('host') || 'localhost';
  const database =
    decodeURIComponent(parsed.pathname.slice(1)) ||
    decodeURIComponent(parsed.username) ||
    'postgres';
  return `${host}:${parsed.port || '5432'}/${database}`;
}

/** True for an error the server sent (pg is loaded by then: a statement ran). */
function isDatabaseError(cause: unknown): cause is DatabaseError {
  const pg = pgModule.loaded?.default;
  return pg !== undefined && cause instanceof pg.DatabaseError;
}

function errnoCode(cause: unknown): string {
  const e = cause as { code?: unknown; errors?: { code?: unknown }[]; message?: string };
  if (typeof e.code === 'string') return e.code;
  const inner = e.errors?.[0]?.code;
  if (typeof inner === 'string') return inner;
  return e.message ?? String(cause);
}

/** A failed connection attempt, as a catalogued error naming the server (never credentials). */
function connectError(cause: unknown, display: string): HeadroomError {
  const code = isDatabaseError(cause) ? (cause.code ?? '') : '';
  const text = isDatabaseError(cause) ? cause.message : errnoCode(cause);
  if (code.startsWith('28')) {
    return new HeadroomError('SOURCE_CONFIG', `${display} refused the login: ${text}`, {
      hint: 'check the user in `url` and pass the password through an environment variable, e.g. ${PGPASSWORD}',
      cause,
    });
  }
  if (code === '3D000') {
    return new HeadroomError('SOURCE_CONFIG', `${display}: ${text}`, {
      hint: 'check the database name at the end of `url`',
      cause,
    });
  }
  return new HeadroomError('SOURCE_UNAVAILABLE', `${display} cannot be reached (${text})`, {
    hint:
      code === '53300'
        ? 'the server is out of connection slots: that is a capacity problem in itself'
        : 'check that PostgreSQL is running and that `url` is right',
    cause,
  });
}

/** A failed statement, as a catalogued error about `subject`. */
function statementError(cause: unknown, display: string, subject: StatementSubject): HeadroomError {
  if (cause instanceof HeadroomError) return cause;
  const { what, path } = subject;
  if (!isDatabaseError(cause)) {
    return new HeadroomError(
      'SOURCE_UNAVAILABLE',
      `${display} dropped the connection while reading ${what} (${errnoCode(cause)})`,
      {
        hint: 'check the server; headroom reconnects on the next collect',
        cause,
      },
    );
  }
  const detail = `${what} failed: ${cause.message} (SQLSTATE ${cause.code})`;
  const fixSql = subject.userQuery
    ? 'fix the SQL; try it in psql first'
    : 'the built-in fields need PostgreSQL 10 or later and a user with the pg_monitor role';
  const make = (code: HeadroomError['code'], hint: string): HeadroomError =>
    new HeadroomError(code, detail, { path, hint, cause });
  switch (cause.code) {
    case '25006':
      return make(
        'SOURCE_CONFIG',
        'a query metric only reads: it runs in a read-only transaction, and nothing was changed',
      );
    case '42501':
      return make(
        'SOURCE_CONFIG',
        'grant the user in `url` SELECT on the table, or the pg_monitor role',
      );
    case '42601':
      return /multiple commands/.test(cause.message)
        ? make('SOURCE_CONFIG', 'write exactly one SQL statement, without `;` between statements')
        : make('SOURCE_BAD_VALUE', fixSql);
    case '42P01':
    case '3F000':
    case '3D000':
      return make(
        'SOURCE_NOT_FOUND',
        'check the table, schema or database name; it does not exist on this server',
      );
    case '57014':
      return make(
        'SOURCE_UNAVAILABLE',
        `the statement ran longer than the source timeout (${display}); make it cheaper or raise \`timeout\``,
      );
    default:
      return make('SOURCE_BAD_VALUE', fixSql);
  }
}
