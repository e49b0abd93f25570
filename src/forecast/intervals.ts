/**
 * Prediction intervals. Calibrated from the backtest where history allows: the interval at h
 * steps is the central quantile range of the out-of-sample errors the model made at about h
 * steps (pooled over h/√2..h·√2, so the quantiles are smooth in h and no knot is starved),
 * made non-decreasing in h by isotonic regression. These errors include the model's
 * misspecification, outliers and heavy tails, which the analytical formulas assume away. Errors
 * may be scaled by a local noise measure at their origin (see `select.ts`), so the interval
 * follows volatility. Beyond the backtested horizon H the width grows like the analytical one,
 * and at least like (h/H)^¼ — real series in our tests were mostly mean-reverting, where √h
 * over-covered.
 * Too little history: the model's analytical interval (normal or Student-t quantile).
 */
import type { ErrorRows } from './backtest.ts';
import type { ForecastCore } from './models/model-spec.ts';
import { quantileSorted, studentQuantile } from './stats.ts';

/** Fewest backtest errors at one step ahead for calibrated intervals. */
export const MIN_CALIBRATION_ERRORS = 20;

/** Exponent of the least growth of the width beyond the backtested horizon: width ∝ (h/H)^0.25. */
const BEYOND_GROWTH = 0.25;

interface Knot {
  /** Steps ahead. */
  h: number;
  /** Pooled errors, ascending. */
  sorted: Float64Array;
}

/** Offsets to add to a point forecast for the central interval, in series units. */
export interface Offsets {
  /** Lower bound minus point forecast (<= 0). */
  lower: number;
  /** Upper bound minus point forecast (>= 0). */
  upper: number;
}

/** How a model's intervals are computed. */
export interface Intervals {
  /** 'empirical' (from backtest errors) or 'analytical'. */
  kind: 'empirical' | 'analytical';
  /** The interval offsets at h >= 1 steps ahead for central coverage `level` in (0, 1). */
  forLevel(level: number): (h: number) => Offsets;
}

/** Error scaling: errors divided by the local scale at their origin, offsets multiplied by today's. */
export interface ErrorScaling {
  /** Local scale at each backtest origin (> 0). */
  atOrigin: readonly number[];
  /** Local scale at the end of the series (> 0). */
  now: number;
}

/** Intervals from the model's own variance formula. */
export function analyticalIntervals(core: ForecastCore): Intervals {
  return {
    kind: 'analytical',
    forLevel: (level) => {
      const z = studentQuantile((1 + level) / 2, core.df);
      return (h) => {
        const half = z * core.sigma(h);
        return Number.isFinite(half) ? { lower: -half, upper: half } : { lower: 0, upper: 0 };
      };
    },
  };
}

/** Intervals calibrated on backtest errors, or undefined when there are too few errors. */
export function empiricalIntervals(
  errors: ErrorRows,
  core: ForecastCore,
  scaling?: ErrorScaling,
): Intervals | undefined {
  const byStep = errorsByStep(errors, scaling);
  if ((byStep[0]?.length ?? 0) < MIN_CALIBRATION_ERRORS) return undefined;
  const knots: Knot[] = knotSteps(byStep.length).map((h) => ({ h, sorted: pooled(byStep, h) }));
  const usable = knots.filter((k) => k.sorted.length > 0);
  const lastH = usable[usable.length - 1]!.h;
  const factor = scaling?.now ?? 1;
  const growth = (h: number): number => {
    const ratio = core.sigma(h) / core.sigma(lastH);
    return Math.max(Number.isFinite(ratio) ? ratio : 0, (h / lastH) ** BEYOND_GROWTH);
  };
  return {
    kind: 'empirical',
    forLevel: (level) => {
      const weights = usable.map((k) => k.sorted.length);
      // Split-conformal rank: the ⌈(N + 1)·p⌉-th of N errors, not the p-quantile of the sample.
      const p = (k: Knot): number =>
        Math.min(1, (((1 + level) / 2) * (k.sorted.length + 1)) / k.sorted.length);
      const lows = isotonic(
        usable.map((k) => -quantileSorted(k.sorted, 1 - p(k))),
        weights,
      );
      const highs = isotonic(
        usable.map((k) => quantileSorted(k.sorted, p(k))),
        weights,
      );
      lows.forEach((x, i) => (lows[i] = Math.min(-x, 0)));
      highs.forEach((x, i) => (highs[i] = Math.max(x, 0)));
      return (h) => {
        if (h >= lastH) {
          const g = growth(h) * factor;
          return { lower: lows.at(-1)! * g, upper: highs.at(-1)! * g };
        }
        const i = usable.findIndex((k) => k.h >= h);
        if (usable[i]!.h === h || i === 0) {
          return { lower: lows[i]! * factor, upper: highs[i]! * factor };
        }
        const a = usable[i - 1]!.h;
        const w = (h - a) / (usable[i]!.h - a);
        const mix = (xs: number[]): number => (xs[i - 1]! + w * (xs[i]! - xs[i - 1]!)) * factor;
        return { lower: mix(lows), upper: mix(highs) };
      };
    },
  };
}

/** Non-NaN errors (scaled when asked) grouped by step ahead: index h-1. */
function errorsByStep(errors: ErrorRows, scaling?: ErrorScaling): number[][] {
  const horizon = Math.max(0, ...errors.map((r) => r.length));
  const byStep: number[][] = Array.from({ length: horizon }, () => []);
  errors.forEach((row, k) => {
    const scale = scaling ? scaling.atOrigin[k]! : 1;
    for (let h = 0; h < row.length; h++) {
      if (!Number.isNaN(row[h]!)) byStep[h]!.push(row[h]! / scale);
    }
  });
  return byStep;
}

/** Steps 1, 2, 3, 4, 5, 6, 8, 10, 13, … (growing by about a quarter) up to `horizon`. */
function knotSteps(horizon: number): number[] {
  const knots: number[] = [];
  for (let h = 1; h < horizon; h = Math.max(h + 1, Math.round(h * 1.25))) knots.push(h);
  if (horizon >= 1) knots.push(horizon);
  return knots;
}

/** Sorted errors at steps within a factor √2 of h. */
function pooled(byStep: readonly number[][], h: number): Float64Array {
  const lo = Math.max(1, Math.ceil(h / Math.SQRT2));
  const hi = Math.min(byStep.length, Math.floor(h * Math.SQRT2));
  const out: number[] = [];
  for (let s = lo; s <= hi; s++) out.push(...byStep[s - 1]!);
  return Float64Array.from(out).sort();
}

/** Weighted least-squares non-decreasing fit of `ys` (pool adjacent violators). */
export function isotonic(ys: readonly number[], weights: readonly number[]): number[] {
  const blocks: { value: number; weight: number; count: number }[] = [];
  ys.forEach((y, i) => {
    blocks.push({ value: y, weight: Math.max(weights[i] ?? 1, 1e-12), count: 1 });
    while (blocks.length > 1 && blocks.at(-2)!.value > blocks.at(-1)!.value) {
      const b = blocks.pop()!;
      const a = blocks.at(-1)!;
      a.value = (a.value * a.weight + b.value * b.weight) / (a.weight + b.weight);
      a.weight += b.weight;
      a.count += b.count;
    }
  });
  return blocks.flatMap((b) => Array<number>(b.count).fill(b.value));
}
