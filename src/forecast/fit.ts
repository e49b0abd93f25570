/**
 * `fit`: cleans the points, finds the season, fits the requested model (or every candidate and
 * picks by backtest) and returns a `Model` with calibrated intervals. Given a memory
 * (`choice-memory.ts`), an automatic fit keeps the choice it made for the same key before.
 */
import { cleanSeries, type CleanedSeries } from './hygiene.ts';
import { buildModel } from './model.ts';
import { FALLBACK, MODEL_NAMES, MODELS } from './models/index.ts';
import type { ModelSpec } from './models/model-spec.ts';
import { detectSeason } from './season.ts';
import { keepChoice, selectModel, type Selection } from './select.ts';
import type { FitOptions, Model, ModelName, Point } from './types.ts';

/** Fits a forecasting model to raw points; the default model is 'auto'. */
export function fit(points: Point[], options: FitOptions = {}): Model {
  const requested = options.model ?? 'auto';
  if (requested !== 'auto' && !MODEL_NAMES.includes(requested)) {
    throw new Error(
      `unknown forecast model "${String(requested)}"; choose auto, ${MODEL_NAMES.join(', ')}`,
    );
  }
  const series = cleanSeries(points, { stepMs: options.stepMs });
  const auto = requested === 'auto';
  const memory = auto ? options.memory : undefined;
  const kept = memory?.choices.recall(memory.key, series);
  const season =
    kept && (options.seasonLength ?? kept.season) === kept.season
      ? kept.season
      : chooseSeason(series, options.seasonLength);
  const specs = auto
    ? MODEL_NAMES.map((name) => MODELS[name]).filter((s) => s.applicable(series.values, season))
    : [usableSpec(requested, series, season)];
  const select = { specs, season, combinations: auto, fallback: 'ols' };
  let selection: Selection | undefined =
    kept && kept.season === season ? keepChoice(series, select, kept) : undefined;
  if (kept && selection) {
    series.report.notes.push(
      `kept ${selection.model.name}, chosen by backtest on the history up to ${new Date(kept.chosenAt).toISOString()}${kept.due ? ' (due to be chosen again)' : ''}`,
    );
  }
  if (!selection) {
    selection = selectModel(series, select);
    if (memory && selection.members) {
      memory.choices.remember(memory.key, series, {
        members: selection.members,
        season,
        scores: selection.scores,
      });
    } else if (memory) memory.choices.forget(memory.key);
  }
  if (auto && selection.scores.length === 0) {
    series.report.notes.push(
      `too little history (${series.values.length} steps) to compare models; used ${selection.model.name}`,
    );
  }
  return buildModel(series, season, selection, auto);
}

function chooseSeason(series: CleanedSeries, given: number | undefined): number {
  if (given === undefined) return detectSeason(series.values, series.stepMs);
  if (!(Number.isInteger(given) && given >= 0)) {
    throw new Error(`seasonLength must be a whole number of steps >= 0 (0 = none); got ${given}`);
  }
  return given;
}

/** The requested model, or the nearest simpler one that suits the series (noted in hygiene). */
function usableSpec(name: ModelName, series: CleanedSeries, season: number): ModelSpec {
  let current = name;
  while (!MODELS[current].applicable(series.values, season) && FALLBACK[current] !== current) {
    current = FALLBACK[current];
  }
  if (current !== name) {
    series.report.notes.push(
      `${name} does not suit this series (${requirement(name)}); used ${current} instead`,
    );
  }
  return MODELS[current];
}

function requirement(name: ModelName): string {
  if (name === 'holt-winters-multiplicative') {
    return 'it needs a season, 2 full seasons of history and values > 0';
  }
  if (name === 'holt-winters-additive') return 'it needs a season and 2 full seasons of history';
  if (name === 'holt-damped') return 'it needs at least 4 points';
  return 'it needs at least 3 points';
}
