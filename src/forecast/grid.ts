/**
 * Puts sorted, de-duplicated observations onto a regular time grid: estimates the step (the
 * median spacing, snapped to a "nice" duration), averages the points that fall into each grid
 * cell, and fills empty cells by linear interpolation.
 */
import { median } from './stats.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Durations a step snaps to when the median spacing is within 5 % of one, in ms. */
export const NICE_STEPS_MS: readonly number[] = [
  ...[1, 2, 5, 10, 15, 20, 30].map((s) => s * SECOND),
  ...[1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30].map((m) => m * MINUTE),
  ...[1, 2, 3, 4, 6, 8, 12].map((h) => h * HOUR),
  DAY,
  7 * DAY,
];

/** Largest number of grid cells built; a finer step is widened to stay under it. */
export const MAX_GRID_CELLS = 2_000_000;

/** Largest number of grid cells per observation (beyond it the grid would be mostly guesswork). */
export const MAX_CELLS_PER_POINT = 100;

/** Observations with distinct times, ascending. */
export interface SortedSeries {
  /** Times, epoch ms, strictly increasing. */
  times: number[];
  /** Values, finite. */
  values: number[];
}

/** The series on its grid. */
export interface GridSeries {
  /** Time of cell 0, epoch ms. */
  start: number;
  /** Grid step, ms. */
  stepMs: number;
  /** Cell values: the mean of the points in the cell, or interpolated when it had none. */
  values: number[];
  /** 1 where the cell held at least one observation, 0 where it was filled. */
  observed: Uint8Array;
  /** Points that were more than 10 % of a step off the grid. */
  offGrid: number;
  /** Points that shared a cell with another point (averaged together). */
  shared: number;
  /** Runs of filled cells. */
  gaps: number;
  /** Filled cells. */
  filled: number;
  /** Length of the longest run of filled cells, in cells. */
  longestGap: number;
}

/**
 * The sampling step of `times`, in ms: the most common spacing when at least 30 % of spacings
 * share it (regular data with gaps), else the median spacing (jittered data); then snapped to
 * a nice duration within 10 %, or rounded to a whole second.
 */
export function estimateStepMs(times: readonly number[]): number {
  const counts = new Map<number, number>();
  const diffs: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    if (d <= 0) continue;
    diffs.push(d);
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let mode = 0;
  let modeCount = 0;
  for (const [d, c] of counts)
    if (c > modeCount || (c === modeCount && d < mode)) [mode, modeCount] = [d, c];
  const d = modeCount >= 0.3 * diffs.length ? mode : median(diffs);
  if (!(d > 0)) return SECOND;
  for (const nice of NICE_STEPS_MS) if (Math.abs(nice - d) <= 0.1 * d) return nice;
  return d >= SECOND ? Math.round(d / SECOND) * SECOND : Math.max(1, Math.round(d));
}

/** How well `times` sit on a grid of `stepMs` from their first time. */
export function gridFit(
  times: readonly number[],
  stepMs: number,
): { offGrid: number; shared: number } {
  let offGrid = 0;
  let shared = 0;
  let previousCell = -1;
  let run = 1;
  for (const t of times) {
    const exact = (t - times[0]!) / stepMs;
    const cell = Math.round(exact);
    if (Math.abs(exact - cell) > 0.1) offGrid++;
    if (cell === previousCell) run++;
    else {
      if (run > 1) shared += run;
      run = 1;
    }
    previousCell = cell;
  }
  if (run > 1) shared += run;
  return { offGrid, shared };
}

/** The smallest nice step (or whole number of days) at least `minMs`, in ms. */
export function niceStepAtLeast(minMs: number): number {
  for (const nice of NICE_STEPS_MS) if (nice >= minMs) return nice;
  return Math.ceil(minMs / DAY) * DAY;
}

/**
 * Averages `series` into cells of `stepMs` starting at its first time — each point goes to the
 * nearest grid time, so cell k covers [k − ½, k + ½) steps — and fills empty cells.
 */
export function toGrid(series: SortedSeries, stepMs: number): GridSeries {
  const { times, values } = series;
  const start = times[0]!;
  const cells = Math.round((times[times.length - 1]! - start) / stepMs) + 1;
  const sum = new Float64Array(cells);
  const count = new Uint32Array(cells);
  for (let i = 0; i < times.length; i++) {
    const cell = Math.round((times[i]! - start) / stepMs);
    sum[cell]! += values[i]!;
    count[cell]!++;
  }
  const out = new Array<number>(cells);
  const observed = new Uint8Array(cells);
  for (let c = 0; c < cells; c++) {
    if (count[c]! > 0) {
      out[c] = sum[c]! / count[c]!;
      observed[c] = 1;
    }
  }
  const fill = fillGaps(out, observed);
  return { start, stepMs, values: out, observed, ...gridFit(times, stepMs), ...fill };
}

/** Fills unobserved cells in place by linear interpolation between their observed neighbours. */
function fillGaps(
  values: number[],
  observed: Uint8Array,
): { gaps: number; filled: number; longestGap: number } {
  let gaps = 0;
  let filled = 0;
  let longestGap = 0;
  let last = 0;
  for (let c = 1; c < values.length; c++) {
    if (observed[c] === 0) continue;
    const run = c - last - 1;
    if (run > 0) {
      gaps++;
      filled += run;
      longestGap = Math.max(longestGap, run);
      const a = values[last]!;
      const b = values[c]!;
      for (let k = 1; k <= run; k++) values[last + k] = a + ((b - a) * k) / (run + 1);
    }
    last = c;
  }
  return { gaps, filled, longestGap };
}
