/**
 * Points of one series as two parallel columns (times ascending), and the pure operations the
 * SQLite store's reads need on them: cut to a range, merge the head over sealed chunks, keep
 * each step's last point, find the newest point at or before a time.
 */
import type { Point } from '../sources/source.ts';

/** Points of one series: `at[i]` (epoch ms, ascending, distinct) holds `value[i]`. */
export interface PointColumns {
  /** Times, epoch ms, strictly ascending. */
  at: Float64Array;
  /** Values, one per time. */
  value: Float64Array;
}

/** Columns with no points. */
export const NO_POINTS: PointColumns = { at: new Float64Array(0), value: new Float64Array(0) };

/** Columns of points that are already oldest first with distinct times. */
export function columnsOf(points: readonly Point[]): PointColumns {
  const at = new Float64Array(points.length);
  const value = new Float64Array(points.length);
  points.forEach((p, i) => {
    at[i] = p.at;
    value[i] = p.value;
  });
  return { at, value };
}

/** The points as objects, oldest first. */
export function pointsOf(columns: PointColumns): Point[] {
  const out: Point[] = new Array(columns.at.length);
  for (let i = 0; i < columns.at.length; i++)
    out[i] = { at: columns.at[i] as number, value: columns.value[i] as number };
  return out;
}

/** Index of the first time `>= t` (or `> t` when `after`), by binary search. */
function searchTime(at: Float64Array, t: number, after: boolean): number {
  let lo = 0;
  let hi = at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const x = at[mid] as number;
    if (after ? x <= t : x < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The points with `from <= at <= to`, as views on the same arrays (no copy). */
export function sliceColumns(columns: PointColumns, from: number, to: number): PointColumns {
  // NaN bounds select nothing, as they do in SQL.
  if (!(from <= to)) return NO_POINTS;
  const lo = searchTime(columns.at, from, false);
  const hi = Math.max(lo, searchTime(columns.at, to, true));
  return { at: columns.at.subarray(lo, hi), value: columns.value.subarray(lo, hi) };
}

/** One set of columns from parts that follow each other in time (each part older than the next). */
export function concatColumns(parts: readonly PointColumns[]): PointColumns {
  if (parts.length === 1) return parts[0] as PointColumns;
  const total = parts.reduce((n, p) => n + p.at.length, 0);
  const at = new Float64Array(total);
  const value = new Float64Array(total);
  let offset = 0;
  for (const part of parts) {
    at.set(part.at, offset);
    value.set(part.value, offset);
    offset += part.at.length;
  }
  return { at, value };
}

/** Both sets of points in time order; where both hold a time, `newer`'s value wins. */
export function mergeColumns(older: PointColumns, newer: PointColumns): PointColumns {
  if (newer.at.length === 0) return older;
  if (older.at.length === 0) return newer;
  const lastOlder = older.at[older.at.length - 1] as number;
  if (lastOlder < (newer.at[0] as number)) return concatColumns([older, newer]);
  const at = new Float64Array(older.at.length + newer.at.length);
  const value = new Float64Array(at.length);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < older.at.length || j < newer.at.length) {
    const a = i < older.at.length ? (older.at[i] as number) : Infinity;
    const b = j < newer.at.length ? (newer.at[j] as number) : Infinity;
    if (a < b) {
      at[n] = a;
      value[n++] = older.value[i++] as number;
    } else {
      if (a === b) i++;
      at[n] = b;
      value[n++] = newer.value[j++] as number;
    }
  }
  return { at: at.subarray(0, n), value: value.subarray(0, n) };
}

/**
 * The last point of each `step`-wide bucket counted from `origin` (bucket of a point:
 * `trunc((at - origin) / step)`), oldest first: what `Store.downsample` returns per series.
 */
export function lastPerStep(columns: PointColumns, origin: number, step: number): Point[] {
  const out: Point[] = [];
  const emit = (i: number): void => {
    out.push({ at: columns.at[i] as number, value: columns.value[i] as number });
  };
  let bucket = NaN;
  for (let i = 0; i < columns.at.length; i++) {
    const b = Math.trunc(((columns.at[i] as number) - origin) / step);
    if (b !== bucket && i > 0) emit(i - 1);
    bucket = b;
  }
  if (columns.at.length > 0) emit(columns.at.length - 1);
  return out;
}

/** The newest point with `at <= t`, or undefined when every point is later. */
export function lastAtOrBefore(columns: PointColumns, t: number): Point | undefined {
  const i = searchTime(columns.at, t, true) - 1;
  if (i < 0) return undefined;
  return { at: columns.at[i] as number, value: columns.value[i] as number };
}
