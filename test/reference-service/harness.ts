/**
 * Starts the reference system of the truth tests and bench on this machine: its own PostgreSQL
 * database (a random name, dropped at the end) with the tables it queries, the HTTP service
 * (`api.ts`) with a pool of a known size, `workers` BullMQ worker processes (`worker.ts`) on a
 * random queue, and a private Prometheus scraping the service every 500 ms. `env` holds the
 * variables `reference.yaml` reads, so `headroom … --plan reference.yaml` runs against it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import { startPrometheus } from '../helpers/servers.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
/** The reference system's plan. */
export const REFERENCE_PLAN = join(HERE, 'reference.yaml');
const ADMIN_URL = process.env.HEADROOM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = 'redis://127.0.0.1:6379';

/** How the reference system is built. */
export interface ReferenceOptions {
  /** Connections in the service's pool (default 4). */
  poolSize?: number;
  /** Wait inside PostgreSQL per request, ms (default 15). */
  dbWaitMs?: number;
  /** Start the HTTP service (default true). */
  api?: boolean;
  /** Worker processes (default 0). */
  workers?: number;
  /** Work per job, ms (default 20). */
  jobMs?: number;
}

/** A running reference system. */
export interface Reference {
  /** Environment for the plan (`REFERENCE_*`). */
  env: Record<string, string>;
  /** The service's base URL, when started. */
  apiUrl?: string;
  /** The BullMQ queue's name. */
  queue: string;
  /** Stops everything and removes the database, queue and Prometheus data. */
  stop(): Promise<void>;
}

/** Starts the reference system. */
export async function startReference(options: ReferenceOptions = {}): Promise<Reference> {
  const id = randomBytes(4).toString('hex');
  const database = `headroom_ref_${id}`;
  const children: ChildProcess[] = [];
  const queue = `reference-jobs-${id}`;
  const prefix = `headroom-ref-${id}`;
  let prometheus: Awaited<ReturnType<typeof startPrometheus>> | undefined;
  const databaseUrl = await createDatabase(database);
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
    await prometheus?.stop();
    await dropQueue(prefix);
    await dropDatabase(database);
  };
  try {
    const env: Record<string, string> = {
      REFERENCE_DATABASE_URL: databaseUrl,
      REFERENCE_POOL_SIZE: String(options.poolSize ?? 4),
      REFERENCE_DB_WAIT_MS: String(options.dbWaitMs ?? 15),
      REFERENCE_REDIS_URL: REDIS_URL,
      REFERENCE_BULLMQ_PREFIX: prefix,
      REFERENCE_QUEUE: queue,
      REFERENCE_JOB_MS: String(options.jobMs ?? 20),
      REFERENCE_WORKERS: String(options.workers ?? 0),
    };
    let apiUrl: string | undefined;
    const targets: Record<string, string[]> = {};
    if (options.api ?? true) {
      const api = spawnTs('api.ts', env);
      children.push(api);
      const port = (await waitForLine(api, /^listening (\d+)/))[1]!;
      apiUrl = `http://127.0.0.1:${port}`;
      targets['reference-api'] = [`127.0.0.1:${port}`];
    }
    for (let i = 0; i < (options.workers ?? 0); i++) {
      const worker = spawnTs('worker.ts', env);
      children.push(worker);
      const port = (await waitForLine(worker, /^ready (\d+)/))[1]!;
      (targets['reference-worker'] ??= []).push(`127.0.0.1:${port}`);
    }
    prometheus = await startPrometheus(
      Object.keys(targets).length > 0 ? targets : { none: [] },
      500,
    );
    if (Object.keys(targets).length > 0) await waitForScrape(prometheus.url);
    Object.assign(env, {
      REFERENCE_PROMETHEUS_URL: prometheus.url,
      REFERENCE_API_URL: apiUrl ?? 'http://127.0.0.1:9',
    });
    return { env, apiUrl, queue, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Waits until Prometheus has scraped every target once (it applies new targets every 5 s). */
async function waitForScrape(url: string, timeoutMs = 20_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline;) {
    const body = (await (await fetch(`${url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string }[] };
    };
    const targets = body.data.activeTargets;
    if (targets.length > 0 && targets.every((t) => t.health === 'up')) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`Prometheus on ${url} scraped no target within ${timeoutMs} ms`);
}

function spawnTs(file: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(HERE, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the first stdout line matching `pattern`; rejects if the child exits first. */
function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`no ${pattern} within ${timeoutMs} ms: ${err}`)),
      timeoutMs,
    );
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      for (const line of out.split('\n')) {
        const m = line.match(pattern);
        if (m) {
          clearTimeout(timer);
          resolve(m);
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference process exited (${code}) before ready: ${err}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(killer);
}

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const db = new pg.Client({ connectionString: url.href });
  await db.connect();
  try {
    await db.query(`
      CREATE TABLE ref_tickets (id serial PRIMARY KEY, account int NOT NULL, subject text NOT NULL);
      INSERT INTO ref_tickets (account, subject)
        SELECT g % 100, 'ticket ' || g FROM generate_series(1, 20000) AS g;
      CREATE INDEX ref_tickets_account ON ref_tickets (account, id);
      CREATE TABLE ref_events (id bigserial PRIMARY KEY, kind text, payload jsonb, at timestamptz DEFAULT now());
      ANALYZE ref_tickets;`);
  } finally {
    await db.end();
  }
  return url.href;
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

async function dropQueue(prefix: string): Promise<void> {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
