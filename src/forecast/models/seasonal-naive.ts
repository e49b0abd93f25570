/**
 * Seasonal naive: the forecast repeats the last observed season (with season 0, the last value).
 * Its interval uses the in-sample seasonal-naive errors, widening with the square root of the
 * number of seasons ahead, as a random walk across seasons would.
 */
import { rms } from '../stats.ts';
import { stepsInside, type FittedModel, type ModelSpec } from './model-spec.ts';

/** Seasonal naive (naive last value when the season is 0). */
export const seasonalNaive: ModelSpec = {
  name: 'seasonal-naive',
  minLength: (season) => Math.max(season, 1) + 1,
  applicable: (values) => values.length >= 2,
  fit: fitSeasonalNaive,
};

function fitSeasonalNaive(values: readonly number[], season: number): FittedModel {
  const n = values.length;
  const m = Math.min(Math.max(season, 1), n - 1);
  const diffs: number[] = [];
  for (let t = m; t < n; t++) diffs.push(values[t]! - values[t - m]!);
  const sigma1 = rms(diffs);
  // The level of the last season, for the trend (naive forecasts carry no growth).
  let level = 0;
  for (let t = n - m; t < n; t++) level += values[t]! / m;
  const repeat = (origin: number, h: number): number => values[origin - m + ((h - 1) % m)]!;
  return {
    name: 'seasonal-naive',
    core: {
      point: (h) => repeat(n, h),
      trend: () => level,
      sigma: (h) => sigma1 * Math.sqrt(Math.ceil(h / m)),
      df: Infinity,
    },
    backtest: (origins, horizon) =>
      origins.map((o) => {
        const row = new Float64Array(stepsInside(o, horizon, n));
        for (let h = 1; h <= row.length; h++) row[h - 1] = o >= m ? repeat(o, h) : values[o - 1]!;
        return row;
      }),
  };
}
