// The postgres source against the PostgreSQL on 127.0.0.1:5432: a random database per run with a
// `companies` table, read through `headroom check --json` as a user would. The database is
// dropped afterwards (WITH (FORCE), so a failed test cannot leave it behind with sessions open).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { HeadroomError } from '../../src/errors.ts';
import { postgresKind, PostgresSource } from '../../src/sources/postgres.ts';
import type { MetricRequest } from '../../src/sources/source.ts';
import { sourceContract } from '../../src/sources/source.contract.ts';
import { runCli } from '../helpers/cli.ts';

const RUN = randomBytes(4).toString('hex');
const DATABASE = `headroom_it_${RUN}`;
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/test';
const DB_URL = `postgres://postgres@127.0.0.1:5432/${DATABASE}`;
const COMPANIES = 37;

const admin = new pg.Client({ connectionString: ADMIN_URL });
let planDir = '';
let created = false;

before(async () => {
  planDir = await mkdtemp(join(tmpdir(), 'headroom-pg-it-'));
  await admin.connect();
  await admin.query(`create database ${DATABASE}`);
  created = true;
  await withDb(async (db) => {
    await db.query('create table companies (id serial primary key, name text not null)');
    await db.query(
      `insert into companies (name) select 'company ' || i from generate_series(1, ${COMPANIES}) i`,
    );
    await db.query('create table settings (name text, value text)');
    await db.query(`insert into settings values ('plan', '5')`);
  });
});

after(async () => {
  if (created) await admin.query(`drop database if exists ${DATABASE} with (force)`);
  await admin.end();
  if (planDir) await rm(planDir, { recursive: true, force: true });
});

async function withDb<T>(use: (db: pg.Client) => Promise<T>): Promise<T> {
  const db = new pg.Client({ connectionString: DB_URL });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** Waits until no session has `column` = `value` (closed sessions take a moment to go). */
async function waitForNoSessions(column: 'datname' | 'usename', value: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where ${column} = $1`,
      [value],
    );
    if (rows[0].n === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${rows[0].n} sessions stay with ${column} ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function companyCount(): Promise<number> {
  return withDb(async (db) =>
    Number((await db.query('select count(*) from companies')).rows[0].count),
  );
}

/** What `check --json` prints, as far as these tests read it. */
interface CheckJson {
  sources: Record<string, { kind: string; state: string; last_error?: string }>;
  failures: Record<string, { code: string; message: string; path?: string }>;
  samples: { metric: string; labels: Record<string, string>; value: number }[];
}

/** Runs `headroom check --json --no-store` on a plan whose metrics all read `url`. */
async function check(
  metrics: Record<string, Record<string, unknown>>,
  url = DB_URL,
): Promise<CheckJson> {
  const lines = [
    'version: 1',
    `name: pg-it-${RUN}`,
    'sources:',
    `  db: { kind: postgres, url: "${url}", timeout: 5s }`,
    'metrics:',
    ...Object.entries(metrics).map(
      ([name, m]) => `  ${name}: ${JSON.stringify({ from: 'db', ...m })}`,
    ),
    '',
  ];
  const file = join(planDir, `plan-${randomBytes(3).toString('hex')}.yaml`);
  await writeFile(file, lines.join('\n'));
  const result = await runCli(['check', '--plan', file, '--json', '--no-store']);
  try {
    return JSON.parse(result.stdout) as CheckJson;
  } catch {
    throw new Error(
      `check printed no JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`,
    );
  }
}

function valueOf(json: CheckJson, metric: string, labels: Record<string, string> = {}): number {
  const sample = json.samples.find(
    (s) => s.metric === metric && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  assert.ok(sample, `no sample ${metric} ${JSON.stringify(labels)}: ${JSON.stringify(json)}`);
  return sample.value;
}

function source(metrics: MetricRequest[], options: Record<string, unknown> = {}): PostgresSource {
  return new PostgresSource({
    name: 'db',
    options: { url: DB_URL, ...options },
    metrics,
    now: Date.now,
  });
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

sourceContract('postgres (real server)', () => ({
  kind: postgresKind,
  options: { url: DB_URL, timeout: '5s' },
  metrics: [
    { name: 'companies', select: { query: 'select count(*) from companies' } },
    { name: 'conns', select: { field: 'connections' } },
    { name: 'max_conns', select: { field: 'max_connections' } },
    { name: 'conn_util', select: { field: 'connections_utilization' } },
    { name: 'conns_by_db', select: { field: 'connections_by_database' } },
    { name: 'size', select: { field: 'database_size_bytes' } },
  ],
}));

describe('postgres source through headroom check --json', () => {
  test('a query metric reads the exact row count, and sees new rows on the next check', async () => {
    assert.equal(
      valueOf(await check({ companies: { query: 'select count(*) from companies' } }), 'companies'),
      COMPANIES,
    );
    await withDb((db) => db.query(`insert into companies (name) values ('late'), ('later')`));
    try {
      const json = await check({ companies: { query: 'select count(*) from companies' } });
      assert.equal(valueOf(json, 'companies'), COMPANIES + 2);
      assert.equal(json.sources.db?.state, 'ok');
    } finally {
      await withDb((db) => db.query(`delete from companies where name in ('late', 'later')`));
    }
  });

  test('K extra connections to the database show up exactly, and the fields agree', async () => {
    const metrics = {
      conns: { field: 'connections' },
      max_conns: { field: 'max_connections' },
      util: { field: 'connections_utilization' },
      by_db: { field: 'connections_by_database' },
    };
    await waitForNoSessions('datname', DATABASE);
    const before = await check(metrics);
    // Only the check itself is connected to the test database: one statement, one connection.
    assert.equal(valueOf(before, 'by_db', { database: DATABASE }), 1);
    const K = 3;
    await waitForNoSessions('datname', DATABASE);
    const extra = Array.from({ length: K }, () => new pg.Client({ connectionString: DB_URL }));
    await Promise.all(extra.map((c) => c.connect()));
    try {
      const json = await check(metrics);
      assert.equal(valueOf(json, 'by_db', { database: DATABASE }), 1 + K);
      const byDb = json.samples.filter((s) => s.metric === 'by_db');
      const total = valueOf(json, 'conns');
      assert.equal(
        total,
        byDb.reduce((sum, s) => sum + s.value, 0),
        'total = sum over databases',
      );
      assert.ok(total - valueOf(before, 'conns') >= K, 'the total rose by at least K');
      const max = Number((await admin.query('show max_connections')).rows[0].max_connections);
      assert.equal(valueOf(json, 'max_conns'), max);
      assert.equal(valueOf(json, 'util'), total / max);
      assert.ok(
        byDb.some((s) => s.labels.database === 'test'),
        'every database has a series',
      );
    } finally {
      await Promise.all(extra.map((c) => c.end()));
    }
  });

  test('database_size_bytes reads the current database or `database`, labelled by name', async () => {
    const json = await check({
      size: { field: 'database_size_bytes' },
      test_size: { field: 'database_size_bytes', database: 'test' },
    });
    const sizeOf = async (name: string) =>
      Number((await admin.query('select pg_database_size($1::name) as b', [name])).rows[0].b);
    const own = valueOf(json, 'size', { database: DATABASE });
    // A page or two may change under autovacuum between the two reads: allow 256 kB.
    assert.ok(Math.abs(own - (await sizeOf(DATABASE))) <= 256 * 1024, `size ${own}`);
    assert.ok(
      Math.abs(valueOf(json, 'test_size', { database: 'test' }) - (await sizeOf('test'))) <=
        256 * 1024,
    );
  });

  test('a write is refused as SOURCE_CONFIG and deletes nothing, however it is written', async () => {
    const writes = {
      plain: { query: 'delete from companies' },
      chained: { query: 'select 1; delete from companies' },
      escaped: { query: 'commit; delete from companies' },
      cte: { query: 'with d as (delete from companies returning 1) select count(*) from d' },
      sequence: { query: `select nextval('companies_id_seq')` },
      good: { query: 'select count(*) from companies' },
    };
    const json = await check(writes);
    for (const name of ['plain', 'chained', 'escaped', 'cte', 'sequence']) {
      assert.equal(
        json.failures[name]?.code,
        'SOURCE_CONFIG',
        `${name}: ${JSON.stringify(json.failures[name])}`,
      );
    }
    assert.match(json.failures.plain!.message, /read-only transaction/);
    assert.match(json.failures.chained!.message, /multiple commands/);
    assert.equal(valueOf(json, 'good'), COMPANIES, 'a refused write does not hide the good query');
    assert.equal(await companyCount(), COMPANIES);
  });

  test('answers that are not one number are SOURCE_BAD_VALUE naming the problem', async () => {
    const json = await check({
      no_row: { query: 'select id from companies where false' },
      two_rows: { query: 'select id from companies limit 2' },
      two_columns: { query: 'select count(*), max(id) from companies' },
      text: { query: `select value from settings where name = 'plan'` },
      null_value: { query: 'select max(id) from companies where false' },
      nan: { query: `select 'NaN'::float8` },
      syntax: { query: 'select count(* from companies' },
      numeric: { query: 'select avg(id) from companies' },
    });
    const expected: Record<string, RegExp> = {
      no_row: /returned 0 rows/,
      two_rows: /returned 2 rows/,
      two_columns: /returned 2 columns/,
      text: /column "value" of type text, not a number/,
      null_value: /returned NULL/,
      nan: /returned NaN/,
      syntax: /syntax error/,
    };
    for (const [name, message] of Object.entries(expected)) {
      assert.equal(json.failures[name]?.code, 'SOURCE_BAD_VALUE', name);
      assert.match(json.failures[name]!.message, message, name);
      assert.equal(json.failures[name]!.path, `metrics.${name}.query`);
    }
    assert.equal(valueOf(json, 'numeric'), (COMPANIES + 1) / 2, 'numeric columns are read');
  });

  test('a table or database that does not exist is SOURCE_NOT_FOUND, never 0', async () => {
    const json = await check({
      table: { query: 'select count(*) from no_such_table' },
      db_size: { field: 'database_size_bytes', database: `no_such_db_${RUN}` },
    });
    assert.equal(json.failures.table?.code, 'SOURCE_NOT_FOUND');
    assert.match(json.failures.table!.message, /relation "no_such_table" does not exist/);
    assert.equal(json.failures.db_size?.code, 'SOURCE_NOT_FOUND');
    assert.equal(json.samples.length, 0);
  });

  test('a dead port is SOURCE_UNAVAILABLE naming host:port/database', async () => {
    const port = await freePort();
    const json = await check(
      { companies: { query: 'select 1' } },
      `postgres://postgres:pw@127.0.0.1:${port}/app`,
    );
    assert.equal(json.failures.companies?.code, 'SOURCE_UNAVAILABLE');
    assert.match(
      json.failures.companies!.message,
      new RegExp(`PostgreSQL at 127.0.0.1:${port}/app cannot be reached \\(ECONNREFUSED\\)`),
    );
    assert.equal(json.sources.db?.state, 'error');
  });
});

describe('postgres source: timeouts, aborts and logins', () => {
  test('a dead port fails within a second', async () => {
    const port = await freePort();
    const s = source([{ name: 'c', select: { field: 'connections' } }], {
      url: `postgres://postgres@127.0.0.1:${port}/app`,
    });
    const startedMs = performance.now();
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), { code: 'SOURCE_UNAVAILABLE' });
    assert.ok(performance.now() - startedMs < 1000);
    await s.close();
  });

  test('a slow query is cut off at the source timeout and does not linger on the server', async () => {
    const app = `headroom source slow-${RUN}`;
    const s = new PostgresSource({
      name: `slow-${RUN}`,
      options: { url: DB_URL, timeout: '300ms' },
      metrics: [{ name: 'slow', select: { query: 'select 1 from pg_sleep(5)' } }],
      now: Date.now,
    });
    const startedMs = performance.now();
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), { code: 'SOURCE_UNAVAILABLE' });
    assert.ok(performance.now() - startedMs < 600, 'not cut off at the timeout');
    await s.close();
    const deadline = Date.now() + 3000;
    for (;;) {
      const { rows } = await admin.query(
        'select count(*)::int as n from pg_stat_activity where application_name = $1',
        [app],
      );
      if (rows[0].n === 0) break;
      assert.ok(Date.now() < deadline, 'the sleeping backend is still there');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  test('an abort during a query rejects within 100 ms', async () => {
    const s = source([{ name: 'slow', select: { query: 'select 1 from pg_sleep(2)' } }]);
    const controller = new AbortController();
    const collecting = s.collect(controller.signal);
    await new Promise((resolve) => setTimeout(resolve, 150));
    const startedMs = performance.now();
    controller.abort();
    await assert.rejects(collecting, { code: 'SOURCE_UNAVAILABLE', message: /was aborted/ });
    assert.ok(performance.now() - startedMs < 100);
    await s.close();
  });

  test('the connection is reused between collects', async () => {
    const s = source([{ name: 'pid', select: { query: 'select pg_backend_pid()' } }]);
    const first = await s.collect(AbortSignal.timeout(5000));
    const second = await s.collect(AbortSignal.timeout(5000));
    await s.close();
    assert.equal(first[0]?.value, second[0]?.value);
  });

  test('a user the server does not know is SOURCE_CONFIG (refused login)', async () => {
    const s = source([{ name: 'c', select: { field: 'connections' } }], {
      url: `postgres://nobody_${RUN}:pw@127.0.0.1:5432/${DATABASE}`,
    });
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'SOURCE_CONFIG');
      assert.match(e.message, /refused the login/);
      assert.doesNotMatch(e.message, /:pw@/);
      return true;
    });
    await s.close();
  });

  test('a user without pg_monitor gets SOURCE_CONFIG for connections, not a count too low', async () => {
    const role = `headroom_it_${RUN}_ro`;
    await admin.query(`create role ${role} login`);
    try {
      const url = `postgres://${role}@127.0.0.1:5432/${DATABASE}`;
      const s = source(
        [
          { name: 'conns', select: { field: 'connections' } },
          { name: 'companies', select: { query: 'select count(*) from companies' } },
        ],
        { url },
      );
      const result = await s.collectDetailed(AbortSignal.timeout(5000));
      const byMetric = Object.fromEntries(result.failures.map((f) => [f.metric, f.error]));
      assert.equal(byMetric.conns?.code, 'SOURCE_CONFIG');
      assert.match(byMetric.conns!.hint ?? '', /pg_monitor/);
      assert.equal(byMetric.companies?.code, 'SOURCE_CONFIG', 'permission denied on the table');
      assert.match(byMetric.companies!.message, /permission denied/);
      await s.close();
      await admin.query(`grant pg_monitor to ${role}`);
      const granted = source([{ name: 'conns', select: { field: 'connections' } }], { url });
      const samples = await granted.collect(AbortSignal.timeout(5000));
      await granted.close();
      assert.ok((samples[0]?.value ?? 0) >= 1);
    } finally {
      await waitForNoSessions('usename', role).catch(() => undefined);
      await admin.query(`drop role if exists ${role}`);
    }
  });

  test('a database in url that does not exist is SOURCE_CONFIG naming it', async () => {
    const s = source([{ name: 'c', select: { field: 'connections' } }], {
      url: `postgres://postgres@127.0.0.1:5432/missing_${RUN}`,
    });
    await assert.rejects(s.collect(AbortSignal.timeout(5000)), (e: unknown) => {
      assert.ok(e instanceof HeadroomError);
      assert.equal(e.code, 'SOURCE_CONFIG');
      assert.match(e.message, new RegExp(`database "missing_${RUN}" does not exist`));
      return true;
    });
    await s.close();
  });
});
