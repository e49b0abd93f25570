/**
 * Store ingest: how fast `SqliteStore.append` stores scrape-shaped batches, against raw
 * better-sqlite3 inserting the same rows into the same tables with the same pragmas (one prepared
 * statement, one transaction per batch). Fresh database files in a temp dir for every run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Labels, Sample } from '../src/sources/source.ts';
import { canonicalLabels, openSqliteStore, prepareSqliteDatabase } from '../src/store/sqlite.ts';
import { nowMs, renderTable } from './table.ts';

const METRICS = [
  'queue_depth',
  'queue_wait_seconds',
  'worker_replicas',
  'cpu_utilization',
  'memory_bytes',
  'http_requests_total',
  'http_request_duration_p95_seconds',
  'nats_storage_bytes',
  'pg_connections',
  'redis_used_memory_bytes',
];
const SERIES_PER_METRIC = 1_000;
const BATCHES = 100;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'];
const QUEUES = ['sms', 'email', 'webhooks', 'intent', 'openai', 'rag', 'sla-checks', 'analytics'];
const SCRAPE_INTERVAL_MS = 15_000;
const T0_MS = Date.UTC(2025, 0, 1);
const RUNS = 3;
const RATIO_GOAL = 0.7;
const RATE_GOAL_SAMPLES_PER_S = 200_000;

/** The series of one scrape: metric and a realistic label set each. */
function makeSeries(): { metric: string; labels: Labels }[] {
  return METRICS.flatMap((metric) =>
    Array.from({ length: SERIES_PER_METRIC }, (_, i) => ({
      metric,
      labels: {
        env: 'prod',
        instance: `10.0.${i >> 8}.${i & 255}:9100`,
        job: metric.split('_')[0] ?? metric,
        queue: QUEUES[i % QUEUES.length] ?? 'default',
        region: REGIONS[i % REGIONS.length] ?? 'eu-west-1',
      },
    })),
  );
}

/** Every batch: one scrape of every series, a fresh Sample object per reading as a source makes. */
function makeBatches(series: { metric: string; labels: Labels }[]): Sample[][] {
  return Array.from({ length: BATCHES }, (_, b) =>
    series.map(({ metric, labels }, j) => ({
      metric,
      labels: { ...labels },
      value: ((j * 7919 + b * 104_729) % 100_000) / 7,
      at: T0_MS + b * SCRAPE_INTERVAL_MS,
    })),
  );
}

/** Seconds spent in `SqliteStore.append` over all batches, on a fresh file. */
async function timeStore(dir: string, batches: Sample[][]): Promise<number> {
  const store = await openSqliteStore({ path: join(dir, 'store.db') });
  let spentMs = 0;
  for (const batch of batches) {
    const start = nowMs();
    await store.append(batch);
    spentMs += nowMs() - start;
  }
  await store.close();
  return spentMs / 1000;
}

/** Seconds raw better-sqlite3 spends writing the same rows (series rows in the first batch). */
function timeRaw(dir: string, batches: Sample[][], seriesLabels: string[]): number {
  const db = new Database(join(dir, 'raw.db'));
  prepareSqliteDatabase(db);
  const insertSeries = db.prepare('INSERT INTO series (id, metric, labels) VALUES (?, ?, ?)');
  const insertSample = db.prepare('INSERT INTO samples (series_id, at, value) VALUES (?, ?, ?)');
  const writeBatch = db.transaction((batch: Sample[], withSeries: boolean) => {
    if (withSeries) batch.forEach((s, j) => insertSeries.run(j + 1, s.metric, seriesLabels[j]));
    for (let j = 0; j < batch.length; j++) {
      const s = batch[j] as Sample;
      insertSample.run(j + 1, s.at, s.value);
    }
  });
  let spentMs = 0;
  batches.forEach((batch, b) => {
    const start = nowMs();
    writeBatch(batch, b === 0);
    spentMs += nowMs() - start;
  });
  db.close();
  return spentMs / 1000;
}

/** Runs `body` in a fresh temp dir and removes it afterwards. */
async function inFreshDir<T>(root: string, body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(root, 'run-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Middle value of an odd-length list. */
function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Measures store and raw ingest (median of 3 after one warm-up each) and renders the table. */
export async function run(): Promise<string> {
  const series = makeSeries();
  const seriesLabels = series.map((s) => canonicalLabels(s.labels));
  const batches = makeBatches(series);
  const samples = batches.length * series.length;
  const root = mkdtempSync(join(tmpdir(), 'headroom-bench-store-'));
  const storeRates: number[] = [];
  const rawRates: number[] = [];
  try {
    await inFreshDir(root, (dir) => timeStore(dir, batches));
    await inFreshDir(root, (dir) => timeRaw(dir, batches, seriesLabels));
    // Interleaved so that drift in the machine's state hits both sides alike.
    for (let i = 0; i < RUNS; i++) {
      rawRates.push(
        samples / (await inFreshDir(root, (dir) => timeRaw(dir, batches, seriesLabels))),
      );
      storeRates.push(samples / (await inFreshDir(root, (dir) => timeStore(dir, batches))));
      console.error(
        `  run ${i + 1}: raw ${rawRates[i]?.toFixed(0)}, store ${storeRates[i]?.toFixed(0)} samples/s`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const store = median(storeRates);
  const raw = median(rawRates);
  const shape = `${samples.toLocaleString('en-US')} samples, ${series.length.toLocaleString('en-US')} series, batches of ${series.length.toLocaleString('en-US')}`;
  return renderTable(
    'Store ingest: SqliteStore.append vs raw better-sqlite3 (same schema and pragmas, WAL, synchronous=NORMAL; median of 3)',
    [
      {
        name: `ingest rate vs raw (${shape})`,
        value: store,
        baseline: raw,
        unit: 'samples/s',
        goal: { text: `>= ${RATIO_GOAL * 100} % of raw`, met: store >= RATIO_GOAL * raw },
      },
      {
        name: 'ingest rate, absolute',
        value: store,
        baseline: raw,
        unit: 'samples/s',
        goal: {
          text: `>= ${RATE_GOAL_SAMPLES_PER_S.toLocaleString('en-US')} samples/s`,
          met: store >= RATE_GOAL_SAMPLES_PER_S,
        },
      },
    ],
  );
}
