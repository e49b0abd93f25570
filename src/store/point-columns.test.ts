import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Point } from '../sources/source.ts';
import {
  columnsOf,
  concatColumns,
  lastAtOrBefore,
  lastPerStep,
  mergeColumns,
  NO_POINTS,
  pointsOf,
  sliceColumns,
} from './point-columns.ts';

/** Columns of `[at, value]` pairs. */
function cols(...pairs: [number, number][]) {
  return columnsOf(pairs.map(([at, value]) => ({ at, value })));
}

/** The columns as `[at, value]` pairs. */
function pairs(columns: ReturnType<typeof cols>): [number, number][] {
  return pointsOf(columns).map((p) => [p.at, p.value]);
}

describe('point columns', () => {
  it('slices both bounds inclusively, and nothing for an empty or NaN range', () => {
    const c = cols([10, 1], [20, 2], [30, 3], [40, 4]);
    assert.deepEqual(pairs(sliceColumns(c, 20, 30)), [
      [20, 2],
      [30, 3],
    ]);
    assert.deepEqual(pairs(sliceColumns(c, 11, 39)), [
      [20, 2],
      [30, 3],
    ]);
    assert.deepEqual(pairs(sliceColumns(c, -Infinity, Infinity)), pairs(c));
    assert.deepEqual(pairs(sliceColumns(c, 31, 39)), []);
    assert.deepEqual(pairs(sliceColumns(c, 30, 20)), []);
    assert.deepEqual(pairs(sliceColumns(c, NaN, 40)), []);
  });

  it('merges in time order, the newer side winning a shared time', () => {
    const older = cols([10, 1], [20, 2], [30, 3]);
    const newer = cols([5, 50], [20, 200], [35, 350]);
    assert.deepEqual(pairs(mergeColumns(older, newer)), [
      [5, 50],
      [10, 1],
      [20, 200],
      [30, 3],
      [35, 350],
    ]);
    assert.deepEqual(pairs(mergeColumns(older, NO_POINTS)), pairs(older));
    assert.deepEqual(pairs(mergeColumns(NO_POINTS, newer)), pairs(newer));
    assert.deepEqual(pairs(mergeColumns(cols([1, 1]), cols([2, 2]))), [
      [1, 1],
      [2, 2],
    ]);
  });

  it('concatenates parts that follow each other', () => {
    assert.deepEqual(pairs(concatColumns([cols([1, 1]), NO_POINTS, cols([2, 2], [3, 3])])), [
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it('keeps the last point of each step, as GROUP BY (at - origin) / step did', () => {
    const points: Point[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((i) => ({
      at: 1000 + i * 15,
      value: i,
    }));
    // Steps of 60 from 1000: [1000, 1060) holds i = 0..3, [1060, 1120) i = 4..7, then 8, 9.
    assert.deepEqual(
      lastPerStep(columnsOf(points), 1000, 60).map((p) => p.value),
      [3, 7, 9],
    );
    assert.deepEqual(
      lastPerStep(columnsOf(points), 1000, 1).map((p) => p.value),
      points.map((p) => p.value),
    );
    assert.deepEqual(lastPerStep(NO_POINTS, 0, 10), []);
  });

  it('puts a point on a step boundary into the step it starts', () => {
    const step = 1_728_000;
    const origin = Date.UTC(2025, 0, 1) + 7;
    const edge = origin + 30 * step;
    const c = cols([edge - 1, 1], [edge, 2], [edge + 1, 3]);
    assert.deepEqual(
      lastPerStep(c, origin, step).map((p) => p.value),
      [1, 3],
    );
  });

  it('finds the newest point at or before a time', () => {
    const c = cols([10, 1], [20, 2], [30, 3]);
    assert.deepEqual(lastAtOrBefore(c, 25), { at: 20, value: 2 });
    assert.deepEqual(lastAtOrBefore(c, 30), { at: 30, value: 3 });
    assert.deepEqual(lastAtOrBefore(c, 1e15), { at: 30, value: 3 });
    assert.equal(lastAtOrBefore(c, 9), undefined);
    assert.equal(lastAtOrBefore(NO_POINTS, 9), undefined);
  });
});
