import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uslPeak, uslThroughput, type UslParams } from './usl.ts';

describe('uslThroughput', () => {
  const cases = [
    {
      name: 'linear scaling without overheads',
      params: { lambda: 100, sigma: 0, kappa: 0 },
      n: 8,
      expected: 800,
    },
    {
      name: 'Amdahl with 10 % serial work',
      params: { lambda: 100, sigma: 0.1, kappa: 0 },
      n: 10,
      expected: 1000 / 1.9,
    },
    {
      name: 'one unit is λ whatever the overheads',
      params: { lambda: 42, sigma: 0.3, kappa: 0.01 },
      n: 1,
      expected: 42,
    },
    {
      name: 'contention and coherency together',
      params: { lambda: 10, sigma: 0.05, kappa: 0.001 },
      n: 20,
      expected: 200 / (1 + 0.95 + 0.38),
    },
    {
      name: 'no concurrency, no throughput',
      params: { lambda: 10, sigma: 0.05, kappa: 0.001 },
      n: 0,
      expected: 0,
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      assert.ok(
        Math.abs(uslThroughput(c.params, c.n) - c.expected) < 1e-9 * Math.max(1, c.expected),
      ),
    );
  }
});

describe('uslPeak', () => {
  it('peaks at N* = sqrt((1 − σ)/κ), and throughput there beats its neighbours', () => {
    const params = { lambda: 1000, sigma: 0.05, kappa: 0.0002 };
    const peak = uslPeak(params);
    assert.ok(Math.abs(peak.n - Math.sqrt(0.95 / 0.0002)) < 1e-9);
    assert.equal(peak.throughput, uslThroughput(params, peak.n));
    assert.ok(peak.throughput > uslThroughput(params, peak.n - 1));
    assert.ok(peak.throughput > uslThroughput(params, peak.n + 1));
  });

  it('without coherency there is no peak, only the ceiling λ/σ', () => {
    assert.deepEqual(uslPeak({ lambda: 50, sigma: 0.1, kappa: 0 }), {
      n: Infinity,
      throughput: 500,
    });
    assert.deepEqual(uslPeak({ lambda: 50, sigma: 0, kappa: 0 }), {
      n: Infinity,
      throughput: Infinity,
    });
  });

  it('never places the peak below one unit', () => {
    assert.equal(uslPeak({ lambda: 5, sigma: 1, kappa: 0.5 }).n, 1);
  });
});

describe('bad parameters', () => {
  const cases: { name: string; params: UslParams; n?: number; message: RegExp }[] = [
    {
      name: 'λ of 0',
      params: { lambda: 0, sigma: 0, kappa: 0 },
      message: /lambda must be a finite number > 0; got 0/,
    },
    {
      name: 'negative σ',
      params: { lambda: 1, sigma: -0.1, kappa: 0 },
      message: /sigma must be between 0 and 1; got -0.1/,
    },
    {
      name: 'σ above 1',
      params: { lambda: 1, sigma: 1.5, kappa: 0 },
      message: /sigma must be between 0 and 1; got 1.5/,
    },
    {
      name: 'negative κ',
      params: { lambda: 1, sigma: 0, kappa: -1e-3 },
      message: /kappa must be a finite number >= 0/,
    },
    {
      name: 'negative n',
      params: { lambda: 1, sigma: 0, kappa: 0 },
      n: -1,
      message: /n must be a finite number >= 0; got -1/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () => {
      assert.throws(() => uslThroughput(c.params, c.n ?? 1), {
        name: 'RangeError',
        message: c.message,
      });
      if (c.n === undefined)
        assert.throws(() => uslPeak(c.params), { name: 'RangeError', message: c.message });
    });
  }
});
