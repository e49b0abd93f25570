/**
 * Season length detection. Calendar periods first — a day and a week, in steps — each scored by
 * the autocorrelation at that lag of the series minus its moving average over one period (which
 * removes trend and anything slower than the period). Fine-grained series are first averaged
 * into blocks of about an hour (1/24 of a day) so sampling noise — Poisson noise in 5-minute
 * counts, say — does not hide a clear daily cycle. A period needs at least 2 full cycles of
 * history, a higher bar with fewer than 3, and an autocorrelation well above what noise gives
 * with that many pairs (3/√pairs). If neither qualifies, a general search looks for a clear
 * autocorrelation peak (with a dip before it, so a slowly wandering series does not count).
 * A false positive costs little: the backtest still has to prefer a seasonal model.
 */

/** Autocorrelation a seasonal lag must exceed with 3 or more cycles of history. */
export const SEASON_ACF_THRESHOLD = 0.2;

/** Autocorrelation a seasonal lag must exceed with only 2 cycles of history. */
const TWO_CYCLE_THRESHOLD = 0.35;

/** How much better a week must score than a day to be preferred (a week repeats the day too). */
const WEEKLY_MARGIN = 0.1;

/** Longest lag the general peak search looks at, in steps. */
const MAX_SEARCH_LAG = 1000;

const DAY_MS = 86_400_000;

/** The detected season length in steps, or 0 when the series shows no clear season. */
export function detectSeason(values: readonly number[], stepMs: number): number {
  const n = values.length;
  const daily = Math.round(DAY_MS / stepMs);
  const block = blockSize(daily);
  const blocks = blockMeans(values, block);
  const candidates = [daily, 7 * daily].filter((lag) => lag >= 2 && n >= 2 * lag);
  const scored = candidates
    .map((lag) => {
      const acf = seasonalAcf(blocks, lag / block);
      const pairs = blocks.length - lag / block;
      const bar = n / lag >= 3 ? SEASON_ACF_THRESHOLD : TWO_CYCLE_THRESHOLD;
      return { lag, acf, bar: Math.max(bar, 3 / Math.sqrt(Math.max(pairs, 1))) };
    })
    .filter((c) => c.acf > c.bar);
  const day = scored.find((c) => c.lag === daily);
  const week = scored.find((c) => c.lag === 7 * daily);
  if (week && (!day || week.acf > day.acf + WEEKLY_MARGIN)) return week.lag;
  if (day) return day.lag;
  return searchAcfPeak(values);
}

/** The largest divisor of a day's steps that is at most 1/24 of them (1 for coarse steps). */
function blockSize(daily: number): number {
  for (let b = Math.floor(daily / 24); b > 1; b--) if (daily % b === 0) return b;
  return 1;
}

/** Means of consecutive blocks of `size` cells (a trailing partial block is dropped). */
function blockMeans(values: readonly number[], size: number): number[] {
  if (size <= 1) return [...values];
  const out: number[] = [];
  for (let i = 0; i + size <= values.length; i += size) {
    let sum = 0;
    for (let k = i; k < i + size; k++) sum += values[k]!;
    out.push(sum / size);
  }
  return out;
}

/** Autocorrelation at `lag` of `values` minus their centred moving average over `lag` steps. */
export function seasonalAcf(values: readonly number[], lag: number): number {
  const n = values.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + values[i]!;
  const half = Math.floor(lag / 2);
  const residual: number[] = [];
  for (let i = half; i + lag - half <= n; i++) {
    residual.push(values[i]! - (prefix[i - half + lag]! - prefix[i - half]!) / lag);
  }
  return autocorrelation(residual, lag);
}

/** Sample autocorrelation of `xs` at `lag` (0 when undefined, e.g. a constant series). */
export function autocorrelation(xs: readonly number[], lag: number): number {
  const n = xs.length;
  if (lag >= n) return 0;
  let mean = 0;
  for (const x of xs) mean += x;
  mean /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const d = xs[i]! - mean;
    den += d * d;
    if (i + lag < n) num += d * (xs[i + lag]! - mean);
  }
  return den > 0 ? num / den : 0;
}

/** The lag of the highest clear ACF peak of the linearly detrended series, or 0. */
function searchAcfPeak(values: readonly number[]): number {
  const n = values.length;
  const maxLag = Math.min(Math.floor(n / 3), MAX_SEARCH_LAG);
  if (maxLag < 4) return 0;
  const detrended = detrend(values);
  const acf = [1];
  for (let lag = 1; lag <= maxLag + 1; lag++) acf.push(autocorrelation(detrended, lag));
  const peaks: { lag: number; acf: number }[] = [];
  let dip = 1;
  for (let lag = 2; lag <= maxLag; lag++) {
    dip = Math.min(dip, acf[lag - 1]!);
    const peak = acf[lag]! >= acf[lag - 1]! && acf[lag]! >= acf[lag + 1]!;
    if (peak && acf[lag]! > 0.4 && acf[lag]! - dip >= 0.3) peaks.push({ lag, acf: acf[lag]! });
  }
  // Multiples of a period peak too, often about as high: take the first near the highest.
  const highest = Math.max(0, ...peaks.map((p) => p.acf));
  return peaks.find((p) => p.acf >= highest - 0.1)?.lag ?? 0;
}

function detrend(values: readonly number[]): number[] {
  const n = values.length;
  const xMean = (n - 1) / 2;
  let yMean = 0;
  for (const v of values) yMean += v;
  yMean /= n;
  let sxy = 0;
  let sxx = 0;
  values.forEach((v, i) => {
    sxy += (i - xMean) * (v - yMean);
    sxx += (i - xMean) ** 2;
  });
  const slope = sxx > 0 ? sxy / sxx : 0;
  return values.map((v, i) => v - yMean - slope * (i - xMean));
}
