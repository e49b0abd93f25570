/**
 * Rolling-origin backtest on the series' own history: forecasts from several origins in the last
 * part of the history, compared with what really happened next (the raw values, outliers
 * included, at observed cells only — interpolated cells never score). The errors both rank the
 * models (MASE) and calibrate the prediction intervals.
 */
import type { FittedModel } from './models/model-spec.ts';

/** Most origins one backtest uses. */
export const MAX_ORIGINS = 60;

/** Longest backtest horizon when the season is shorter, in steps. */
const MAX_HORIZON = 2000;

/** Fewest origins worth a backtest. */
const MIN_ORIGINS = 8;

/** Where the backtest forecasts from and how far. */
export interface BacktestPlan {
  /** Origins, ascending: forecasts from origin o use cells before o. */
  origins: number[];
  /** Steps forecast from each origin (fewer near the end of the series). */
  horizon: number;
}

/** Forecast errors of one model: row k, entry h-1 is actual − forecast (NaN where unobserved). */
export type ErrorRows = Float64Array[];

/**
 * The default backtest: horizon = the larger of one season and 10 % of the history (capped at a
 * third of it), origins spread evenly over the last 3 horizons, none before `minTrain` cells.
 */
export function planBacktest(
  n: number,
  season: number,
  minTrain: number,
): BacktestPlan | undefined {
  const horizon = Math.max(
    1,
    Math.min(
      Math.max(season, Math.ceil(0.1 * n)),
      Math.max(season, MAX_HORIZON),
      Math.floor(n / 3),
    ),
  );
  const lo = Math.max(minTrain, n - 3 * horizon, 2);
  const last = n - 1;
  if (last - lo + 1 < MIN_ORIGINS) return undefined;
  const count = Math.min(MAX_ORIGINS, last - lo + 1);
  const origins: number[] = [];
  for (let k = 0; k < count; k++) {
    const o = Math.round(lo + ((last - lo) * k) / Math.max(1, count - 1));
    if (origins[origins.length - 1] !== o) origins.push(o);
  }
  return { origins, horizon };
}

/** Actual minus forecast for each backtest forecast, NaN at interpolated cells. */
export function backtestErrors(
  rows: readonly Float64Array[],
  plan: BacktestPlan,
  actual: { raw: readonly number[]; observed: Uint8Array },
): ErrorRows {
  return rows.map((row, k) => {
    const o = plan.origins[k]!;
    const errors = new Float64Array(row.length);
    for (let h = 1; h <= row.length; h++) {
      const cell = o - 1 + h;
      errors[h - 1] = actual.observed[cell] === 1 ? actual.raw[cell]! - row[h - 1]! : NaN;
    }
    return errors;
  });
}

/** Mean absolute error over all backtest forecasts (NaN entries skipped; Infinity when none). */
export function meanAbsoluteError(errors: ErrorRows): number {
  let sum = 0;
  let count = 0;
  for (const row of errors) {
    for (const e of row) {
      if (Number.isNaN(e)) continue;
      sum += Math.abs(e);
      count++;
    }
  }
  return count > 0 ? sum / count : Infinity;
}

/**
 * The MASE denominator: mean absolute (seasonal) naive one-step change over the cells before the
 * first origin — the error a naive forecast makes in-sample — or 1 for a flat history.
 */
export function maseScale(values: readonly number[], season: number, end: number): number {
  const lag = Math.max(1, season);
  let sum = 0;
  let count = 0;
  for (let t = lag; t < end; t++) {
    sum += Math.abs(values[t]! - values[t - lag]!);
    count++;
  }
  const scale = count > 0 ? sum / count : 0;
  return scale > 0 && Number.isFinite(scale) ? scale : 1;
}

/** Backtest rows of `model` for `plan`. */
export function runBacktest(model: FittedModel, plan: BacktestPlan): Float64Array[] {
  return model.backtest(plan.origins, plan.horizon);
}
