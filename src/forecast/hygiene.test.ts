import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { regularize } from './hygiene.ts';
import { pointsFromNotation, synthetic, SYNTHETIC_START } from './synthetic.ts';
import type { HygieneReport, Point } from './types.ts';

const MINUTE = 60_000;
const T0 = SYNTHETIC_START;

interface Case {
  name: string;
  points: Point[];
  stepMs?: number;
  /** Expected report fields (others unchecked). */
  report: Partial<HygieneReport>;
  /** Expected grid values, when checked. */
  values?: number[];
  /** Expected grid step, ms. */
  step?: number;
}

const at = (minute: number, v: number): Point => ({ t: T0 + minute * MINUTE, v });

const cases: Case[] = [
  {
    name: 'a clean regular series passes unchanged',
    points: pointsFromNotation('1 2 3 4 5'),
    report: { input: 5, duplicates: 0, gaps: 0, filled: 0, outliers: 0, irregular: false },
    values: [1, 2, 3, 4, 5],
    step: MINUTE,
  },
  {
    name: 'DST repeats: points at the same time are merged by their mean',
    points: [at(0, 1), at(1, 2), at(2, 3), at(2, 5), at(2, 7), at(3, 4)],
    report: { input: 6, duplicates: 2, backwardSteps: 0 },
    values: [1, 2, 5, 4],
  },
  {
    name: 'a step backwards in time (a clock reset) is sorted and counted',
    points: [at(0, 1), at(1, 2), at(2, 3), at(1, 4), at(2, 5), at(3, 6)],
    report: { backwardSteps: 1, duplicates: 2 },
    values: [1, 3, 4, 6],
  },
  {
    name: 'unsorted input is sorted; every descent counts as a backward step',
    points: [at(3, 4), at(1, 2), at(0, 1), at(2, 3)],
    report: { backwardSteps: 2, duplicates: 0 },
    values: [1, 2, 3, 4],
  },
  {
    name: 'gaps are filled by linear interpolation and counted',
    points: pointsFromNotation('1 2 _ _ 5 6 _ 8'),
    report: { gaps: 2, filled: 3 },
    values: [1, 2, 3, 4, 5, 6, 7, 8],
  },
  {
    name: 'NaN and infinite values are dropped and counted',
    points: [0, 1, 2, NaN, 4, Infinity, 6, 7].map((v, i) => at(i, v)).concat({ t: NaN, v: 1 }),
    report: { nonFinite: 3, gaps: 2, filled: 2 },
    values: [0, 1, 2, 3, 4, 5, 6, 7],
  },
  {
    name: 'irregular sampling: step = median spacing snapped to a nice value, points averaged',
    points: [0, 4.9, 10.2, 14.8, 15.3, 20, 25.1, 29.7, 30.2].map((m, i) => at(m, i)),
    report: { irregular: true },
    step: 5 * MINUTE,
  },
  {
    name: 'a given coarser step averages the points nearest each grid time; not irregular',
    points: pointsFromNotation('1 3 5 7 9 11'),
    stepMs: 2 * MINUTE,
    report: { irregular: false },
    values: [1, 4, 8, 11],
  },
  {
    name: 'a constant series stays constant',
    points: pointsFromNotation('7x49'),
    report: { outliers: 0, gaps: 0 },
    values: Array<number>(50).fill(7),
  },
  {
    name: 'two points are enough',
    points: pointsFromNotation('1 2'),
    report: { input: 2 },
    values: [1, 2],
  },
];

describe('regularize: real-data hygiene', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = regularize(c.points, c.stepMs === undefined ? {} : { stepMs: c.stepMs });
      for (const [key, value] of Object.entries(c.report)) {
        assert.deepEqual(r.report[key as keyof HygieneReport], value, key);
      }
      if (c.values) assert.deepEqual(r.values, c.values);
      if (c.step) assert.equal(r.stepMs, c.step);
      assert.ok(r.values.every(Number.isFinite), 'no NaN or Infinity');
    });
  }

  it('notes every repair in words', () => {
    const r = regularize([at(0, 1), at(2, 3), at(1, 2), at(2, 5), at(3, NaN), at(6, 6)]);
    const text = r.report.notes.join('\n');
    assert.match(text, /non-finite/);
    assert.match(text, /repeated timestamp/);
    assert.match(text, /backwards/);
    assert.match(text, /gap/);
  });

  it('clips an isolated spike for fitting and counts it', () => {
    const points = synthetic({ n: 200, stepMs: MINUTE, noise: 1, seed: 3 });
    points[100]!.v += 50;
    const r = regularize(points);
    assert.equal(r.report.outliers, 1);
    assert.ok(r.values[100]! < 120, `spike clipped, got ${r.values[100]}`);
    assert.ok(r.values[100]! > 103, 'winsorised to the threshold, not erased');
  });

  it('keeps a burst that lasts (a real event, not an outlier)', () => {
    const points = synthetic({ n: 200, stepMs: MINUTE, noise: 1, seed: 4 });
    for (let i = 100; i < 110; i++) points[i]!.v += 50;
    const r = regularize(points);
    assert.equal(r.report.outliers, 0);
    assert.ok(r.values[105]! > 140);
  });

  it('clips at most 1 % of a series that spikes all the time', () => {
    const points = synthetic({ n: 1000, stepMs: MINUTE, noise: 1, seed: 5 });
    for (let i = 0; i < 1000; i += 20) points[i]!.v += 40 + (i % 7);
    const r = regularize(points);
    assert.ok(r.report.outliers <= 10, `clipped ${r.report.outliers}`);
  });

  it('keeps sparse bursts in a mostly-zero series (disk writes)', () => {
    const points = pointsFromNotation(`0x40 5000 0x40 3000 0x40 7000 0x40`);
    const r = regularize(points);
    assert.ok(
      r.values.some((v) => v > 0),
      'bursts survive, at most winsorised',
    );
  });

  it('widens a step that would make a grid of billions of cells', () => {
    const points = [at(0, 1), { t: T0 + 1, v: 2 }, { t: T0 + 2, v: 3 }, at(60 * 24 * 365, 4)];
    const r = regularize(points);
    assert.ok(r.values.length <= 2_000_000);
    assert.match(r.report.notes.join(' '), /step widened/);
  });

  const bad: { name: string; points: Point[] }[] = [
    { name: 'no points', points: [] },
    { name: 'one point', points: [at(0, 1)] },
    { name: 'two points at the same time', points: [at(0, 1), at(0, 2)] },
    { name: 'only non-finite values', points: [at(0, NaN), at(1, NaN), at(2, Infinity)] },
  ];
  for (const c of bad) {
    it(`throws a plain Error for ${c.name}`, () => {
      assert.throws(
        () => regularize(c.points),
        (err: Error) => {
          assert.equal(err.constructor, Error);
          assert.match(err.message, /at least 2 points/);
          return true;
        },
      );
    });
  }

  it('rejects a step that is not a positive number', () => {
    assert.throws(() => regularize(pointsFromNotation('1 2 3'), { stepMs: 0 }), /stepMs/);
  });
});
