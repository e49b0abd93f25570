import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compare, type SeriesScore } from './evaluate.ts';
import {
  coverage,
  geometricMean,
  linearTrendForecast,
  mase,
  rollingOriginSplits,
  seasonalNaiveForecast,
  seasonalNaiveScale,
  type Split,
} from './metrics.ts';
import { parseUtcMs, sumIntoBuckets, toGrid, type GridSeries } from './series.ts';

const PATTERN = [10, 30, 20, 0];
const M = PATTERN.length;
const SLOPE = 0.5;

/** y_t = PATTERN[t mod 4] + 0.5·t: its lag-4 differences are all 2, its lag-1 ones are not. */
function patternPlusTrend(length: number): number[] {
  return Array.from({ length }, (_, t) => (PATTERN[t % M] as number) + SLOPE * t);
}

/** A split of `values` at `origin`, every point read unless `unread` lists it. */
function splitOf(values: number[], origin: number, horizon: number, unread: number[] = []): Split {
  const observed = values.map((_, i) => !unread.includes(i));
  return {
    series: 's',
    origin,
    originMs: origin * 1000,
    startMs: 0,
    stepMs: 1000,
    train: values.slice(0, origin),
    trainObserved: observed.slice(0, origin),
    test: values.slice(origin, origin + horizon),
    testObserved: observed.slice(origin, origin + horizon),
    seasonLength: M,
  };
}

test('MASE scale is the in-sample mean |y_t − y_{t−m}|, not the lag-1 difference', () => {
  const train = patternPlusTrend(40);
  assert.equal(seasonalNaiveScale(train, M), SLOPE * M);
  // With the lag-1 scale a wrong implementation would get mean |Δ| ≈ 15, far from 2.
  assert.notEqual(seasonalNaiveScale(train, 1), SLOPE * M);
});

test('seasonal naive within one season scores MASE exactly 1 on pattern plus trend', () => {
  const values = patternPlusTrend(44);
  const split = splitOf(values, 40, M);
  assert.equal(mase(split, seasonalNaiveForecast(split.train, M, M)), 1);
});

test('seasonal naive over two seasons scores MASE 1.5 (errors of one and two seasons of trend)', () => {
  const values = patternPlusTrend(48);
  const split = splitOf(values, 40, 2 * M);
  assert.equal(mase(split, seasonalNaiveForecast(split.train, M, 2 * M)), 1.5);
});

test('MASE of a perfect forecast is 0 and of a forecast off by one scale is 1', () => {
  const values = patternPlusTrend(44);
  const split = splitOf(values, 40, M);
  assert.equal(mase(split, split.test), 0);
  assert.equal(
    mase(
      split,
      split.test.map((v) => v + SLOPE * M),
    ),
    1,
  );
});

test('filled points count neither in the scale nor in the error', () => {
  const values = patternPlusTrend(44);
  values[10] = 1000; // a filled gap that would wreck the scale if counted
  values[41] = -1000; // a filled held-out point that would wreck the error
  const split = splitOf(values, 40, M, [10, 41]);
  assert.equal(seasonalNaiveScale(split.train, M, split.trainObserved), SLOPE * M);
  const honest = patternPlusTrend(44).slice(40 - M, 40);
  assert.equal(mase(split, honest), 1);
});

test('geometric mean: known values, ratio of geomeans equals geomean of ratios, bad input NaN', () => {
  assert.equal(geometricMean([1, 4]), 2);
  assert.ok(Math.abs(geometricMean([2, 0.5]) - 1) < 1e-12);
  const a = [0.5, 2, 3];
  const b = [1, 1, 6];
  const ratios = a.map((x, i) => x / (b[i] as number));
  assert.ok(Math.abs(geometricMean(ratios) - geometricMean(a) / geometricMean(b)) < 1e-12);
  assert.ok(Number.isNaN(geometricMean([1, 0])));
  assert.ok(Number.isNaN(geometricMean([1, NaN])));
  assert.ok(Number.isNaN(geometricMean([])));
});

test('coverage counts bounds as inside and skips filled held-out points', () => {
  const split = splitOf([0, 0, 0, 0, 0, 0, 0, 0, 5, 6, 7, 100], 8, 4, [11]);
  const c = coverage(split, [5, 5, 8, 0], [5, 7, 9, 1]);
  assert.deepEqual(c, { inside: 2, total: 3 });
});

test('rolling origins: the last k horizons, each trained on everything before it', () => {
  const series: GridSeries = {
    name: 's',
    start: 0,
    stepMs: 1000,
    values: Array.from({ length: 30 }, (_, i) => i),
    observed: new Array<boolean>(30).fill(true),
    seasonLength: 4,
    horizon: 5,
  };
  const splits = rollingOriginSplits(series, 3);
  assert.deepEqual(
    splits.map((s) => [s.origin, s.train.length, s.test[0], s.test.length, s.originMs]),
    [
      [15, 15, 15, 5, 15_000],
      [20, 20, 20, 5, 20_000],
      [25, 25, 25, 5, 25_000],
    ],
  );
});

test('linear trend baseline extends an exact line', () => {
  assert.deepEqual(linearTrendForecast([1, 3, 5, 7], 2), [9, 11]);
});

test('compare leaves out series where the baseline failed and fails when the candidate did', () => {
  const score = (a: number, b: number): SeriesScore =>
    ({
      series: {} as GridSeries,
      origins: 1,
      byCandidate: new Map([
        ['a', { mase: a, chosen: [], errors: [], notes: [] }],
        ['b', { mase: b, chosen: [], errors: [], notes: [] }],
      ]),
    }) as SeriesScore;
  const c = compare([score(1, 2), score(2, 2), score(5, NaN)], 'a', 'b');
  assert.equal(c.series, 2);
  assert.equal(c.skipped, 1);
  assert.ok(Math.abs(c.ratio - Math.sqrt(0.5)) < 1e-12);
  assert.ok(Number.isNaN(compare([score(NaN, 2)], 'a', 'b').ratio));
});

test('timestamps without a zone are read as UTC', () => {
  assert.equal(parseUtcMs('2014-03-09 03:00:00'), Date.UTC(2014, 2, 9, 3));
  assert.equal(parseUtcMs('2007-12-10'), Date.UTC(2007, 11, 10));
  assert.ok(Number.isNaN(parseUtcMs('10/12/2007')));
});

test('grid: duplicates averaged, a gap filled by a straight line and marked unread', () => {
  const g = toGrid(
    [
      { t: 0, v: 1 },
      { t: 300_000, v: 2 },
      { t: 300_000, v: 4 },
      { t: 1_200_000, v: 9 },
    ],
    300_000,
  );
  assert.deepEqual(g.values, [1, 3, 5, 7, 9]);
  assert.deepEqual(g.observed, [true, true, false, false, true]);
});

test('buckets: sums whole buckets and drops partial ones at the edges', () => {
  const readings = Array.from({ length: 10 }, (_, i) => ({ t: (i + 2) * 60_000, v: 1 }));
  // Minutes 2..11 in 5-minute buckets: [0,5) has 3, [5,10) has 5, [10,15) has 2.
  assert.deepEqual(sumIntoBuckets(readings, 60_000, 300_000), [{ t: 300_000, v: 5 }]);
});
