/**
 * The forecasters the benchmark scores on each split: headroom's automatic choice (called as the
 * CLI calls it, and with the season given), each headroom model by name (season given, as
 * statsmodels gets it), and two baselines written here independently of headroom.
 */
import { fit, type FitOptions, type ModelName, type Point } from '../../src/forecast/index.ts';
import { linearTrendForecast, seasonalNaiveForecast, type Split } from './metrics.ts';

/** One candidate's forecast of one split. */
export interface CandidateForecast {
  /** Point forecasts, one per held-out step (empty on error). */
  values: number[];
  /** Lower bound of the interval at the benchmark's level, if the candidate gives one. */
  lower?: number[];
  /** Upper bound of the interval, if the candidate gives one. */
  upper?: number[];
  /** Model the candidate ended up using (headroom's `Model.name`). */
  chosen?: string;
  /** Why there is no forecast. */
  error?: string;
  /** Points headroom's hygiene changed before fitting (outliers clipped, cells filled, merged). */
  repairs?: number;
}

/** A forecaster scored on every split. */
export interface Candidate {
  /** Column label in the tables. */
  label: string;
  /** Forecasts the split's held-out points from its training part. */
  forecast(split: Split, level: number): CandidateForecast;
}

/** The headroom models fit by name, in the order of the tables. */
export const HEADROOM_MODELS: ModelName[] = [
  'seasonal-naive',
  'ols',
  'theil-sen',
  'holt-damped',
  'holt-winters-additive',
  'holt-winters-multiplicative',
];

/** Label of headroom's automatic choice called with no hints, as `headroom forecast --csv` does. */
export const AUTO = 'auto';
/** Label of headroom's automatic choice told the natural season and step. */
export const AUTO_WITH_SEASON = 'auto (m given)';
/** Label of the seasonal naive written in this harness. */
export const HARNESS_SEASONAL_NAIVE = 'seasonal naive (harness)';
/** Label of the straight-line trend written in this harness. */
export const HARNESS_LINEAR_TREND = 'linear trend (harness)';

/** The training part of a split as headroom points on the split's grid. */
export function trainingPoints(split: Split): Point[] {
  return split.train.map((v, i) => ({ t: split.startMs + i * split.stepMs, v }));
}

/** Fits headroom with `options` and forecasts the split's horizon at `level`. */
export function headroomForecast(
  split: Split,
  level: number,
  options: FitOptions | undefined,
): CandidateForecast {
  try {
    const model = fit(trainingPoints(split), options);
    const predictions = model.predict(split.test.length, level);
    const first = predictions[0];
    // A model that re-anchors the grid must still forecast the held-out steps, not others.
    if (first === undefined || Math.abs(first.t - split.originMs) >= split.stepMs / 2)
      return {
        values: [],
        error: `first forecast at ${first ? new Date(first.t).toISOString() : 'none'}, expected ${new Date(split.originMs).toISOString()}`,
      };
    return {
      values: predictions.map((p) => p.value),
      lower: predictions.map((p) => p.lower),
      upper: predictions.map((p) => p.upper),
      chosen: model.name,
      repairs:
        model.hygiene.outliers +
        model.hygiene.filled +
        model.hygiene.duplicates +
        model.hygiene.nonFinite,
    };
  } catch (err) {
    return { values: [], error: (err as Error).message };
  }
}

/** Every candidate except statsmodels (which runs in its own process). */
export function candidates(): Candidate[] {
  return [
    { label: AUTO, forecast: (split, level) => headroomForecast(split, level, undefined) },
    {
      label: AUTO_WITH_SEASON,
      forecast: (split, level) =>
        headroomForecast(split, level, {
          model: 'auto',
          seasonLength: split.seasonLength,
          stepMs: split.stepMs,
        }),
    },
    ...HEADROOM_MODELS.map((model) => ({
      label: model,
      forecast: (split: Split, level: number) =>
        headroomForecast(split, level, {
          model,
          seasonLength: split.seasonLength,
          stepMs: split.stepMs,
        }),
    })),
    {
      label: HARNESS_SEASONAL_NAIVE,
      forecast: (split) => ({
        values: seasonalNaiveForecast(split.train, split.seasonLength, split.test.length),
      }),
    },
    {
      label: HARNESS_LINEAR_TREND,
      forecast: (split) => ({ values: linearTrendForecast(split.train, split.test.length) }),
    },
  ];
}
