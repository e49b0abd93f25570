/**
 * Theil–Sen robust trend: the slope is the median of pairwise slopes, the intercept the median of
 * what the slope leaves. Short series use every pair; long ones a deterministic set of pairs
 * (i, i + d) over a spread of separations d between n/8 and 7n/8, capped at `MAX_PAIRS`, so a fit
 * costs O(K log K) however long the series. The interval is the OLS formula with a robust
 * (MAD-scaled) residual spread.
 */
import { madSigma, medianInPlace } from '../stats.ts';
import { stepsInside, type FittedModel, type ModelSpec } from './model-spec.ts';

/** Most pairwise slopes one fit looks at. */
export const MAX_PAIRS = 5000;

/** Series up to this many cells use every pair. */
const ALL_PAIRS_BELOW = 100;

/** Separations used for long series. */
const SEPARATIONS = 8;

/** Theil–Sen robust trend line. */
export const theilSen: ModelSpec = {
  name: 'theil-sen',
  minLength: () => 3,
  applicable: (values) => values.length >= 3,
  fit: fitTheilSen,
};

/** Median slope and intercept of `values[0..n)` (cells as x). */
export function theilSenLine(
  values: readonly number[],
  n = values.length,
): { intercept: number; slope: number } {
  const slopes = pairSlopes(values, n);
  const slope = slopes.length > 0 ? medianInPlace(slopes) : 0;
  // The slopes are done with: their buffer holds what the slope leaves (a backtest fits 60
  // lines in a row, and fresh arrays each time were most of its cost).
  const rest = scratchOf(n);
  for (let i = 0; i < n; i++) rest[i] = values[i]! - slope * i;
  return { intercept: medianInPlace(rest), slope };
}

let scratch = new Float64Array(0);

/** A view of `size` cells of a buffer shared by the fits of this thread, whatever it held. */
function scratchOf(size: number): Float64Array {
  if (scratch.length < size) scratch = new Float64Array(Math.max(size, 2 * scratch.length));
  return scratch.subarray(0, size);
}

/** The pairwise slopes of one fit, in the order a fit takes them (in the shared buffer). */
function pairSlopes(values: readonly number[], n: number): Float64Array {
  if (n <= ALL_PAIRS_BELOW) {
    const out = scratchOf((n * (n - 1)) / 2);
    let count = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) out[count++] = (values[j]! - values[i]!) / (j - i);
    return out;
  }
  const perSeparation = Math.ceil(MAX_PAIRS / SEPARATIONS);
  // A separation gives at most all its pairs, and fewer than 2 × perSeparation (by its stride).
  const out = scratchOf(SEPARATIONS * Math.min(n, 2 * perSeparation));
  let count = 0;
  for (let k = 0; k < SEPARATIONS; k++) {
    const d = Math.round((n * (1 + (6 * k) / (SEPARATIONS - 1))) / 8);
    const pairs = n - d;
    const stride = Math.max(1, Math.floor(pairs / perSeparation));
    for (let i = 0; i < pairs; i += stride) out[count++] = (values[i + d]! - values[i]!) / d;
  }
  return out.subarray(0, count);
}

function fitTheilSen(values: readonly number[]): FittedModel {
  const n = values.length;
  const { intercept, slope } = theilSenLine(values);
  const residuals = values.map((v, i) => v - intercept - slope * i);
  const s = madSigma(residuals, 0);
  const xMean = (n - 1) / 2;
  const sxx = (n * (n * n - 1)) / 12;
  const line = (x: number): number => intercept + slope * x;
  return {
    name: 'theil-sen',
    core: {
      point: (h) => line(n - 1 + h),
      trend: (h) => line(n - 1 + h),
      sigma: (h) => s * Math.sqrt(1 + 1 / n + (n - 1 + h - xMean) ** 2 / sxx),
      df: Math.max(n - 2, 1),
    },
    backtest: (origins, horizon) =>
      origins.map((o) => {
        const row = new Float64Array(stepsInside(o, horizon, n));
        const fit = o >= 2 ? theilSenLine(values, o) : { intercept: values[0]!, slope: 0 };
        for (let h = 1; h <= row.length; h++) row[h - 1] = fit.intercept + fit.slope * (o - 1 + h);
        return row;
      }),
  };
}
