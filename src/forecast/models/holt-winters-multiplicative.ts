/** Holt–Winters with multiplicative season and a trend whose damping φ is fitted in [0.8, 1] (ETS(A,Ad,M)); values must be > 0. */
import { FREE_PHI, fitExponentialSmoothing } from './exponential-smoothing.ts';
import { holtWintersAdditive } from './holt-winters-additive.ts';
import type { FittedModel, ModelSpec } from './model-spec.ts';

/** Holt–Winters, multiplicative season: the seasonal swing grows with the level. */
export const holtWintersMultiplicative: ModelSpec = {
  name: 'holt-winters-multiplicative',
  minLength: (season) => 2 * season + 2,
  applicable: (values, season) =>
    season >= 2 && values.length >= 2 * season + 2 && positiveAwayFromZero(values),
  fit: (values, season) => {
    const fitted = fitExponentialSmoothing(
      values,
      { kind: 'multiplicative', m: season },
      { name: 'holt-winters-multiplicative', phiRange: FREE_PHI },
    );
    // Runaway seasonal factors: the additive model, under its own name, instead.
    return runsAway(fitted, values, season) ? holtWintersAdditive.fit(values, season) : fitted;
  },
};

/** True when the forecasts over two seasons leave 10× the history's largest magnitude. */
function runsAway(fitted: FittedModel, values: readonly number[], season: number): boolean {
  let max = 0;
  for (const v of values) max = Math.max(max, Math.abs(v));
  for (let h = 1; h <= 2 * season; h++) {
    const p = fitted.core.point(h);
    if (!Number.isFinite(p) || Math.abs(p) > 10 * max) return true;
  }
  return false;
}

/**
 * Largest max ÷ min a series may span for a multiplicative season. Troughs near zero (a CPU at
 * 0.06 % between spikes to 99 %) let the seasonal factors run away: forecasts of 1e14 were seen
 * on NAB CloudWatch series. Such series take the additive model instead.
 */
export const MAX_MULTIPLICATIVE_RANGE = 1000;

function positiveAwayFromZero(values: readonly number[]): boolean {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (!(v > 0)) return false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max / min <= MAX_MULTIPLICATIVE_RANGE;
}
