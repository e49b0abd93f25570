/**
 * `toQuantity`'s rounding of a value to 12 significant digits (`clean` in `units.ts`:
 * `Number(v.toPrecision(12))`), without the string round trip on the common path: about 3×
 * faster, and equal to it for every double, because it only answers where the answer is
 * certain and asks `clean` otherwise.
 *
 * Why it is exact: for |v| = x with 10^e ≤ x < 10^(e+1), toPrecision(12) picks the integer
 * n = round(x · 10^k), k = 11 − e, and the result is the double nearest n / 10^k. Computing
 * m = x · 10^k in floating point (one rounding, 10^k exact for |k| ≤ 22) puts m within 2^-14 of
 * the exact product while m < 2^40, so when m is not within 1e-4 of a half-integer, n is
 * Math.round(m); and n / 10^k (or n · 10^-k), two exact doubles and one correctly rounded
 * operation, is the double nearest n · 10^-k, which is what `Number` reads from the string.
 * Near a half-integer, near a power of ten, or far out of range, `clean` decides.
 */
import { clean } from './units.ts';

/** 10^0 … 10^22: the powers of ten that are exact doubles. */
const POW10 = Array.from({ length: 23 }, (_, i) => Number(`1e${i}`));

/** `clean(v)`: `v` rounded to 12 significant digits (non-finite values and 0 unchanged). */
export function roundTwelve(v: number): number {
  const x = v < 0 ? -v : v;
  if (!(x >= 1e-11 && x < 1e33)) return clean(v);
  const k = 11 - Math.floor(Math.log10(x));
  const m = k >= 0 ? x * POW10[k]! : x / POW10[-k]!;
  const n = Math.round(m);
  if (m < 1e11 + 1 || m > 1e12 - 1 || Math.abs(Math.abs(m - n) - 0.5) < 1e-4) return clean(v);
  const r = k >= 0 ? n / POW10[k]! : n * POW10[-k]!;
  return v < 0 ? -r : r;
}
