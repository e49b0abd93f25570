import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placeArrivals } from './arrivals.ts';
import { Rng, streamRng } from './rng.ts';
import { parseTrace } from './trace.ts';

describe('seeded random numbers', () => {
  it('repeats for a seed and differs between seeds and streams', () => {
    const draw = (r: Rng) => Array.from({ length: 5 }, () => r.nextUint32());
    assert.deepEqual(draw(new Rng(1)), draw(new Rng(1)));
    assert.notDeepEqual(draw(new Rng(1)), draw(new Rng(2)));
    assert.notDeepEqual(draw(streamRng(1, 1)), draw(streamRng(1, 2)));
    assert.notDeepEqual(draw(new Rng(0)), [0, 0, 0, 0, 0]);
  });

  it('gives uniforms in (0, 1) and standard normals', () => {
    const r = new Rng(42);
    const n = 200_000;
    let sum = 0;
    let lo = 1;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      sum += u;
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
    }
    assert.ok(lo > 0 && hi < 1);
    assert.ok(Math.abs(sum / n - 0.5) < 0.005);
    let m = 0;
    let m2 = 0;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      m += z;
      m2 += z * z;
    }
    assert.ok(Math.abs(m / n) < 0.01);
    assert.ok(Math.abs(m2 / n - 1) < 0.01);
  });

  it('places each bucket’s arrivals uniformly inside it, in order', () => {
    const trace = parseTrace([
      { line: 1, cells: ['0', '1000'] },
      { line: 2, cells: ['60', '0'] },
      { line: 3, cells: ['120', '3'] },
    ]);
    const a = placeArrivals(trace, new Rng(5));
    assert.equal(a.length, 1003);
    for (let i = 1; i < a.length; i++) assert.ok(a[i]! >= a[i - 1]!);
    assert.ok(a.slice(0, 1000).every((t) => t >= 0 && t < 60_000));
    assert.ok(a.slice(1000).every((t) => t >= 120_000 && t < 180_000));
    const mean = a.slice(0, 1000).reduce((s, t) => s + t, 0) / 1000;
    assert.ok(Math.abs(mean - 30_000) < 2_000, `mean ${mean}`);
  });
});
