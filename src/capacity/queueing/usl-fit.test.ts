/**
 * Fitting the USL: exact and noisy synthetic data, and two published datasets.
 *
 * - [GCaP] N. J. Gunther, Guerrilla Capacity Planning (Springer, 2007), ch. 5: the ray-tracer
 *   benchmark on an SGI Origin 2000 (processors → ray-geometry intersections/s) and the SPEC
 *   SDM91 benchmark on a 16-CPU Sun SPARCcenter 2000 (users → scripts/h). Both ship as the
 *   `raytracer` and `specsdm91` datasets of the R package `usl` (S. Möding,
 *   github.com/smoeding/usl, R/datasets.R cites GCaP as the source).
 * - [usl] Fits printed by that package's regression tests (tests/*.Rout.save, R 3.6.2), which
 *   like this fit estimate λ with σ, κ by bounded least squares on throughput:
 *   raytracer `coef(u)`: alpha (σ) 0.0578, beta (κ) 0.0000, gamma (λ) 21.8488
 *   (tests/confint.Rout.save); specsdm91 `fitted(u)`: 90 1078 1541 1850 1879 1822 1646
 *   (tests/fitted.Rout.save) and `signif(peak.scalability(u), 2)`: 97
 *   (tests/peak-scalability.Rout.save).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitUsl } from './usl-fit.ts';
import { uslPeak, uslThroughput, type UslParams, type UslPoint } from './usl.ts';

const RAYTRACER: UslPoint[] = [
  [1, 20],
  [4, 78],
  [8, 130],
  [12, 170],
  [16, 190],
  [20, 200],
  [24, 210],
  [28, 230],
  [32, 260],
  [48, 280],
  [64, 310],
].map(([n, throughput]) => ({ n: n!, throughput: throughput! }));

const SPECSDM91: UslPoint[] = [
  [1, 64.9],
  [18, 995.9],
  [36, 1652.4],
  [72, 1853.2],
  [108, 1828.9],
  [144, 1775.0],
  [216, 1702.2],
].map(([n, throughput]) => ({ n: n!, throughput: throughput! }));

const TRUTH: UslParams = { lambda: 1000, sigma: 0.05, kappa: 0.0002 };
const LOADS = [1, 2, 4, 8, 16, 32, 48, 64, 96, 128];

/** Deterministic standard-normal draws (mulberry32 + Box–Muller), so the noise test is repeatable. */
function normals(seed: number): () => number {
  let state = seed;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

const relative = (actual: number, expected: number) => Math.abs(actual / expected - 1);
const sse = (points: UslPoint[], params: UslParams) =>
  points.reduce((s, p) => s + (p.throughput - uslThroughput(params, p.n)) ** 2, 0);

describe('fitUsl on synthetic data', () => {
  it('recovers exact parameters from noiseless data', () => {
    const fit = fitUsl(LOADS.map((n) => ({ n, throughput: uslThroughput(TRUTH, n) })));
    assert.ok(relative(fit.params.lambda, TRUTH.lambda) < 1e-6, String(fit.params.lambda));
    assert.ok(relative(fit.params.sigma, TRUTH.sigma) < 1e-6, String(fit.params.sigma));
    assert.ok(relative(fit.params.kappa, TRUTH.kappa) < 1e-6, String(fit.params.kappa));
    assert.ok(fit.rSquared > 1 - 1e-12);
    assert.ok(fit.residuals.every((r) => Math.abs(r) < 1e-6));
  });

  it('recovers them without an n = 1 measurement and in any order', () => {
    const points = [96, 3, 64, 12, 7, 40, 128].map((n) => ({
      n,
      throughput: uslThroughput(TRUTH, n),
    }));
    const fit = fitUsl(points);
    assert.ok(relative(fit.params.kappa, TRUTH.kappa) < 1e-6, String(fit.params.kappa));
    assert.ok(relative(fit.params.lambda, TRUTH.lambda) < 1e-6, String(fit.params.lambda));
  });

  it('recovers a pure Amdahl curve with κ at its bound of 0', () => {
    const amdahl = { lambda: 50, sigma: 0.08, kappa: 0 };
    const fit = fitUsl(LOADS.map((n) => ({ n, throughput: uslThroughput(amdahl, n) })));
    assert.ok(fit.params.kappa < 1e-12, String(fit.params.kappa));
    assert.ok(relative(fit.params.sigma, 0.08) < 1e-6);
  });

  for (const seed of [1, 2, 3, 4, 5]) {
    it(`with 2 % noise (seed ${seed}) lands near the truth and fits at least as well as it`, () => {
      const draw = normals(seed);
      const points = LOADS.map((n) => ({
        n,
        throughput: uslThroughput(TRUTH, n) * (1 + 0.02 * draw()),
      }));
      const fit = fitUsl(points);
      assert.ok(
        sse(points, fit.params) <= sse(points, TRUTH) * (1 + 1e-9),
        'least squares beats the truth',
      );
      assert.ok(relative(fit.params.lambda, TRUTH.lambda) < 0.05, `λ ${fit.params.lambda}`);
      assert.ok(relative(fit.params.sigma, TRUTH.sigma) < 0.2, `σ ${fit.params.sigma}`);
      assert.ok(relative(fit.params.kappa, TRUTH.kappa) < 0.2, `κ ${fit.params.kappa}`);
      const peak = uslPeak(fit.params);
      const truePeak = uslPeak(TRUTH);
      assert.ok(relative(peak.n, truePeak.n) < 0.1, `N* ${peak.n} vs ${truePeak.n}`);
      assert.ok(relative(peak.throughput, truePeak.throughput) < 0.03, `X* ${peak.throughput}`);
      assert.ok(fit.rSquared > 0.99);
    });
  }
});

describe('fitUsl on published benchmark data [GCaP] matches the usl package [usl]', () => {
  it('ray tracer: σ = 0.0578, κ = 0 (at its bound), λ = 21.8488', () => {
    const fit = fitUsl(RAYTRACER);
    assert.equal(fit.params.sigma.toFixed(4), '0.0578');
    assert.ok(fit.params.kappa < 1e-9, String(fit.params.kappa));
    assert.equal(fit.params.lambda.toFixed(4), '21.8488');
    assert.equal(fit.residuals.length, RAYTRACER.length);
  });

  it('SPEC SDM91: fitted throughput 90 1078 1541 1850 1879 1822 1646, peak at 97 users', () => {
    const fit = fitUsl(SPECSDM91);
    const fitted = SPECSDM91.map((p, i) => Math.round(p.throughput - fit.residuals[i]!));
    assert.deepEqual(fitted, [90, 1078, 1541, 1850, 1879, 1822, 1646]);
    const peak = uslPeak(fit.params);
    assert.equal(Number(peak.n.toPrecision(2)), 97, `peak at ${peak.n} users`);
  });
});

describe('fitUsl rejects data it cannot fit', () => {
  const five = LOADS.slice(0, 5).map((n) => ({ n, throughput: n }));
  const cases = [
    { name: 'fewer than 6 points', points: five, message: /fitUsl needs at least 6 points; got 5/ },
    { name: 'no points', points: [], message: /at least 6 points; got 0/ },
    {
      name: 'a zero n',
      points: [...five, { n: 0, throughput: 1 }],
      message: /points\[5\]\.n must be a finite number > 0; got 0/,
    },
    {
      name: 'a negative throughput',
      points: [...five, { n: 7, throughput: -3 }],
      message: /points\[5\]\.throughput must be a finite number >= 0; got -3/,
    },
    {
      name: 'a NaN throughput',
      points: [{ n: 9, throughput: NaN }, ...five],
      message: /points\[0\]\.throughput .* got NaN/,
    },
    {
      name: 'only two distinct loads',
      points: [1, 1, 1, 2, 2, 2].map((n) => ({ n, throughput: n })),
      message: /at least 3 distinct values of n/,
    },
    {
      name: 'all-zero throughput',
      points: LOADS.map((n) => ({ n, throughput: 0 })),
      message: /throughput > 0/,
    },
  ];
  for (const c of cases) {
    it(`rejects ${c.name}`, () =>
      assert.throws(() => fitUsl(c.points), { name: 'RangeError', message: c.message }));
  }
});
