import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { synthetic, syntheticValue, type SyntheticOptions } from '../synthetic.ts';
import { varianceFactor, type EtsParams, type EtsShape } from './ets-filter.ts';
import { MODELS } from './index.ts';
import type { ModelSpec } from './model-spec.ts';

interface Case {
  name: string;
  spec: ModelSpec;
  series: SyntheticOptions;
  /** Season length given to the model. */
  season: number;
  /** Steps ahead checked. */
  horizon: number;
  /** Largest allowed mean absolute error against the noise-free continuation. */
  tolerance: number;
}

const cases: Case[] = [
  {
    name: 'seasonal naive repeats a clean season exactly',
    spec: MODELS['seasonal-naive'],
    series: { n: 24 * 5, season: 24, amplitude: 10 },
    season: 24,
    horizon: 48,
    tolerance: 1e-9,
  },
  {
    name: 'seasonal naive with season 0 repeats the last value',
    spec: MODELS['seasonal-naive'],
    series: { n: 50, level: 42 },
    season: 0,
    horizon: 10,
    tolerance: 1e-9,
  },
  {
    name: 'OLS recovers a noisy line',
    spec: MODELS.ols,
    series: { n: 500, level: 10, slope: 0.5, noise: 2 },
    season: 0,
    horizon: 100,
    tolerance: 0.5,
  },
  {
    name: 'Theil–Sen recovers a noisy line',
    spec: MODELS['theil-sen'],
    series: { n: 500, level: 10, slope: 0.5, noise: 2 },
    season: 0,
    horizon: 100,
    tolerance: 0.6,
  },
  {
    name: 'Theil–Sen on a long series (pair subsampling) recovers the line',
    spec: MODELS['theil-sen'],
    series: { n: 20_000, level: 10, slope: 0.01, noise: 2, seed: 3 },
    season: 0,
    horizon: 1000,
    tolerance: 0.5,
  },
  {
    name: 'Holt damped follows a line over the next steps',
    spec: MODELS['holt-damped'],
    series: { n: 300, level: 10, slope: 1, noise: 0.5 },
    season: 0,
    horizon: 5,
    tolerance: 1,
  },
  {
    name: 'Holt–Winters additive recovers trend plus season',
    spec: MODELS['holt-winters-additive'],
    series: { n: 24 * 20, season: 24, amplitude: 10, slope: 0.1, noise: 1 },
    season: 24,
    horizon: 48,
    tolerance: 1.5,
  },
  {
    name: 'Holt–Winters multiplicative recovers a positive seasonal series',
    spec: MODELS['holt-winters-multiplicative'],
    series: { n: 24 * 20, season: 24, amplitude: 30, level: 100, noise: 1 },
    season: 24,
    horizon: 48,
    tolerance: 1.5,
  },
];

describe('models recover known synthetic series', () => {
  for (const c of cases) {
    it(c.name, () => {
      const values = synthetic(c.series).map((p) => p.v);
      const model = c.spec.fit(values, c.season);
      let sum = 0;
      for (let h = 1; h <= c.horizon; h++) {
        const truth = syntheticValue(c.series, c.series.n - 1 + h);
        const p = model.core.point(h);
        assert.ok(Number.isFinite(p) && Number.isFinite(model.core.sigma(h)), `finite at ${h}`);
        sum += Math.abs(p - truth);
      }
      const mae = sum / c.horizon;
      assert.ok(mae <= c.tolerance, `MAE ${mae} > ${c.tolerance}`);
    });
  }

  it('Holt–Winters multiplicative does not suit a series with zeros', () => {
    assert.equal(
      MODELS['holt-winters-multiplicative'].applicable([0, 1, 2, 3, 0, 1, 2, 3], 4),
      false,
    );
  });

  it('every model fits a constant series with finite forecasts and zero spread', () => {
    const values = Array<number>(100).fill(5);
    for (const spec of Object.values(MODELS)) {
      const model = spec.fit(values, 10);
      assert.ok(Math.abs(model.core.point(7) - 5) < 1e-9, spec.name);
      assert.ok(Math.abs(model.core.sigma(7)) < 1e-9, spec.name);
    }
  });
});

describe('backtests replay a model fitted on the prefix', () => {
  const values = synthetic({ n: 200, season: 12, slope: 0.2, noise: 1 }).map((p) => p.v);
  for (const name of ['ols', 'theil-sen', 'seasonal-naive'] as const) {
    it(name, () => {
      const spec = MODELS[name];
      const [row] = spec.fit(values, 12).backtest([150], 10);
      const prefix = spec.fit(values.slice(0, 150), 12);
      for (let h = 1; h <= 10; h++) {
        assert.ok(Math.abs(row![h - 1]! - prefix.core.point(h)) < 1e-9, `h=${h}`);
      }
    });
  }

  it('rows stop at the last cell', () => {
    const rows = MODELS.ols.fit(values, 0).backtest([195, 199], 10);
    assert.deepEqual(
      rows.map((r) => r.length),
      [5, 1],
    );
  });
});

describe('exponential-smoothing variance factor (closed form)', () => {
  const brute = (p: EtsParams, shape: EtsShape, h: number): number => {
    let sum = 1;
    for (let j = 1; j < h; j++) {
      let phiSum = 0;
      for (let i = 1; i <= j; i++) phiSum += p.phi ** i;
      const seasonal = shape.m > 0 && j % shape.m === 0 ? p.gamma : 0;
      sum += (p.alpha * (1 + p.beta * phiSum) + seasonal) ** 2;
    }
    return sum;
  };
  const params: { name: string; p: EtsParams; shape: EtsShape }[] = [
    {
      name: 'damped, no season',
      p: { alpha: 0.3, beta: 0.2, gamma: 0, phi: 0.9 },
      shape: { kind: 'none', m: 0 },
    },
    {
      name: 'damped with season',
      p: { alpha: 0.3, beta: 0.2, gamma: 0.1, phi: 0.95 },
      shape: { kind: 'additive', m: 7 },
    },
    {
      name: 'undamped with season',
      p: { alpha: 0.2, beta: 0.1, gamma: 0.3, phi: 1 },
      shape: { kind: 'additive', m: 5 },
    },
  ];
  for (const { name, p, shape } of params) {
    it(`matches the sum term by term: ${name}`, () => {
      for (const h of [1, 2, 5, 7, 8, 15, 40]) {
        const expected = brute(p, shape, h);
        const got = varianceFactor(p, shape, h);
        assert.ok(Math.abs(got - expected) <= 1e-9 * expected, `h=${h}: ${got} vs ${expected}`);
      }
    });
  }
});
