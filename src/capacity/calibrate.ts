/**
 * Fitting a resource's load model to what was measured: where both the live usage and the
 * model's inputs (drivers) have history, usage ≈ intercept + slope × model, by least squares —
 * "the model says 4.2 MB per company; measured, it is 3.1 MB" — with how well it fits.
 */

/** How a resource's model is tied to its measured usage. */
export interface Calibration {
  /**
   * `history`: fitted over many points; `latest`: scaled to the one measurement there is;
   * `model`: the model as written (no measurement).
   */
  method: 'history' | 'latest' | 'model';
  /** Usage per unit of model value (1 = the model is right). */
  slope: number;
  /** Usage when the model is zero, in the resource's canonical unit. */
  intercept: number;
  /** Coefficient of determination of the fit (history only). */
  rSquared?: number;
  /** Points the fit used. */
  points: number;
  /** One sentence on how the fit was made (or why it was not used). */
  note: string;
}

/** Least-squares points needed before a history fit is trusted over the latest ratio. */
export const MIN_FIT_POINTS = 10;
/** Below this R² the fit explains too little; the latest ratio is used instead. */
export const MIN_R_SQUARED = 0.5;

/** The model as written, when nothing was measured. */
export const AS_WRITTEN: Calibration = {
  method: 'model',
  slope: 1,
  intercept: 0,
  points: 0,
  note: 'no measured usage: the model as written',
};

/**
 * Calibrates a model against measured usage. `pairs` are (model, usage) at the same times,
 * oldest first; the last pair is "now".
 */
export function calibrate(pairs: readonly { model: number; usage: number }[]): Calibration {
  const usable = pairs.filter((p) => Number.isFinite(p.model) && Number.isFinite(p.usage));
  if (usable.length === 0) return AS_WRITTEN;
  const last = usable[usable.length - 1]!;
  const latest = latestRatio(last, usable.length);
  if (usable.length < MIN_FIT_POINTS) return latest;
  const fit = leastSquares(usable);
  if (!fit) return { ...latest, note: `${latest.note} (the model did not vary in the history)` };
  if (fit.slope <= 0 || fit.rSquared < MIN_R_SQUARED) {
    return {
      ...latest,
      note: `${latest.note}; a fit over ${usable.length} points explained too little (R² ${fit.rSquared.toFixed(2)})`,
    };
  }
  return {
    method: 'history',
    slope: fit.slope,
    intercept: fit.intercept,
    rSquared: fit.rSquared,
    points: usable.length,
    note: `fitted over ${usable.length} points: usage = ${fmt(fit.intercept)} + ${fmt(fit.slope)} × model (R² ${fit.rSquared.toFixed(2)})`,
  };
}

function latestRatio(last: { model: number; usage: number }, n: number): Calibration {
  if (last.model <= 0) {
    return { ...AS_WRITTEN, points: n, note: 'the model is zero now: the model as written' };
  }
  // Nothing measured yet (an empty stream) says nothing about the load per driver unit.
  if (last.usage <= 0) {
    return { ...AS_WRITTEN, points: n, note: 'measured usage is zero: the model as written' };
  }
  const slope = last.usage / last.model;
  return {
    method: 'latest',
    slope,
    intercept: 0,
    points: n,
    note: `scaled to the latest measurement: usage = ${fmt(slope)} × model`,
  };
}

/** Least squares usage = intercept + slope × model; undefined when the model does not vary. */
export function leastSquares(
  pairs: readonly { model: number; usage: number }[],
): { slope: number; intercept: number; rSquared: number } | undefined {
  const n = pairs.length;
  let mx = 0;
  let my = 0;
  for (const p of pairs) {
    mx += p.model / n;
    my += p.usage / n;
  }
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (const p of pairs) {
    sxx += (p.model - mx) ** 2;
    sxy += (p.model - mx) * (p.usage - my);
    syy += (p.usage - my) ** 2;
  }
  if (sxx <= 1e-12 * Math.max(1, mx * mx)) return undefined;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  const rSquared = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { slope, intercept, rSquared };
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
