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

/** Predictions at many times as three columns: what `predictAt` gives, without an object each. */
export interface PredictionColumns {
  value: Float64Array;
  lower: Float64Array;
  upper: Float64Array;
}

type PredictColumns = (times: ArrayLike<number>, level: number) => PredictionColumns;

const columnPredictors = new WeakMap<Model, PredictColumns>();

/**
 * `model.predictAt(times, level)` as columns: a threshold scan asks for tens of thousands of
 * times per model. Any `Model` works; one made by `fit` skips the objects altogether.
 */
export function predictColumns(
  model: Model,
  times: ArrayLike<number>,
  level: number,
): PredictionColumns {
  const direct = columnPredictors.get(model);
  if (direct) return direct(times, level);
  const predictions = model.predictAt(Array.from(times), level);
  return {
    value: Float64Array.from(predictions, (p) => p.value),
    lower: Float64Array.from(predictions, (p) => p.lower),
    upper: Float64Array.from(predictions, (p) => p.upper),
  };
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
  const { offsetsFor, at } = pointPredictor(series, selection);
  const slot: Slot = { value: 0, lower: 0, upper: 0 };
  const predictAt: PredictAt = (times, level = DEFAULT_LEVEL) => {
    const offsets = offsetsFor(level);
    return times.map((t) => {
      at(t, offsets, slot);
      return { t, value: slot.value, lower: slot.lower, upper: slot.upper };
    });
  };
  const columns: PredictColumns = (times, level) => {
    const offsets = offsetsFor(level);
    const m = times.length;
    const out = {
      value: new Float64Array(m),
      lower: new Float64Array(m),
      upper: new Float64Array(m),
    };
    for (let j = 0; j < m; j++) {
      at(times[j]!, offsets, slot);
      out.value[j] = slot.value;
      out.lower[j] = slot.lower;
      out.upper[j] = slot.upper;
    }
    return out;
  };
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
  columnPredictors.set(model, columns);
  return model;
}

type PredictAt = (times: number[], level?: number) => Prediction[];

/** One prediction's three numbers, written in place (no object per time). */
interface Slot {
  value: number;
  lower: number;
  upper: number;
}

/**
 * A fitted model's predictions: `offsetsFor(level)` once per call, then `at(t, offsets, slot)`
 * per time — steps after the last cell, interpolated between steps; the cleaned history
 * (interpolated) before it.
 */
function pointPredictor(series: CleanedSeries, selection: Selection) {
  const { start, stepMs, values } = series;
  const n = values.length;
  const lastT = start + (n - 1) * stepMs;
  const core = selection.model.core;
  const last = values[n - 1]!;
  const nonNegative = series.raw.every((v) => v >= 0);
  const finite = (x: number, fallback: number): number => (Number.isFinite(x) ? x : fallback);
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
  // A series that never went below 0 (counts, bytes, utilisation) is not forecast below 0.
  const floor = (v: number): number => (nonNegative ? Math.max(0, v) : v);
  /** The forecast at step h (h = 0: the last value), into `slot`. */
  const atStep = (h: number, offsets: (h: number) => Offsets, slot: Slot): void => {
    if (h === 0) {
      slot.value = slot.lower = slot.upper = last;
      return;
    }
    const value = finite(core.point(h), last);
    const o = offsets(h);
    slot.value = value;
    slot.lower = value + finite(o.lower, 0);
    slot.upper = value + finite(o.upper, 0);
  };
  const at = (t: number, offsets: (h: number) => Offsets, slot: Slot): void => {
    if (!Number.isFinite(t)) throw new RangeError(`prediction time must be finite; got ${t}`);
    const exact = (t - lastT) / stepMs;
    // Grid times computed in floating point land a hair off their step; snap them back.
    const k = Math.abs(exact - Math.round(exact)) < 1e-9 ? Math.round(exact) : exact;
    if (k <= 0) {
      const x = Math.max(0, (t - start) / stepMs);
      const i = Math.min(Math.floor(x), n - 1);
      const v = i + 1 < n ? values[i]! + (x - i) * (values[i + 1]! - values[i]!) : values[i]!;
      slot.value = slot.lower = slot.upper = v;
      return;
    }
    const h0 = Math.floor(k);
    const w = k - h0;
    atStep(h0, offsets, slot);
    const av = slot.value;
    const al = slot.lower;
    const au = slot.upper;
    if (w > 0) atStep(h0 + 1, offsets, slot);
    slot.value = floor(av + w * (slot.value - av));
    slot.lower = floor(al + w * (slot.lower - al));
    slot.upper = floor(au + w * (slot.upper - au));
  };
  return { offsetsFor, at };
}
