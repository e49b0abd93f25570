/**
 * Ordinary least squares line through the whole history — what Prometheus `predict_linear`
 * does — with the textbook prediction interval s·√(1 + 1/n + (x₀ − x̄)²/Sxx) and a Student-t
 * quantile on n − 2 degrees of freedom.
 */
import { lineFit } from '../stats.ts';
import { stepsInside, type FittedModel, type ModelSpec } from './model-spec.ts';

/** Ordinary least squares trend line. */
export const ols: ModelSpec = {
  name: 'ols',
  minLength: () => 2,
  applicable: (values) => values.length >= 2,
  fit: fitOls,
};

function fitOls(values: readonly number[]): FittedModel {
  const n = values.length;
  const { intercept, slope } = lineFit(values);
  let sse = 0;
  for (let i = 0; i < n; i++) sse += (values[i]! - intercept - slope * i) ** 2;
  const s = n > 2 ? Math.sqrt(sse / (n - 2)) : 0;
  const xMean = (n - 1) / 2;
  const sxx = (n * (n * n - 1)) / 12;
  const line = (x: number): number => intercept + slope * x;
  return {
    name: 'ols',
    core: {
      point: (h) => line(n - 1 + h),
      trend: (h) => line(n - 1 + h),
      sigma: (h) => s * Math.sqrt(1 + 1 / n + (n - 1 + h - xMean) ** 2 / sxx),
      df: Math.max(n - 2, 1),
    },
    backtest: (origins, horizon) => backtestOls(values, origins, horizon),
  };
}

/** Refits the line on each prefix in O(1) from running sums. */
function backtestOls(
  values: readonly number[],
  origins: readonly number[],
  horizon: number,
): Float64Array[] {
  const n = values.length;
  const sumY = new Float64Array(n + 1);
  const sumXY = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    sumY[i + 1] = sumY[i]! + values[i]!;
    sumXY[i + 1] = sumXY[i]! + i * values[i]!;
  }
  return origins.map((o) => {
    const row = new Float64Array(stepsInside(o, horizon, n));
    const xMean = (o - 1) / 2;
    const yMean = sumY[o]! / o;
    const sxx = (o * (o * o - 1)) / 12;
    const slope = sxx > 0 ? (sumXY[o]! - xMean * sumY[o]!) / sxx : 0;
    for (let h = 1; h <= row.length; h++) row[h - 1] = yMean + slope * (o - 1 + h - xMean);
    return row;
  });
}
