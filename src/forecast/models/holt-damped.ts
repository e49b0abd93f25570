/** Holt's linear method with a damped trend, no season (ETS(A,Ad,N)). */
import { DAMPED_PHI, fitExponentialSmoothing } from './exponential-smoothing.ts';
import type { ModelSpec } from './model-spec.ts';

/** Holt's damped-trend exponential smoothing. */
export const holtDamped: ModelSpec = {
  name: 'holt-damped',
  minLength: () => 4,
  applicable: (values) => values.length >= 4,
  fit: (values) =>
    fitExponentialSmoothing(
      values,
      { kind: 'none', m: 0 },
      { name: 'holt-damped', phiRange: DAMPED_PHI },
    ),
};
