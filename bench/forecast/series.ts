/**
 * The forecasting benchmark's series: which files in `bench/data/` it reads, at what resolution,
 * season and horizon, and how a CSV becomes one regular grid of values (times parsed as UTC,
 * duplicates merged, optional summing into buckets, gaps filled but marked as not observed).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** How one group of files is read and scored. */
export interface SeriesGroup {
  /** Folder under `bench/data/`; every `*.csv` in it is one series. */
  folder: string;
  /** Column holding the timestamp. */
  timeColumn: string;
  /** Column holding the value. */
  valueColumn: string;
  /** Step of the source file, in ms. */
  sourceStepMs: number;
  /** Step the benchmark uses, in ms; larger than the source step means sums over buckets. */
  stepMs: number;
  /** Natural season in steps (MASE scale and the season given to statsmodels). */
  seasonLength: number;
  /** Points forecast from each origin. */
  horizon: number;
}

/** The groups scored, fixed up-front by the rule written in `bench/data/README.md`. */
export const SERIES_GROUPS: SeriesGroup[] = [
  {
    folder: 'nab/realAWSCloudwatch',
    timeColumn: 'timestamp',
    valueColumn: 'value',
    sourceStepMs: 5 * MINUTE_MS,
    stepMs: 5 * MINUTE_MS,
    seasonLength: 288,
    horizon: 288,
  },
  {
    folder: 'nab/realTweets',
    timeColumn: 'timestamp',
    valueColumn: 'value',
    sourceStepMs: 5 * MINUTE_MS,
    stepMs: HOUR_MS,
    seasonLength: 24,
    horizon: 24,
  },
  {
    folder: 'nasa_http_1995',
    timeColumn: 'timestamp_local',
    valueColumn: 'requests',
    sourceStepMs: MINUTE_MS,
    stepMs: 15 * MINUTE_MS,
    seasonLength: 96,
    horizon: 96,
  },
  {
    folder: 'prophet_wikipedia',
    timeColumn: 'date',
    valueColumn: 'views',
    sourceStepMs: DAY_MS,
    stepMs: DAY_MS,
    seasonLength: 7,
    horizon: 30,
  },
];

/** One series on a regular grid, ready to split. */
export interface GridSeries {
  /** File name without `.csv`. */
  name: string;
  /** Time of `values[0]`, in ms since the epoch (UTC). */
  start: number;
  /** Grid step, in ms. */
  stepMs: number;
  /** One value per step; gaps hold linearly interpolated values. */
  values: number[];
  /** Whether each value was read (true) or filled in a gap (false); filled ones are never scored. */
  observed: boolean[];
  /** Natural season, in steps. */
  seasonLength: number;
  /** Points forecast from each origin. */
  horizon: number;
}

/** A timestamped reading, time in ms since the epoch. */
export interface Reading {
  /** Time, ms since the epoch (UTC). */
  t: number;
  /** Value read. */
  v: number;
}

/** Parses `YYYY-MM-DD` or `YYYY-MM-DD HH:MM[:SS[.fff]]` as UTC; NaN if it is neither. */
export function parseUtcMs(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?$/.exec(
    text.trim(),
  );
  if (!m) return NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '0'] = m;
  const ms = Math.round(Number(`0.${frac}`) * 1000);
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
}

/** Reads one CSV into readings, throwing with the file and row on a bad time or value. */
export function readCsv(path: string, timeColumn: string, valueColumn: string): Reading[] {
  const rows = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
  }) as Record<string, string>[];
  return rows.map((row, i) => {
    const t = parseUtcMs(row[timeColumn] ?? '');
    const v = Number(row[valueColumn]);
    if (!Number.isFinite(t) || !Number.isFinite(v))
      throw new Error(`${path} row ${i + 2}: cannot read ${timeColumn}/${valueColumn}`);
    return { t, v };
  });
}

/** Sums readings into UTC-aligned buckets, keeping only buckets holding every reading. */
export function sumIntoBuckets(
  readings: Reading[],
  sourceStepMs: number,
  bucketMs: number,
): Reading[] {
  const perBucket = Math.round(bucketMs / sourceStepMs);
  const buckets = new Map<number, { sum: number; count: number }>();
  for (const { t, v } of readings) {
    const key = Math.floor(t / bucketMs) * bucketMs;
    const b = buckets.get(key) ?? { sum: 0, count: 0 };
    b.sum += v;
    b.count += 1;
    buckets.set(key, b);
  }
  // A partial bucket (at the edges, or over a gap) would read as a dip in traffic.
  return [...buckets]
    .filter(([, b]) => b.count === perBucket)
    .map(([t, b]) => ({ t, v: b.sum }))
    .sort((a, b) => a.t - b.t);
}

/** Puts readings on a grid anchored at the first one: duplicates averaged, gaps interpolated. */
export function toGrid(
  readings: Reading[],
  stepMs: number,
): { start: number; values: number[]; observed: boolean[] } {
  const sorted = [...readings].sort((a, b) => a.t - b.t);
  const start = sorted[0]?.t ?? 0;
  const slots = new Map<number, { sum: number; count: number }>();
  for (const { t, v } of sorted) {
    const i = Math.round((t - start) / stepMs);
    const s = slots.get(i) ?? { sum: 0, count: 0 };
    s.sum += v;
    s.count += 1;
    slots.set(i, s);
  }
  const length = Math.max(...slots.keys()) + 1;
  const values: number[] = new Array<number>(length).fill(NaN);
  const observed: boolean[] = new Array<boolean>(length).fill(false);
  for (const [i, s] of slots) {
    values[i] = s.sum / s.count;
    observed[i] = true;
  }
  fillGaps(values, observed);
  return { start, values, observed };
}

/** Fills unobserved slots by straight lines between their observed neighbours. */
function fillGaps(values: number[], observed: boolean[]): void {
  let last = 0;
  for (let i = 1; i < values.length; i++) {
    if (!observed[i]) continue;
    const from = values[last] as number;
    const to = values[i] as number;
    for (let j = last + 1; j < i; j++) values[j] = from + ((to - from) * (j - last)) / (i - last);
    last = i;
  }
}

/** Loads one file of a group onto the benchmark's grid. */
export function loadSeries(dataDir: string, group: SeriesGroup, file: string): GridSeries {
  const readings = readCsv(join(dataDir, group.folder, file), group.timeColumn, group.valueColumn);
  const bucketed =
    group.stepMs === group.sourceStepMs
      ? readings
      : sumIntoBuckets(readings, group.sourceStepMs, group.stepMs);
  const grid = toGrid(bucketed, group.stepMs);
  return {
    name: basename(file, '.csv'),
    ...grid,
    stepMs: group.stepMs,
    seasonLength: group.seasonLength,
    horizon: group.horizon,
  };
}

/** Loads every series of every group, in a stable order (group order, then file name). */
export function loadAllSeries(
  dataDir: string,
  groups: SeriesGroup[] = SERIES_GROUPS,
): GridSeries[] {
  return groups.flatMap((group) =>
    readdirSync(join(dataDir, group.folder))
      .filter((f) => f.endsWith('.csv'))
      .sort()
      .map((file) => loadSeries(dataDir, group, file)),
  );
}
