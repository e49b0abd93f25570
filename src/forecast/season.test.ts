import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { regularize } from './hygiene.ts';
import { autocorrelation, detectSeason } from './season.ts';
import { gaussian, seededRandom, synthetic } from './synthetic.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function values(points: { v: number }[]): number[] {
  return points.map((p) => p.v);
}

function randomWalk(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  let x = 0;
  return Array.from({ length: n }, () => (x += gaussian(random)));
}

const cases: { name: string; values: number[]; stepMs: number; season: number }[] = [
  {
    name: 'hourly data with a daily cycle: 24',
    values: values(synthetic({ n: 24 * 21, season: 24, amplitude: 10, noise: 3, slope: 0.05 })),
    stepMs: HOUR,
    season: 24,
  },
  {
    name: '5-minute data with a daily cycle under heavy noise: 288',
    values: values(
      synthetic({ n: 288 * 10, stepMs: 300_000, season: 288, amplitude: 5, noise: 8, seed: 2 }),
    ),
    stepMs: 300_000,
    season: 288,
  },
  {
    name: 'daily data with a weekly cycle: 7',
    values: values(synthetic({ n: 7 * 30, stepMs: DAY, season: 7, amplitude: 20, noise: 5 })),
    stepMs: DAY,
    season: 7,
  },
  {
    name: 'white noise: 0',
    values: values(synthetic({ n: 24 * 30, noise: 1, seed: 7 })),
    stepMs: HOUR,
    season: 0,
  },
  {
    name: 'a random walk (wanders, never repeats): 0',
    values: randomWalk(24 * 30, 11),
    stepMs: HOUR,
    season: 0,
  },
  {
    name: 'a daily cycle with less than 2 days of history: 0',
    values: values(synthetic({ n: 40, season: 24, noise: 0.1 })),
    stepMs: HOUR,
    season: 0,
  },
  {
    name: 'a 30-minute cycle in 5-minute data, found by the peak search: 6',
    values: values(synthetic({ n: 2000, stepMs: 300_000, season: 6, amplitude: 5, noise: 1 })),
    stepMs: 300_000,
    season: 6,
  },
  {
    name: 'a constant series: 0',
    values: Array<number>(24 * 7).fill(3),
    stepMs: HOUR,
    season: 0,
  },
];

describe('detectSeason', () => {
  for (const c of cases) {
    it(c.name, () => assert.equal(detectSeason(c.values, c.stepMs), c.season));
  }

  it('prefers the week when weekends differ from weekdays', () => {
    const points = synthetic({ n: 24 * 7 * 6, season: 24, amplitude: 10, noise: 1, seed: 5 });
    for (const p of points) {
      const weekday = Math.floor((p.t - points[0]!.t) / DAY) % 7;
      if (weekday >= 5) p.v -= 40;
    }
    assert.equal(detectSeason(regularize(points).values, HOUR), 168);
  });

  it('autocorrelation is 0 for a constant series, not NaN', () => {
    assert.equal(autocorrelation([2, 2, 2, 2], 1), 0);
  });
});
