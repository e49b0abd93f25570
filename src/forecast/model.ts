/**
 * Turns a fitted model (which speaks in grid steps) into the public `Model` (which speaks in epoch
 * milliseconds): predictions at any future time, interpolated linearly between grid steps, with
 * the calibrated interval at any level; times inside the history return the cleaned value.
 */
import type { CleanedSeries } from './hygiene.ts';
import type { Offsets } from './intervals.ts';
import type { ForecastCore } from './models/model-spec.ts';
import type { Selection } from './select.ts';
import type { Model, Prediction } from './types.ts';

/** Default central interval coverage. */
export const DEFAULT_LEVEL = 0.8;

const cores = new WeakMap<Model, ForecastCore>();

/** The step-based forecasts behind a model made by `fit`, if it was. */
export function coreOf(model: Model): ForecastCore | undefined {
  return cores.get(model);
}

/** Checks an interval level, in (0, 1). */
export function checkLevel(level: number): number {
  if (!(Number.isFinite(level) && level > 0 && level < 1)) {
    throw new RangeError(
      `level must be a coverage between 0 and 1 (e.g. 0.8 for 80 %); got ${level}`,
    );
  }
  return level;
}

/** Builds the public model. */
export function buildModel(
  series: CleanedSeries,
  season: number,
  selection: Selection,
  auto: boolean,
): Model {
  const { start, stepMs, values, report } = series;
  const lastT = start + (values.length - 1) * stepMs;
  const predictAt = predictor(series, selection);
  const model: Model = {
    name: selection.model.name,
    stepMs,
    start,
    lastT,
    seasonLength: season,
    hygiene: report,
    ...(auto ? { selection: selection.scores } : {}),
    predict: (horizon, level = DEFAULT_LEVEL) => {
      if (!(Number.isInteger(horizon) && horizon >= 0)) {
        throw new RangeError(`horizon must be a whole number of steps >= 0; got ${horizon}`);
      }
      const times = Array.from({ length: horizon }, (_, i) => lastT + (i + 1) * stepMs);
      return predictAt(times, level);
    },
    predictAt,
  };
  cores.set(model, selection.model.core);
  return model;
}

type PredictAt = (times: number[], level?: number) => Prediction[];

/** `predictAt` for a fitted model: steps after the last cell, interpolated; history before. */
function predictor(series: CleanedSeries, selection: Selection): PredictAt {
  const { start, stepMs, values } = series;
  const n = values.length;
  const lastT = start + (n - 1) * stepMs;
  const core = selection.model.core;
  const last = values[n - 1]!;
  const nonNegative = series.raw.every((v) => v >= 0);
  const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);
  const atStep = (h: number, offsets: (h: number) => Offsets): Prediction => {
    if (h === 0) return { t: lastT, value: last, lower: last, upper: last };
    const value = finite(core.point(h), last);
    const o = offsets(h);
    return { t: 0, value, lower: value + finite(o.lower, 0), upper: value + finite(o.upper, 0) };
  };
  const history = (t: number): Prediction => {
    const x = Math.max(0, (t - start) / stepMs);
    const i = Math.min(Math.floor(x), n - 1);
    const v = i + 1 < n ? values[i]! + (x - i) * (values[i + 1]! - values[i]!) : values[i]!;
    return { t, value: v, lower: v, upper: v };
  };
  // Offsets per level, calibrated once: a projection asks one level at thousands of times.
  const byLevel = new Map<number, (h: number) => Offsets>();
  const offsetsFor = (level: number): ((h: number) => Offsets) => {
    let offsets = byLevel.get(level);
    if (!offsets) {
      offsets = selection.intervals.forLevel(checkLevel(level));
      byLevel.set(level, offsets);
    }
    return offsets;
  };
  return (times, level = DEFAULT_LEVEL) => {
    const offsets = offsetsFor(level);
    return times.map((t) => {
      if (!Number.isFinite(t)) throw new RangeError(`prediction time must be finite; got ${t}`);
      const exact = (t - lastT) / stepMs;
      // Grid times computed in floating point land a hair off their step; snap them back.
      const k = Math.abs(exact - Math.round(exact)) < 1e-9 ? Math.round(exact) : exact;
      if (k <= 0) return history(t);
      const h0 = Math.floor(k);
      const w = k - h0;
      const a = atStep(h0, offsets);
      const b = w > 0 ? atStep(h0 + 1, offsets) : a;
      // A series that never went below 0 (counts, bytes, utilisation) is not forecast below 0.
      const mix = (x: number, y: number): number => {
        const v = x + w * (y - x);
        return nonNegative ? Math.max(0, v) : v;
      };
      return {
        t,
        value: mix(a.value, b.value),
        lower: mix(a.lower, b.lower),
        upper: mix(a.upper, b.upper),
      };
    });
  };
}
