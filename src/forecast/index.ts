/**
 * The forecast module's public surface: clean raw points onto a grid, fit a forecasting model
 * (chosen automatically by backtest, with calibrated intervals), and ask it when a threshold is
 * crossed or how fast the trend grows. Pure: no I/O, no clock; times are epoch milliseconds.
 */
export type {
  FitOptions,
  HygieneReport,
  Model,
  ModelName,
  Point,
  Prediction,
  RegularSeries,
} from './types.ts';
export { regularize } from './hygiene.ts';
export { fit } from './fit.ts';
export { ChoiceMemory } from './choice-memory.ts';
export { timeToThreshold } from './threshold.ts';
export type { ThresholdCrossing, ThresholdOptions } from './threshold.ts';
export { growthPerWeek } from './growth.ts';
export { MODEL_NAMES } from './models/index.ts';
export { detectSeason } from './season.ts';
