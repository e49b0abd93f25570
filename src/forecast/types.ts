/**
 * The forecast module's public types: raw points in, a cleaned regular series and a fitted model
 * with calibrated prediction intervals out. Times are epoch milliseconds throughout.
 */

/** A raw observation: time in ms since the epoch, value. */
export interface Point {
  /** Observation time, epoch ms. */
  t: number;
  /** Observed value, in the series' own unit. */
  v: number;
}

/** The forecasting models `fit` knows by name. */
export type ModelName =
  | 'seasonal-naive'
  | 'ols'
  | 'theil-sen'
  | 'holt-damped'
  | 'holt-winters-additive'
  | 'holt-winters-multiplicative';

/** What `regularize` found and repaired in the raw points (counts of points or grid cells). */
export interface HygieneReport {
  /** Points given. */
  input: number;
  /** Points whose timestamp repeated an earlier one (merged by mean), e.g. DST repeats. */
  duplicates: number;
  /** Places where a point's time was earlier than the point before it (input was re-sorted). */
  backwardSteps: number;
  /** Runs of empty grid cells between observations. */
  gaps: number;
  /** Grid cells filled by linear interpolation. */
  filled: number;
  /** Isolated values clipped towards the rolling median for fitting. */
  outliers: number;
  /** Points dropped because their time or value was NaN or infinite. */
  nonFinite: number;
  /** True when the sampling did not match one fixed step and points were averaged into cells. */
  irregular: boolean;
  /** One human-readable sentence per repair, for the CLI and reports. */
  notes: string[];
}

/** A series on a regular grid: `values[i]` is the value at `start + i * stepMs`. */
export interface RegularSeries {
  /** Time of `values[0]`, epoch ms. */
  start: number;
  /** Grid step, in ms. */
  stepMs: number;
  /** Gap-filled, outlier-clipped values (what the models fit). */
  values: number[];
  /** What was repaired. */
  report: HygieneReport;
}

/** Options of `fit`. */
export interface FitOptions {
  /** Model to fit; 'auto' (default) picks by rolling-origin backtest. */
  model?: ModelName | 'auto';
  /** Season length in steps; overrides detection; 0 = no season. */
  seasonLength?: number;
  /** Grid step in ms; default: estimated from the timestamps. */
  stepMs?: number;
  /**
   * Where an automatic fit keeps its model choice for this series (`key`) and finds the one it
   * made before (`choice-memory.ts`); without it every fit chooses afresh.
   */
  memory?: { choices: ModelChoices; key: string };
}

/** A remembered model choice (`choice-memory.ts`). */
export interface ModelChoice {
  /** The winner's models: one, or the members of a mean in the order they were ranked. */
  members: readonly ModelName[];
  /** Season length in steps the choice was made with. */
  season: number;
  /** Every candidate's backtest score when the choice was made, best first. */
  scores: readonly { model: string; score: number }[];
}

/** Where model choices are kept by series key; `ChoiceMemory` is the one headroom uses. */
export interface ModelChoices {
  /**
   * The choice for `key`, when it may still stand for `series`; `chosenAt` is series time, `due`
   * true when it stands only until it can be made again.
   */
  recall(
    key: string,
    series: RegularSeries,
  ): (ModelChoice & { chosenAt: number; due?: boolean }) | undefined;
  /** Keeps the choice just made for `key` on `series`. */
  remember(key: string, series: RegularSeries, choice: ModelChoice): void;
  /** Drops the choice for `key`. */
  forget(key: string): void;
}

/** One forecast point with its central prediction interval (series units). */
export interface Prediction {
  /** Time, epoch ms. */
  t: number;
  /** Point forecast. */
  value: number;
  /** Lower bound of the central interval. */
  lower: number;
  /** Upper bound of the central interval. */
  upper: number;
}

/** A fitted forecasting model. */
export interface Model {
  /** Model name, or `combination(a, b)` for a mean of several models. */
  name: ModelName | string;
  /** Grid step, in ms. */
  stepMs: number;
  /** Time of the first grid cell, epoch ms. */
  start: number;
  /** Time of the last grid cell (the last observation), epoch ms. */
  lastT: number;
  /** Season length in steps, 0 if none. */
  seasonLength: number;
  /** What data hygiene found. */
  hygiene: HygieneReport;
  /** Why this model was chosen (auto): each candidate's backtest score (MASE, lower is better). */
  selection?: { model: string; score: number }[];
  /** The next `horizon` steps after lastT; level is the central interval coverage in (0,1), e.g. 0.8. */
  predict(horizon: number, level?: number): Prediction[];
  /** Predictions at arbitrary future times (ms), e.g. for time-to-threshold. */
  predictAt(times: number[], level?: number): Prediction[];
}
