/**
 * When a quantity that moves with time first reaches a target: a coarse scan over the horizon,
 * then bisection inside the bracket. Used for drivers reaching a tier bound and resources
 * reaching a threshold.
 */

/** Scan steps across the horizon before bisecting. */
const SCAN_STEPS = 96;
/** Bisection stops when the bracket is this narrow, ms (one minute). */
const PRECISION_MS = 60_000;

/**
 * The first time in `[from, from + horizonMs]` at which `f(t) >= target`, or undefined.
 * `f` returning undefined counts as not reached. At `from` itself, returns `from`.
 */
export function firstCrossing(
  f: (t: number) => number | undefined,
  target: number,
  from: number,
  horizonMs: number,
): number | undefined {
  const reached = (t: number): boolean => {
    const v = f(t);
    return v !== undefined && v >= target;
  };
  if (reached(from)) return from;
  const step = horizonMs / SCAN_STEPS;
  let lo = from;
  for (let i = 1; i <= SCAN_STEPS; i++) {
    const hi = from + i * step;
    if (reached(hi)) return bisect(reached, lo, hi);
    lo = hi;
  }
  return undefined;
}

function bisect(reached: (t: number) => boolean, lo: number, hi: number): number {
  while (hi - lo > PRECISION_MS) {
    const mid = (lo + hi) / 2;
    if (reached(mid)) hi = mid;
    else lo = mid;
  }
  return Math.round(hi);
}

/**
 * `f` remembering its values by time: the crossings of several thresholds of one quantity scan
 * the same times, so each time is evaluated once.
 */
export function memoizedInTime(
  f: (t: number) => number | undefined,
): (t: number) => number | undefined {
  const values = new Map<number, number | undefined>();
  return (t) => {
    if (values.has(t)) return values.get(t);
    const v = f(t);
    values.set(t, v);
    return v;
  };
}
