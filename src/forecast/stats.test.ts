import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  madSigma,
  median,
  medianInPlace,
  normalQuantile,
  quantileSorted,
  studentQuantile,
} from './stats.ts';
import { seededRandom } from './synthetic.ts';

const close = (a: number, b: number, tol: number, what: string): void =>
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

describe('stats', () => {
  const normal: [number, number][] = [
    [0.5, 0],
    [0.9, 1.2815516],
    [0.975, 1.959964],
    [0.995, 2.5758293],
    [0.01, -2.3263479],
  ];
  for (const [p, z] of normal) {
    it(`normal quantile at ${p} is ${z}`, () => close(normalQuantile(p), z, 1e-6, 'z'));
  }

  const t: [number, number, number][] = [
    [0.9, 5, 1.475884],
    [0.975, 10, 2.228139],
    [0.975, 30, 2.042272],
    [0.9, Infinity, 1.2815516],
  ];
  for (const [p, df, q] of t) {
    it(`Student t quantile at ${p} with ${df} df is ${q} (within 1 %)`, () =>
      close(studentQuantile(p, df), q, 0.01 * q, 't'));
  }

  it('median, quantiles and MAD of a small sample', () => {
    assert.equal(median([5, 1, 3]), 3);
    assert.equal(quantileSorted([0, 10], 0.25), 2.5);
    close(madSigma([1, 2, 3, 4, 100]), 1.4826, 1e-9, 'mad');
  });
});

describe('medianInPlace', () => {
  it('equals the sorted median bit for bit: NaN, infinities, signed zeros, ties, every length', () => {
    const random = seededRandom(7);
    const pool = [0, -0, 1, -1, 2.5, NaN, Infinity, -Infinity, 1e-300, -1e300];
    for (let trial = 0; trial < 4000; trial++) {
      const n = 1 + Math.floor(random() * (trial < 2000 ? 12 : 400));
      const tied = random() < 0.3;
      const xs = Float64Array.from({ length: n }, () =>
        tied || random() < 0.1 ? pool[Math.floor(random() * pool.length)]! : random() * 200 - 100,
      );
      const want = quantileSorted(Float64Array.from(xs).sort(), 0.5);
      const got = medianInPlace(Float64Array.from(xs));
      assert.ok(Object.is(got, want), `[${[...xs].join(', ')}]: ${got} instead of ${want}`);
    }
  });
});
