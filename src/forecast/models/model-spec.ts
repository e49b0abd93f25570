/**
 * The contract every forecasting model implements. Models work in grid steps: cell i of the
 * fitted values is step i; `h` counts steps after the last fitted cell. Times are the public
 * API's business (see `../model.ts`).
 */
import type { ModelName } from '../types.ts';

/** Forecasts of a model fitted to cells 0..n-1, for steps after cell n-1. */
export interface ForecastCore {
  /** Point forecast `h` >= 1 steps after the last cell, in series units. */
  point(h: number): number;
  /** The forecast without its seasonal part (level plus trend), `h` >= 0 steps ahead. */
  trend(h: number): number;
  /** Analytical standard deviation of the `h`-step-ahead forecast error, in series units. */
  sigma(h: number): number;
  /** Degrees of freedom of the analytical interval (Infinity: use the normal quantile). */
  df: number;
}

/** A model fitted to one series, able to replay itself for a rolling-origin backtest. */
export interface FittedModel {
  /** Model name, as reported in `Model.name`. */
  name: string;
  /** Forecasts after the last cell. */
  core: ForecastCore;
  /**
   * Point forecasts from each origin: row k, entry h-1 forecasts cell `origins[k] - 1 + h` from
   * cells before `origins[k]` only (re-estimating what is cheap; exponential smoothing keeps its
   * fitted smoothing parameters and replays its states). Rows stop at the last cell.
   */
  backtest(origins: readonly number[], horizon: number): Float64Array[];
}

/** A forecasting model kind: how to fit it and what it needs. */
export interface ModelSpec {
  /** The model's public name. */
  name: ModelName;
  /** Fewest cells the model needs for a season length (in steps, 0 = none). */
  minLength(season: number): number;
  /** Whether the model suits these values and season (e.g. multiplicative needs values > 0). */
  applicable(values: readonly number[], season: number): boolean;
  /** Fits the model to `values` (cells 0..n-1) with season length `season` in steps. */
  fit(values: readonly number[], season: number): FittedModel;
}

/** Number of forecast steps from `origin` that still fall inside `n` cells, at most `horizon`. */
export function stepsInside(origin: number, horizon: number, n: number): number {
  return Math.max(0, Math.min(horizon, n - origin));
}
