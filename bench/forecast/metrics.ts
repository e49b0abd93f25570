/**
 * Scoring for the forecasting benchmark: rolling-origin splits, MASE scaled by the in-sample
 * seasonal naive error, geometric means of ratios, and interval coverage. Pure functions.
 */
import type { GridSeries } from './series.ts';

/** One forecast problem: fit on `train`, forecast `test.length` points. */
export interface Split {
  /** Series name. */
  series: string;
  /** Index (in the series) of the first held-out point. */
  origin: number;
  /** Time of the first held-out point, ms since the epoch. */
  originMs: number;
  /** Time of `train[0]`, ms since the epoch. */
  startMs: number;
  /** Grid step, in ms. */
  stepMs: number;
  /** Everything before the origin (gaps filled). */
  train: number[];
  /** Whether each training value was read rather than filled. */
  trainObserved: boolean[];
  /** The held-out values, `horizon` of them. */
  test: number[];
  /** Whether each held-out value was read; filled ones are not scored. */
  testObserved: boolean[];
  /** Natural season, in steps. */
  seasonLength: number;
}

/** The last `origins` non-overlapping windows of `horizon` points, each forecast from all before it. */
export function rollingOriginSplits(series: GridSeries, origins: number): Split[] {
  const n = series.values.length;
  const h = series.horizon;
  const splits: Split[] = [];
  for (let k = origins; k >= 1; k--) {
    const origin = n - k * h;
    if (origin < 2 * series.seasonLength) continue;
    splits.push({
      series: series.name,
      origin,
      originMs: series.start + origin * series.stepMs,
      startMs: series.start,
      stepMs: series.stepMs,
      train: series.values.slice(0, origin),
      trainObserved: series.observed.slice(0, origin),
      test: series.values.slice(origin, origin + h),
      testObserved: series.observed.slice(origin, origin + h),
      seasonLength: series.seasonLength,
    });
  }
  return splits;
}

/**
 * In-sample mean |y_t − y_{t−m}| over the training part, counting only pairs where both values
 * were read. This is the MAE of the seasonal naive one-season-ahead forecast in sample.
 */
export function seasonalNaiveScale(train: number[], m: number, observed?: boolean[]): number {
  let sum = 0;
  let count = 0;
  for (let t = m; t < train.length; t++) {
    if (observed && !(observed[t] && observed[t - m])) continue;
    sum += Math.abs((train[t] as number) - (train[t - m] as number));
    count += 1;
  }
  return count === 0 ? NaN : sum / count;
}

/** Mean absolute error over the scored points (all, unless a mask says which were read). */
export function meanAbsoluteError(
  actual: number[],
  forecast: number[],
  scored?: boolean[],
): number {
  let sum = 0;
  let count = 0;
  actual.forEach((a, i) => {
    if (scored && !scored[i]) return;
    sum += Math.abs(a - (forecast[i] ?? NaN));
    count += 1;
  });
  return count === 0 ? NaN : sum / count;
}

/** MASE of one forecast: its MAE over the horizon divided by the in-sample seasonal naive MAE. */
export function mase(split: Split, forecast: number[]): number {
  const scale = seasonalNaiveScale(split.train, split.seasonLength, split.trainObserved);
  return meanAbsoluteError(split.test, forecast, split.testObserved) / scale;
}

/** Geometric mean of positive numbers; NaN if any is not a positive finite number. */
export function geometricMean(values: number[]): number {
  if (values.length === 0) return NaN;
  let logSum = 0;
  for (const v of values) {
    if (!(v > 0) || !Number.isFinite(v)) return NaN;
    logSum += Math.log(v);
  }
  return Math.exp(logSum / values.length);
}

/** Arithmetic mean; NaN for an empty list. */
export function mean(values: number[]): number {
  return values.length === 0 ? NaN : values.reduce((s, v) => s + v, 0) / values.length;
}

/** Held-out points inside [lower, upper] and points scored (read ones only). */
export interface Coverage {
  /** Points with lower ≤ actual ≤ upper. */
  inside: number;
  /** Points scored. */
  total: number;
}

/** Counts held-out points inside their interval (bounds inclusive). */
export function coverage(split: Split, lower: number[], upper: number[]): Coverage {
  let inside = 0;
  let total = 0;
  split.test.forEach((a, i) => {
    if (!split.testObserved[i]) return;
    total += 1;
    if (a >= (lower[i] ?? NaN) && a <= (upper[i] ?? NaN)) inside += 1;
  });
  return { inside, total };
}

/** Adds coverage counts. */
export function addCoverage(a: Coverage, b: Coverage): Coverage {
  return { inside: a.inside + b.inside, total: a.total + b.total };
}

/** Seasonal naive, written independently of headroom: y_{n+h} = y_{n+h−m·k}, last season repeated. */
export function seasonalNaiveForecast(train: number[], m: number, horizon: number): number[] {
  const n = train.length;
  return Array.from({ length: horizon }, (_, i) => train[n - m + (i % m)] as number);
}

/** Straight-line least-squares trend through the training values, extended `horizon` steps. */
export function linearTrendForecast(train: number[], horizon: number): number[] {
  const n = train.length;
  const meanX = (n - 1) / 2;
  const meanY = mean(train);
  let sxy = 0;
  let sxx = 0;
  train.forEach((y, x) => {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
  });
  const slope = sxx === 0 ? 0 : sxy / sxx;
  return Array.from({ length: horizon }, (_, i) => meanY + slope * (n + i - meanX));
}
