import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrate, MIN_FIT_POINTS } from './calibrate.ts';

describe('calibrate', () => {
  const line = (n: number, slope: number, intercept: number, noise = 0) =>
    Array.from({ length: n }, (_, i) => {
      const model = 100 + i * 10;
      return { model, usage: intercept + slope * model + (i % 2 ? noise : -noise) };
    });

  const cases = [
    {
      name: 'no measurement: the model as written',
      pairs: [],
      method: 'model',
      slope: 1,
      intercept: 0,
    },
    {
      name: 'one measurement: scaled to it',
      pairs: [{ model: 200, usage: 150 }],
      method: 'latest',
      slope: 0.75,
      intercept: 0,
    },
    {
      name: 'a long exact history: slope and intercept recovered',
      pairs: line(50, 0.8, 1000),
      method: 'history',
      slope: 0.8,
      intercept: 1000,
    },
    {
      name: 'too few points to trust a fit',
      pairs: line(MIN_FIT_POINTS - 1, 0.8, 1000),
      method: 'latest',
    },
  ] as const;
  for (const c of cases) {
    it(c.name, () => {
      const r = calibrate(c.pairs);
      assert.equal(r.method, c.method);
      if ('slope' in c) assert.ok(Math.abs(r.slope - c.slope) < 1e-9, `slope ${r.slope}`);
      if ('intercept' in c)
        assert.ok(Math.abs(r.intercept - c.intercept) < 1e-6, `intercept ${r.intercept}`);
    });
  }

  it('the latest ratio reproduces the latest measurement', () => {
    const pairs = line(MIN_FIT_POINTS - 1, 0.8, 1000);
    const r = calibrate(pairs);
    const last = pairs[pairs.length - 1]!;
    assert.ok(Math.abs(r.slope * last.model + r.intercept - last.usage) < 1e-9);
  });

  it('falls back to the latest ratio when the fit explains too little, and says so', () => {
    const pairs = Array.from({ length: 40 }, (_, i) => ({
      model: 100 + i,
      usage: i % 2 ? 500 : 100,
    }));
    const r = calibrate(pairs);
    assert.equal(r.method, 'latest');
    assert.match(r.note, /explained too little/);
  });

  it('reports the fit quality', () => {
    const r = calibrate(line(30, 2, 0, 5));
    assert.equal(r.method, 'history');
    assert.ok(r.rSquared! > 0.99 && r.rSquared! < 1);
    assert.match(r.note, /R² 0\.99|R² 1\.00/);
  });
});

describe('calibrate: an empty resource', () => {
  it('keeps the model as written when the measured usage is zero', () => {
    const r = calibrate([{ model: 500, usage: 0 }]);
    assert.equal(r.method, 'model');
    assert.equal(r.slope, 1);
    assert.match(r.note, /zero/);
  });
});
