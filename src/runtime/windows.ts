/**
 * Window functions over a metric's recent points (`rate`, `increase`, `delta`,
 * `avg_over_time`, `min_over_time`, `max_over_time`). Pure: points and time come in as
 * arguments. Unlike PromQL, `rate` and `increase` do not extrapolate to the window edges; they
 * use the first and last points inside the window, and count a drop as a counter reset.
 */
import type { AggregateFunction, WindowFunction, WindowRef } from '../plan/expression.ts';
import type { Input } from '../rules/types.ts';
import type { Point } from '../sources/source.ts';

/** Points with `end - windowMs < at <= end`, from points sorted by time. */
export function pointsInWindow(points: readonly Point[], end: number, windowMs: number): Point[] {
  // Binary searches: long histories are windowed once per evaluation step.
  return points.slice(firstAfter(points, end - windowMs), firstAfter(points, end));
}

/** Index of the first point with `at > t` (points sorted by time). */
function firstAfter(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.at > t) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Applies a window function; undefined when the window holds too few points. */
export function applyWindow(fn: WindowFunction, points: readonly Point[]): number | undefined {
  if (points.length === 0) return undefined;
  const values = points.map((p) => p.value);
  switch (fn) {
    case 'avg_over_time':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min_over_time':
      return Math.min(...values);
    case 'max_over_time':
      return Math.max(...values);
    case 'delta':
      return points.length < 2 ? undefined : values[values.length - 1]! - values[0]!;
    case 'increase':
      return points.length < 2 ? undefined : counterIncrease(values);
    case 'rate': {
      if (points.length < 2) return undefined;
      const seconds = (points[points.length - 1]!.at - points[0]!.at) / 1000;
      return seconds > 0 ? counterIncrease(values) / seconds : undefined;
    }
  }
}

/** Total increase of a counter, treating any drop as a reset to zero. */
function counterIncrease(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const step = values[i]! - values[i - 1]!;
    total += step >= 0 ? step : values[i]!;
  }
  return total;
}

/** Aggregates the values of a metric's series into one (`sum`, `avg`, `min`, `max`, `count`). */
export function aggregateValues(
  fn: AggregateFunction,
  values: readonly number[],
): number | undefined {
  if (values.length === 0) return fn === 'count' || fn === 'sum' ? 0 : undefined;
  switch (fn) {
    case 'sum':
      return values.reduce((a, b) => a + b, 0);
    case 'avg':
      return values.reduce((a, b) => a + b, 0) / values.length;
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'count':
      return values.length;
  }
}

/** The aggregated input of `ref` from its metric's input now: one unlabelled series, or unknown. */
export function aggregateInput(ref: WindowRef, metric: Input | undefined): Input {
  if (metric === undefined) return { unknown: `no data for metric "${ref.metric}"` };
  if (!Array.isArray(metric)) return metric as Input;
  const value = aggregateValues(
    ref.fn as AggregateFunction,
    metric.map((s) => s.value),
  );
  return value === undefined
    ? { unknown: `${ref.key} has no series to aggregate` }
    : [{ labels: {}, value }];
}
