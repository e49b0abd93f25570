/**
 * Model choice. Fits each candidate, runs the rolling-origin backtest, scores every candidate by
 * MASE (mean absolute error over all origins and steps, divided by the in-sample naive error, so
 * scores compare across series), adds the means of the best 2 and 3 candidates as candidates
 * too, and keeps the lowest score. The winner's backtest errors calibrate its intervals.
 * `keepChoice` fits and backtests only a choice made before (`choice-memory.ts`).
 */
import {
  backtestErrors,
  maseScale,
  meanAbsoluteError,
  planBacktest,
  runBacktest,
  type BacktestPlan,
  type ErrorRows,
} from './backtest.ts';
import type { CleanedSeries } from './hygiene.ts';
import {
  analyticalIntervals,
  empiricalIntervals,
  type ErrorScaling,
  type Intervals,
} from './intervals.ts';
import { combine, meanRows } from './models/combination.ts';
import type { FittedModel, ModelSpec } from './models/model-spec.ts';
import type { ModelChoice, ModelName } from './types.ts';

/** Cells over which the local noise is measured, at least (a season when that is longer). */
const NOISE_WINDOW = 100;

/** Lowest local noise, as a share of the series-wide noise (keeps calm stretches from zero width). */
const NOISE_FLOOR = 0.1;

/** The chosen model, its intervals and why. */
export interface Selection {
  /** The fitted winner. */
  model: FittedModel;
  /** Its prediction intervals. */
  intervals: Intervals;
  /** Every candidate's backtest score (MASE), best first; empty without a backtest. */
  scores: { model: string; score: number }[];
  /** The winner's models (the members of a mean, best first); absent without a backtest. */
  members?: ModelName[];
}

interface Candidate {
  model: FittedModel;
  errors: ErrorRows;
  score: number;
  members: ModelName[];
}

/** Options of `selectModel`. */
export interface SelectOptions {
  /** Candidate models (already filtered to those applicable). */
  specs: readonly ModelSpec[];
  /** Season length in steps (0 = none). */
  season: number;
  /** Offer means of the best candidates (automatic choice). */
  combinations: boolean;
  /** Model to use when the history is too short for a backtest (first candidate if absent). */
  fallback: string;
}

/** Fits the candidates to `series` and picks the best by backtest. */
export function selectModel(series: CleanedSeries, options: SelectOptions): Selection {
  const { values } = series;
  const { specs, season } = options;
  const fitted = specs.map((spec) => spec.fit(values, season));
  const plan = backtestPlan(series, options);
  if (!plan) {
    const model = fitted.find((m) => m.name === options.fallback) ?? fitted[0]!;
    return { model, intervals: analyticalIntervals(model.core), scores: [] };
  }
  const scale = maseScale(values, season, plan.origins[0]!);
  const rows = fitted.map((m) => runBacktest(m, plan));
  const candidates: Candidate[] = fitted.map((model, i) => {
    const errors = backtestErrors(rows[i]!, plan, series);
    return { model, errors, score: meanAbsoluteError(errors) / scale, members: [specs[i]!.name] };
  });
  if (options.combinations) {
    const ranked = candidates.map((c, i) => ({ c, i })).sort((a, b) => a.c.score - b.c.score);
    for (const size of [2, 3]) {
      if (ranked.length < size) continue;
      const members = ranked.slice(0, size);
      const errors = backtestErrors(meanRows(members.map((m) => rows[m.i]!)), plan, series);
      const model = combine(members.map((m) => m.c.model));
      const names = members.flatMap((m) => m.c.members);
      candidates.push({ model, errors, score: meanAbsoluteError(errors) / scale, members: names });
    }
  }
  candidates.sort((a, b) => a.score - b.score);
  const best = candidates[0]!;
  return {
    model: best.model,
    intervals: intervalsOf(series, plan, season, best),
    scores: candidates.map((c) => ({ model: c.model.name, score: c.score })),
    members: best.members,
  };
}

/**
 * A choice made before (`choice`), fitted to `series` as it is now: only its models are fitted
 * and backtested (the backtest calibrates its intervals); the scores are those of the choice.
 * Undefined when the series is now too short for a backtest, or a model of the choice is not
 * among `options.specs` (it no longer suits the series): then the choice is to be made again.
 */
export function keepChoice(
  series: CleanedSeries,
  options: SelectOptions,
  choice: ModelChoice,
): Selection | undefined {
  const specs = choice.members.map((name) => options.specs.find((s) => s.name === name));
  if (specs.length === 0 || specs.some((s) => s === undefined)) return undefined;
  const plan = backtestPlan(series, options);
  if (!plan) return undefined;
  const { season } = options;
  const fitted = (specs as ModelSpec[]).map((spec) => spec.fit(series.values, season));
  const model = fitted.length === 1 ? fitted[0]! : combine(fitted);
  const rows = fitted.map((m) => runBacktest(m, plan));
  const errors = backtestErrors(rows.length === 1 ? rows[0]! : meanRows(rows), plan, series);
  return {
    model,
    intervals: intervalsOf(series, plan, season, { model, errors }),
    scores: choice.scores.map((s) => ({ ...s })),
    members: [...choice.members],
  };
}

/** The backtest every candidate of `options.specs` is judged by (undefined: too short). */
function backtestPlan(series: CleanedSeries, options: SelectOptions): BacktestPlan | undefined {
  const n = series.values.length;
  const { specs, season } = options;
  const minTrain = Math.max(...specs.map((s) => s.minLength(season)), Math.ceil(n / 4));
  return planBacktest(n, season, minTrain);
}

/** The winner's intervals: from its backtest errors, scaled by the local noise. */
function intervalsOf(
  series: CleanedSeries,
  plan: BacktestPlan,
  season: number,
  best: Pick<Candidate, 'model' | 'errors'>,
): Intervals {
  const scaling = noiseScaling(series.values, plan, season);
  return (
    empiricalIntervals(best.errors, best.model.core, scaling) ??
    analyticalIntervals(best.model.core)
  );
}

/**
 * Scales backtest errors by the square root of the local noise — the mean absolute one-step
 * change over the last `NOISE_WINDOW` cells (or a season, if longer) — at each origin, so the
 * interval widens after a volatile stretch and narrows after a calm one (volatility clusters in
 * real metrics). The square root only half-trusts the local estimate: across NAB, NASA and
 * Wikipedia series it gave the steadiest coverage per series. Undefined for a flat series.
 */
function noiseScaling(
  values: readonly number[],
  plan: BacktestPlan,
  season: number,
): ErrorScaling | undefined {
  const n = values.length;
  const window = Math.max(season, NOISE_WINDOW);
  const prefix = new Float64Array(n + 1);
  for (let i = 1; i < n; i++) prefix[i + 1] = prefix[i]! + Math.abs(values[i]! - values[i - 1]!);
  const overall = prefix[n]! / Math.max(1, n - 1);
  if (!(overall > 0) || !Number.isFinite(overall)) return undefined;
  const noise = (end: number): number => {
    const start = Math.max(1, end - window);
    const local = end > start ? (prefix[end]! - prefix[start]!) / (end - start) : overall;
    return Math.sqrt(Math.max(local, NOISE_FLOOR * overall));
  };
  return { atOrigin: plan.origins.map(noise), now: noise(n) };
}
