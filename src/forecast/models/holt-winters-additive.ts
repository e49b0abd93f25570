/** Holt–Winters with additive season and a trend whose damping φ is fitted in [0.8, 1] (ETS(A,Ad,A); φ = 1 is undamped). */
import { FREE_PHI, fitExponentialSmoothing } from './exponential-smoothing.ts';
import type { ModelSpec } from './model-spec.ts';

/** Holt–Winters, additive season: the seasonal swing stays the same size as the level moves. */
export const holtWintersAdditive: ModelSpec = {
  name: 'holt-winters-additive',
  minLength: (season) => 2 * season + 2,
  applicable: (values, season) => season >= 2 && values.length >= 2 * season + 2,
  fit: (values, season) =>
    fitExponentialSmoothing(
      values,
      { kind: 'additive', m: season },
      { name: 'holt-winters-additive', phiRange: FREE_PHI },
    ),
};
