/**
 * The reference HTTP service of the truth tests: fastify with a PostgreSQL pool of a known size.
 * `GET /tickets?account=N` takes a pooled connection, runs a real indexed query on the
 * `ref_tickets` table, then waits `REFERENCE_DB_WAIT_MS` inside PostgreSQL (`pg_sleep`, standing
 * in for the disk and lock waits of a heavier query), so the pool — not the CPU — is what
 * saturates first. It exports, with prom-client, what a team would instrument: requests served,
 * the time connections were held (`reference_pool_busy_seconds_total`), requests waiting for a
 * connection, and the process's CPU. Run as its own process:
 *   REFERENCE_DATABASE_URL=… REFERENCE_POOL_SIZE=4 REFERENCE_PORT=0 node --import tsx api.ts
 * It prints `listening <port>` on stdout once ready.
 */
import Fastify from 'fastify';
import pg from 'pg';
import client from 'prom-client';

const poolSize = Number(process.env.REFERENCE_POOL_SIZE ?? 4);
const waitSeconds = Number(process.env.REFERENCE_DB_WAIT_MS ?? 15) / 1000;
const pool = new pg.Pool({
  connectionString: process.env.REFERENCE_DATABASE_URL,
  max: poolSize,
  application_name: 'headroom-reference-api',
});

const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });
const served = new client.Counter({
  name: 'reference_http_requests_total',
  help: 'Requests answered, by status.',
  labelNames: ['status'],
  registers: [registry],
});
const busy = new client.Counter({
  name: 'reference_pool_busy_seconds_total',
  help: 'Seconds PostgreSQL connections were held by requests (its rate is the mean busy connections).',
  registers: [registry],
});
new client.Gauge({
  name: 'reference_pool_waiting',
  help: 'Requests waiting for a pooled connection now.',
  registers: [registry],
  collect() {
    this.set(pool.waitingCount);
  },
});
new client.Gauge({
  name: 'reference_pool_size',
  help: 'Most connections the pool opens.',
  registers: [registry],
  collect() {
    this.set(poolSize);
  },
});

const app = Fastify({ logger: false });

app.get('/tickets', async (request, reply) => {
  const account = Number((request.query as { account?: string }).account ?? 1);
  const conn = await pool.connect();
  const heldFrom = process.hrtime.bigint();
  try {
    const { rows } = await conn.query(
      'SELECT id, subject FROM ref_tickets WHERE account = $1 ORDER BY id DESC LIMIT 20',
      [account % 100],
    );
    await conn.query('SELECT pg_sleep($1)', [waitSeconds]);
    served.inc({ status: '200' });
    return reply.send({ account, tickets: rows.length });
  } finally {
    busy.inc(Number(process.hrtime.bigint() - heldFrom) / 1e9);
    conn.release();
  }
});

app.get('/metrics', async (_request, reply) => {
  return reply.type(registry.contentType).send(await registry.metrics());
});

const address = await app.listen({
  host: '127.0.0.1',
  port: Number(process.env.REFERENCE_PORT ?? 0),
});
process.stdout.write(`listening ${new URL(address).port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .finally(() => process.exit(0));
  });
}
