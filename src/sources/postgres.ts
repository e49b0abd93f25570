/**
 * The `postgres` source: connections in use against `max_connections` (in total and per
 * database, from `pg_stat_activity`), database sizes, and user SQL queries that return one
 * number (`select count(*) from companies`). Connections, read-only transactions, backoff and
 * error mapping live in `postgres-client.ts`.
 *
 * Options: `url` (`postgres://user:${PGPASSWORD}@host:5432/db`; libpq URL parameters such as
 * `sslmode` allowed) and `timeout` (deadline of one collect and the statement timeout, default
 * 10s). Selector: `field` (see `POSTGRES_FIELDS`; `database` with `database_size_bytes`) or
 * `query`.
 *
 * A `query` runs alone (extended protocol: exactly one statement) in a `BEGIN READ ONLY`
 * transaction with `SET LOCAL statement_timeout`, rolled back afterwards. A write fails with
 * SOURCE_CONFIG and changes nothing. The answer must be one row with one numeric column (int,
 * float, numeric); anything else (no row, two columns, text, NULL, NaN) is SOURCE_BAD_VALUE.
 * All connection fields come from one statement, so they agree with each other.
 */
import type { QueryArrayConfig, QueryArrayResult } from 'pg';
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
import {
  assertValidConfig,
  DEFAULT_TIMEOUT_MS,
  issuesOf,
  parseTimeoutMs,
  TimeoutOption,
} from './options.ts';
import { PostgresClient, type StatementSubject } from './postgres-client.ts';
import { untilAborted } from './reconnect.ts';
import type {
  MetricRequest,
  Sample,
  SourceConfigIssue,
  SourceContext,
  SourceHealth,
  SourceKind,
} from './source.ts';

/** Fields of the postgres source, with their meaning and unit. */
export const POSTGRES_FIELDS = {
  connections: 'client connections open on the server, all databases (count)',
  max_connections: 'the server setting max_connections (count)',
  connections_utilization: 'connections over max_connections (ratio 0..1)',
  connections_by_database: 'client connections per database, labelled {database} (count)',
  database_size_bytes: 'size of the current database, or of `database` (bytes)',
} as const;

/** A field of the postgres source. */
export type PostgresField = keyof typeof POSTGRES_FIELDS;

const FIELD_NAMES = Object.keys(POSTGRES_FIELDS) as PostgresField[];
/** Type OIDs of numeric columns: int8, int2, int4, float4, float8, numeric. */
const NUMERIC_TYPE_OIDS = new Set([20, 21, 23, 700, 701, 1700]);
/** Names of common non-numeric column types, by OID, for messages. */
const TYPE_NAMES: Record<number, string> = {
  16: 'boolean',
  25: 'text',
  114: 'json',
  1043: 'varchar',
  1082: 'date',
  1114: 'timestamp',
  1184: 'timestamptz',
  1186: 'interval',
  2950: 'uuid',
  3802: 'jsonb',
};
/**
 * Server-wide client connections, max_connections, and client connections per database that
 * accepts connections — one statement, so all three come from one pg_stat_activity snapshot.
 * `hidden` counts sessions whose type the user may not see (no pg_monitor / pg_read_all_stats).
 */
const STATS_SQL = `select
  (select count(*) from pg_stat_activity where backend_type = 'client backend') as connections,
  (select count(*) from pg_stat_activity where backend_type is null) as hidden,
  current_setting('max_connections')::int8 as max_connections,
  (select json_object_agg(d.datname, (select count(*) from pg_stat_activity a
     where a.datid = d.oid and a.backend_type = 'client backend'))
   from pg_database d where d.datallowconn) as by_database`;

const Options = z.strictObject({
  url: z
    .string({
      error: 'write the server address, e.g. `url: postgres://postgres@127.0.0.1:5432/app`',
    })
    .refine((u) => URL.canParse(u) && /^postgres(ql)?:$/.test(new URL(u).protocol), {
      error:
        'must be a postgres:// or postgresql:// URL, e.g. postgres://postgres@127.0.0.1:5432/app',
    }),
  timeout: TimeoutOption.optional(),
});

const Select = z.strictObject({
  field: z.string().optional(),
  query: z.string().trim().min(1, 'query is empty').optional(),
  database: z.string().min(1, 'database is empty').optional(),
});

/** Checks the source's options and, when given, one metric selector. */
export function validatePostgres(
  options: Record<string, unknown>,
  select?: Record<string, unknown>,
): SourceConfigIssue[] {
  const issues = optionIssues(options);
  return select === undefined ? issues : [...issues, ...selectIssues(select)];
}

function optionIssues(options: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Options.safeParse(options);
  return parsed.success ? [] : issuesOf(parsed.error, 'a postgres source takes url, timeout');
}

function selectIssues(select: Record<string, unknown>): SourceConfigIssue[] {
  const parsed = Select.safeParse(select);
  if (!parsed.success) {
    return issuesOf(parsed.error, 'a postgres metric takes field (with database) or query');
  }
  const { field, query, database } = parsed.data;
  if ((field === undefined) === (query === undefined)) {
    const message =
      field === undefined
        ? `write \`field: <name>\` (one of ${FIELD_NAMES.join(', ')}) or \`query: <SQL returning one number>\``
        : 'a metric takes either field or query, not both';
    return [{ path: field === undefined ? 'field' : 'query', message }];
  }
  if (field !== undefined && !Object.hasOwn(POSTGRES_FIELDS, field)) {
    const message = `unknown postgres field "${field}" (did you mean "${closest(field, FIELD_NAMES)}"?); valid fields: ${FIELD_NAMES.join(', ')}`;
    return [{ path: 'field', message }];
  }
  if (database !== undefined && field !== 'database_size_bytes') {
    const message =
      'database applies only to field database_size_bytes; filter connections_by_database with `labels: { database: <name> }`';
    return [{ path: 'database', message }];
  }
  return [];
}

/** What the statistics statement reads. */
interface ServerStats {
  connections: number;
  maxConnections: number;
  byDatabase: Record<string, number>;
}

/** The postgres source: one per plan source of kind `postgres`. */
export class PostgresSource implements ObservedSource {
  /** Kind name as written in plans. */
  readonly kind = 'postgres';
  private readonly client: PostgresClient;
  private readonly timeoutMs: number;
  private readonly tracker: HealthTracker;
  private readonly closing = new AbortController();

  constructor(private readonly context: SourceContext) {
    assertValidConfig('postgres', context, { options: optionIssues, select: selectIssues });
    const options = context.options as z.infer<typeof Options>;
    this.timeoutMs =
      options.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseTimeoutMs(options.timeout)!;
    this.client = new PostgresClient({
      url: options.url,
      timeoutMs: this.timeoutMs,
      applicationName: `headroom source ${context.name}`,
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
      const deadline = AbortSignal.any([
        signal,
        this.closing.signal,
        AbortSignal.timeout(this.timeoutMs),
      ]);
      const what = this.client.display;
      throwIfAborted(deadline, what);
      const at = this.context.now();
      const result = await untilAborted(this.readAll(at, deadline), deadline, what);
      throwIfAborted(deadline, what);
      return result;
    });
  }

  /** Health after the last collect. */
  health(): SourceHealth {
    return this.tracker.snapshot();
  }

  /** Drops connections in use and closes the pool. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closing.signal.aborted) return;
    this.closing.abort(new Error('source closed'));
    await this.client.close();
  }

  private readAll(at: number, signal: AbortSignal): Promise<CollectResult> {
    let stats: Promise<ServerStats> | undefined;
    const sizes = new Map<string, Promise<{ database: string; bytes: number }>>();
    return collectEach(this.context.metrics, async (m: MetricRequest): Promise<Sample[]> => {
      const sample = (value: number, labels: Record<string, string> = {}): Sample => ({
        metric: m.name,
        labels,
        value,
        at,
      });
      if (typeof m.select.query === 'string') {
        return [sample(await this.runQuery(m, m.select.query, signal))];
      }
      const field = m.select.field as PostgresField;
      if (field === 'database_size_bytes') {
        const key = typeof m.select.database === 'string' ? m.select.database : '';
        if (!sizes.has(key)) sizes.set(key, this.databaseSize(m, key, signal));
        const size = await sizes.get(key)!;
        return [sample(size.bytes, { database: size.database })];
      }
      stats ??= this.serverStats(m, signal);
      const s = await stats;
      if (field === 'connections_by_database') {
        return Object.entries(s.byDatabase).map(([database, n]) => sample(n, { database }));
      }
      if (field === 'connections') return [sample(s.connections)];
      if (field === 'max_connections') return [sample(s.maxConnections)];
      return [sample(s.connections / s.maxConnections)];
    });
  }

  private serverStats(m: MetricRequest, signal: AbortSignal): Promise<ServerStats> {
    const subject = {
      what: 'the connection statistics',
      path: `metrics.${m.name}`,
      userQuery: false,
    };
    return this.client.withClient(signal, subject, async (client) => {
      const { rows } = await client.query(STATS_SQL);
      const row = (rows[0] ?? {}) as Record<string, unknown>;
      const hidden = count(row.hidden, 'hidden sessions');
      // Counting only the sessions this user may see would silently read too few.
      if (hidden > 0) throw privilegeError(subject, hidden);
      const byDatabase: Record<string, number> = {};
      for (const [database, n] of Object.entries((row.by_database ?? {}) as object)) {
        byDatabase[database] = count(n, `connections of database "${database}"`);
      }
      const maxConnections = count(row.max_connections, 'max_connections');
      if (maxConnections === 0) throw badValue(subject, 'reports max_connections = 0');
      return { connections: count(row.connections, 'connections'), maxConnections, byDatabase };
    });
  }

  private databaseSize(
    m: MetricRequest,
    database: string,
    signal: AbortSignal,
  ): Promise<{ database: string; bytes: number }> {
    const what = database ? `the size of database "${database}"` : 'the size of the database';
    const path = `metrics.${m.name}${database ? '.database' : ''}`;
    return this.client.withClient(signal, { what, path, userQuery: false }, async (client) => {
      const { rows } = await client.query<{ name: string; bytes: string }>(
        database
          ? {
              text: 'select $1::text as name, pg_database_size($1::name) as bytes',
              values: [database],
            }
          : 'select current_database() as name, pg_database_size(current_database()) as bytes',
      );
      return { database: rows[0]!.name, bytes: count(rows[0]!.bytes, what) };
    });
  }

  private runQuery(m: MetricRequest, sql: string, signal: AbortSignal): Promise<number> {
    const what = `the query of metric "${m.name}"`;
    const subject = { what, path: `metrics.${m.name}.query`, userQuery: true };
    return this.client.withClient(signal, subject, async (client) => {
      // The extended protocol runs exactly one statement: no `select 1; commit; delete …`.
      const config = { text: sql, rowMode: 'array', queryMode: 'extended' } as QueryArrayConfig;
      return queryValue(subject, await client.query(config));
    });
  }
}

function privilegeError(subject: StatementSubject, hidden: number): HeadroomError {
  return new HeadroomError(
    'SOURCE_CONFIG',
    `${subject.what} cannot be read: the user in \`url\` cannot see ${hidden} other session(s) in pg_stat_activity`,
    {
      path: subject.path,
      hint: 'GRANT pg_monitor (or pg_read_all_stats) TO the user headroom connects as',
    },
  );
}

function badValue(subject: StatementSubject, problem: string, hint?: string): HeadroomError {
  return new HeadroomError('SOURCE_BAD_VALUE', `${subject.what} ${problem}`, {
    path: subject.path,
    hint,
  });
}

function count(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw new HeadroomError(
      'SOURCE_BAD_VALUE',
      `PostgreSQL returned ${JSON.stringify(value)} for ${what}, not a count`,
      {
        hint: 'the built-in fields need PostgreSQL 10 or later',
      },
    );
  }
  return n;
}

/** The number a query returned; SOURCE_BAD_VALUE unless one row with one numeric column. */
function queryValue(subject: StatementSubject, result: QueryArrayResult): number {
  if (result.fields.length !== 1) {
    throw badValue(
      subject,
      `returned ${result.fields.length} columns`,
      'select exactly one column, e.g. `select count(*) from companies`',
    );
  }
  if (result.rows.length !== 1) {
    throw badValue(
      subject,
      `returned ${result.rows.length} rows`,
      'return exactly one row: aggregate (count, sum, max) or add `limit 1`',
    );
  }
  const field = result.fields[0]!;
  if (!NUMERIC_TYPE_OIDS.has(field.dataTypeID)) {
    throw badValue(
      subject,
      `returned column "${field.name}" of type ${TYPE_NAMES[field.dataTypeID] ?? `oid ${field.dataTypeID}`}, not a number`,
      'cast it, e.g. `select value::numeric from settings`',
    );
  }
  const raw = result.rows[0]![0];
  const value = raw === null ? NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw badValue(
      subject,
      `returned ${raw === null ? 'NULL' : String(raw)}`,
      'guard the query, e.g. `select coalesce(max(x), 0) from t`',
    );
  }
  return value;
}

/** Throws SOURCE_CONFIG for the first problem with the source's options or a metric selector. */
/** The `postgres` source kind: options `{ url, timeout? }`; selector `{ field, database? }` or `{ query }`. */
export const postgresKind: SourceKind = {
  create: (context) => new PostgresSource(context),
  validate: validatePostgres,
};
