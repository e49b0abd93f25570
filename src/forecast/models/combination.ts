/**
 * A forecast combination: the mean of several fitted models' point forecasts. Averaging models
 * that err differently often beats each of them (the M4 competition's lesson), so the automatic
 * choice offers the mean of its best few candidates as one more candidate.
 */
import type { FittedModel } from './model-spec.ts';

/** Name of the combination of `models`, e.g. `combination(holt-damped, ols)`. */
export function combinationName(models: readonly FittedModel[]): string {
  return `combination(${models.map((m) => m.name).join(', ')})`;
}

/** Row-by-row mean of the models' backtest rows (rows and lengths match across models). */
export function meanRows(rowsByModel: readonly Float64Array[][]): Float64Array[] {
  const first = rowsByModel[0] ?? [];
  return first.map((row, k) => {
    const out = new Float64Array(row.length);
    for (const rows of rowsByModel) {
      const r = rows[k]!;
      for (let h = 0; h < out.length; h++) out[h]! += r[h]! / rowsByModel.length;
    }
    return out;
  });
}

/** The mean of `models`; its analytical spread is the mean of theirs (errors correlate). */
export function combine(models: readonly FittedModel[]): FittedModel {
  const avg = (f: (m: FittedModel) => number): number =>
    models.reduce((sum, m) => sum + f(m), 0) / models.length;
  return {
    name: combinationName(models),
    core: {
      point: (h) => avg((m) => m.core.point(h)),
      trend: (h) => avg((m) => m.core.trend(h)),
      sigma: (h) => avg((m) => m.core.sigma(h)),
      df: Math.min(...models.map((m) => m.core.df)),
    },
    backtest: (origins, horizon) => meanRows(models.map((m) => m.backtest(origins, horizon))),
  };
}
