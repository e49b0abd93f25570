import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fit } from './fit.ts';
import { isotonic } from './intervals.ts';
import { synthetic, type SyntheticOptions } from './synthetic.ts';

/** Share of the next `horizon` points inside the 80 % interval, over several seeds. */
function coverage(shape: Omit<SyntheticOptions, 'seed'>, horizon: number, level = 0.8): number {
  let inside = 0;
  let total = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const all = synthetic({ ...shape, n: shape.n + horizon, seed });
    const model = fit(all.slice(0, shape.n));
    const future = all.slice(shape.n);
    model
      .predictAt(
        future.map((p) => p.t),
        level,
      )
      .forEach((p, i) => {
        const v = future[i]!.v;
        if (v >= p.lower && v <= p.upper) inside++;
        total++;
      });
  }
  return inside / total;
}

const cases: { name: string; shape: Omit<SyntheticOptions, 'seed'>; horizon: number }[] = [
  { name: 'noise around a level', shape: { n: 400, level: 50, noise: 5 }, horizon: 40 },
  {
    name: 'trend, daily season and noise',
    shape: { n: 24 * 30, season: 24, amplitude: 10, slope: 0.05, noise: 3 },
    horizon: 48,
  },
  { name: 'a noisy line', shape: { n: 300, level: 10, slope: 0.3, noise: 4 }, horizon: 30 },
];

describe('prediction intervals are calibrated', () => {
  for (const c of cases) {
    it(`80 % intervals hold 70–90 % of what follows: ${c.name}`, () => {
      const share = coverage(c.shape, c.horizon);
      assert.ok(share >= 0.7 && share <= 0.9, `coverage ${share}`);
    });
  }

  it('95 % intervals hold more than 80 % ones', () => {
    const shape = { n: 400, level: 50, noise: 5 };
    assert.ok(coverage(shape, 40, 0.95) > coverage(shape, 40, 0.8));
  });

  it('widen with the horizon', () => {
    const model = fit(synthetic({ n: 500, level: 0, slope: 0.1, noise: 2 }), {
      model: 'holt-damped',
    });
    const width = (h: number): number => {
      const p = model.predict(h).at(-1)!;
      return p.upper - p.lower;
    };
    assert.ok(width(1) <= width(20) && width(20) <= width(5000));
  });
});

describe('isotonic', () => {
  it('pools adjacent violators into their weighted mean', () => {
    assert.deepEqual(isotonic([1, 3, 2, 4], [1, 1, 1, 1]), [1, 2.5, 2.5, 4]);
    assert.deepEqual(isotonic([3, 1], [3, 1]), [2.5, 2.5]);
  });
});
