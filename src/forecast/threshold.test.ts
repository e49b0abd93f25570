import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fit } from './fit.ts';
import { synthetic } from './synthetic.ts';
import { timeToThreshold } from './threshold.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('timeToThreshold', () => {
  // value = 10 + 0.5·i per hour: reaches 400 at i = 780.
  const line = synthetic({ n: 500, level: 10, slope: 0.5, noise: 1 });
  const model = fit(line);
  const analytic = line[0]!.t + 780 * HOUR;

  it('gives the analytic crossing time of a line, with lower <= at <= upper', () => {
    const r = timeToThreshold(model, 400, { horizonMs: 60 * DAY });
    assert.ok(r.at !== undefined && Math.abs(r.at - analytic) < 3 * HOUR, `${r.at} vs ${analytic}`);
    assert.ok(r.lower! <= r.at && r.at <= r.upper!, JSON.stringify(r));
  });

  it('a wider level widens the crossing window', () => {
    const r80 = timeToThreshold(model, 400, { horizonMs: 60 * DAY, level: 0.8 });
    const r99 = timeToThreshold(model, 400, { horizonMs: 60 * DAY, level: 0.99 });
    assert.ok(r99.lower! <= r80.lower! && r99.upper! >= r80.upper!);
  });

  it('already past the threshold: at = lastT', () => {
    assert.deepEqual(timeToThreshold(model, 100, { horizonMs: DAY }), {
      at: model.lastT,
      lower: model.lastT,
      upper: model.lastT,
    });
  });

  it('not reached within the horizon: no fields', () => {
    assert.deepEqual(timeToThreshold(model, 400, { horizonMs: 2 * DAY }), {});
  });

  it('direction below: a falling series reaching a floor', () => {
    const falling = fit(synthetic({ n: 300, level: 1000, slope: -2, noise: 1 }), { model: 'ols' });
    const r = timeToThreshold(falling, 100, { horizonMs: 30 * DAY, direction: 'below' });
    const expected = falling.start + 450 * HOUR;
    assert.ok(Math.abs(r.at! - expected) < HOUR, `${r.at} vs ${expected}`);
    assert.ok(r.lower! <= r.at! && r.at! <= r.upper!);
  });

  it('a multi-year horizon on minute data is coarse-scanned, then refined, quickly', () => {
    const minutes = fit(synthetic({ n: 2000, stepMs: 60_000, level: 0, slope: 0.001 }), {
      model: 'ols',
    });
    const started = performance.now();
    const r = timeToThreshold(minutes, 500, { horizonMs: 3 * 365 * DAY });
    const elapsed = performance.now() - started;
    const expected = minutes.start + 500_000 * 60_000;
    assert.ok(Math.abs(r.at! - expected) < 60_000, `${r.at} vs ${expected}`);
    assert.ok(elapsed < 500, `${elapsed} ms`);
  });

  it('rejects a non-finite threshold or a negative horizon', () => {
    assert.throws(() => timeToThreshold(model, NaN, { horizonMs: DAY }), /threshold/);
    assert.throws(() => timeToThreshold(model, 1, { horizonMs: -1 }), /horizonMs/);
  });
});
