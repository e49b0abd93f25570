/**
 * Real-data hygiene: turns raw points (unsorted, with repeated timestamps, NaNs, jitter and
 * gaps) into a regular grid the models can fit, and reports every repair. Never throws for
 * messy data; throws a plain `Error` only when fewer than 2 usable points remain.
 */
import { clipOutliers } from './outliers.ts';
import {
  estimateStepMs,
  gridFit,
  MAX_CELLS_PER_POINT,
  MAX_GRID_CELLS,
  niceStepAtLeast,
  toGrid,
  type GridSeries,
  type SortedSeries,
} from './grid.ts';
import type { HygieneReport, Point, RegularSeries } from './types.ts';

/** The cleaned series plus what the models need beyond the public shape. */
export interface CleanedSeries extends RegularSeries {
  /** Gap-filled values before outlier clipping (what really happened, for scoring forecasts). */
  raw: number[];
  /** 1 where a grid cell held an observation, 0 where it was interpolated. */
  observed: Uint8Array;
}

/** Cleans raw points onto a regular grid (see the module comment). */
export function regularize(points: Point[], options: { stepMs?: number } = {}): RegularSeries {
  const { start, stepMs, values, report } = cleanSeries(points, options);
  return { start, stepMs, values, report };
}

/** `regularize` keeping the raw grid values and the observed mask. */
export function cleanSeries(
  points: readonly Point[],
  options: { stepMs?: number } = {},
): CleanedSeries {
  const finite = points.filter((p) => Number.isFinite(p?.t) && Number.isFinite(p?.v));
  const nonFinite = points.length - finite.length;
  let backwardSteps = 0;
  for (let i = 1; i < finite.length; i++) if (finite[i]!.t < finite[i - 1]!.t) backwardSteps++;
  const { series, duplicates } = mergeDuplicates(finite);
  if (series.times.length < 2) {
    throw new Error(
      `a forecast needs at least 2 points with distinct times and finite values; got ${series.times.length}` +
        (nonFinite > 0 ? ` (${nonFinite} of ${points.length} had a non-finite time or value)` : ''),
    );
  }
  const { stepMs, widened } = chooseStep(series, options.stepMs);
  const grid = toGrid(series, stepMs);
  const clip = clipOutliers(grid.values, grid.observed);
  const native =
    options.stepMs === undefined && !widened
      ? grid
      : gridFit(series.times, estimateStepMs(series.times));
  const irregular =
    native.offGrid > 0.05 * series.times.length || native.shared > 0.01 * series.times.length;
  const report: HygieneReport = {
    input: points.length,
    duplicates,
    backwardSteps,
    gaps: grid.gaps,
    filled: grid.filled,
    outliers: clip.clipped,
    nonFinite,
    irregular,
    notes: [],
  };
  report.notes = hygieneNotes(report, grid, widened);
  return {
    start: grid.start,
    stepMs,
    values: clip.values,
    raw: grid.values,
    observed: grid.observed,
    report,
  };
}

/** Sorts by time (stable) and merges points with the same time by their mean. */
function mergeDuplicates(points: readonly Point[]): { series: SortedSeries; duplicates: number } {
  const sorted = points.map((p, i) => ({ t: p.t, v: p.v, i }));
  sorted.sort((a, b) => a.t - b.t || a.i - b.i);
  const times: number[] = [];
  const values: number[] = [];
  let duplicates = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i;
    let sum = 0;
    while (j < sorted.length && sorted[j]!.t === sorted[i]!.t) sum += sorted[j++]!.v;
    times.push(sorted[i]!.t);
    values.push(sum / (j - i));
    duplicates += j - i - 1;
    i = j;
  }
  return { series: { times, values }, duplicates };
}

function chooseStep(
  series: SortedSeries,
  requested: number | undefined,
): { stepMs: number; widened: boolean } {
  if (requested !== undefined && !(Number.isFinite(requested) && requested > 0)) {
    throw new Error(`stepMs must be a positive number of milliseconds; got ${requested}`);
  }
  const stepMs = requested ?? estimateStepMs(series.times);
  const span = series.times[series.times.length - 1]! - series.times[0]!;
  const maxCells = Math.min(
    MAX_GRID_CELLS,
    Math.max(100_000, MAX_CELLS_PER_POINT * series.times.length),
  );
  if (span / stepMs + 1 <= maxCells) return { stepMs, widened: false };
  return { stepMs: niceStepAtLeast(span / (maxCells - 1)), widened: true };
}

function hygieneNotes(r: HygieneReport, grid: GridSeries, widened: boolean): string[] {
  const notes: string[] = [];
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (r.nonFinite > 0)
    notes.push(`dropped ${plural(r.nonFinite, 'point')} with a non-finite time or value`);
  if (r.backwardSteps > 0) {
    notes.push(`time stepped backwards ${plural(r.backwardSteps, 'time')}; points were sorted`);
  }
  if (r.duplicates > 0) {
    notes.push(
      `merged ${plural(r.duplicates, 'repeated timestamp')} (e.g. a DST change) by their mean`,
    );
  }
  if (widened) {
    notes.push(
      `step widened to ${grid.stepMs / 1000} s: a finer grid would be mostly interpolation`,
    );
  }
  if (r.irregular) notes.push('irregular sampling: points were placed on the nearest grid time');
  if (grid.shared > 0) {
    notes.push(
      `averaged ${plural(grid.shared, 'point')} that shared a ${grid.stepMs / 1000} s cell`,
    );
  }
  if (r.gaps > 0) {
    notes.push(
      `filled ${plural(r.gaps, 'gap')} (${plural(r.filled, 'cell')}) by linear interpolation`,
    );
  }
  const longGap = Math.max(0.1 * grid.values.length, Math.round(86_400_000 / grid.stepMs));
  if (grid.longestGap >= longGap) {
    notes.push(
      `the longest gap is ${plural(grid.longestGap, 'step')}; interpolated values there are a guess`,
    );
  }
  if (r.outliers > 0) notes.push(`clipped ${plural(r.outliers, 'outlier')} for fitting`);
  return notes;
}
