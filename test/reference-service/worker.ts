/**
 * A worker process of the reference service's BullMQ pool: each job writes a row to
 * `ref_events` in PostgreSQL, then works for `REFERENCE_JOB_MS` (a wait standing in for a call
 * to a slow API), with `REFERENCE_WORKER_CONCURRENCY` jobs at a time. Several of these
 * processes make the pool whose throughput the truth tests predict and then measure. Like the
 * API, it exports with prom-client what a team would instrument: the seconds spent working on
 * jobs (`reference_job_busy_seconds_total`, whose rate is the mean number of busy job slots) and
 * the jobs done, on `/metrics` of a port of its own. Run as:
 *   REFERENCE_REDIS_URL=… REFERENCE_BULLMQ_PREFIX=… REFERENCE_QUEUE=… REFERENCE_DATABASE_URL=…
 *   node --import tsx worker.ts
 * It prints `ready <metrics port>` once it takes jobs.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Worker } from 'bullmq';
import { Redis as IORedis } from 'ioredis';
import pg from 'pg';
import client from 'prom-client';

const jobMs = Number(process.env.REFERENCE_JOB_MS ?? 20);
const concurrency = Number(process.env.REFERENCE_WORKER_CONCURRENCY ?? 1);
const db = new pg.Pool({
  connectionString: process.env.REFERENCE_DATABASE_URL,
  max: concurrency,
  application_name: 'headroom-reference-worker',
});
const connection = new IORedis(process.env.REFERENCE_REDIS_URL ?? 'redis://127.0.0.1:6379', {
  maxRetriesPerRequest: null,
});

client.collectDefaultMetrics();
const busy = new client.Counter({
  name: 'reference_job_busy_seconds_total',
  help: 'Seconds spent working on jobs (its rate is the mean number of busy job slots).',
});
const done = new client.Counter({
  name: 'reference_jobs_total',
  help: 'Jobs finished, succeeded or failed.',
});

const worker = new Worker(
  process.env.REFERENCE_QUEUE ?? 'reference-jobs',
  async (job) => {
    const started = process.hrtime.bigint();
    try {
      await work(job.name, job.data);
    } finally {
      busy.inc(Number(process.hrtime.bigint() - started) / 1e9);
      done.inc();
    }
  },
  {
    connection,
    prefix: process.env.REFERENCE_BULLMQ_PREFIX ?? 'bull',
    concurrency,
    removeOnComplete: { count: 1000 },
  },
);

async function work(name: string, data: unknown): Promise<void> {
  await db.query('INSERT INTO ref_events (kind, payload) VALUES ($1, $2)', [
    name,
    JSON.stringify(data ?? {}),
  ]);
  await new Promise((resolve) => setTimeout(resolve, jobMs));
}

const metrics = createServer((_req, res) => {
  void client.register.metrics().then((text) => {
    res.setHeader('Content-Type', client.register.contentType);
    res.end(text);
  });
});
await new Promise<void>((resolve) => metrics.listen(0, '127.0.0.1', resolve));
await worker.waitUntilReady();
process.stdout.write(`ready ${(metrics.address() as AddressInfo).port}\n`);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    metrics.close();
    void worker
      .close(true)
      .then(() => db.end())
      .then(() => connection.quit())
      .finally(() => process.exit(0));
  });
}
