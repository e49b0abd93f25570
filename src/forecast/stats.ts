/**
 * Small numeric helpers shared by the forecast models: robust location and scale, sample
 * quantiles, and normal / Student-t quantiles for analytical prediction intervals.
 */

/** Factor turning a median absolute deviation into a normal-consistent standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

/** Arithmetic mean of `xs` (0 for an empty list). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]!;
  return sum / xs.length;
}

/** Sample quantile `q` in [0, 1] of an ascending array, interpolated linearly (R type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const pos = Math.min(Math.max(q, 0), 1) * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Ascending copy of `xs` as a typed array. */
export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/** Median of `xs` (0 for an empty list); does not modify `xs`. */
export function median(xs: ArrayLike<number>): number {
  return quantileSorted(sortedCopy(xs), 0.5);
}

/**
 * `quantileSorted(xs.sort(), 0.5)` without sorting: the two middle values found by selection
 * (Hoare's quickselect, median-of-three pivots), in O(n) rather than O(n log n). It reorders
 * `xs`. NaN sorts last, as in the typed-array sort, so it returns the same number, NaN
 * included; -0 and +0 may trade places, which the interpolation cannot tell apart (it adds a
 * zero term, and -0 + 0 is +0).
 */
export function medianInPlace(xs: Float64Array): number {
  const n = xs.length;
  if (n === 0) return 0;
  // NaN to the end first, so that selection compares plain numbers over the rest.
  let numbers = 0;
  for (let i = 0; i < n; i++) if (xs[i] === xs[i]) swap(xs, i, numbers++);
  const lo = Math.floor(0.5 * (n - 1));
  if (lo >= numbers) return NaN;
  select(xs, lo, 0, numbers - 1);
  // The next value in order is the least of those after `lo` (they are all >= it), NaN when
  // only NaN follows.
  let hi = xs[lo]!;
  if (lo + 1 < n) {
    hi = xs[lo + 1]!;
    for (let i = lo + 2; i < numbers; i++) if (xs[i]! < hi) hi = xs[i]!;
  }
  const pos = 0.5 * (n - 1);
  return xs[lo]! + (pos - lo) * (hi - xs[lo]!);
}

/** Reorders `xs[left..right]` (no NaN) so that `xs[k]` holds what a sort would put there. */
function select(xs: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    // Median of three as the pivot, moved to `left`.
    const mid = (left + right) >> 1;
    if (xs[mid]! < xs[left]!) swap(xs, mid, left);
    if (xs[right]! < xs[left]!) swap(xs, right, left);
    if (xs[right]! < xs[mid]!) swap(xs, right, mid);
    swap(xs, left, mid);
    const pivot = xs[left]!;
    let i = left;
    let j = right + 1;
    for (;;) {
      do i++;
      while (i <= right && xs[i]! < pivot);
      do j--;
      while (pivot < xs[j]!);
      if (i >= j) break;
      swap(xs, i, j);
    }
    swap(xs, left, j);
    if (j === k) return;
    if (j < k) left = j + 1;
    else right = j - 1;
  }
}

function swap(xs: Float64Array, i: number, j: number): void {
  const t = xs[i]!;
  xs[i] = xs[j]!;
  xs[j] = t;
}

/** Median absolute deviation from `center`, scaled to a normal standard deviation. */
export function madSigma(xs: ArrayLike<number>, center = median(xs)): number {
  const dev = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) dev[i] = Math.abs(xs[i]! - center);
  return MAD_TO_SIGMA * median(dev);
}

/** Root mean square of `xs` (0 for an empty list). */
export function rms(xs: ArrayLike<number>): number {
  if (xs.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) sum += xs[i]! * xs[i]!;
  return Math.sqrt(sum / xs.length);
}

/** Quantile of the standard normal distribution at probability p in (0, 1) (Acklam, |ε| < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269];
  const a2 = [-30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972];
  const b2 = -13.28068155288572;
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734];
  const c2 = [4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number): number =>
    (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c2[0]!) * q + c2[1]!) /
    ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5;
  const r = q * q;
  const num = ((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a2[0]!) * r + a2[1]!;
  const den = ((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b2) * r + 1;
  return (q * num) / den;
}

/**
 * Quantile of Student's t with `df` degrees of freedom at probability p, by the Cornish–Fisher
 * expansion around the normal quantile (within 1 % for df >= 3; df = Infinity gives the normal).
 */
export function studentQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  if (!Number.isFinite(df)) return z;
  const v = Math.max(df, 1);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * v) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v ** 3)
  );
}

/** `x` limited to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(Math.max(x, lo), hi);
}

/** Ordinary least squares line through (i, ys[i]) for i = 0..n-1: value = intercept + slope·i. */
export function lineFit(ys: ArrayLike<number>): { intercept: number; slope: number } {
  const n = ys.length;
  if (n < 2) return { intercept: n === 1 ? ys[0]! : 0, slope: 0 };
  const xMean = (n - 1) / 2;
  const yMean = mean(ys);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (i - xMean) * (ys[i]! - yMean);
    sxx += (i - xMean) ** 2;
  }
  const slope = sxy / sxx;
  return { intercept: yMean - slope * xMean, slope };
}
