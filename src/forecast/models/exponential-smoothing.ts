/**
 * Fits the exponential-smoothing family (see `ets-filter.ts`): smoothing parameters by
 * minimising the in-sample sum of squared one-step errors with a bounded Nelder–Mead, on the
 * last `FIT_WINDOW` cells (or 6 seasons if longer) so fitting time does not grow with history;
 * then the states are run over the whole series. A backtest replays the same recursions with
 * the fitted parameters and forecasts from the state at each origin — one pass for all origins.
 */
import { minimizeInBox } from '../optimize.ts';
import {
  dampedSteps,
  filter,
  forecastFrom,
  initialState,
  varianceFactor,
  type EtsParams,
  type EtsShape,
  type EtsState,
} from './ets-filter.ts';
import { stepsInside, type FittedModel } from './model-spec.ts';

/** Cells the smoothing parameters are fitted on, at least (6 seasons when that is more). */
export const FIT_WINDOW = 3000;

/** Bounds on the trend damping φ for a damped trend (those of R's forecast::ets). */
export const DAMPED_PHI: readonly [number, number] = [0.8, 0.98];

/** Bounds on φ when the data may choose an undamped (linear) trend. */
export const FREE_PHI: readonly [number, number] = [0.8, 1];

const PARAM_FLOOR = 1e-4;

/** Fits an exponential-smoothing model of `shape` to `values` and names it `name`. */
export function fitExponentialSmoothing(
  values: readonly number[],
  shape: EtsShape,
  options: { name: string; phiRange: readonly [number, number] },
): FittedModel {
  const { name } = options;
  const params = fitParams(values, shape, options.phiRange);
  const n = values.length;
  const state = initialState(values, 0, shape);
  const sums = filter(values, { from: 0, to: n }, params, shape, state);
  const dof = Math.max(1, sums.count - (shape.kind === 'none' ? 3 : 4));
  const sigma1 = Math.sqrt(sums.sse / dof);
  const sigmaRelative = Math.sqrt(sums.sseRelative / dof);
  const final = copyState(state);
  const point = (h: number): number => forecastFrom(final, params, shape, n, h);
  return {
    name,
    core: {
      point,
      trend: (h) => final.level + dampedSteps(params.phi, Math.max(0, h)) * final.trend,
      sigma: (h) => {
        const scale = shape.kind === 'multiplicative' ? Math.abs(point(h)) * sigmaRelative : sigma1;
        return scale * Math.sqrt(varianceFactor(params, shape, h));
      },
      df: Infinity,
    },
    backtest: (origins, horizon) => backtest(values, params, shape, origins, horizon),
  };
}

function copyState(s: EtsState): EtsState {
  return { level: s.level, trend: s.trend, seasonal: Float64Array.from(s.seasonal) };
}

/** Minimises the one-step SSE over the fitting window. */
function fitParams(
  values: readonly number[],
  shape: EtsShape,
  phiRange: readonly [number, number],
): EtsParams {
  const n = values.length;
  const from = Math.max(0, n - Math.max(FIT_WINDOW, 6 * shape.m));
  const start = initialState(values, from, shape);
  const seasonal = shape.kind !== 'none';
  const toParams = (x: readonly number[]): EtsParams => ({
    alpha: x[0]!,
    beta: x[1]!,
    phi: x[2]!,
    gamma: seasonal ? x[3]! * (1 - x[0]!) : 0,
  });
  const objective = (x: readonly number[]): number => {
    const state = copyState(start);
    const range = { from, to: n };
    return filter(values, range, toParams(x), shape, state, { strict: true }).sse;
  };
  const lower = [PARAM_FLOOR, PARAM_FLOOR, phiRange[0], 0].slice(0, seasonal ? 4 : 3);
  const upper = [1 - PARAM_FLOOR, 1 - PARAM_FLOOR, phiRange[1], 1].slice(0, seasonal ? 4 : 3);
  const x0 = [0.2, 0.1, Math.min(0.95, phiRange[1]), 0.1].slice(0, seasonal ? 4 : 3);
  let best = minimizeInBox(objective, x0, { lower, upper });
  // One restart from the best point: Nelder–Mead can stall on a collapsed simplex.
  const again = minimizeInBox(objective, best.x, { lower, upper, stepFraction: 0.05 });
  if (again.value < best.value) best = again;
  return toParams(best.x);
}

function backtest(
  values: readonly number[],
  params: EtsParams,
  shape: EtsShape,
  origins: readonly number[],
  horizon: number,
): Float64Array[] {
  const n = values.length;
  const state = initialState(values, 0, shape);
  const rows = new Map<number, Float64Array>();
  const visits = [...new Set(origins)].sort((a, b) => a - b);
  filter(values, { from: 0, to: n }, params, shape, state, {
    visits,
    visit: (t) => {
      const row = new Float64Array(stepsInside(t, horizon, n));
      for (let h = 1; h <= row.length; h++) row[h - 1] = forecastFrom(state, params, shape, t, h);
      rows.set(t, row);
    },
  });
  return origins.map((o) => rows.get(o) ?? new Float64Array(0));
}
