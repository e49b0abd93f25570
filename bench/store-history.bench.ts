/**
 * Store at long history: what one live scrape's `append` costs, and what a 30-day read costs,
 * when the store already holds 0, 1M and 10M samples of 2,000 series (15 s apart). Each size
 * gets a fresh file in a temp dir, filled through `append` in big batches (so the bench measures
 * whatever layout the store has), then:
 *
 * - commit: the median time of one `append` of one scrape of all 2,000 series, over an hour of
 *   scrapes appended at the head of time as a live collector does (p95 and slowest alongside);
 * - range: a 30-day `range` of 20 series, and `downsample` of every metric over the same 30 days
 *   at the step `history.ts` would choose (at most 1,500 frames);
 * - file: the database file after the run and closing (WAL checkpointed).
 *
 * Every figure is set against the same figure with 0 samples stored, in the same run.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Labels, Sample } from '../src/sources/source.ts';
import { openSqliteStore } from '../src/store/sqlite.ts';
import type { Store } from '../src/store/store.ts';
import { nowMs, renderTable, type BenchRow } from './table.ts';

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
const SERIES_PER_METRIC = 200;
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1', 'sa-east-1'];
const QUEUES = ['sms', 'email', 'webhooks', 'intent', 'openai', 'rag', 'sla-checks', 'analytics'];
const SCRAPE_INTERVAL_MS = 15_000;
/** Stored samples before the measurement, per run. */
const HISTORY_SIZES = [0, 1_000_000, 10_000_000];
/** Scrapes per `append` while filling history. */
const FILL_SCRAPES_PER_BATCH = 100;
/** Live scrapes whose commits are timed: one hour at 15 s. */
const TIMED_SCRAPES = 240;
const RANGE_MS = 30 * 86_400_000;
const RANGE_SERIES = 20;
/** `frameStepMs` of a 30-day history: at most 1,500 frames. */
const DOWNSAMPLE_STEP_MS = Math.ceil(RANGE_MS / 1500);
const READ_REPEATS = 5;
const COMMIT_GOAL_RATIO = 2;
const BYTES_PER_BARE_SAMPLE = 16;
/** The live head of time every run ends at; history lies before it. */
const HEAD_MS = Date.UTC(2025, 5, 1);

/** One series of the scrape: metric and a realistic label set. */
interface SeriesName {
  metric: string;
  labels: Labels;
}

/** What one history size measured. */
interface Measured {
  commitMedianMs: number;
  commitP95Ms: number;
  commitMaxMs: number;
  rangeMs: number;
  rangePoints: number;
  downsampleMs: number;
  downsamplePoints: number;
  fileBytes: number;
  storedSamples: number;
  fillSeconds: number;
}

/** The 2,000 series of one scrape. */
function makeSeries(): SeriesName[] {
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

/** A reading that wanders like a gauge: deterministic, different per series and scrape. */
function valueAt(seriesIndex: number, scrape: number): number {
  return ((seriesIndex * 7919 + scrape * 104_729) % 100_000) / 7;
}

/** One scrape of every series at scrape number `scrape` (time `start + scrape * interval`). */
function scrapeBatch(series: SeriesName[], start: number, scrape: number): Sample[] {
  const at = start + scrape * SCRAPE_INTERVAL_MS;
  return series.map(({ metric, labels }, j) => ({
    metric,
    labels: { ...labels },
    value: valueAt(j, scrape),
    at,
  }));
}

/** Appends `scrapes` scrapes before `HEAD_MS`, `FILL_SCRAPES_PER_BATCH` per append. */
async function fillHistory(store: Store, series: SeriesName[], scrapes: number): Promise<number> {
  const start = HEAD_MS - scrapes * SCRAPE_INTERVAL_MS;
  const began = nowMs();
  for (let first = 0; first < scrapes; first += FILL_SCRAPES_PER_BATCH) {
    const batch: Sample[] = [];
    const last = Math.min(scrapes, first + FILL_SCRAPES_PER_BATCH);
    for (let k = first; k < last; k++) batch.push(...scrapeBatch(series, start, k));
    await store.append(batch);
  }
  return (nowMs() - began) / 1000;
}

/** Value at quantile `q` (0..1) of a list, nearest rank. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/** Times each live scrape's `append`, appended at the head of time one after another. */
async function timeCommits(store: Store, series: SeriesName[]): Promise<number[]> {
  const spent: number[] = [];
  for (let k = 0; k < TIMED_SCRAPES; k++) {
    const batch = scrapeBatch(series, HEAD_MS, k);
    const start = nowMs();
    await store.append(batch);
    spent.push(nowMs() - start);
  }
  return spent;
}

/** Median ms of `READ_REPEATS` runs of `read`, and the points the last run returned. */
async function timeRead(read: () => Promise<number>): Promise<{ ms: number; points: number }> {
  const spent: number[] = [];
  let points = 0;
  for (let i = 0; i < READ_REPEATS; i++) {
    const start = nowMs();
    points = await read();
    spent.push(nowMs() - start);
  }
  return { ms: quantile(spent, 0.5), points };
}

/** 30-day `range` of `RANGE_SERIES` series spread evenly over the metrics; returns points read. */
function rangeReader(store: Store, series: SeriesName[], to: number): () => Promise<number> {
  const step = Math.floor(series.length / RANGE_SERIES);
  const chosen = Array.from({ length: RANGE_SERIES }, (_, i) => series[i * step] as SeriesName);
  return async () => {
    let points = 0;
    for (const { metric, labels } of chosen)
      points += (await store.range(metric, labels, to - RANGE_MS, to)).length;
    return points;
  };
}

/** 30-day `downsample` of every metric, as the forecast's history reads it. */
function downsampleReader(store: Store, to: number): () => Promise<number> {
  return async () => {
    let points = 0;
    for (const metric of METRICS)
      for (const s of await store.downsample(metric, to - RANGE_MS, to, DOWNSAMPLE_STEP_MS))
        points += s.points.length;
    return points;
  };
}

/** Bytes of the database file (and its WAL, if one is left). */
function fileBytes(path: string): number {
  const size = (p: string): number => {
    try {
      return statSync(p).size;
    } catch {
      return 0;
    }
  };
  return size(path) + size(`${path}-wal`);
}

/** Fills a fresh store with `history` samples, then measures commits, reads and the file. */
async function measure(root: string, series: SeriesName[], history: number): Promise<Measured> {
  const dir = mkdtempSync(join(root, 'run-'));
  const path = join(dir, 'store.db');
  try {
    let store = await openSqliteStore({ path });
    const fillSeconds = await fillHistory(store, series, Math.round(history / series.length));
    // Reopen, as a collector restarted on an existing store would find it.
    await store.close();
    store = await openSqliteStore({ path });
    const commits = await timeCommits(store, series);
    const to = HEAD_MS + (TIMED_SCRAPES - 1) * SCRAPE_INTERVAL_MS;
    const range = await timeRead(rangeReader(store, series, to));
    const downsample = await timeRead(downsampleReader(store, to));
    await store.close();
    return {
      commitMedianMs: quantile(commits, 0.5),
      commitP95Ms: quantile(commits, 0.95),
      commitMaxMs: Math.max(...commits),
      rangeMs: range.ms,
      rangePoints: range.points,
      downsampleMs: downsample.ms,
      downsamplePoints: downsample.points,
      fileBytes: fileBytes(path),
      storedSamples: history + TIMED_SCRAPES * series.length,
      fillSeconds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `1,000,000` → `1M`, for row names. */
function short(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n.toLocaleString('en-US');
}

/** The rows of one history size, each set against the 0-sample run. */
function rowsOf(size: number, m: Measured, zero: Measured): BenchRow[] {
  const at = `${short(size)} stored`;
  const rows: BenchRow[] = [
    {
      name: `commit of one scrape (2,000 samples), median, ${at}`,
      value: m.commitMedianMs,
      baseline: zero.commitMedianMs,
      unit: 'ms',
      ...(size === Math.max(...HISTORY_SIZES)
        ? {
            goal: {
              text: `<= ${COMMIT_GOAL_RATIO}x of 0 stored`,
              met: m.commitMedianMs <= COMMIT_GOAL_RATIO * zero.commitMedianMs,
            },
          }
        : {}),
    },
    {
      name: `commit of one scrape, p95, ${at}`,
      value: m.commitP95Ms,
      baseline: zero.commitP95Ms,
      unit: 'ms',
    },
    {
      name: `commit of one scrape, slowest, ${at}`,
      value: m.commitMaxMs,
      baseline: zero.commitMaxMs,
      unit: 'ms',
    },
    {
      name: `30-day range of ${RANGE_SERIES} series (${m.rangePoints.toLocaleString('en-US')} points), ${at}`,
      value: m.rangeMs,
      baseline: zero.rangeMs,
      unit: 'ms',
    },
    {
      name: `30-day downsample of ${METRICS.length} metrics (${short(m.storedSamples)} points in, ${m.downsamplePoints.toLocaleString('en-US')} out), ${at}`,
      value: m.downsampleMs,
      baseline: zero.downsampleMs,
      unit: 'ms',
    },
    {
      name: `file after the run, ${short(m.storedSamples)} samples (baseline: ${BYTES_PER_BARE_SAMPLE} B per sample bare), ${at}`,
      value: m.fileBytes / 2 ** 20,
      baseline: (m.storedSamples * BYTES_PER_BARE_SAMPLE) / 2 ** 20,
      unit: 'MiB',
    },
  ];
  return rows;
}

/** Measures every history size and renders the table. */
export async function run(): Promise<string> {
  const series = makeSeries();
  const root = mkdtempSync(join(tmpdir(), 'headroom-bench-history-'));
  const results: Measured[] = [];
  try {
    for (const size of HISTORY_SIZES) {
      const m = await measure(root, series, size);
      console.error(
        `  ${short(size)} stored: filled in ${m.fillSeconds.toFixed(1)} s; commit median ` +
          `${m.commitMedianMs.toFixed(2)} ms, p95 ${m.commitP95Ms.toFixed(2)} ms, slowest ` +
          `${m.commitMaxMs.toFixed(1)} ms; range ` +
          `${m.rangeMs.toFixed(1)} ms; downsample ${m.downsampleMs.toFixed(1)} ms; file ` +
          `${(m.fileBytes / 2 ** 20).toFixed(1)} MiB`,
      );
      results.push(m);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const zero = results[0] as Measured;
  const rows = HISTORY_SIZES.flatMap((size, i) => rowsOf(size, results[i] as Measured, zero));
  return renderTable(
    `Store at long history: ${series.length.toLocaleString('en-US')} series at ${SCRAPE_INTERVAL_MS / 1000} s, ` +
      `${short(HISTORY_SIZES[1] as number)} and ${short(HISTORY_SIZES[2] as number)} samples stored vs 0 ` +
      `(baseline: the same figure with 0 stored, same run; commit over ${TIMED_SCRAPES} live scrapes)`,
    rows,
  );
}
