/**
 * Conservative outlier clipping for fitting. A value is an outlier when it lies more than
 * `OUTLIER_THRESHOLD` robust standard deviations from the rolling median of its neighbours,
 * where the scale is the larger of the local spread and the series-wide spread of residuals
 * (so a calm night does not make every daytime value look extreme). Only short runs
 * (<= `MAX_OUTLIER_RUN` cells) are clipped: a burst that lasts is a real event — a launch, a news
 * spike in tweet counts — and the model should see it. Clipped values are winsorised to the
 * threshold, not replaced by the median, so a spike still pulls the fit a little. And at most
 * `MAX_OUTLIER_SHARE` of the cells are clipped: a series that spikes often (network bytes, tweet
 * counts) is spiky by nature, and its spikes are part of what the forecast must expect.
 */
import { MAD_TO_SIGMA, mean, quantileSorted } from './stats.ts';

/** Distance from the rolling median, in robust standard deviations, beyond which a value is extreme. */
export const OUTLIER_THRESHOLD = 6;

/** Longest run of consecutive extreme cells still treated as outliers, in cells. */
export const MAX_OUTLIER_RUN = 3;

/** Largest share of cells clipped: when more look extreme, only the most extreme runs are. */
export const MAX_OUTLIER_SHARE = 0.01;

/** Half-width of the rolling-median window, in cells. */
const HALF_WINDOW = 12;

/** Values with outliers clipped, and how many were clipped. */
export interface ClipResult {
  /** The values with outliers winsorised (a new array). */
  values: number[];
  /** Cells clipped. */
  clipped: number;
}

/** Clips isolated extreme values among the observed cells of `values` (filled cells never count). */
export function clipOutliers(values: readonly number[], observed: Uint8Array): ClipResult {
  const n = values.length;
  const out = [...values];
  if (n < 2 * HALF_WINDOW + 1) return { values: out, clipped: 0 };
  const { center, spread } = rollingMedianAndSpread(values);
  const residuals = values.map((v, i) => v - center[i]!);
  const absolute = Float64Array.from(residuals, Math.abs).sort();
  // The mean-absolute estimate keeps the scale above zero for series that are mostly constant
  // (e.g. disk writes that are 0 most of the time), whose median deviation is 0.
  const globalScale = Math.max(
    MAD_TO_SIGMA * quantileSorted(absolute, 0.5),
    Math.sqrt(Math.PI / 2) * mean(absolute),
  );
  const limit = (i: number): number =>
    OUTLIER_THRESHOLD * Math.max(spread[i]!, globalScale, 1e-12 * Math.abs(center[i]!));
  const extreme = (i: number): boolean => observed[i] === 1 && Math.abs(residuals[i]!) > limit(i);
  const runs: { from: number; to: number; score: number }[] = [];
  for (let i = 0; i < n;) {
    if (!extreme(i)) {
      i++;
      continue;
    }
    let end = i;
    let score = 0;
    for (; end < n && extreme(end); end++)
      score = Math.max(score, Math.abs(residuals[end]!) / limit(end));
    if (end - i <= MAX_OUTLIER_RUN) runs.push({ from: i, to: end, score });
    i = end;
  }
  runs.sort((a, b) => b.score - a.score || a.from - b.from);
  const budget = Math.max(1, Math.floor(MAX_OUTLIER_SHARE * n));
  let clipped = 0;
  for (const run of runs) {
    if (clipped + run.to - run.from > budget) break;
    for (let k = run.from; k < run.to; k++)
      out[k] = center[k]! + Math.sign(residuals[k]!) * limit(k);
    clipped += run.to - run.from;
  }
  return { values: out, clipped };
}

/** Rolling median and MAD-scaled spread over a centred window (truncated at the ends). */
function rollingMedianAndSpread(values: readonly number[]): {
  center: Float64Array;
  spread: Float64Array;
} {
  const n = values.length;
  const center = new Float64Array(n);
  const spread = new Float64Array(n);
  const window = new Float64Array(2 * HALF_WINDOW + 1);
  for (let i = 0; i < n; i++) {
    const lo = Math.max(0, i - HALF_WINDOW);
    const hi = Math.min(n, i + HALF_WINDOW + 1);
    const w = window.subarray(0, hi - lo);
    for (let k = lo; k < hi; k++) w[k - lo] = values[k]!;
    w.sort();
    const m = quantileSorted(w, 0.5);
    for (let k = 0; k < w.length; k++) w[k] = Math.abs(w[k]! - m);
    w.sort();
    center[i] = m;
    spread[i] = MAD_TO_SIGMA * quantileSorted(w, 0.5);
  }
  return { center, spread };
}
