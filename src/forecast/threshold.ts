/**
 * Time to threshold: when the forecast, and the edges of its interval, first cross a level
 * within a horizon. Scans the horizon in model steps — or, beyond `MAX_SCAN_POINTS` steps, on a
 * coarser grid whose first crossing is then refined step by step — and interpolates linearly
 * within the crossing step, as `predictAt` does. A crossing that starts and ends between two
 * coarse grid points can be missed; the coarse grid is at most horizon / 20,000 wide.
 */
import { DEFAULT_LEVEL, predictColumns, type PredictionColumns } from './model.ts';
import type { Model } from './types.ts';

/** Most forecast points one coarse scan evaluates. */
export const MAX_SCAN_POINTS = 20_000;

/** Options of `timeToThreshold`. */
export interface ThresholdOptions {
  /** Central interval coverage in (0, 1) (default 0.8). */
  level?: number;
  /** How far after the model's last observation to look, in ms. */
  horizonMs: number;
  /** Whether crossing means reaching the threshold from below ('above', default) or above. */
  direction?: 'above' | 'below';
}

/** Crossing times, epoch ms; a field is absent when that curve does not cross within the horizon. */
export interface ThresholdCrossing {
  /** When the point forecast first crosses. */
  at?: number;
  /** Earliest plausible crossing (the interval edge nearer the threshold crosses). */
  lower?: number;
  /** Latest plausible crossing (the interval edge farther from the threshold crosses). */
  upper?: number;
}

/** Which curve a crossing is looked for on. */
type Track = keyof PredictionColumns;

/** First times the forecast and its interval cross `threshold` within `horizonMs` of lastT. */
export function timeToThreshold(
  model: Model,
  threshold: number,
  options: ThresholdOptions,
): ThresholdCrossing {
  const { horizonMs } = options;
  const level = options.level ?? DEFAULT_LEVEL;
  const above = (options.direction ?? 'above') === 'above';
  if (!Number.isFinite(threshold))
    throw new RangeError(`threshold must be finite; got ${threshold}`);
  if (!(Number.isFinite(horizonMs) && horizonMs >= 0)) {
    throw new RangeError(`horizonMs must be a duration >= 0 in ms; got ${horizonMs}`);
  }
  const crossed = (v: number): boolean => (above ? v >= threshold : v <= threshold);
  const [now] = model.predictAt([model.lastT], level);
  if (now && crossed(now.value)) return { at: model.lastT, lower: model.lastT, upper: model.lastT };
  const { grid, coarse } = coarseScan(model, horizonMs, level);
  const find = (track: Track): number | undefined => {
    const i = coarse[track].findIndex(crossed);
    if (i <= 0) return undefined;
    return refine(model, { from: grid[i - 1]!, to: grid[i]!, level, track, crossed, threshold });
  };
  const result: ThresholdCrossing = {};
  const at = find('value');
  const earliest = find(above ? 'upper' : 'lower');
  const latest = find(above ? 'lower' : 'upper');
  if (at !== undefined) result.at = at;
  if (earliest !== undefined) result.lower = earliest;
  if (latest !== undefined) result.upper = latest;
  return result;
}

interface Scan {
  horizonMs: number;
  level: number;
  grid: number[];
  coarse: PredictionColumns;
}

// The last coarse scan of each model: the thresholds of one resource or trigger scan it alike.
const scans = new WeakMap<Model, Scan>();

/** The forecast at every coarse grid time over the horizon (shared by calls alike). */
function coarseScan(model: Model, horizonMs: number, level: number): Scan {
  const cached = scans.get(model);
  if (cached?.horizonMs === horizonMs && cached.level === level) return cached;
  const steps = Math.floor(horizonMs / model.stepMs);
  const stride = Math.max(1, Math.ceil(steps / MAX_SCAN_POINTS));
  const grid: number[] = [model.lastT];
  for (let h = stride; h <= steps; h += stride) grid.push(model.lastT + h * model.stepMs);
  const end = model.lastT + horizonMs;
  if (grid[grid.length - 1]! < end) grid.push(end);
  const scan = { horizonMs, level, grid, coarse: predictColumns(model, grid, level) };
  scans.set(model, scan);
  return scan;
}

interface Refinement {
  from: number;
  to: number;
  level: number;
  track: Track;
  crossed: (v: number) => boolean;
  threshold: number;
}

/** The crossing time within (from, to], found step by step and interpolated within its step. */
function refine(model: Model, r: Refinement): number {
  const times: number[] = [r.from];
  for (let t = r.from + model.stepMs; t < r.to; t += model.stepMs) times.push(t);
  times.push(r.to);
  const values = predictColumns(model, times, r.level)[r.track];
  const i = values.findIndex(r.crossed);
  if (i <= 0) return r.to;
  const a = values[i - 1]!;
  const b = values[i]!;
  const w = b === a ? 1 : (r.threshold - a) / (b - a);
  return times[i - 1]! + Math.min(Math.max(w, 0), 1) * (times[i]! - times[i - 1]!);
}
