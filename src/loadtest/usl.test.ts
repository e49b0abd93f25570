import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uslPeak, uslThroughput, type UslParams } from '../capacity/queueing/usl.ts';
import type { StageSummary } from './types.ts';
import { fitStepsUsl, stageUslPoints } from './usl.ts';

/** A breakpoint step that held `concurrency` in flight on average and completed `rate` per second. */
function stage(index: number, concurrency: number, rate: number): StageSummary {
  const latency = { p50: 0.01, p90: 0.02, p95: 0.02, p99: 0.03, max: 0.05, avg: 0.01, min: 0.001 };
  return {
    index,
    started_at: 1_700_000_000_000 + index * 10_000,
    ended_at: 1_700_000_000_000 + (index + 1) * 10_000,
    target: rate,
    targetKind: 'rate',
    duration_s: 10,
    requests: Math.round(rate * 10),
    rate,
    latency,
    failed_rate: 0,
    dropped: 0,
    concurrency,
  };
}
const stages = (points: [number, number][]): StageSummary[] =>
  points.map(([n, x], i) => stage(i, n, x));

// Gunther, Guerrilla Capacity Planning (2007), ch. 5, as the usl-fit tests cite them.
const RAYTRACER: [number, number][] = [
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
];
const SPECSDM91: [number, number][] = [
  [1, 64.9],
  [18, 995.9],
  [36, 1652.4],
  [72, 1853.2],
  [108, 1828.9],
  [144, 1775.0],
  [216, 1702.2],
];

const relative = (actual: number, expected: number): number => Math.abs(actual / expected - 1);

describe('fitStepsUsl on published benchmarks', () => {
  it('SPEC SDM91: the usl package’s peak at 97 users, about 1,884/s', () => {
    const usl = fitStepsUsl(stages(SPECSDM91))!;
    assert.equal(Number(usl.peak_concurrency!.toPrecision(2)), 97);
    assert.ok(relative(usl.peak_rate!, 1884) < 0.001, String(usl.peak_rate));
    assert.equal(usl.sigma.toFixed(4), '0.0277');
    assert.ok(usl.r2 > 0.98 && usl.r2 <= 1, String(usl.r2));
  });

  it('ray tracer: κ at its bound is 0, so no peak concurrency (null) and a ceiling of λ/σ', () => {
    const usl = fitStepsUsl(stages(RAYTRACER))!;
    assert.equal(usl.kappa, 0);
    assert.equal(usl.sigma.toFixed(4), '0.0578');
    assert.equal(usl.lambda.toFixed(4), '21.8488');
    assert.equal(usl.peak_concurrency, null);
    assert.ok(relative(usl.peak_rate!, usl.lambda / usl.sigma) < 1e-12);
  });
});

describe('fitStepsUsl on synthetic steps', () => {
  const truth: UslParams = { lambda: 120, sigma: 0.04, kappa: 0.0008 };
  const loads = [0.6, 1.5, 3, 6, 11, 18, 27, 40, 55];

  it('recovers the coefficients and the peak of noiseless steps', () => {
    const usl = fitStepsUsl(stages(loads.map((n) => [n, uslThroughput(truth, n)])))!;
    const peak = uslPeak(truth);
    assert.ok(relative(usl.lambda, truth.lambda) < 1e-4, `λ ${usl.lambda}`);
    assert.ok(relative(usl.sigma, truth.sigma) < 1e-3, `σ ${usl.sigma}`);
    assert.ok(relative(usl.kappa, truth.kappa) < 1e-3, `κ ${usl.kappa}`);
    assert.ok(relative(usl.peak_concurrency!, peak.n) < 1e-3, `N* ${usl.peak_concurrency}`);
    assert.ok(relative(usl.peak_rate!, peak.throughput) < 1e-4, `X* ${usl.peak_rate}`);
    assert.ok(usl.r2 > 1 - 1e-9);
  });

  it('linear scaling has neither a peak concurrency nor a peak rate, and stays JSON-safe', () => {
    const usl = fitStepsUsl(stages([1, 2, 4, 8, 16, 32].map((n) => [n, 10 * n])))!;
    assert.deepEqual(
      [usl.sigma, usl.kappa, usl.peak_concurrency, usl.peak_rate],
      [0, 0, null, null],
    );
    assert.deepEqual(JSON.parse(JSON.stringify(usl)), usl);
  });

  it('leaves out steps with nothing in flight', () => {
    const withIdle = [stage(0, 0, 0), ...stages(loads.map((n) => [n, uslThroughput(truth, n)]))];
    assert.equal(stageUslPoints(withIdle).length, loads.length);
    assert.deepEqual(fitStepsUsl(withIdle), fitStepsUsl(withIdle.slice(1)));
  });
});

describe('fitStepsUsl: when the steps do not allow a fit', () => {
  const cases: { name: string; steps: StageSummary[] }[] = [
    { name: 'no steps', steps: [] },
    { name: 'five steps', steps: stages([1, 2, 4, 8, 16].map((n) => [n, 10 * n])) },
    {
      name: 'six steps, one with nothing in flight',
      steps: stages([0, 1, 2, 4, 8, 16].map((n) => [n, 10 * n])),
    },
    {
      name: 'six steps at two concurrencies',
      steps: stages([1, 1, 1, 5, 5, 5].map((n) => [n, 10 * n])),
    },
    { name: 'no throughput at all', steps: stages([1, 2, 4, 8, 16, 32].map((n) => [n, 0])) },
    {
      name: 'a step whose figures are not numbers',
      steps: stages([
        [1, 10],
        [2, 20],
        [4, NaN],
        [8, 80],
        [16, 160],
        [32, 320],
      ]),
    },
  ];
  for (const c of cases) {
    it(`undefined for ${c.name}`, () => assert.equal(fitStepsUsl(c.steps), undefined));
  }
});
