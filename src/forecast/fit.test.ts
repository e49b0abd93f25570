import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fit } from './fit.ts';
import { pointsFromNotation, synthetic, SYNTHETIC_START } from './synthetic.ts';
import type { ModelName } from './types.ts';

const HOUR = 3_600_000;

describe('fit: automatic model choice', () => {
  it('Holt–Winters beats OLS on a seasonal series, and auto picks a seasonal model', () => {
    const points = synthetic({ n: 24 * 30, season: 24, amplitude: 20, slope: 0.05, noise: 2 });
    const model = fit(points);
    assert.equal(model.seasonLength, 24);
    const score = (name: string): number => model.selection!.find((s) => s.model === name)!.score;
    assert.ok(score('holt-winters-additive') < score('ols') / 2, JSON.stringify(model.selection));
    assert.match(model.name, /holt-winters|seasonal-naive/);
  });

  it('reports every candidate, best first, with finite scores', () => {
    const model = fit(synthetic({ n: 24 * 10, season: 24, noise: 1 }));
    const scores = model.selection!.map((s) => s.score);
    assert.ok(scores.length >= 6);
    assert.ok(scores.every(Number.isFinite));
    assert.deepEqual(
      scores,
      [...scores].sort((a, b) => a - b),
    );
    assert.equal(model.selection![0]!.model, model.name);
  });

  it('a given season length overrides detection; 0 means none', () => {
    const points = synthetic({ n: 24 * 10, season: 24, noise: 1 });
    assert.equal(fit(points, { seasonLength: 0 }).seasonLength, 0);
    assert.equal(fit(points, { seasonLength: 12 }).seasonLength, 12);
  });

  const named: ModelName[] = [
    'seasonal-naive',
    'ols',
    'theil-sen',
    'holt-damped',
    'holt-winters-additive',
    'holt-winters-multiplicative',
  ];
  for (const name of named) {
    it(`fits the named model ${name} and predicts finite values`, () => {
      const model = fit(synthetic({ n: 24 * 10, season: 24, noise: 1 }), { model: name });
      assert.equal(model.name, name);
      assert.equal(model.selection, undefined);
      const forecast = model.predict(30, 0.9);
      assert.equal(forecast.length, 30);
      for (const p of forecast) {
        assert.ok([p.value, p.lower, p.upper].every(Number.isFinite));
        assert.ok(p.lower <= p.value && p.value <= p.upper);
      }
    });
  }

  it('falls back to a simpler model when the named one does not suit, and says so', () => {
    const model = fit(pointsFromNotation('0 1 2 3 0 1 2 3 0 1 2 3'), {
      model: 'holt-winters-multiplicative',
      seasonLength: 4,
    });
    assert.equal(model.name, 'holt-winters-additive');
    assert.match(model.hygiene.notes.join(' '), /does not suit/);
  });

  it('two points: a line through them, no NaN', () => {
    const model = fit([
      { t: 0, v: 1 },
      { t: HOUR, v: 3 },
    ]);
    assert.equal(model.name, 'ols');
    const [p] = model.predict(1);
    assert.equal(p!.value, 5);
    assert.ok(Number.isFinite(p!.lower) && Number.isFinite(p!.upper));
  });

  it('a constant series: flat forecast, zero-width interval', () => {
    const model = fit(pointsFromNotation('5x199'));
    for (const p of model.predict(20)) {
      assert.ok(Math.abs(p.value - 5) < 1e-9);
      assert.ok(p.upper - p.lower < 1e-9);
    }
  });

  it('a non-negative series never forecasts below 0', () => {
    const points = synthetic({ n: 200, level: 50, slope: -0.5, noise: 1 }).map((p) => ({
      t: p.t,
      v: Math.max(0, p.v),
    }));
    for (const p of fit(points, { model: 'ols' }).predict(200)) assert.ok(p.lower >= 0);
  });

  it('throws a plain Error for fewer than 2 points and for an unknown model', () => {
    assert.throws(() => fit([{ t: 0, v: 1 }]), /at least 2 points/);
    assert.throws(
      () => fit(pointsFromNotation('1 2 3'), { model: 'arima' as ModelName }),
      /unknown/,
    );
    assert.throws(() => fit(pointsFromNotation('1 2 3'), { seasonLength: 1.5 }), /seasonLength/);
  });
});

describe('Model: predict and predictAt', () => {
  const model = fit(synthetic({ n: 100, level: 10, slope: 1, noise: 0.5 }), { model: 'ols' });

  it('predict gives the next steps after lastT', () => {
    const forecast = model.predict(3);
    assert.deepEqual(
      forecast.map((p) => p.t),
      [1, 2, 3].map((h) => model.lastT + h * HOUR),
    );
    assert.equal(model.lastT, SYNTHETIC_START + 99 * HOUR);
  });

  it('predictAt interpolates between steps and matches predict on the grid', () => {
    const [a, mid, b] = model.predictAt([
      model.lastT + HOUR,
      model.lastT + 1.5 * HOUR,
      model.lastT + 2 * HOUR,
    ]);
    assert.ok(Math.abs(mid!.value - (a!.value + b!.value) / 2) < 1e-9);
    assert.deepEqual(model.predict(2)[1], b);
  });

  it('a wider level gives a wider interval', () => {
    const [narrow] = model.predict(5, 0.5).slice(-1);
    const [wide] = model.predict(5, 0.99).slice(-1);
    assert.ok(wide!.upper - wide!.lower > narrow!.upper - narrow!.lower);
  });

  it('times inside the history return the cleaned value with no spread', () => {
    const [p] = model.predictAt([model.start]);
    assert.equal(p!.lower, p!.value);
    assert.equal(p!.upper, p!.value);
  });

  it('predicts far ahead (a million steps) in constant time per point', () => {
    const [p] = model.predictAt([model.lastT + 1e6 * HOUR]);
    assert.ok(Number.isFinite(p!.value) && p!.upper > p!.value);
  });

  const badLevels = [0, 1, -0.2, 80, NaN];
  for (const level of badLevels) {
    it(`rejects level ${level}`, () => assert.throws(() => model.predict(1, level), /level/));
  }
  it('rejects a fractional horizon', () => assert.throws(() => model.predict(1.5), /horizon/));
});

describe('fit: multiplicative season on a series with troughs near zero', () => {
  it('steps down to the additive model, says so, and stays bounded', () => {
    // A CPU idling at 0.05 % with daily spikes to 99 %: the seasonal factors would run away.
    const points = synthetic({ n: 24 * 14, season: 24, level: 2, amplitude: 1.99, noise: 0 }).map(
      (p, i) => ({ t: p.t, v: i % 24 === 12 ? 99 : Math.max(0.05, p.v) }),
    );
    const model = fit(points, { model: 'holt-winters-multiplicative' });
    assert.equal(model.name, 'holt-winters-additive');
    assert.ok(model.hygiene.notes.some((n) => /holt-winters-multiplicative/.test(n)));
    const max = Math.max(...points.map((p) => p.v));
    for (const p of model.predict(48)) assert.ok(Math.abs(p.value) < 10 * max, String(p.value));
  });
});
