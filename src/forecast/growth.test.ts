import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fit } from './fit.ts';
import { growthPerWeek } from './growth.ts';
import { synthetic } from './synthetic.ts';

const HOUR = 3_600_000;

describe('growthPerWeek', () => {
  it('a line rising 0.5 per hour grows 84 per week', () => {
    const model = fit(synthetic({ n: 24 * 20, level: 100, slope: 0.5, noise: 1 }), {
      model: 'ols',
    });
    const g = growthPerWeek(model);
    assert.ok(Math.abs(g.perWeek - 84) < 1, String(g.perWeek));
    const level = 100 + 0.5 * (24 * 20 - 1);
    assert.ok(Math.abs(g.fractionPerWeek - 84 / level) < 0.01);
  });

  it('ignores the season: trend plus daily cycle, picked automatically', () => {
    const model = fit(
      synthetic({ n: 24 * 30, level: 100, slope: 0.5, season: 24, amplitude: 20, noise: 1 }),
    );
    assert.ok(
      Math.abs(growthPerWeek(model).perWeek - 84) < 10,
      String(growthPerWeek(model).perWeek),
    );
  });

  it('daily data: per-step slope times 7', () => {
    const model = fit(synthetic({ n: 100, stepMs: 24 * HOUR, slope: 2, noise: 0.1 }), {
      model: 'ols',
    });
    assert.ok(Math.abs(growthPerWeek(model).perWeek - 14) < 0.1);
  });

  it('a flat series at 0 grows 0, with no NaN fraction', () => {
    const model = fit(synthetic({ n: 50, level: 0 }));
    assert.deepEqual(growthPerWeek(model), { perWeek: 0, fractionPerWeek: 0 });
  });
});
